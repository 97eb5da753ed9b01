"""The WSGI and ASGI apps the health-endpoint tests and benchmark serve with real servers.

gunicorn and uvicorn import this module in their own processes (``tests.support.health_apps:wsgi``,
``tests.support.health_apps:asgi``, and the ``bare_*`` twins without bootguard).  At import it does
what ``bootguard.guard(app)`` does at boot, driven by environment variables the test sets:

* ``BG_APP_MANIFEST``: run ``bootguard.check([manifest], paths=...)`` and publish the
  verdict (ready unless it failed);
* ``BG_APP_PATHS``: the ``sys.path``-style directories to inspect (``os.pathsep``-joined),
  e.g. a test venv's site-packages: a real in-process check of a real environment;
* ``BG_APP_RECHECK``: re-check every so many seconds (:mod:`bootguard.health.recheck`);
* ``PROMETHEUS_MULTIPROC_DIR`` or ``BG_APP_METRICS``: enable :mod:`bootguard.health.metrics`
  and serve ``/metrics``;
* ``BG_APP_EMPTY``: publish the check of an empty environment (the benchmark's "ready").

The token comes from ``BOOTGUARD_TOKEN`` (the middleware's default).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any

from bootguard import state
from bootguard.health.asgi import ASGIHealthMiddleware
from bootguard.health.wsgi import WSGIHealthMiddleware

__all__ = ["asgi", "bare_asgi", "bare_wsgi", "wsgi"]

_BODY = b"ok\n"
_HEADERS = [("Content-Type", "text/plain"), ("Content-Length", str(len(_BODY)))]


def _metrics_body() -> tuple[bytes, str]:
    from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest

    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST


def bare_wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """A trivial WSGI app: ``/`` says ok, ``/metrics`` is Prometheus, the rest is 404."""
    path = environ.get("PATH_INFO", "")
    if path == "/":
        start_response("200 OK", list(_HEADERS))
        return [_BODY]
    if path == "/metrics":
        body, content_type = _metrics_body()
        start_response("200 OK", [("Content-Type", content_type)])
        return [body]
    start_response("404 Not Found", [("Content-Type", "text/plain"), ("Content-Length", "0")])
    return []


async def bare_asgi(scope: Any, receive: Any, send: Any) -> None:
    """The ASGI twin of :func:`bare_wsgi`, with a lifespan handler."""
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    path = scope.get("path")
    if path == "/":
        status, body, content_type = 200, _BODY, b"text/plain"
    elif path == "/metrics":
        metrics, text_type = _metrics_body()
        status, body, content_type = 200, metrics, text_type.encode()
    else:
        status, body, content_type = 404, b"", b"text/plain"
    headers = [(b"content-type", content_type), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _boot() -> None:
    """Check, publish, and start what the environment asks for (what guard() does)."""
    from bootguard.api import check

    paths = os.environ.get("BG_APP_PATHS")
    search = paths.split(os.pathsep) if paths is not None else None
    manifest = os.environ.get("BG_APP_MANIFEST")
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR") or os.environ.get("BG_APP_METRICS"):
        from bootguard.health import metrics

        metrics.enable()
    if manifest:
        report = check([manifest], paths=search)
        state.publish(report, ready=report.status != "fail")
        recheck = os.environ.get("BG_APP_RECHECK")
        if recheck:
            from bootguard.health.recheck import start_recheck

            start_recheck(float(recheck), manifests=[manifest], options={"paths": search})
    elif os.environ.get("BG_APP_EMPTY"):
        report = check([], paths=[])
        state.publish(report, ready=True)


_boot()
wsgi = WSGIHealthMiddleware(bare_wsgi)
asgi = ASGIHealthMiddleware(bare_asgi)
