"""Benchmark: what the health middleware costs a real server, and how fast it answers probes.

Why: the middleware sits in front of every request of every worker, so its cost on a
non-health path must vanish in the server's own noise (target: the wrapped app within 2%
of the bare one), and ``/readyz`` must be served at least as fast as the app's own most
trivial endpoint (its response is prepared once per verdict).

How: the bare app and the wrapped app (:mod:`tests.support.health_apps`) run side by side under the
same server (gunicorn with one sync worker, or uvicorn), on 127.0.0.1; one load generator
drives one of them at a time, interleaved over several rounds with the order rotated, so
drift and noise spread over every row.  The client is ``wrk`` when it is on ``PATH``
(``apt-get install wrk``), else a small threaded ``http.client`` loop (which may itself be
the bottleneck; the result says which was used).  Bounded: fixed duration per round,
loopback only, servers stopped by PID at the end.

Many short interleaved rounds and the median of the per-round ratios: on a shared machine
neighbours' bursts hit one 1-second sample, not a whole row.  :func:`inprocess` adds the
precise number the servers' noise hides: nanoseconds the middleware adds per call.

Run: ``PYTHONPATH=. python benchmarks/health_bench.py [--server gunicorn|uvicorn|both] [--seconds S]
[--rounds N] [--inprocess] [--json]``; or call :func:`measure` / :func:`inprocess`.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tests.support.health import LOOPBACK, ServerProcess, gunicorn, in_threads, uvicorn

__all__ = ["inprocess", "main", "measure"]

ROWS = (
    ("bare /", "bare", "/"),
    ("wrapped /", "wrapped", "/"),
    ("wrapped /readyz", "wrapped", "/readyz"),
)


def _wrk_rps(port: int, path: str, seconds: float, connections: int) -> tuple[float, int]:
    out = subprocess.run(
        [
            "wrk",
            "-t1",
            f"-c{connections}",
            f"-d{max(1, round(seconds))}s",
            f"http://{LOOPBACK}:{port}{path}",
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 60,
    ).stdout
    if "Non-2xx or 3xx responses" in out:
        raise RuntimeError(f"unexpected status codes from {path}:\n{out}")
    found = re.search(r"Requests/sec:\s+([\d.]+)", out)
    count = re.search(r"(\d+) requests in", out)
    if found is None or count is None:
        raise RuntimeError(f"cannot read wrk's output:\n{out}")
    return float(found.group(1)), int(count.group(1))


def _python_rps(port: int, path: str, seconds: float, connections: int) -> tuple[float, int]:
    count = [0] * connections
    failures: list[str] = []
    deadline = time.perf_counter() + seconds

    def worker(slot: int) -> None:
        conn: http.client.HTTPConnection | None = None
        while time.perf_counter() < deadline:
            try:
                if conn is None:
                    conn = http.client.HTTPConnection(LOOPBACK, port, timeout=10)
                conn.request("GET", path)
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    failures.append(f"{path}: {response.status}")
                    return
                count[slot] += 1
                if response.will_close:
                    conn.close()
                    conn = None
            except (OSError, http.client.HTTPException):
                if conn is not None:
                    conn.close()
                conn = None
        if conn is not None:
            conn.close()

    elapsed = in_threads(worker, connections)
    if failures:
        raise RuntimeError(failures[0])
    return sum(count) / elapsed, sum(count)


def _tree_cpu(pid: int) -> float | None:
    """CPU seconds (user + system) used so far by ``pid`` and its children (Linux /proc)."""
    try:
        pids = [pid]
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as handle:
                pids.extend(int(child) for child in handle.read().split())
        ticks = 0
        for each in pids:
            with open(f"/proc/{each}/stat") as handle:
                fields = handle.read().rpartition(")")[2].split()
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
    except (OSError, ValueError):
        return None
    return ticks / os.sysconf("SC_CLK_TCK")


def _start(server: str, app: str, log: Path, env: dict[str, str]) -> ServerProcess:
    if server == "gunicorn":
        target = (
            "tests.support.health_apps:bare_wsgi"
            if app == "bare"
            else "tests.support.health_apps:wsgi"
        )
        process = gunicorn(target, log=log, env=env, workers=1)
    else:
        target = (
            "tests.support.health_apps:bare_asgi"
            if app == "bare"
            else "tests.support.health_apps:asgi"
        )
        process = uvicorn(target, log=log, env=env)
    return process.wait_ready("/")


def measure(
    server: str = "gunicorn",
    *,
    seconds: float = 1.0,
    rounds: int = 15,
    connections: int = 16,
    client: str = "auto",
) -> dict[str, Any]:
    """Requests/s of the bare app, the wrapped app, and ``/readyz``; medians and ratios.

    Returns ``{"server", "client", "rounds", "rps": {row: median}, "samples": {row: [...]},
    "ratios": {"wrapped/bare": r, "readyz/bare": r, "cpu wrapped/bare": r, "cpu
    readyz/bare": r}, "round_ratios": {...}, "server_cpu_us_per_request": {row: median},
    "targets": {...: bool}}``.  Throughput ratios are medians of per-round ratios; the
    server's CPU time per request (from /proc, Linux) is less sensitive to neighbours.
    """
    if client == "auto":
        client = "wrk" if shutil.which("wrk") else "python"
    rps = _wrk_rps if client == "wrk" else _python_rps
    env = {"BG_APP_EMPTY": "1"}  # the wrapped app's verdict: ready
    samples: dict[str, list[float]] = {label: [] for label, _, _ in ROWS}
    cpu: dict[str, list[float]] = {label: [] for label, _, _ in ROWS}
    with tempfile.TemporaryDirectory(prefix="bootguard-health-bench-") as tmp:
        started = {
            app: _start(server, app, Path(tmp) / f"{app}.log", env) for app in ("bare", "wrapped")
        }
        try:
            for _, app, path in ROWS:  # warm up every row once
                rps(started[app].port, path, 1.0, connections)
            for index in range(rounds):
                order = ROWS[index % len(ROWS) :] + ROWS[: index % len(ROWS)]
                for label, app, path in order:
                    pid = started[app].process.pid
                    before = _tree_cpu(pid)
                    rate, requests = rps(started[app].port, path, seconds, connections)
                    after = _tree_cpu(pid)
                    samples[label].append(rate)
                    if before is not None and after is not None and requests:
                        cpu[label].append((after - before) * 1e6 / requests)
        finally:
            for process in started.values():
                process.stop()
    medians = {label: statistics.median(values) for label, values in samples.items()}
    round_ratios = {
        "wrapped/bare": [
            w / b for w, b in zip(samples["wrapped /"], samples["bare /"], strict=True)
        ],
        "readyz/bare": [
            r / b for r, b in zip(samples["wrapped /readyz"], samples["bare /"], strict=True)
        ],
    }
    ratios = {name: statistics.median(values) for name, values in round_ratios.items()}
    cpu_us = {label: statistics.median(values) for label, values in cpu.items() if values}
    if len(cpu_us) == len(ROWS):
        ratios["cpu wrapped/bare"] = cpu_us["wrapped /"] / cpu_us["bare /"]
        ratios["cpu readyz/bare"] = cpu_us["wrapped /readyz"] / cpu_us["bare /"]
    return {
        "server": server,
        "client": client,
        "rounds": rounds,
        "seconds": seconds,
        "connections": connections,
        "rps": medians,
        "samples": samples,
        "ratios": ratios,
        "round_ratios": round_ratios,
        "server_cpu_us_per_request": cpu_us,
        "targets": {
            "wrapped within 2% of bare": ratios["wrapped/bare"] >= 0.98,
            "readyz at least as fast as bare /": ratios["readyz/bare"] >= 1.0,
        },
    }


def inprocess(calls: int = 200_000, repeat: int = 7) -> dict[str, float]:
    """Nanoseconds per call of the bare and wrapped WSGI and ASGI apps, in this process.

    No server, no socket: what the middleware itself adds to a request that is not for it
    (one dict lookup), and what a prepared ``/readyz`` answer costs.  Best of ``repeat``.
    """
    import asyncio

    from bootguard import state
    from bootguard.api import check
    from tests.support import health_apps

    if state.current().report is None:
        state.publish(check([], paths=[]), ready=True)

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        return None

    def wsgi_ns(app: Any, path: str) -> float:
        environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": ""}
        best = float("inf")
        for _ in range(repeat):
            started = time.perf_counter_ns()
            for _ in range(calls):
                app(environ, start_response)
            best = min(best, (time.perf_counter_ns() - started) / calls)
        return best

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b""}

    async def send(message: Any) -> None:
        return None

    def asgi_ns(app: Any, path: str) -> float:
        scope = {"type": "http", "method": "GET", "path": path, "query_string": b"", "headers": []}

        async def drive() -> float:
            best = float("inf")
            for _ in range(repeat):
                started = time.perf_counter_ns()
                for _ in range(calls):
                    await app(scope, receive, send)
                best = min(best, (time.perf_counter_ns() - started) / calls)
            return best

        return asyncio.run(drive())

    result = {
        "wsgi bare /": wsgi_ns(health_apps.bare_wsgi, "/"),
        "wsgi wrapped /": wsgi_ns(health_apps.wsgi, "/"),
        "wsgi wrapped /readyz": wsgi_ns(health_apps.wsgi, "/readyz"),
        "asgi bare /": asgi_ns(health_apps.bare_asgi, "/"),
        "asgi wrapped /": asgi_ns(health_apps.asgi, "/"),
        "asgi wrapped /readyz": asgi_ns(health_apps.asgi, "/readyz"),
    }
    result["wsgi added ns"] = result["wsgi wrapped /"] - result["wsgi bare /"]
    result["asgi added ns"] = result["asgi wrapped /"] - result["asgi bare /"]
    return result


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: print a table, or the JSON of :func:`measure` per server."""
    parser = argparse.ArgumentParser(prog="benchmarks/health_bench.py", description=__doc__)
    parser.add_argument("--server", choices=("gunicorn", "uvicorn", "both"), default="both")
    parser.add_argument("--seconds", type=float, default=1.0)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--client", choices=("auto", "wrk", "python"), default="auto")
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--inprocess", action="store_true", help="also time the apps in-process (no server)"
    )
    options = parser.parse_args(argv)
    kinds = ("gunicorn", "uvicorn") if options.server == "both" else (options.server,)
    results = [
        measure(
            kind,
            seconds=options.seconds,
            rounds=options.rounds,
            connections=options.connections,
            client=options.client,
        )
        for kind in kinds
    ]
    calls = inprocess() if options.inprocess else None
    if options.json:
        print(json.dumps({"servers": results, "inprocess_ns": calls}, indent=2))
        return 0
    for result in results:
        print(
            f"{result['server']} (client {result['client']}, {result['rounds']} rounds x "
            f"{result['seconds']:g}s, {result['connections']} connections)"
        )
        for label, value in result["rps"].items():
            spread = ", ".join(f"{v:.0f}" for v in result["samples"][label])
            print(f"  {label:<17} {value:>9.0f} req/s   [{spread}]")
        for name, value in result["ratios"].items():
            per_round = ", ".join(f"{v:.3f}" for v in result["round_ratios"].get(name, []))
            print(f"  {name:<17} {value:>9.3f}         [{per_round}]")
        for label, value in result["server_cpu_us_per_request"].items():
            print(f"  server CPU {label:<17} {value:>6.0f} us/request")
        for target, met in result["targets"].items():
            print(f"  target {target}: {'met' if met else 'NOT met'}")
    if calls is not None:
        print("in-process (ns per call, best of 7)")
        for label, value in calls.items():
            print(f"  {label:<21} {value:>8.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
