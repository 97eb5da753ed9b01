"""Real servers and a real HTTP client for the health-endpoint tests and benchmark.

Why: the promise is about what a load balancer sees from a real gunicorn or uvicorn, so
the tests start those servers as subprocesses on 127.0.0.1 (a free port each), talk HTTP
to them with ``http.client``, and stop exactly the processes they started, by PID.
Nothing listens beyond loopback and no traffic goes anywhere else.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.venvs import clean_env

__all__ = [
    "REPO_ROOT",
    "LoadResult",
    "Reply",
    "ServerProcess",
    "fetch",
    "free_port",
    "gunicorn",
    "in_threads",
    "run_load",
    "uvicorn",
]

REPO_ROOT = Path(__file__).resolve().parents[2]
LOOPBACK = "127.0.0.1"


def free_port() -> int:
    """A port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class Reply:
    """One HTTP response: status, headers (lower-case names), body."""

    status: int
    headers: Mapping[str, str]
    body: bytes

    def json(self) -> object:
        """The body parsed as JSON."""
        import json

        return json.loads(self.body)


def fetch(
    port: int,
    path: str,
    *,
    method: str = "GET",
    headers: Mapping[str, str] | None = None,
    timeout: float = 10.0,
) -> Reply:
    """One request to ``127.0.0.1:port`` on a fresh connection."""
    conn = http.client.HTTPConnection(LOOPBACK, port, timeout=timeout)
    try:
        conn.request(method, path, headers=dict(headers or {}))
        response = conn.getresponse()
        body = response.read()
        names = {name.lower(): value for name, value in response.getheaders()}
        return Reply(response.status, names, body)
    finally:
        conn.close()


class ServerProcess:
    """A server subprocess we started; :meth:`stop` ends it (and only it) by PID."""

    def __init__(
        self,
        argv: Sequence[str],
        *,
        port: int,
        env: Mapping[str, str],
        log: Path,
        cwd: Path | None = None,
    ) -> None:
        self.argv = list(argv)
        self.port = port
        self.log = log
        self._log_file = log.open("wb")
        self.process = subprocess.Popen(
            self.argv,
            env=dict(env),
            cwd=cwd or REPO_ROOT,
            stdin=subprocess.DEVNULL,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: a stray worker is ours to end
        )

    def wait_ready(self, path: str = "/livez", timeout: float = 60.0) -> ServerProcess:
        """Wait until ``path`` answers at all (any status); raise with the log if it dies."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited {self.process.returncode}:\n{self.output()}")
            try:
                fetch(self.port, path, timeout=2.0)
            except OSError:
                time.sleep(0.05)
                continue
            return self
        self.stop()
        raise RuntimeError(f"server did not answer within {timeout}s:\n{self.output()}")

    def output(self) -> str:
        """What the server printed so far."""
        if not self._log_file.closed:
            self._log_file.flush()
        return self.log.read_text(errors="replace")

    def stop(self, timeout: float = 15.0) -> int | None:
        """SIGTERM the server (gunicorn/uvicorn stop their workers gracefully); then KILL."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)  # the group we created
                self.process.wait(timeout)
        self._log_file.close()
        return self.process.returncode

    def __repr__(self) -> str:
        return f"ServerProcess(port={self.port}, argv={self.argv!r})"


def _server_env(extra: Mapping[str, str]) -> dict[str, str]:
    return clean_env(extra, pythonpath=(REPO_ROOT,))


def gunicorn(
    app: str,
    *,
    log: Path,
    env: Mapping[str, str] | None = None,
    workers: int = 2,
    preload: bool = False,
    extra_args: Sequence[str] = (),
) -> ServerProcess:
    """Start gunicorn (sync workers) serving ``app`` on a free loopback port."""
    port = free_port()
    argv = [
        sys.executable, "-m", "gunicorn",
        "--bind", f"{LOOPBACK}:{port}",
        "--workers", str(workers),
        "--chdir", str(REPO_ROOT),
        "--graceful-timeout", "5",
        "--log-level", "warning",
        *(["--preload"] if preload else []),
        *extra_args,
        app,
    ]  # fmt: skip
    return ServerProcess(argv, port=port, env=_server_env(env or {}), log=log)


def uvicorn(
    app: str,
    *,
    log: Path,
    env: Mapping[str, str] | None = None,
    extra_args: Sequence[str] = (),
) -> ServerProcess:
    """Start uvicorn (one process) serving ``app`` on a free loopback port."""
    port = free_port()
    argv = [
        sys.executable, "-m", "uvicorn",
        "--host", LOOPBACK,
        "--port", str(port),
        "--app-dir", str(REPO_ROOT),
        "--log-level", "warning",
        "--no-access-log",
        *extra_args,
        app,
    ]  # fmt: skip
    return ServerProcess(argv, port=port, env=_server_env(env or {}), log=log)


@dataclass
class LoadResult:
    """What a bounded load run saw: statuses per path, and transport errors."""

    statuses: dict[str, Counter[int]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    elapsed: float = 0.0

    @property
    def total(self) -> int:
        """Requests answered (with any status)."""
        return sum(sum(c.values()) for c in self.statuses.values())


def run_load(
    port: int,
    paths: Sequence[str],
    *,
    total: int,
    concurrency: int = 8,
    timeout: float = 10.0,
) -> LoadResult:
    """Send exactly ``total`` GETs, cycling through ``paths``, from ``concurrency`` threads.

    Loopback only, a fixed count, a per-request timeout: it always stops by itself.
    """
    result = LoadResult(statuses={path: Counter() for path in paths})
    lock = threading.Lock()

    def worker(start: int) -> None:
        for index in range(start, total, concurrency):
            path = paths[index % len(paths)]
            try:
                status = fetch(port, path, timeout=timeout).status
            except (OSError, http.client.HTTPException) as err:
                with lock:
                    result.errors.append(f"{path}: {type(err).__name__}: {err}")
                continue
            with lock:
                result.statuses[path][status] += 1

    result.elapsed = in_threads(worker, concurrency)
    return result


def in_threads(worker: Callable[[int], object], count: int) -> float:
    """Run ``worker(0)`` ... ``worker(count - 1)`` in threads at once; the seconds they took."""
    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started
