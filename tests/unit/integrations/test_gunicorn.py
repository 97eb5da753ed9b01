"""gunicorn hooks: the gate runs in the master before binding; the verdict is logged when ready."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bootguard import gate
from bootguard.integrations.gunicorn import on_starting, when_ready


class Server:
    """What the hooks use of gunicorn's Arbiter: its logger."""

    def __init__(self) -> None:
        self.log = logging.getLogger("gunicorn.error.unit")


@pytest.mark.usefixtures("fresh_gate")
def test_the_gate_runs_on_starting_and_the_verdict_is_logged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "requirements.txt").write_text("absent-dist-u==1.0\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BOOTGUARD_MODE", "warn")
    monkeypatch.setenv("BOOTGUARD_SENTRY", "false")
    on_starting(Server())
    outcome = gate.outcome()
    assert outcome is not None and outcome.report.status == "fail"
    with caplog.at_level(logging.INFO, logger="gunicorn.error.unit"):
        when_ready(Server())
    assert "bootguard: fail (mode warn, ready)" in caplog.text


@pytest.mark.usefixtures("fresh_gate")
def test_enforce_stops_the_master(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "requirements.txt").write_text("absent-dist-u==1.0\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BOOTGUARD_MODE", "enforce")
    monkeypatch.setenv("BOOTGUARD_SENTRY", "false")
    with pytest.raises(SystemExit, match="3"):
        on_starting(Server())
