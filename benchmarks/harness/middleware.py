"""The health middleware's cost under real servers, measured by ``benchmarks/health_bench.py``.

Why a separate process from a separate venv: the servers (gunicorn, uvicorn) are not in the
measured environments, and running them from their own venv with the work tree on
PYTHONPATH makes this work whatever interpreter runs the benchmark.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from .envs import ensure_aux_venv
from .util import HERE, PINS, REPO, last_line, log, sh, tool_env

MIDDLEWARE_SECONDS = 1.0  # per sample; many short interleaved rounds beat a few long ones


@dataclass(frozen=True, slots=True)
class Middleware:
    """The health middleware's cost under real servers (benchmarks/health_bench.py), or why not."""

    servers: tuple[dict[str, object], ...] = ()
    inprocess_ns: dict[str, float] | None = None
    versions: dict[str, str] = field(default_factory=dict)
    unavailable: str | None = None


def measure_middleware(cache: Path, base: Path, rounds: int) -> Middleware:
    """Run ``health_bench.py`` (gunicorn and uvicorn, bare vs wrapped vs /readyz).

    The servers run from their own venv (``pins/servers.txt``) with the work tree on
    PYTHONPATH, so that this works whatever interpreter runs the benchmark. Load comes from
    ``wrk`` when it is on PATH (else a Python client, which may be the bottleneck; the result
    says which). Loopback only; the servers are started and stopped by PID by health_bench.
    """
    try:
        servers = ensure_aux_venv(cache, "servers", PINS / "servers.txt", base)
    except SystemExit as err:
        return Middleware(unavailable=f"server venv: {err}")
    env = tool_env()
    env["PYTHONPATH"] = str(REPO)
    argv: list[str | Path] = [
        servers.python,
        HERE / "health_bench.py",
        "--json",
        "--server",
        "both",
        "--inprocess",
        "--rounds",
        str(rounds),
        "--seconds",
        str(MIDDLEWARE_SECONDS),
    ]
    log(
        f"  middleware: gunicorn {servers.versions.get('gunicorn')} and uvicorn "
        f"{servers.versions.get('uvicorn')}, {rounds} rounds x 3 rows x "
        f"{MIDDLEWARE_SECONDS:g} s each, client {'wrk' if shutil.which('wrk') else 'python'} …"
    )
    try:
        proc = sh(argv, env=env, cwd=REPO, timeout=120 + rounds * 3 * 2 * 10)
    except subprocess.TimeoutExpired:
        return Middleware(versions=servers.versions, unavailable="health_bench.py timed out")
    if proc.returncode != 0:
        return Middleware(
            versions=servers.versions,
            unavailable=f"health_bench.py failed: {last_line(proc.stderr or proc.stdout)}",
        )
    data = json.loads(proc.stdout)
    calls = data.get("inprocess_ns")
    return Middleware(
        tuple(data.get("servers", ())),
        {str(k): float(v) for k, v in calls.items()} if isinstance(calls, dict) else None,
        servers.versions,
    )


def middleware_lines(mw: Middleware) -> list[str]:
    """The Markdown section for the middleware rows."""
    lines = ["## Health middleware overhead", ""]
    if mw.unavailable is not None:
        return [*lines, f"n/a: {mw.unavailable}", ""]
    lines += [
        "Requests/s on 127.0.0.1 of a trivial app's `/` bare and wrapped by bootguard's "
        "middleware, and of the wrapped app's `/readyz`, under the same server and client; "
        "medians of interleaved 1-second rounds; ratios are medians of per-round ratios. The "
        "server's CPU time per request (from /proc) is steadier than throughput on a busy "
        "machine.",
        "",
        "| server | client | bare / req/s | wrapped / req/s | wrapped /readyz req/s "
        "| wrapped / bare | /readyz / bare | server CPU µs/req bare · wrapped · /readyz "
        "| CPU wrapped / bare |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for result in mw.servers:
        rps = result.get("rps", {})
        ratios = result.get("ratios", {})
        cpu = result.get("server_cpu_us_per_request", {})
        assert isinstance(rps, dict) and isinstance(ratios, dict) and isinstance(cpu, dict)
        name = str(result.get("server"))
        version = mw.versions.get(name, "?")
        cpu_cells = " · ".join(
            f"{cpu[k]:.0f}" if k in cpu else "—" for k in ("bare /", "wrapped /", "wrapped /readyz")
        )
        cpu_ratio = ratios.get("cpu wrapped/bare")
        lines.append(
            f"| {name} {version} | {result.get('client')} "
            f"| {rps.get('bare /', 0):.0f} | {rps.get('wrapped /', 0):.0f} "
            f"| {rps.get('wrapped /readyz', 0):.0f} "
            f"| {ratios.get('wrapped/bare', 0):.3f} | {ratios.get('readyz/bare', 0):.3f} "
            f"| {cpu_cells} | {f'{cpu_ratio:.3f}' if cpu_ratio is not None else '—'} |"
        )
    if mw.inprocess_ns:
        ns = mw.inprocess_ns
        lines += [
            "",
            "In-process, no server (best of 7 x 200,000 calls): the middleware adds "
            f"{ns.get('wsgi added ns', 0):.0f} ns per WSGI call "
            f"({ns.get('wsgi bare /', 0):.0f} -> {ns.get('wsgi wrapped /', 0):.0f} ns) and "
            f"{ns.get('asgi added ns', 0):.0f} ns per ASGI call "
            f"({ns.get('asgi bare /', 0):.0f} -> {ns.get('asgi wrapped /', 0):.0f} ns); a "
            f"prepared /readyz answer costs {ns.get('wsgi wrapped /readyz', 0):.0f} ns (WSGI), "
            f"{ns.get('asgi wrapped /readyz', 0):.0f} ns (ASGI).",
        ]
    return [*lines, ""]
