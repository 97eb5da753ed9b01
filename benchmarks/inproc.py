"""In-process timing probe, run by a benchmark venv's python (never imported by run.py).

Why a separate script: whole-process timings include interpreter start-up, which dominates
fast tools and hides what bootguard itself costs inside a booting app. This script measures
one thing inside a fresh process and prints one JSON line. run.py calls it in a fresh process
per sample and takes the median of the reported milliseconds.

Usage: ``python inproc.py MODE TARGET`` where MODE is one of

* ``cold``  - ``bootguard.check(manifests=[TARGET])``, timed from before ``import bootguard``
  to the finished Report, with nothing but ``sys``/``time`` loaded before timing starts;
* ``warm``  - the same with "typical app imports already loaded": logging, typing, re,
  dataclasses, json, threading and email are imported before timing starts;
* ``guard-cold`` / ``guard-warm`` - the boot gate instead of the bare check:
  ``bootguard.guard(app, manifest=TARGET, sentry=False)`` on a trivial WSGI app, timed from
  before ``import bootguard`` to the wrapped app (settings, check, verdict published,
  middleware built); the status is the gate's report status;
* ``floor`` - no bootguard: one os.scandir pass over ``sys.path`` listing ``*.dist-info``,
  the least any inventory can cost (TARGET is ignored);
* ``fingerprint`` - the environment fingerprint a boot computes: the metadata directories
  are listed first (the seal needs that listing anyway), then the timed part imports
  :mod:`bootguard.environment.fingerprint` and digests every distribution's RECORD;
* ``integrity`` / ``integrity-1`` - :func:`bootguard.checks.integrity.verify` of every
  distribution's RECORD (thread pool / one thread), without the unexpected-file walk, so it
  does the same work as ``hashloop``; the inventory is taken before timing starts;
* ``hashloop`` - the straightforward single-threaded loop the issue compares against: for
  every ``*.dist-info/RECORD`` on ``sys.path``, read each hashed file, hash it, compare.

Output: exit status 0 with ``{"ms": ..., "cpu_ms": ..., "status": ..., "phases": {...}}``
(``cpu_ms`` is this process's CPU time, all threads, over the timed part: steadier than wall
time on a busy machine; ``phases`` is the Report's own ``timings`` for the check and gate
modes, so run.py can say where the time goes); 3 with ``{"error": ...}`` when bootguard cannot be imported or called (run.py then
shows the row as n/a with that reason).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable
from typing import Any

__all__ = ["MODES", "hash_records", "main"]

WARM_IMPORTS = ("logging", "typing", "re", "dataclasses", "json", "threading", "email")
MODES = (
    "cold",
    "warm",
    "guard-cold",
    "guard-warm",
    "floor",
    "fingerprint",
    "integrity",
    "integrity-1",
    "hashloop",
)


def _floor() -> str:
    """List every ``*.dist-info`` on sys.path with os.scandir; return a count as status."""
    import os

    names: list[str] = []
    for entry in sys.path:
        try:
            with os.scandir(entry or ".") as it:
                names.extend(e.name for e in it if e.name.endswith(".dist-info"))
        except OSError:
            continue
    return f"{len(names)} dist-info"


# --------------------------------------------------------------------------- bootguard's internals
# The only place in benchmarks/ that names bootguard modules beyond its public facade
# (``bootguard.check``, ``bootguard.guard``): if those modules move, this is what to update.
# The imports stay inside the functions on purpose: a timed part must pay for exactly the
# imports bootguard itself makes, and nothing is imported before a mode needs it.


def _gate_outcome() -> Any:
    """The boot gate's outcome in this process (``guard()`` has imported the module)."""
    return sys.modules["bootguard.gate"].outcome()


def _listed_metadata_dirs() -> list[Any]:
    """The metadata directories on sys.path, as the seal and the fingerprint list them."""
    from bootguard.environment._scan import import_paths, metadata_dirs

    return list(metadata_dirs(import_paths()))


def _environment_for_integrity() -> object:
    """The inventory RECORD verification starts from, with its module already imported."""
    from bootguard.environment.inventory import current_environment

    __import__("bootguard.checks.integrity")
    return current_environment()


def _fingerprint_of(dirs: list[Any]) -> str:
    """bootguard's environment fingerprint of these metadata directories."""
    from bootguard.environment.fingerprint import fingerprint

    return fingerprint(dirs)


def _verify_records(env: object, workers: int | None) -> Any:
    """bootguard's RECORD verification of every distribution, no unexpected-file walk."""
    from bootguard.checks.integrity import verify

    return verify(env, unexpected=False, workers=workers)  # type: ignore[arg-type]


#: The report's own phase timings (ms) of the last check or gate, printed with the result.
PHASES: dict[str, float] = {}


def _check(target: str) -> str:
    """Import bootguard and run its public check; return the report status."""
    bootguard = __import__("bootguard")  # builtin: no importlib import inside the timing
    check = getattr(bootguard, "check", None)
    if check is None:
        raise AttributeError("bootguard.check does not exist yet")
    report = check(manifests=[target])
    PHASES.update(report.timings)
    return str(report.status)


def _app(environ: object, start_response: object) -> list[bytes]:
    """The most trivial WSGI application: what guard() wraps."""
    return []


def _guard(target: str) -> str:
    """Import bootguard and run the boot gate on a trivial app; return the gate's status."""
    bootguard = __import__("bootguard")
    wrapped = bootguard.guard(_app, manifest=target, sentry=False)
    if wrapped is _app:
        raise RuntimeError("guard() returned the app unwrapped (middleware missing?)")
    outcome = _gate_outcome()
    if outcome is None:
        raise RuntimeError("guard() returned but the gate has no outcome")
    PHASES.update(outcome.report.timings)
    return f"{outcome.report.status} ({outcome.report.verified_by})"


class _Prepared:
    """What a mode needs before its timing starts (imports, the inventory)."""

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.dirs: list[Any] = []
        self.env: object = None
        if mode == "fingerprint":
            self.dirs = _listed_metadata_dirs()
        elif mode in ("integrity", "integrity-1"):
            self.env = _environment_for_integrity()
        elif mode == "hashloop":
            import base64
            import csv
            import hashlib
            import os

            del base64, csv, hashlib, os  # imported now so that the loop does not pay for it


def _fingerprint(prepared: _Prepared) -> str:
    """The fingerprint of the listed metadata directories."""
    return f"{_fingerprint_of(prepared.dirs)} over {len(prepared.dirs)} dirs"


def _integrity(prepared: _Prepared, workers: int | None) -> str:
    """bootguard's RECORD verification (hash + compare), no unexpected-file walk."""
    result = _verify_records(prepared.env, workers)
    return (
        f"{len(result.findings)} findings, {result.files} files, {result.bytes / 1e6:.1f} MB hashed"
    )


def _hashloop() -> str:
    """The straightforward loop over every RECORD on sys.path (see :func:`hash_records`)."""
    files, size, bad = hash_records(sys.path)
    return f"{bad} mismatches, {files} files, {size / 1e6:.1f} MB hashed"


def hash_records(entries: Iterable[str]) -> tuple[int, int, int]:
    """For every RECORD row with a hash: read the file, hash it, compare. One thread.

    Returns (files hashed, bytes hashed, mismatches). Also the baseline of
    ``integrity_bench.py``, so both benchmarks compare bootguard with the same loop.
    """
    import base64
    import csv
    import hashlib
    import os

    files = size = bad = 0
    for entry in entries:
        try:
            with os.scandir(entry or ".") as it:
                infos = sorted(e.name for e in it if e.name.endswith(".dist-info"))
        except OSError:
            continue
        for info in infos:
            try:
                with open(os.path.join(entry, info, "RECORD"), newline="", encoding="utf-8") as f:
                    rows = list(csv.reader(f))
            except OSError:
                continue
            for row in rows:
                if len(row) < 2 or "=" not in row[1]:
                    continue
                path = os.path.join(entry, row[0])
                if os.path.basename(os.path.dirname(path)) == "__pycache__":
                    continue  # Python may rewrite these: bootguard skips them too
                algorithm, _, expected = row[1].partition("=")
                try:
                    with open(path, "rb") as handle:
                        data = handle.read()
                except OSError:
                    bad += 1
                    continue
                digest = hashlib.new(algorithm, data).digest()
                files += 1
                size += len(data)
                if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != expected:
                    bad += 1
    return files, size, bad


def main(argv: list[str]) -> int:
    """Time one measurement and print it as a JSON line."""
    if len(argv) != 3 or argv[1] not in MODES:
        print(f"usage: inproc.py {'|'.join(MODES)} MANIFEST", file=sys.stderr)
        return 2
    mode, target = argv[1], argv[2]
    if mode in ("warm", "guard-warm"):
        for name in WARM_IMPORTS:
            __import__(name)
    error = ""
    status = ""
    try:
        prepared = _Prepared(mode)
    except Exception as err:  # report any failure as a reason, never a traceback
        prepared, error = _Prepared("floor"), f"{type(err).__name__}: {err}"
    cpu = time.process_time()
    start = time.perf_counter()
    try:
        if error:
            pass
        elif mode == "floor":
            status = _floor()
        elif mode in ("guard-cold", "guard-warm"):
            status = _guard(target)
        elif mode == "fingerprint":
            status = _fingerprint(prepared)
        elif mode in ("integrity", "integrity-1"):
            status = _integrity(prepared, 1 if mode == "integrity-1" else None)
        elif mode == "hashloop":
            status = _hashloop()
        else:
            status = _check(target)
    except Exception as err:
        error = f"{type(err).__name__}: {err}"
    elapsed_ms = (time.perf_counter() - start) * 1000.0
    cpu_ms = (time.process_time() - cpu) * 1000.0
    if error:
        import json  # only on this path: importing json (re, enum...) costs ~8 ms of CPU

        print(json.dumps({"error": error}))
        return 3
    phases = ", ".join(f'"{_escape(k)}": {float(v)!r}' for k, v in PHASES.items())
    print(
        f'{{"ms": {elapsed_ms!r}, "cpu_ms": {cpu_ms!r}, "status": "{_escape(status)}", '
        f'"phases": {{{phases}}}}}'
    )
    return 0


def _escape(text: str) -> str:
    """Enough JSON string escaping for a status line."""
    return text.replace("\\", "\\\\").replace('"', '\\"')


if __name__ == "__main__":
    sys.exit(main(sys.argv))
