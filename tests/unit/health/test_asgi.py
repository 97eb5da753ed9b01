"""Unit tests of bootguard.health.asgi: scopes the middleware does not answer pass through."""

from __future__ import annotations

import asyncio
from typing import Any

from bootguard.health.asgi import ASGIHealthMiddleware


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
