"""What one probe (a critical import or a smoke callable) did, and the finding it makes."""

from __future__ import annotations

from bootguard.report import Finding

TYPE_CHECKING = False
if TYPE_CHECKING:
    from bootguard.report import Aspect

__all__ = [
    "FRAMES",
    "Outcome",
    "clip",
    "import_finding",
    "last_frames",
    "outcome_finding",
    "probe_finding",
    "probe_subject",
]

FRAMES = 3  # how many of the last traceback frames a failure keeps
_MESSAGE_LIMIT = 300


class Outcome:
    """What happened to one probe: finished (value or error) or still running at timeout."""

    __slots__ = ("done", "error", "frames", "ms", "value")

    def __init__(self) -> None:
        self.done = False
        self.value: object = None
        self.error: tuple[str, str] | None = None  # (type name, message)
        self.frames: tuple[str, ...] = ()
        self.ms = 0.0


def import_finding(name: str, outcome: Outcome) -> Finding:
    return outcome_finding(name, "import", f"import {name}", outcome)


def probe_subject(target: str) -> tuple[str, Aspect]:
    """The finding's subject and aspect: ``module`` is an import, ``module:function`` a smoke."""
    if ":" in target:
        return target.replace(":", "."), "smoke"
    return target, "import"


def probe_finding(target: str, outcome: Outcome) -> Finding:
    """The finding of a critical import (``module``) or a smoke callable (``module:function``,
    which fails when it returns ``False``)."""
    subject, aspect = probe_subject(target)
    if aspect == "import":
        return import_finding(target, outcome)
    what = f"smoke check {target}"
    if outcome.error is None and outcome.done and outcome.value is False:
        return Finding(
            subject,
            "smoke",
            "fail",
            f"{what} returned False",
            expected="true",
            observed="False",
            time_ms=outcome.ms,
        )
    return outcome_finding(subject, "smoke", what, outcome)


def outcome_finding(subject: str, aspect: Aspect, what: str, outcome: Outcome) -> Finding:
    if not outcome.done:
        return Finding(
            subject,
            aspect,
            "fail",
            f"{what} did not finish within {outcome.ms / 1000.0:.1f} s",
            expected="finishes",
            observed="timeout",
            time_ms=outcome.ms,
        )
    if outcome.error is not None:
        kind, message = outcome.error
        return Finding(
            subject,
            aspect,
            "fail",
            f"{what} failed: {kind}: {message}" if message else f"{what} failed: {kind}",
            expected="ok",
            observed=kind,
            details=outcome.frames,
            time_ms=outcome.ms,
        )
    return Finding(subject, aspect, "pass", f"{what} ok", time_ms=outcome.ms)


def clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _MESSAGE_LIMIT else text[: _MESSAGE_LIMIT - 3] + "..."


def last_frames(err: BaseException) -> tuple[str, ...]:
    import traceback  # deferred for import cost: only on a failure

    frames = traceback.extract_tb(err.__traceback__)[-FRAMES:]
    return tuple(f"{_short(f.filename)}:{f.lineno} in {f.name}" for f in frames)


def _short(filename: str) -> str:
    parts = filename.replace("\\", "/").split("/")
    return "/".join(parts[-2:])
