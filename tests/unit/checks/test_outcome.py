"""A probe's outcome as a finding: ok, failed with its error and frames, or timed out."""

from __future__ import annotations

from bootguard.checks.outcome import (
    FRAMES,
    Outcome,
    clip,
    import_finding,
    last_frames,
    outcome_finding,
)


def _outcome(done: bool = True, error: tuple[str, str] | None = None) -> Outcome:
    outcome = Outcome()
    outcome.done, outcome.error, outcome.ms = done, error, 1500.0
    return outcome


def test_three_outcomes() -> None:
    assert import_finding("app", _outcome()).message == "import app ok"
    timed_out = outcome_finding("app:ping", "smoke", "app:ping()", _outcome(done=False))
    assert (timed_out.status, timed_out.message, timed_out.observed) == (
        "fail",
        "app:ping() did not finish within 1.5 s",
        "timeout",
    )
    failed = import_finding("app", _outcome(error=("ImportError", "no module x")))
    assert (failed.message, failed.observed) == (
        "import app failed: ImportError: no module x",
        "ImportError",
    )
    assert (
        import_finding("app", _outcome(error=("SystemExit", ""))).message
        == "import app failed: SystemExit"
    )


def test_clip_makes_one_short_line() -> None:
    assert clip("a\n  b\tc") == "a b c"
    long = clip("x" * 1000)
    assert len(long) == 300 and long.endswith("...")


def test_last_frames_are_short_and_few() -> None:
    def deep(n: int) -> None:
        if n:
            deep(n - 1)
        raise ValueError("bottom")

    try:
        deep(5)
    except ValueError as err:
        frames = last_frames(err)
    assert len(frames) == FRAMES
    assert all(
        frame.startswith("checks/test_outcome.py:") and frame.endswith(" in deep")
        for frame in frames
    )
