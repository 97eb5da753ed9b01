"""Uvicorn lifespan: the gate runs at startup; a stop is ``lifespan.startup.failed``."""

from __future__ import annotations

import asyncio
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

import pytest

from bootguard import gate
from bootguard.integrations.lifespan import LifespanGate, guard_lifespan
from tests.unit.conftest import asgi_request

STARTED: list[str] = []


async def app(scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        message = await receive()
        STARTED.append(message["type"])
        await send({"type": "lifespan.startup.complete"})
        return
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"app"})


def _startup(gated: Any) -> list[dict[str, Any]]:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "lifespan.startup"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(gated({"type": "lifespan"}, receive, send))
    return sent


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_gate: None) -> Path:
    (tmp_path / "requirements.txt").write_text("absent-dist-u==1.0\n")
    monkeypatch.chdir(tmp_path)
    STARTED.clear()
    return tmp_path


@pytest.mark.usefixtures("project")
def test_startup_runs_the_gate_then_hands_the_message_to_the_app() -> None:
    sent = _startup(LifespanGate(app, {"mode": "warn", "sentry": False}))
    assert sent == [{"type": "lifespan.startup.complete"}]
    assert STARTED == ["lifespan.startup"]  # replayed to the app
    outcome = gate.outcome()
    assert outcome is not None and outcome.ready


@pytest.mark.usefixtures("project")
def test_enforce_fails_the_startup_and_the_app_never_starts() -> None:
    (failed,) = _startup(LifespanGate(app, {"mode": "enforce", "sentry": False}))
    assert failed["type"] == "lifespan.startup.failed"
    assert failed["message"].startswith("bootguard: environment check failed (")
    assert "absent-dist-u:version" in failed["message"] and STARTED == []


@pytest.mark.usefixtures("project")
def test_guard_lifespan_adds_the_health_endpoints() -> None:
    gated = guard_lifespan(app, mode="warn", sentry=False)
    assert asgi_request(gated, "/readyz")[0] == 503  # before startup: pending
    assert asgi_request(gated, "/other") == (200, b"app")
