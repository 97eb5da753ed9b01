"""Health endpoints as pure ASGI middleware (no framework dependency).

``ASGIHealthMiddleware(app)`` answers ``/livez``, ``/readyz`` and ``/healthz`` for HTTP
scopes and passes everything else (other paths, ``lifespan``, ``websocket``) straight to
``app``: the only work on that path is one dict lookup (a lifespan scope has no path, so
it misses the table like any other path).  Probes are answered before the framework sees
them, so host validation (Starlette's ``TrustedHostMiddleware``, Django's
``ALLOWED_HOSTS``) cannot reject a kubelet probe addressed to the pod IP.

The responses are prepared once per verdict by :mod:`bootguard.health._responses`.
"""

from __future__ import annotations

from bootguard.health import _responses

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Mapping, MutableMapping
    from typing import Any, TypeAlias

    Scope: TypeAlias = MutableMapping[str, Any]
    Receive: TypeAlias = Callable[[], Awaitable[MutableMapping[str, Any]]]
    Send: TypeAlias = Callable[[MutableMapping[str, Any]], Awaitable[None]]
    ASGIApp: TypeAlias = Callable[[Scope, Receive, Send], Awaitable[None]]

__all__ = ["ASGIHealthMiddleware"]


class ASGIHealthMiddleware:
    """Answer health probes in front of an ASGI 3 application.

    ``token`` and ``paths`` as for :class:`bootguard.health.wsgi.WSGIHealthMiddleware`.
    """

    __slots__ = ("_digest", "_routes", "app")

    def __init__(
        self,
        app: ASGIApp,
        *,
        token: str | None = None,
        paths: Mapping[str, str | None] | None = None,
    ) -> None:
        self.app = app
        self._routes, self._digest = _responses.start(paths, token)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = self._routes.get(scope.get("path"))  # type: ignore[arg-type]
        if kind is None or scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method = scope.get("method", "GET")
        authorization = None
        for name, value in scope.get("headers", ()):
            if name == b"authorization":
                authorization = value.decode("latin-1")
                break
        response = _responses.respond(
            kind,
            method,
            scope.get("query_string", b"").decode("latin-1"),
            authorization,
            self._digest,
        )
        await send(
            {
                "type": "http.response.start",
                "status": response.status,
                "headers": list(response.asgi_headers),
            }
        )
        body = b"" if method == "HEAD" else response.body
        await send({"type": "http.response.body", "body": body})
