"""Unit tests of bootguard.health.asgi: scopes the middleware does not answer pass through.

The ASGI middleware: probes answered, other requests and lifespan passed through.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import pytest

from bootguard import state
from bootguard.health.asgi import ASGIHealthMiddleware
from tests.unit.conftest import asgi_request, finding, report_of


def test_asgi_passes_lifespan_and_websocket_scopes_through() -> None:
    seen: list[str] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.append(f"{scope['type']} {scope.get('path')}")

    async def receive() -> dict[str, Any]:
        return {}

    sent: list[dict[str, Any]] = []

    async def send(message: Any) -> None:
        sent.append(message)

    middleware = ASGIHealthMiddleware(app)

    async def run() -> None:
        await middleware({"type": "lifespan"}, receive, send)
        await middleware({"type": "websocket", "path": "/readyz"}, receive, send)
        await middleware({"type": "http", "path": "/app", "method": "GET"}, receive, send)
        await middleware({"type": "http", "path": "/livez", "method": "GET"}, receive, send)

    asyncio.run(run())
    assert seen == ["lifespan None", "websocket /readyz", "http /app"]
    assert [m["type"] for m in sent] == ["http.response.start", "http.response.body"]
    assert sent[0]["status"] == 200


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
