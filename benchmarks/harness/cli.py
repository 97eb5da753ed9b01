"""The command line of ``benchmarks/run.py`` and the order of the stages.

Why the order matters: the environments and manifests are made (and checked) before any
timing, every size is measured and printed as it finishes, and the files are written last,
``partial.*`` for a ``--only`` run so that it never overwrites the results the README quotes.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from .chart import write_chart
from .envs import AuxVenv, Tools, build_pythonpath, ensure_aux_venv, ensure_tools, ensure_venv
from .manifests import (
    Artifact,
    ensure_locks,
    ensure_pylock,
    make_hash_list,
    make_pipfile_lock,
    make_sealed_uv_lock,
    make_snapshot,
    write_console_script,
)
from .measure import Stats, base_of, measure_size
from .middleware import Middleware, measure_middleware, middleware_lines
from .report import (
    INTEGRITY_KEYS,
    integrity_lines,
    machine_info,
    markdown,
    phase_lines,
    print_size_table,
)
from .rows import SizeContext
from .targets import Target, evaluate_targets
from .util import (
    BUSY_LOAD,
    DEFAULT_REPEAT,
    HERE,
    PINS,
    QUICK_REPEAT,
    REPO,
    RESULTS,
    base_python,
    log,
    now_iso,
    python_version,
    read_pins,
    tool_env,
    write_json,
    write_text,
)

DESCRIPTION = "Compare bootguard with its peers on real pinned environments, in one run."


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command line of the benchmark."""
    parser = argparse.ArgumentParser(description=DESCRIPTION)
    parser.add_argument(
        "--sizes",
        default="150,300",
        help="pin sets to run, from pins/freezeN.txt (default 150,300)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=None,
        help=f"timed runs per row (default {DEFAULT_REPEAT}, --quick {QUICK_REPEAT})",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"{QUICK_REPEAT} runs per row: a smoke run, not for quoting",
    )
    parser.add_argument(
        "--only",
        default=None,
        help="only rows whose key or label contains this, or any of several separated by commas "
        "(pass is always run)",
    )
    return parser.parse_args(argv)


def prepare_size(
    cache: Path,
    base: Path,
    size: int,
    first: bool,
    tools: Tools,
    poetry: AuxVenv | None,
    env: Mapping[str, str],
    ready: str,
    cwd: Path,
) -> SizeContext:
    """The venv and every manifest of one pin set (the hash list only for the first size)."""
    venv = ensure_venv(cache, size, base)
    pylock = ensure_pylock(cache, size, tools, venv)
    uv_lock, poetry_lock = ensure_locks(cache, size, tools, poetry, venv)
    hashes = make_hash_list(cache, size, venv) if first else None
    snapshot = Artifact(None, reason=ready) if ready else make_snapshot(cache, size, venv, env, cwd)
    sealed = (
        Artifact(None, reason=ready)
        if ready
        else make_sealed_uv_lock(cache, size, venv, env, cwd, uv_lock)
    )
    pipfile = make_pipfile_lock(cache, size, read_pins(PINS / f"freeze{size}.txt"))
    return SizeContext(
        size,
        venv,
        PINS / f"freeze{size}.txt",
        env,
        cwd,
        tools,
        pylock,
        snapshot,
        ready,
        uv_lock,
        poetry_lock,
        hashes,
        pipfile,
        sealed,
        str(write_console_script(cache, size, venv.python)),
        str(write_console_script(cache, size, venv.python, "uv")),
    )


def log_context(ctx: SizeContext) -> None:
    """Say what one size is measured on, before the rows run."""
    venv, pylock, snapshot, hashes = ctx.venv, ctx.pylock, ctx.snapshot, ctx.hashes
    log(
        f"  venv {venv.path} ({venv.how}; python {venv.python_version}; "
        f"{len(venv.installed)} distributions; pip {venv.installed.get('pip')}, "
        f"setuptools {venv.installed.get('setuptools')})"
    )
    log(f"  pylock: {pylock.path or 'n/a'} ({pylock.made_by or pylock.reason})")
    log(f"  snapshot: {snapshot.path or 'n/a'} ({snapshot.made_by or snapshot.reason})")
    for what, lock in (
        ("uv.lock", ctx.uv_lock),
        ("poetry.lock", ctx.poetry_lock),
        ("Pipfile.lock", ctx.pipfile_lock),
        ("uv.lock sealed at build", ctx.sealed_uv_lock),
    ):
        log(f"  {what}: {lock.path or 'n/a'} ({lock.made_by or lock.reason})")
    if hashes is not None:
        log(
            f"  integrity: {hashes.files} hashed files, {hashes.bytes / 1e6:.1f} MB "
            f"({hashes.path.name})"
        )


def artifact_json(artifact: Artifact, *, made_by: bool = True) -> dict[str, object]:
    """A manifest as recorded in latest.json (path, who made it, or why there is none)."""
    record: dict[str, object] = {"path": str(artifact.path) if artifact.path else None}
    if made_by:
        record["made_by"] = artifact.made_by
    record["reason"] = artifact.reason
    return record


def size_record(ctx: SizeContext) -> dict[str, object]:
    """What one size was measured on, as recorded in latest.json."""
    venv, hashes = ctx.venv, ctx.hashes
    return {
        "venv": str(venv.path),
        "venv_how": venv.how,
        "python": venv.python_version,
        "distributions": len(venv.installed),
        "pip": venv.installed.get("pip"),
        "setuptools": venv.installed.get("setuptools"),
        "pylock": artifact_json(ctx.pylock),
        "snapshot": artifact_json(ctx.snapshot, made_by=False),
        "uv_lock": artifact_json(ctx.uv_lock),
        "poetry_lock": artifact_json(ctx.poetry_lock),
        "pipfile_lock": artifact_json(ctx.pipfile_lock),
        "sealed_uv_lock": artifact_json(ctx.sealed_uv_lock),
        "integrity_files": hashes.files if hashes else None,
        "integrity_bytes": hashes.bytes if hashes else None,
    }


def sections_of(
    results: Mapping[int, Sequence[Stats]],
    contexts: Mapping[int, SizeContext],
    middleware: Middleware | None,
) -> list[str]:
    """The Markdown sections after the main table: phases, integrity, middleware."""
    phases = phase_lines(results)
    sections: list[str] = ["\n".join(phases)] if phases else []
    for size, stats in results.items():
        hashes = contexts[size].hashes
        if hashes is not None and any(x.key in INTEGRITY_KEYS for x in stats):
            sections.append("\n".join(integrity_lines(size, stats, hashes)))
    if middleware is not None:
        sections.append("\n".join(middleware_lines(middleware)))
    return sections


def results_json(
    meta: Mapping[str, object],
    results: Mapping[int, Sequence[Stats]],
    records: Mapping[int, Mapping[str, object]],
    targets: Sequence[Target],
    middleware: Middleware | None,
) -> dict[str, object]:
    """latest.json: the run's metadata, every row of every size, targets, middleware."""
    return {
        **meta,
        "sizes": {
            str(size): {**records[size], "rows": [s.to_json(base_of(stats)) for s in stats]}
            for size, stats in results.items()
        },
        "targets": [{"goal": t.goal, "measured": t.measured, "met": t.met} for t in targets],
        "middleware": None
        if middleware is None
        else {
            "servers": list(middleware.servers),
            "inprocess_ns": middleware.inprocess_ns,
            "versions": middleware.versions,
            "unavailable": middleware.unavailable,
        },
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Build or reuse the environments, measure every size, write the results."""
    args = parse_args(argv)
    repeat = args.repeat or (QUICK_REPEAT if args.quick else DEFAULT_REPEAT)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    for size in sizes:
        if not (PINS / f"freeze{size}.txt").is_file():
            sys.exit(f"bench: no pins/freeze{size}.txt")
    cache = Path(os.environ.get("BOOTGUARD_BENCH_CACHE") or HERE / ".cache").resolve()
    cache.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    log(f"bootguard bench: cache {cache}, sizes {sizes}, repeat {repeat}")
    base = base_python()
    tools = ensure_tools(cache, base)
    shim, bootguard_sha = build_pythonpath(cache, tools, base)
    poetry: AuxVenv | None = None
    try:
        poetry = ensure_aux_venv(cache, "poetry", PINS / "poetry.txt", base)
    except SystemExit as err:  # no Poetry: its rows say why, the rest still runs
        log(f"  poetry: not available ({err}); poetry.lock rows will be n/a")
    ready = (
        ""
        if (REPO / "bootguard" / "__init__.py").is_file()
        else ("bootguard/__init__.py not written yet")
    )
    env = tool_env()
    env["PYTHONPATH"] = str(shim)
    machine = machine_info()
    load_start = os.getloadavg()[0]
    loads = [load_start]
    if load_start > BUSY_LOAD:
        log(f"  note: load average {load_start:.2f} before starting: timings will be noisy")
    meta: dict[str, object] = {
        "date": now_iso(),
        "machine": machine,
        "base_python": f"{base} ({python_version(base)})",
        "PYTHONDONTWRITEBYTECODE": os.environ.get("PYTHONDONTWRITEBYTECODE", "(unset)"),
        "load_start": f"{load_start:.2f}",
        "repeat": repeat,
        "selection": f"--only {args.only}" if args.only else "all rows",
        "tools": {**tools.versions, **(poetry.versions if poetry else {})},
        "bootguard_sources_sha256": bootguard_sha,
        "cache": str(cache),
    }
    results: dict[int, list[Stats]] = {}
    contexts: dict[int, SizeContext] = {}
    with tempfile.TemporaryDirectory(prefix="bootguard-bench-cwd-") as cwd:
        for size in sizes:
            log(f"\n== v{size} ==")
            first = size == min(sizes)
            ctx = prepare_size(cache, base, size, first, tools, poetry, env, ready, Path(cwd))
            log_context(ctx)
            results[size] = measure_size(ctx, repeat, args.only)
            contexts[size] = ctx
            loads.append(os.getloadavg()[0])
            print_size_table(size, results[size])
    middleware: Middleware | None = None
    if args.only is None or args.only in "middleware":
        log("\n== health middleware ==")
        middleware = measure_middleware(cache, base, min(repeat, 15))
        if middleware.unavailable:
            log(f"  middleware: n/a ({middleware.unavailable})")
    loads.append(os.getloadavg()[0])
    meta["load_samples"] = " ".join(f"{x:.2f}" for x in loads)
    targets = evaluate_targets(results, middleware)
    records = {size: size_record(ctx) for size, ctx in contexts.items()}
    meta["python"] = ", ".join(sorted({str(c["python"]) for c in records.values()}))
    meta["machine_line"] = (
        f"{machine['nproc']} cores ({machine['cpu']}), "
        f"Python {meta['python']}, {machine['platform']}"
    )
    meta["duration_s"] = round(time.perf_counter() - started, 1)
    machine["loadavg_at_end"] = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    sections = sections_of(results, contexts, middleware)
    RESULTS.mkdir(exist_ok=True)
    # A partial run (--only) must not overwrite the full results the README quotes.
    stem = "latest" if args.only is None else "partial"
    chart = write_chart(
        meta,
        results,
        {size: len(ctx.venv.installed) for size, ctx in contexts.items()},
        RESULTS / f"{'chart' if args.only is None else 'partial-chart'}.png",
    )
    meta["chart"] = chart
    log(f"  {chart}")
    md = markdown(meta, results, targets, sections)
    write_text(RESULTS / f"{stem}.md", md)
    write_json(RESULTS / f"{stem}.json", results_json(meta, results, records, targets, middleware))
    log("\n" + md)
    log(f"wrote {RESULTS / stem}.md and {stem}.json in {meta['duration_s']} s")
    return 0
