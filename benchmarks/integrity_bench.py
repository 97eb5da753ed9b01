"""Benchmark: RECORD verification against a plain loop and ``sha256sum``; the fingerprint's cost.

Why: ``--integrity`` reads every installed file (~470 MB for 150 distributions), so it must
make the hardware work: at least 2x faster than the straightforward single-threaded loop
(read a file, sha256 it, compare with RECORD), measured side by side, and close to
``sha256sum -c`` over the same files.  The environment fingerprint runs at every boot and
must add under 5 ms for 150 distributions.

How: both verifiers start from nothing (they parse every RECORD themselves) and cover the
same hashed files; ``sha256sum -c --quiet`` checks a list with the same files and digests
(built from RECORD beforehand, not timed).  One warm-up pass fills the page cache, then
rounds run the three in rotating order; the result is the median of each and of the
per-round ratios.  The machine's load average is reported with them: on a shared 2-core
machine a neighbour's burst hits one sample, not a whole row.

Run: ``python benchmarks/integrity_bench.py [SITE_PACKAGES] [--rounds N] [--json]`` (default
``/work/bench-venvs/v150/lib/python3.11/site-packages``); or call :func:`measure`.
"""

from __future__ import annotations

import argparse
import base64
import csv
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from inproc import hash_records  # run as a script: this directory is sys.path[0]

from bootguard.checks.integrity import default_workers, verify
from bootguard.environment._scan import metadata_dirs
from bootguard.environment.fingerprint import fingerprint
from bootguard.environment.inventory import current_environment

__all__ = ["baseline", "main", "measure"]

DEFAULT_SITE = "/work/bench-venvs/v150/lib/python3.11/site-packages"


def baseline(site: str) -> tuple[int, int]:
    """The straightforward loop: for each RECORD row, read the file, hash it, compare.

    Returns (files checked, mismatches).
    """
    checked, _, bad = hash_records([site])
    return checked, bad


def _checklist(site: str, target: Path) -> tuple[int, int]:
    """Write a ``sha256sum -c`` list of every hashed RECORD row; (files, bytes)."""
    files = size = 0
    with target.open("w", encoding="utf-8") as out:
        for entry, dir_name in metadata_dirs([site]):
            with open(os.path.join(entry, dir_name, "RECORD"), newline="", encoding="utf-8") as f:
                for row in csv.reader(f):
                    if len(row) < 3 or not row[1].startswith("sha256="):
                        continue
                    value = row[1][7:]
                    digest = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).hex()
                    out.write(f"{digest}  {os.path.normpath(os.path.join(entry, row[0]))}\n")
                    files += 1
                    size += int(row[2] or 0)
    return files, size


def _timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000.0


def measure(site: str = DEFAULT_SITE, rounds: int = 7) -> dict[str, object]:
    """Run the comparison on ``site`` and return the numbers (milliseconds, MB/s, ratios)."""
    env = current_environment([site])
    sha256sum = shutil.which("sha256sum")
    with tempfile.TemporaryDirectory() as tmp:
        checklist = Path(tmp) / "sha256sums.txt"
        files, total = _checklist(site, checklist)

        def run_sha256sum() -> None:
            assert sha256sum is not None
            subprocess.run([sha256sum, "-c", "--quiet", str(checklist)], check=True)

        rows: dict[str, Callable[[], object]] = {
            "baseline": lambda: baseline(site),
            "bootguard": lambda: verify(env, unexpected=False),
            "bootguard 1 thread": lambda: verify(env, unexpected=False, workers=1),
        }
        if sha256sum is not None:
            rows["sha256sum -c"] = run_sha256sum
        checked, bad = baseline(site)  # warm-up: page cache, imports
        result = verify(env, unexpected=False)
        assert bad == 0 and not result.findings, "the environment must verify cleanly"
        assert checked == result.files, (checked, result.files)
        times: dict[str, list[float]] = {name: [] for name in rows}
        ratios: list[float] = []
        names = list(rows)
        load_start = os.getloadavg()
        for index in range(rounds):
            order = names[index % len(names) :] + names[: index % len(names)]
            this_round = {name: _timed(rows[name]) for name in order}
            for name, ms in this_round.items():
                times[name].append(ms)
            ratios.append(this_round["baseline"] / this_round["bootguard"])
        full = [verify(env).elapsed_ms for _ in range(3)]
        quick = [verify(env, quick=True).elapsed_ms for _ in range(3)]
    dirs = metadata_dirs([site])
    fingerprint(dirs)
    fp_times = sorted(_timed(lambda: fingerprint(metadata_dirs([site]))) for _ in range(101))
    mb = total / 1e6
    medians = {name: statistics.median(values) for name, values in times.items()}
    return {
        "site": site,
        "distributions": len(dirs),
        "files": files,
        "megabytes": round(mb, 1),
        "workers": default_workers(),
        "rounds": rounds,
        "median_ms": {name: round(ms, 1) for name, ms in medians.items()},
        "mb_per_s": {name: round(mb / (ms / 1000.0)) for name, ms in medians.items()},
        "speedup_vs_baseline_median_of_rounds": round(statistics.median(ratios), 2),
        "with_unexpected_file_scan_ms": round(statistics.median(full), 1),
        "quick_size_and_existence_ms": round(statistics.median(quick), 1),
        "fingerprint_ms": {
            "min": round(fp_times[0], 2),
            "median": round(fp_times[len(fp_times) // 2], 2),
        },
        "cpus": os.cpu_count(),
        "loadavg_start": [round(x, 2) for x in load_start],
        "loadavg_end": [round(x, 2) for x in os.getloadavg()],
    }


def main(argv: list[str] | None = None) -> int:
    """Print the measurement (a table, or JSON with ``--json``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", nargs="?", default=DEFAULT_SITE, help="a site-packages directory")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--json", action="store_true")
    options = parser.parse_args(argv)
    result = measure(options.site, options.rounds)
    if options.json:
        print(json.dumps(result, indent=2))
        return 0
    medians = result["median_ms"]
    speeds = result["mb_per_s"]
    assert isinstance(medians, dict) and isinstance(speeds, dict)
    print(
        f"{result['distributions']} distributions, {result['files']} files, "
        f"{result['megabytes']} MB; {result['workers']} workers; {result['rounds']} rounds; "
        f"load {result['loadavg_start']} -> {result['loadavg_end']}"
    )
    for name, ms in medians.items():
        print(f"  {name:<20} {ms:>8.1f} ms  {speeds[name]:>6} MB/s")
    print(
        f"  speedup vs baseline (median of rounds): {result['speedup_vs_baseline_median_of_rounds']}x"
    )
    print(f"  with the unexpected-file scan: {result['with_unexpected_file_scan_ms']} ms")
    print(f"  quick (size and existence): {result['quick_size_and_existence_ms']} ms")
    print(f"  fingerprint: {result['fingerprint_ms']} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
