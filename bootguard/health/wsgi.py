"""Health endpoints as pure WSGI middleware (no framework dependency).

``WSGIHealthMiddleware(app)`` answers ``/livez``, ``/readyz`` and ``/healthz`` itself and hands
every other request to ``app`` untouched, at the cost of one dict lookup.  Because it wraps
the framework's WSGI callable, it answers probes before the framework sees them: Django's
``ALLOWED_HOSTS`` never rejects a kubelet probe that sends the pod IP as ``Host``.

The responses are prepared once per verdict by :mod:`bootguard.health._responses`; nothing is stored
on the middleware per request.  ``bootguard.guard(app)`` installs it; it also works alone::

    from bootguard.health.wsgi import WSGIHealthMiddleware
    application = WSGIHealthMiddleware(get_wsgi_application())
"""

from __future__ import annotations

from bootguard.health import _responses

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping
    from typing import Any, TypeAlias

    StartResponse: TypeAlias = Callable[..., Any]
    WSGIApp: TypeAlias = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

__all__ = ["WSGIHealthMiddleware"]


class WSGIHealthMiddleware:
    """Answer health probes in front of a WSGI application.

    ``token``: details (the full report) for callers sending ``Authorization: Bearer
    <token>``; ``None`` reads ``$BOOTGUARD_TOKEN``, ``""`` never shows details.
    ``paths``: override the endpoint paths, e.g. ``{"ready": "/-/ready"}`` (keys ``live``,
    ``ready``, ``health``; a falsy value switches an endpoint off).
    """

    __slots__ = ("_digest", "_routes", "app")

    def __init__(
        self,
        app: WSGIApp,
        *,
        token: str | None = None,
        paths: Mapping[str, str | None] | None = None,
    ) -> None:
        self.app = app
        self._routes, self._digest = _responses.start(paths, token)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        kind = self._routes.get(environ.get("PATH_INFO", ""))
        if kind is None:
            return self.app(environ, start_response)
        method = environ.get("REQUEST_METHOD", "GET")
        response = _responses.respond(
            kind,
            method,
            environ.get("QUERY_STRING", ""),
            environ.get("HTTP_AUTHORIZATION"),
            self._digest,
        )
        start_response(response.status_line, list(response.headers))
        return [] if method == "HEAD" else [response.body]

    def __getattr__(self, name: str) -> Any:
        # Frameworks and tools sometimes reach through the WSGI callable (Flask's
        # ``app.wsgi_app`` pattern, test clients): behave like the wrapped app.
        if name.startswith("__") or name in self.__slots__:
            raise AttributeError(name)
        return getattr(self.app, name)
