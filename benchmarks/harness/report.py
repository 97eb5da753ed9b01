"""The results as text: the per-size console table and the Markdown of ``latest.md``.

Why here and not beside the numbers: what is measured (``measure``) and how it is shown
change for different reasons; the JSON and the Markdown read the same :class:`Stats`.
"""

from __future__ import annotations

import os
import platform
import statistics
from collections.abc import Mapping, Sequence
from pathlib import Path

from .manifests import HashList
from .measure import Stats, base_of, find, ratio
from .rows import INTEGRITY_ROUNDS
from .targets import Target
from .util import BUSY_LOAD, WARM_LABEL, log


def fmt_ms(value: float | None) -> str:
    """Milliseconds for a table cell."""
    if value is None:
        return "—"
    return f"{value:.1f}" if value < 100 else f"{value:.0f}"


def fmt_ratio(value: float | None) -> str:
    """A ratio for a table cell."""
    if value is None:
        return "—"
    return f"{value:.2f}x" if value < 10 else f"{value:.1f}x"


def print_size_table(size: int, stats: Sequence[Stats]) -> None:
    """Per-size detail: median, quartiles, ratio, CPU."""
    base = base_of(stats)
    log(f"\n  v{size}: {'row':<58} {'median':>8} {'p25-p75':>13} {'xpass':>7} {'cpu':>7}")
    for s in stats:
        if s.unavailable is not None:
            log(f"  v{size}: {s.label:<58} n/a ({s.unavailable})")
            continue
        q = s.quartiles()
        spread = f"{q[0]:.1f}-{q[1]:.1f}" if q else "—"
        r = fmt_ratio(ratio(s.median, base)) if s.kind == "process" else "in-proc"
        cpu = fmt_ms(statistics.median(s.cpu_ms)) if s.cpu_ms else "—"
        fail = f"  ({s.failures} failed runs)" if s.failures else ""
        log(f"  v{size}: {s.label:<58} {fmt_ms(s.median):>8} {spread:>13} {r:>7} {cpu:>7}{fail}")


PHASE_COLUMNS = (
    ("outside", "import bootguard (+ wrap)"),
    ("total", "check()"),
    ("inventory", "inventory"),
    ("manifests", "read + select manifest"),
    ("checks", "checks"),
    ("fingerprint", "fingerprint"),
)


def phase_lines(results: Mapping[int, Sequence[Stats]]) -> list[str]:
    """Where the in-process time goes: the Report's own timings, medians per row."""
    lines = [
        "## Where the in-process time goes",
        "",
        "Medians (ms) of the Report's own `timings` for the in-process rows; *import bootguard "
        "(+ wrap)* is the rest of the in-process time (importing bootguard's modules and, for "
        "guard(), settings, publishing the verdict and building the middleware). A sealed "
        "snapshot that matches skips inventory, manifest and checks (`check()` is then the "
        "seal check and the fingerprint).",
        "",
        "| size | row | ms | " + " | ".join(label for _, label in PHASE_COLUMNS) + " |",
        "|---|---|---:|" + "---:|" * len(PHASE_COLUMNS),
    ]
    header = len(lines)
    for size, stats in results.items():
        for s in stats:
            medians = s.phase_medians()
            if not medians or s.median is None:
                continue
            cells = [fmt_ms(medians[k]) if k in medians else "—" for k, _ in PHASE_COLUMNS]
            lines.append(
                f"| v{size} | {s.label.removeprefix('in-process: ')} | {fmt_ms(s.median)} | "
                + " | ".join(cells)
                + " |"
            )
    return [*lines, ""] if len(lines) > header else []


INTEGRITY_KEYS = ("in-integrity", "in-integrity-1", "in-hashloop", "sha256sum", "check-integrity")


def integrity_lines(size: int, stats: Sequence[Stats], hashes: HashList) -> list[str]:
    """The Markdown section for RECORD hashing: ms, MB/s, speed-up over the plain loop."""
    mb = hashes.bytes / 1e6
    loop = find(stats, "in-hashloop")
    lines = [
        f"## Integrity hashing (v{size}: {hashes.files} files, {mb:.0f} MB, page cache warm)",
        "",
        "Every file a RECORD lists with a sha256 (outside `__pycache__`), read and hashed; "
        f"{INTEGRITY_ROUNDS} interleaved rounds. The plain loop is in `inproc.py` "
        "(`hashloop`); `sha256sum -c` reads a list of the same paths and digests made "
        "beforehand. The CLI row is a whole `bootguard check --integrity` (inventory, "
        "metadata, checks, hashing and the walk for unexpected files).",
        "",
        "| row | ms | cpu ms | MB/s | vs plain loop |",
        "|---|---:|---:|---:|---:|",
    ]
    for key in INTEGRITY_KEYS:
        s = find(stats, key)
        if s is None or s.median is None:
            row_label = next((x.label for x in stats if x.key == key), key)
            lines.append(f"| {row_label} | n/a | — | — | — |")
            continue
        cpu = statistics.median(s.cpu_ms) if s.cpu_ms else None
        speed = ratio(loop.median if loop else None, s.median)
        lines.append(
            f"| {s.label} | {fmt_ms(s.median)} | {fmt_ms(cpu)} | {mb / (s.median / 1000):.0f} "
            f"| {fmt_ratio(speed) if speed is not None else '—'} |"
        )
    return [*lines, ""]


def markdown(
    meta: Mapping[str, object],
    results: Mapping[int, Sequence[Stats]],
    targets: Sequence[Target],
    sections: Sequence[str] = (),
) -> str:
    """latest.md: the side-by-side table, targets, extra sections, and how it was made."""
    sizes = list(results)
    lines = [
        "# bootguard benchmark",
        "",
        f"{meta['date']} · {meta['machine_line']} · repeat {meta['repeat']} per row, "
        "interleaved · median of whole processes unless marked in-process",
        "",
    ]
    loads = [float(x) for x in str(meta.get("load_samples", "")).split() if x]
    peak = max(loads, default=os.getloadavg()[0])
    lines += [
        f"1-minute load average during the run (start, after each part, end): "
        f"{' '.join(f'{x:.2f}' for x in loads) or 'not recorded'}, on {os.cpu_count()} cores.",
        "",
    ]
    if peak > BUSY_LOAD:
        lines += [
            f"> **Busy machine:** the load average reached {peak:.2f} on {os.cpu_count()} cores"
            " while this ran, so other work competed for the CPU: wall times are noisy; the cpu"
            " columns (user+sys of the process) are steadier. Rerun on a quiet machine to quote.",
            "",
        ]
    head = (
        "| row | " + " | ".join(f"v{n} ms | v{n} xpass | v{n} cpu ms" for n in sizes) + " | notes |"
    )
    lines += [head, "|---|" + "---:|---:|---:|" * len(sizes) + "---|"]
    keys: list[str] = []
    for stats in results.values():  # the integrity rows have their own section (MB/s)
        keys += [s.key for s in stats if s.key not in keys and s.key not in INTEGRITY_KEYS]
    for key in keys:
        cells: list[str] = []
        label, per_size = key, {}
        for size, stats in results.items():
            s = next((x for x in stats if x.key == key), None)
            if s is None:
                cells += ["—", "—", "—"]
                continue
            label = s.label
            if s.unavailable is not None:
                cells += ["n/a", "—", "—"]
                per_size[size] = s.unavailable
                continue
            r = ratio(s.median, base_of(stats)) if s.kind == "process" else None
            cpu = statistics.median(s.cpu_ms) if s.cpu_ms else None
            cells += [
                fmt_ms(s.median),
                fmt_ratio(r) if s.kind == "process" else "in-proc",
                fmt_ms(cpu),
            ]
            fails = f"{s.failures} failed runs" if s.failures else ""
            per_size[size] = "; ".join(n for n in (s.note, fails) if n)
        if len(set(per_size.values())) <= 1:
            notes = list(per_size.values())[:1]
        else:
            notes = [f"v{size}: {note}" for size, note in per_size.items() if note]
        lines.append(
            f"| {label} | "
            + " | ".join(cells)
            + " | "
            + "; ".join(notes).replace("|", "\\|")
            + " |"
        )
    lines += [
        "",
        "*ms* is wall time (whole process, or the in-process part); *cpu ms* is user + system "
        "CPU time of the same thing (for in-process rows: the timed part, all threads).",
        "",
    ]
    for section in sections:
        lines += [section]
    lines += ["## Targets", "", "| goal | measured | met |", "|---|---:|:---:|"]
    for t in targets:
        met = "n/a" if t.met is None else ("yes" if t.met else "**no**")
        lines.append(f"| {t.goal} | {t.measured} | {met} |")
    lines += ["", "## How", ""]
    for key, value in meta.items():
        if key in ("date", "machine_line"):
            continue
        shown = (
            ", ".join(f"{k} {v}" for k, v in value.items()) if isinstance(value, dict) else value
        )
        lines.append(f"- {key}: {shown}")
    lines += [
        "- in-process rows: fresh process per sample; the number is the time from before "
        "`import bootguard` to the finished report, as measured inside the process"
        f' ("app imports" = {WARM_LABEL}, loaded before timing).',
        "- bootguard is not installed in the venvs: a byte-compiled copy of `bootguard/` is on "
        "PYTHONPATH for every row (no dist-info, so the measured environment is unchanged).",
        "",
    ]
    return "\n".join(lines)


def machine_info() -> dict[str, str]:
    """nproc, CPU, OS and load, for the record."""
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return {
        "nproc": str(os.cpu_count()),
        "cpu": cpu,
        "platform": platform.platform(),
        "loadavg_at_start": load,
    }
