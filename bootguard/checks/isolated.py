"""Isolated probes: a child interpreter per batch, killed at a probe's timeout.

A hanging or crashing import (a segfault) cannot hang or kill the application's process;
the modules then load again in the application itself, as usual.

The same child runs the probes of another interpreter (``bootguard check --python``): it
is then that interpreter, with its own ``sys.path``, so a module this process could import
but the checked environment cannot fails as it would there.  Smoke callables run in the
child only then (the gate's run in-process: they test the application's own resources).
"""

from __future__ import annotations

import sys
import threading
import time

from bootguard.checks.outcome import FRAMES, Outcome, clip, probe_finding, probe_subject
from bootguard.report import Finding

TYPE_CHECKING = False
if TYPE_CHECKING:
    from queue import Queue
    from typing import IO, Any

__all__ = ["isolated_imports"]


_CHILD = r"""
import importlib, json, os, sys, time, traceback
out = os.fdopen(os.dup(1), "w")
os.dup2(2, 1)
paths = json.loads(sys.argv[1])
if paths is not None:
    sys.path[:] = paths
keep = int(sys.argv[3])
for name in json.loads(sys.argv[2]):
    t = time.perf_counter()
    try:
        module, colon, attr = name.partition(":")
        value = importlib.import_module(module)
        if colon:
            for part in attr.split("."):
                value = getattr(value, part)
            if not callable(value):
                raise TypeError(name + " is not callable")
            value = value()
        result = {"name": name, "ms": (time.perf_counter() - t) * 1000.0,
                  "false": colon and value is False}
    except BaseException as err:
        frames = traceback.extract_tb(err.__traceback__)[-keep:]
        result = {"name": name, "ms": (time.perf_counter() - t) * 1000.0,
                  "type": type(err).__name__, "message": str(err),
                  "frames": ["/".join(f.filename.replace("\\", "/").split("/")[-2:])
                             + ":" + str(f.lineno) + " in " + f.name for f in frames]}
    out.write(json.dumps(result) + "\n"); out.flush()
"""


def isolated_imports(
    modules: list[str], timeout: float, python: str | None = None
) -> list[Finding]:
    """Import each module in a child (this interpreter, or ``python`` with its own path)."""
    return isolated_probes(modules, timeout, python=python)


def isolated_probes(
    targets: list[str], timeout: float, *, python: str | None = None
) -> list[Finding]:
    """Run each target in a child: a module is imported, a ``module:function`` is called.

    ``python`` runs the child with that interpreter and its own ``sys.path``; by default it
    is this interpreter with this process's import path.
    """
    findings: list[Finding] = []
    while targets:
        done = _run_child(targets, timeout, python)
        findings.extend(done)
        targets = targets[len(done) :]
    return findings


def _run_child(modules: list[str], timeout: float, python: str | None) -> list[Finding]:
    """Run one child over ``modules``; return findings up to and including the first that
    hung or crashed (the caller starts a new child for the rest)."""
    import json  # deferred for import cost: isolated mode only
    import queue
    import subprocess

    from bootguard.environment._scan import import_paths

    command = [
        python or sys.executable,
        "-c",
        _CHILD,
        json.dumps(None if python else import_paths()),
        json.dumps(modules),
        str(FRAMES),
    ]
    try:
        child = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
    except OSError as err:
        return [
            Finding(
                *probe_subject(modules[0]),
                "fail",
                f"cannot start an interpreter for isolated probes: {err.strerror or err}",
                expected="ok",
                observed="OSError",
            )
        ]
    lines: queue.Queue[str | None] = queue.Queue()
    stderr_tail: list[bytes] = []
    readers = [
        threading.Thread(target=_pump_lines, args=(child.stdout, lines), daemon=True),
        threading.Thread(target=_pump_tail, args=(child.stderr, stderr_tail), daemon=True),
    ]
    for reader in readers:
        reader.start()
    findings: list[Finding] = []
    try:
        for name in modules:
            started = time.perf_counter()
            result = _next_result(lines, name, started + timeout)
            if result == "timeout":  # kill the child, report, continue in a new one
                child.kill()
                outcome = Outcome()
                outcome.ms = (time.perf_counter() - started) * 1000.0
                findings.append(probe_finding(name, outcome))
                return findings
            if result == "eof":  # the child died inside this import
                code = child.wait()
                readers[1].join(1.0)
                tail = b"".join(stderr_tail).decode(errors="replace").strip().splitlines()
                reason = f"signal {-code}" if code < 0 else f"exit status {code}"
                subject, aspect = probe_subject(name)
                what = "import" if aspect == "import" else "smoke check"
                findings.append(
                    Finding(
                        subject,
                        aspect,
                        "fail",
                        f"{what} {name} crashed the interpreter ({reason})",
                        expected="ok",
                        observed="crash",
                        details=tuple(clip(line) for line in tail[-FRAMES:]),
                        time_ms=(time.perf_counter() - started) * 1000.0,
                    )
                )
                return findings
            assert isinstance(result, dict)
            outcome = Outcome()
            outcome.done = True
            outcome.ms = float(result.get("ms", 0.0))
            outcome.value = False if result.get("false") else None
            if "type" in result:
                outcome.error = (str(result["type"]), clip(str(result.get("message", ""))))
                outcome.frames = tuple(str(f) for f in result.get("frames", ()))
            findings.append(probe_finding(name, outcome))
        return findings
    finally:
        if child.poll() is None:
            child.kill()
        child.wait()
        # The pipes are left to the reader threads, which end at EOF: closing them here
        # could block on a reader when a grandchild still holds the write end.


def _next_result(lines: Queue[str | None], name: str, deadline: float) -> dict[str, Any] | str:
    """The result for ``name``; ``"timeout"`` at the deadline; ``"eof"`` if the child died."""
    import json
    import queue

    while True:
        remaining = deadline - time.perf_counter()
        if remaining <= 0:
            return "timeout"
        try:
            line = lines.get(timeout=remaining)
        except queue.Empty:
            return "timeout"
        if line is None:
            return "eof"
        try:
            data = json.loads(line)
        except ValueError:
            continue
        if isinstance(data, dict) and data.get("name") == name:
            return data


def _pump_lines(stream: IO[bytes], lines: Queue[str | None]) -> None:
    for raw in iter(stream.readline, b""):
        lines.put(raw.decode("utf-8", "replace"))
    lines.put(None)


def _pump_tail(stream: IO[bytes], tail: list[bytes]) -> None:
    for chunk in iter(lambda: stream.read(4096), b""):
        tail.append(chunk)
        while sum(map(len, tail)) > 4096 and len(tail) > 1:
            del tail[0]
