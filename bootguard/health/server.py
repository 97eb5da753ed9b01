"""A tiny standalone health server for processes without HTTP (Celery workers, cron jobs).

``serve_health(port)`` starts the standard library's threading HTTP server in a daemon
thread and answers the same endpoints as the middleware (``/livez``, ``/readyz``,
``/healthz``, from :mod:`bootguard.health._responses`); every other path is 404.  It binds to
127.0.0.1 unless told otherwise: a probe from the kubelet reaches a pod's own address, so
widen it (``host="0.0.0.0"``) only where something outside the pod must call it.

``bootguard serve`` (the CLI) runs the check, publishes the verdict and serves until
SIGTERM, which flips readiness to 503 first.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence

from bootguard._text import one_line
from bootguard.health import _responses

TYPE_CHECKING = False
if TYPE_CHECKING:
    import http.server

__all__ = ["HealthServer", "serve_health", "serve_until_signal"]


class HealthServer:
    """A running health server: ``host``, ``port`` (the bound one), ``url``, ``stop()``."""

    __slots__ = ("_httpd", "_thread", "host", "port")

    def __init__(self, httpd: http.server.ThreadingHTTPServer, thread: threading.Thread) -> None:
        self._httpd = httpd
        self._thread = thread
        address = httpd.server_address
        self.host = str(address[0])
        self.port = int(address[1])

    @property
    def url(self) -> str:
        """Base URL, e.g. ``http://127.0.0.1:8081``."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def stop(self, timeout: float = 5.0) -> None:
        """Stop serving and close the socket (idempotent)."""
        if self._thread.is_alive():
            self._httpd.shutdown()
            self._thread.join(timeout)
        self._httpd.server_close()

    def __enter__(self) -> HealthServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"HealthServer({self.url})"


def serve_health(
    port: int,
    host: str = "127.0.0.1",
    *,
    token: str | None = None,
    paths: Mapping[str, str | None] | None = None,
) -> HealthServer:
    """Serve the health endpoints on ``host:port`` from a daemon thread; return its handle.

    ``port=0`` picks a free port (read it from ``.port``).  ``token`` and ``paths`` as for
    :class:`bootguard.health.wsgi.WSGIHealthMiddleware`.  Raises ``OSError`` if the address is taken.
    """
    import http.server  # deferred: import cost (docs/design.md)
    import socket

    routes, digest = _responses.start(paths, token)

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "bootguard"
        sys_version = ""

        def do_GET(self) -> None:
            self._answer()

        do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_GET

        def _answer(self) -> None:
            path, _, query = self.path.partition("?")
            kind = routes.get(path)
            if kind is None:
                response = _responses.NOT_FOUND
            else:
                response = _responses.respond(
                    kind, self.command, query, self.headers.get("Authorization"), digest
                )
            self.send_response(response.status)
            for name, value in response.headers:
                self.send_header(name, value)
            if self.command not in ("GET", "HEAD"):
                # A request body we did not read must not be taken for the next request.
                self.close_connection = True
                self.send_header("Connection", "close")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(response.body)

        def log_message(self, format: str, *args: object) -> None:
            pass  # probes every few seconds would flood the worker's log

    server_class = http.server.ThreadingHTTPServer
    if ":" in host:

        class V6Server(http.server.ThreadingHTTPServer):
            address_family = socket.AF_INET6

        server_class = V6Server
    httpd = server_class((host, port), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(
        target=httpd.serve_forever,
        kwargs={"poll_interval": 0.25},
        name="bootguard-health",
        daemon=True,
    )
    thread.start()
    return HealthServer(httpd, thread)


def serve_until_signal(
    port: int,
    host: str = "127.0.0.1",
    *,
    manifests: Sequence[str] | None = None,
    python: str | None = None,
    recheck: float | None = None,
    grace: float = 0.0,
    token: str | None = None,
) -> int:
    """``bootguard serve``: check, publish, serve until SIGTERM/SIGINT; return an exit code.

    On the signal readiness turns 503 at once (``drain``); the server keeps answering for
    ``grace`` seconds so a load balancer sees it, then stops: exit 0.  Exit 2 for an
    unreadable manifest or an address already in use (as ``bootguard check`` does).
    """
    import signal
    import sys

    from bootguard import state
    from bootguard.api import check_with
    from bootguard.errors import BootguardError
    from bootguard.options import CheckOptions

    stopping = threading.Event()

    def on_signal(signum: int, frame: object) -> None:
        state.drain()
        stopping.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        try:
            options = CheckOptions(manifests=manifests, python=python)
            report = check_with(options)
        except BootguardError as err:
            sys.stderr.write(f"bootguard: error: {one_line(str(err))}\n")
            return 2
        state.publish(report, ready=report.status != "fail")
        try:
            server = serve_health(port, host, token=token)
        except OSError as err:
            sys.stderr.write(f"bootguard: error: cannot listen on {host}:{port}: {err}\n")
            return 2
        ready = "ready" if state.current().ready else "not ready"
        sys.stderr.write(
            f"bootguard: serving {server.url} (/livez /readyz /healthz): {report.status}, "
            f"{ready} - {len(report.problems)} problems\n"
        )
        sys.stderr.flush()
        watcher = None
        if recheck:
            from bootguard.health.recheck import start_recheck

            watcher = start_recheck(recheck, options=options, baseline=report)
        try:
            while not stopping.wait(0.5):
                pass
            sys.stderr.write("bootguard: draining (readiness 503), then stopping\n")
            sys.stderr.flush()
            if grace > 0:
                stopping.clear()
                stopping.wait(grace)
        finally:
            if watcher is not None:
                watcher.stop()
            server.stop()
        return 0
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
