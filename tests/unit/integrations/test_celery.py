"""Celery: the gate runs at worker_init; a stop is Celery's own WorkerShutdown."""

from __future__ import annotations

from pathlib import Path

import pytest
from celery import signals
from celery.exceptions import WorkerShutdown

from bootguard import gate
from bootguard.integrations import celery as integration


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_gate: None) -> Path:
    (tmp_path / "requirements.txt").write_text("absent-dist-u==1.0\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(integration, "_options", {"sentry": False})
    return tmp_path


@pytest.mark.usefixtures("project")
def test_connect_runs_the_gate_when_the_worker_starts() -> None:
    integration.connect(mode="warn")
    try:
        signals.worker_init.send(sender=None)
        outcome = gate.outcome()
        assert outcome is not None and outcome.settings.mode == "warn" and outcome.ready
    finally:
        signals.worker_init.disconnect(integration.on_worker_init)


@pytest.mark.usefixtures("project")
def test_enforce_shuts_the_worker_down() -> None:
    integration._options["mode"] = "enforce"
    with pytest.raises(WorkerShutdown):
        integration.on_worker_init()
