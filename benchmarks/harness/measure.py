"""Timing: validate every row once, then run them interleaved and keep every sample.

Why interleaved (A B C A B C ...): on a shared machine the load drifts; running each row's
samples back to back would give the rows different machines. Medians and quartiles of wall
time are kept with the CPU time of the same process, which a busy neighbour disturbs less.
"""

from __future__ import annotations

import json
import resource
import statistics
import subprocess
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from .rows import OTHER_SIZE, Kind, Row, SizeContext, Verdict, inproc_result
from .table import build_rows
from .util import RUN_TIMEOUT, log


@dataclass(slots=True)
class Stats:
    """Samples and summary of one row for one size."""

    key: str
    label: str
    kind: Kind
    note: str = ""
    unavailable: str | None = None
    samples_ms: list[float] = field(default_factory=list)
    cpu_ms: list[float] = field(default_factory=list)
    failures: int = 0
    phases: list[dict[str, float]] = field(default_factory=list)  # in-process Report timings

    @property
    def median(self) -> float | None:
        """Median of the samples, in ms."""
        return statistics.median(self.samples_ms) if self.samples_ms else None

    def phase_medians(self) -> dict[str, float]:
        """Median per phase of the Report's timings, plus what was spent outside the check.

        ``outside`` is the in-process time not inside ``check()`` (or the gate): importing
        bootguard and, for guard(), building the middleware.
        """
        if not self.phases:
            return {}
        names = [k for k in self.phases[0] if all(k in p for p in self.phases)]
        result = {k: statistics.median(p[k] for p in self.phases) for k in names}
        inner = [p.get("gate", p.get("total", 0.0)) for p in self.phases]
        outside = [ms - i for ms, i in zip(self.samples_ms, inner, strict=False)]
        if outside:
            result["outside"] = statistics.median(outside)
        return {k: round(v, 2) for k, v in result.items()}

    def quartiles(self) -> tuple[float, float] | None:
        """25th and 75th percentile, in ms."""
        if len(self.samples_ms) < 2:
            return None
        q = statistics.quantiles(self.samples_ms, n=4, method="inclusive")
        return q[0], q[2]

    def to_json(self, base: float | None) -> dict[str, object]:
        """The row as written to latest.json."""
        quart = self.quartiles()
        median = self.median
        return {
            "key": self.key,
            "label": self.label,
            "kind": self.kind,
            "note": self.note,
            "unavailable": self.unavailable,
            "median_ms": median,
            "ratio_vs_pass": ratio(median, base) if self.kind == "process" else None,
            "p25_ms": quart[0] if quart else None,
            "p75_ms": quart[1] if quart else None,
            "min_ms": min(self.samples_ms) if self.samples_ms else None,
            "cpu_median_ms": statistics.median(self.cpu_ms) if self.cpu_ms else None,
            "failures": self.failures,
            "samples_ms": [round(s, 3) for s in self.samples_ms],
            "phases_median_ms": self.phase_medians(),
        }


def ratio(value: float | None, base: float | None) -> float | None:
    """value / base, or None when either is missing."""
    if value is None or base is None or base <= 0:
        return None
    return value / base


def base_of(stats: Sequence[Stats]) -> float | None:
    """The median of the pass row."""
    return next((s.median for s in stats if s.key == "pass"), None)


def find(stats: Sequence[Stats], key: str) -> Stats | None:
    """The row with this key, if measured."""
    return next((s for s in stats if s.key == key and s.median is not None), None)


def children_cpu_ms() -> float:
    """User + system CPU of all waited-for children so far, in ms."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (usage.ru_utime + usage.ru_stime) * 1000.0


def run_once(r: Row, ctx: SizeContext) -> tuple[float, float, subprocess.CompletedProcess[str]]:
    """One fresh process: (wall ms, child CPU ms, completed process).

    Timed process rows discard output (DEVNULL); in-process rows need stdout for the number.
    No ``timeout=`` here on purpose: with a timeout, Popen.wait polls waitpid with sleeps that
    double from 0.5 ms to 50 ms, which rounds every sample up to 15.5, 31.5, 63.5, 113.5 ms...
    Without one it blocks in waitpid and wakes when the child exits; a watchdog thread,
    started while the child runs, kills a hung child instead.
    """
    env = dict(ctx.env if r.env is None else r.env)
    out = subprocess.PIPE if r.kind == "inproc" else subprocess.DEVNULL
    cpu0 = children_cpu_ms()
    t0 = time.perf_counter_ns()
    with subprocess.Popen(
        r.argv, env=env, cwd=ctx.cwd, stdout=out, stderr=subprocess.DEVNULL, text=True
    ) as child:
        watchdog = threading.Timer(RUN_TIMEOUT, child.kill)
        watchdog.start()
        try:
            stdout, _ = child.communicate()
        finally:
            wall = (time.perf_counter_ns() - t0) / 1e6
            watchdog.cancel()
    proc = subprocess.CompletedProcess(r.argv, child.returncode, stdout or "", "")
    return wall, children_cpu_ms() - cpu0, proc


def validate(r: Row, ctx: SizeContext) -> Verdict:
    """Run a row once with output captured (also the warm-up) and judge it."""
    env = dict(ctx.env if r.env is None else r.env)
    try:
        proc = subprocess.run(
            r.argv,
            env=env,
            cwd=ctx.cwd,
            capture_output=True,
            text=True,
            timeout=RUN_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return Verdict(False, f"timed out after {RUN_TIMEOUT:.0f} s")
    return r.accept(proc)


def measure_size(ctx: SizeContext, repeat: int, only: str | None) -> list[Stats]:
    """Validate every row, then time the good ones interleaved, ``repeat`` rounds."""
    rows = [r for r in build_rows(ctx) if r.unavailable != OTHER_SIZE]
    if only:
        wanted = only.split(",")  # several, comma-separated: any of them
        rows = [
            r for r in rows if r.key == "pass" or any(w in r.key or w in r.label for w in wanted)
        ]
    stats: list[Stats] = []
    live: list[tuple[Row, Stats]] = []
    for r in rows:
        s = Stats(r.key, r.label, r.kind, r.note, r.unavailable)
        if s.unavailable is None:
            verdict = validate(r, ctx)
            if verdict.ok:
                s.note = "; ".join(n for n in (r.note, verdict.note) if n)
                live.append((r, s))
            else:
                s.unavailable = verdict.note
        log(
            f"    {'ok ' if s.unavailable is None else 'n/a'} {s.label}"
            + (f"  ({s.unavailable})" if s.unavailable else (f"  [{s.note}]" if s.note else ""))
        )
        stats.append(s)
    print(f"    timing {len(live)} rows x {repeat}, interleaved: ", end="", flush=True)
    for i in range(repeat):
        for r, s in live:
            if r.rounds is not None and i >= r.rounds:
                continue
            wall, cpu, proc = run_once(r, ctx)
            if r.kind == "inproc":
                verdict = inproc_result(proc)
                if not verdict.ok:
                    s.failures += 1
                    continue
                data = json.loads(proc.stdout.strip().splitlines()[-1])
                s.samples_ms.append(float(data["ms"]))
                phases = data.get("phases") or {}
                if phases:
                    s.phases.append({str(k): float(v) for k, v in phases.items()})
                # CPU of the timed part only (all threads), as inproc.py measured it.
                s.cpu_ms.append(float(data.get("cpu_ms", cpu)))
                continue
            if proc.returncode not in r.ok_codes:
                s.failures += 1
                continue
            s.samples_ms.append(wall)
            s.cpu_ms.append(cpu)
        print(f"{i + 1}" if (i + 1) % 5 == 0 else ".", end="", flush=True)
    log()
    return stats
