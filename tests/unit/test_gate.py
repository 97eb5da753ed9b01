"""The gate's policy: once per process, the modes, readiness, the enforce stop."""

from __future__ import annotations

from pathlib import Path

import pytest

from bootguard import gate, state

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
