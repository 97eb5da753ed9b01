"""In-process timing probe, run by a benchmark venv's python (never imported by run.py).

Why a separate script: whole-process timings include interpreter start-up, which dominates
fast tools and hides what bootguard itself costs inside a booting app. This script measures
from just before ``import bootguard`` to the finished ``Report`` (or, for ``floor``, one
``os.scandir`` pass over ``sys.path`` listing ``*.dist-info``: the least any inventory can
cost) and prints one JSON line. run.py calls it in a fresh process per sample and takes the
median of the reported milliseconds.

Usage: ``python inproc.py MODE TARGET`` where MODE is one of

* ``cold``  - nothing but ``sys``/``time`` loaded before timing starts;
* ``warm``  - "typical app imports already loaded": logging, typing, re, dataclasses, json,
  threading and email are imported before timing starts;
* ``floor`` - no bootguard: the os.scandir listing only (TARGET is ignored);

and TARGET is the manifest path passed to ``bootguard.check(manifests=[TARGET])``.
Exit status 0 with ``{"ms": ..., "status": ...}``; 3 with ``{"error": ...}`` when bootguard
cannot be imported or called (run.py then shows the row as n/a with that reason).
"""

from __future__ import annotations

import sys
import time

__all__ = ["main"]

WARM_IMPORTS = ("logging", "typing", "re", "dataclasses", "json", "threading", "email")


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


def _check(target: str) -> str:
    """Import bootguard and run its public check; return the report status."""
    bootguard = __import__("bootguard")  # builtin: no importlib import inside the timing
    check = getattr(bootguard, "check", None)
    if check is None:
        raise AttributeError("bootguard.check does not exist yet")
    report = check(manifests=[target])
    return str(report.status)


def main(argv: list[str]) -> int:
    """Time one measurement and print it as a JSON line."""
    if len(argv) != 3 or argv[1] not in ("cold", "warm", "floor"):
        print("usage: inproc.py cold|warm|floor MANIFEST", file=sys.stderr)
        return 2
    mode, target = argv[1], argv[2]
    if mode == "warm":
        for name in WARM_IMPORTS:
            __import__(name)
    error = ""
    status = ""
    start = time.perf_counter()
    try:
        status = _floor() if mode == "floor" else _check(target)
    except Exception as err:  # report any failure as a reason, never a traceback
        error = f"{type(err).__name__}: {err}"
    elapsed_ms = (time.perf_counter() - start) * 1000.0
    if error:
        import json  # only on this path: importing json (re, enum...) costs ~8 ms of CPU

        print(json.dumps({"error": error}))
        return 3
    print(f'{{"ms": {elapsed_ms!r}, "status": "{_escape(status)}"}}')
    return 0


def _escape(text: str) -> str:
    """Enough JSON string escaping for a status word."""
    return text.replace("\\", "\\\\").replace('"', '\\"')


if __name__ == "__main__":
    sys.exit(main(sys.argv))
