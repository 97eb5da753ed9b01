"""The ASGI middleware: probes answered, other requests and lifespan passed through."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import pytest

from bootguard import state
from bootguard.health.asgi import ASGIHealthMiddleware
from tests.unit.conftest import asgi_request, finding, report_of

pytestmark = pytest.mark.usefixtures("fresh_state")

Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


async def app(
    scope: MutableMapping[str, Any],
    receive: Callable[[], Awaitable[MutableMapping[str, Any]]],
    send: Send,
) -> None:
    if scope["type"] == "lifespan":
        await send({"type": "lifespan.startup.complete"})
        return
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"app:" + scope["path"].encode()})


def test_probes_are_answered_and_other_paths_reach_the_app() -> None:
    middleware = ASGIHealthMiddleware(app, token="t")
    assert asgi_request(middleware, "/readyz") == (503, b'{"status":"fail"}')
    state.publish(report_of(finding(status="warn")), ready=True)
    assert asgi_request(middleware, "/readyz") == (200, b'{"status":"warn"}')
    assert asgi_request(middleware, "/other") == (200, b"app:/other")
    assert asgi_request(middleware, "/livez", method="HEAD")[1] == b""
    assert b"msgbus:version" in asgi_request(middleware, "/healthz", token="t")[1]


def test_lifespan_goes_to_the_app() -> None:
    sent: list[MutableMapping[str, Any]] = []

    async def receive() -> MutableMapping[str, Any]:
        return {"type": "lifespan.startup"}

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    asyncio.run(ASGIHealthMiddleware(app)({"type": "lifespan"}, receive, send))
    assert sent == [{"type": "lifespan.startup.complete"}]
