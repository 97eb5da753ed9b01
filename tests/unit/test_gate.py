"""Unit tests of bootguard.gate: the policy run in-process, without a server.

The gate's policy: once per process, the modes, readiness, the enforce stop.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bootguard import gate, state

WINDOWS_ONLY = 'pywin32==306; sys_platform == "win32"\n'


def _gate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, **options: object) -> gate.Outcome:
    monkeypatch.chdir(tmp_path)
    for name in ("BOOTGUARD_MANIFEST", "BOOTGUARD_CONFIG", "BOOTGUARD_ALLOW_EMPTY_MANIFEST"):
        monkeypatch.delenv(name, raising=False)
    gate.reset()
    try:
        return gate.run({"sentry": False, **options}, start=tmp_path, exit=False)
    finally:
        gate.reset()


def _config(outcome: gate.Outcome) -> list[tuple[str, str]]:
    return [(f.status, f.message) for f in outcome.report.findings if f.key == "bootguard:config"]


def test_gate_warns_when_no_manifest_is_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    found = _config(_gate(tmp_path, monkeypatch))
    assert found == [
        (
            "warn",
            f"bootguard configuration: no manifest found in {tmp_path}: versions are not "
            "checked, only the environment's own consistency (requires, duplicate); set manifest",
        )
    ]
    assert _config(_gate(tmp_path, monkeypatch, manifest=[])) == []  # none, on purpose


def test_gate_reports_an_empty_selection_unless_allowed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "requirements.txt").write_text(WINDOWS_ONLY)
    [(status, message)] = _config(_gate(tmp_path, monkeypatch, manifest="requirements.txt"))
    assert status == "warn" and "selects no distribution for this environment" in message
    allowed = _gate(tmp_path, monkeypatch, manifest="requirements.txt", allow_empty_manifest=True)
    assert _config(allowed) == []
    assert [m.path for m in allowed.report.manifests] == [str(tmp_path / "requirements.txt")]


def test_concurrent_callers_share_one_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In-process: eight threads call the gate at once; one check, one outcome."""
    import threading

    from bootguard import api, gate, state

    (tmp_path / "requirements.lock").write_text("")
    calls: list[int] = []
    real_check = api.check_with

    def counting_check(*args: Any, **kwargs: Any) -> Any:  # the real check, counted
        calls.append(1)
        return real_check(*args, **kwargs)

    monkeypatch.setattr(api, "check_with", counting_check)
    gate.reset()
    try:
        barrier = threading.Barrier(8)
        outcomes: list[gate.Outcome] = []

        def boot() -> None:
            barrier.wait()
            options = {
                "manifest": str(tmp_path / "requirements.lock"),
                "allow_empty_manifest": True,  # an empty manifest is refused otherwise
                "sentry": False,
            }
            outcomes.append(gate.run(options))

        threads = [threading.Thread(target=boot) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert len(outcomes) == 8
        assert len({id(o) for o in outcomes}) == 1
        assert calls == [1]
        assert state.current().report is outcomes[0].report
    finally:
        gate.reset()


pytestmark = pytest.mark.usefixtures("fresh_gate")


@pytest.fixture(autouse=True)
def _in_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # the gate discovers its manifest in the working directory


def _project(tmp_path: Path, text: str = "absent-dist-u==1.0\n") -> Path:
    (tmp_path / "requirements.txt").write_text(text)
    return tmp_path


@pytest.mark.parametrize(("mode", "ready"), [("report", False), ("warn", True)])
def test_a_failed_check_sets_readiness_by_mode(tmp_path: Path, mode: str, ready: bool) -> None:
    outcome = gate.run({"mode": mode, "sentry": False}, start=_project(tmp_path))
    assert outcome.report.status == "fail"
    assert (outcome.ready, outcome.stop) == (ready, False)
    assert state.current().ready is ready and state.current().report is outcome.report
    assert gate.outcome() is outcome


def test_enforce_stops_with_exit_status_3(tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as stopped:
        gate.run({"mode": "enforce", "sentry": False}, start=_project(tmp_path))
    assert stopped.value.code == gate.EXIT_STATUS == 3
    outcome = gate.run(exit=False)  # every later call gets the same outcome
    assert outcome.stop and not outcome.ready


def test_the_gate_runs_once_per_process(tmp_path: Path) -> None:
    first = gate.run({"mode": "warn", "sentry": False}, start=_project(tmp_path))
    again = gate.run({"mode": "enforce"}, start=tmp_path)
    assert again is first


def test_a_bad_setting_is_a_config_finding_not_an_exception(tmp_path: Path) -> None:
    outcome = gate.run({"mode": "warn", "mdoe": "x", "sentry": False}, start=_project(tmp_path))
    (config,) = [f for f in outcome.report.findings if f.key == "bootguard:config"]
    assert "mdoe" in config.message and config.status == "warn"


def test_guard_returns_the_app_with_health_endpoints(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _project(tmp_path, "pip>=1\n")

    def app(environ: dict[str, object], start_response: object) -> list[bytes]:
        return [b"app"]

    wrapped = gate.guard(app, manifest=["requirements.txt"], mode="warn", sentry=False)
    assert wrapped is not app and callable(wrapped)
    assert gate.guard(None, mode="warn") is None
