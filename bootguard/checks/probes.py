"""Critical imports and smoke callables: the checks that run code, each with a timeout.

An installed distribution can still fail at import (a missing shared library, a bad
version of a C extension, a module-level connection).  ``imports`` names the modules the
application cannot live without; ``smoke`` names ``module:function`` callables that
exercise a dependency (true or ``None`` passes, ``False`` or an exception fails).

How each timeout holds (what an operator must know to trust a boot that cannot hang):

* **In-process imports** (the default) run in the calling thread, as the application's
  own imports will (no false alarm from a module that must be imported in the main
  thread).  On the main thread of a POSIX process they are interrupted at the timeout by
  ``SIGALRM`` (``setitimer(ITIMER_REAL)``, the technique of pytest-timeout): the handler
  raises a private ``BaseException`` that the module's own ``except Exception`` cannot
  swallow; the previous handler is put back afterwards.  Where that is not possible the
  import still runs in the calling thread, unbounded, and the finding says why ("not
  bounded: ran in a worker thread"; "... the application's SIGALRM timer was armed", which
  bootguard never clobbers; "... no SIGALRM on this platform").  Running an import in a
  thread of its own instead would be worse: an abandoned import keeps the module's import
  lock, so the application's own ``import`` of it would hang just the same, and modules
  that install signal handlers would fail only because of bootguard.
* A signal cannot interrupt C code that holds the GIL (an extension stuck in a loop):
  only ``isolated=True`` bounds that.  It runs the imports in a child interpreter, killed
  at the timeout, so a hanging or crashing import (a segfault) cannot hang or kill the
  boot.  The child reports one JSON line per module on a private copy of its stdout; the
  module's own prints go to stderr.
* **Smoke callables** always run in-process (they test this process's resources), in a
  daemon thread that is abandoned at its timeout: bounded on every thread and platform,
  and a hanging callable cannot hold an import lock the application needs (its module is
  imported first, in the calling thread, under the import rules above).

``KeyboardInterrupt`` and ``SystemExit`` are never findings: they propagate, so Ctrl-C
during a hanging probe stops the boot instead of being reported as an import failure.

Findings use the ``import`` and ``smoke`` aspects; passes are recorded too, with their time.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence

from bootguard.checks.outcome import Outcome, clip, import_finding, last_frames, probe_finding
from bootguard.report import Finding

TYPE_CHECKING = False
if TYPE_CHECKING:
    from types import FrameType

__all__ = ["run_imports", "run_probes", "run_smoke"]


def run_probes(
    imports: Sequence[str] = (),
    smoke: Sequence[str] = (),
    *,
    isolated: bool = False,
    import_timeout: float = 10.0,
    smoke_timeout: float = 5.0,
    python: str | None = None,
) -> list[Finding]:
    """Findings for every critical import, then every smoke callable.

    ``python`` runs both in that interpreter instead (a child process of it, killed at the
    timeout: :mod:`bootguard.checks.isolated`), as ``bootguard check --python`` asks.
    """
    if python is not None:
        from bootguard.checks.isolated import isolated_probes  # deferred: only with --python

        findings = isolated_probes(list(imports), import_timeout, python=python)
        return findings + isolated_probes(list(smoke), smoke_timeout, python=python)
    findings = run_imports(imports, isolated=isolated, timeout=import_timeout)
    findings.extend(run_smoke(smoke, timeout=smoke_timeout))
    return findings


def run_imports(
    modules: Sequence[str], *, isolated: bool = False, timeout: float = 10.0
) -> list[Finding]:
    """Import each module, in this thread or (``isolated``) in a child interpreter.

    In-process, an import is interrupted at ``timeout`` when this is the main thread and
    ``SIGALRM`` is free (see the module docstring); otherwise it runs to its end and one
    slower than ``timeout`` fails with the reason it could not be interrupted.  Only
    ``isolated`` bounds an import stuck in C code.
    """
    if not modules:
        return []
    if isolated:
        from bootguard.checks.isolated import isolated_imports  # deferred: isolated mode only

        return isolated_imports(list(modules), timeout)
    import importlib

    findings = []
    for name in modules:
        outcome = Outcome()
        started = time.perf_counter()
        alarm = _Alarm.arm(timeout)
        try:
            try:
                importlib.import_module(name)
            finally:
                alarm.disarm()
        except _ProbeTimeout:
            alarm.disarm()  # again: the signal may have landed inside the first disarm
            outcome.ms = (time.perf_counter() - started) * 1000.0
            findings.append(_timed_out(name, outcome.ms, timeout, interrupted=True))
            continue
        except Exception as err:
            outcome.error = (type(err).__name__, clip(str(err)))
            outcome.frames = last_frames(err)
        outcome.ms = (time.perf_counter() - started) * 1000.0
        outcome.done = True
        if outcome.error is None and outcome.ms > timeout * 1000.0:
            findings.append(_timed_out(name, outcome.ms, timeout, unbounded=alarm.unbounded))
            continue
        finding = import_finding(name, outcome)
        if alarm.unbounded is not None:
            finding = _with_detail(finding, f"not bounded by import_timeout: {alarm.unbounded}")
        findings.append(finding)
    return findings


def _timed_out(
    name: str,
    ms: float,
    timeout: float,
    *,
    interrupted: bool = False,
    unbounded: str | None = None,
) -> Finding:
    if interrupted:
        message = (
            f"import {name} timed out: interrupted after {ms / 1000.0:.1f} s, "
            f"more than its {timeout:g} s timeout"
        )
    else:
        message = (
            f"import {name} timed out: took {ms / 1000.0:.1f} s, more than its {timeout:g} s "
            f"timeout (not bounded: {unbounded or 'not interrupted'})"
        )
    return Finding(
        name,
        "import",
        "fail",
        message,
        expected="finishes",
        observed="timeout",
        time_ms=ms,
    )


def _with_detail(finding: Finding, detail: str) -> Finding:
    from bootguard._record import replace

    return replace(finding, details=(*finding.details, detail))


class _ProbeTimeout(BaseException):
    """Raised by the SIGALRM handler inside a probe; a BaseException so that the probed
    module's own ``except Exception`` cannot swallow it."""


class _Alarm:
    """One armed ``ITIMER_REAL`` for one probe, or the reason none could be armed.

    ``unbounded`` is ``None`` when the probe is interrupted at its timeout, else the
    sentence a finding gives for why it was not.
    """

    __slots__ = ("_fired", "_handler", "_previous", "unbounded")

    def __init__(self, unbounded: str | None) -> None:
        self.unbounded = unbounded
        self._previous: object = None
        self._handler: Callable[[int, FrameType | None], None] | None = None
        self._fired = False

    @classmethod
    def arm(cls, timeout: float) -> _Alarm:
        import signal

        if not hasattr(signal, "setitimer") or not hasattr(signal, "SIGALRM"):
            return cls("no SIGALRM timer on this platform; use isolated")
        if threading.current_thread() is not threading.main_thread():
            return cls("ran in a worker thread; use isolated")
        remaining, _ = signal.getitimer(signal.ITIMER_REAL)
        if remaining > 0:
            return cls("the application's SIGALRM timer was armed; use isolated")
        previous = signal.getsignal(signal.SIGALRM)
        if previous is None:  # installed from C: it could not be put back
            return cls("a SIGALRM handler installed outside Python is in place; use isolated")
        alarm = cls(None)

        def interrupt(signum: int, frame: FrameType | None) -> None:
            if not alarm._fired:
                alarm._fired = True  # once: a late signal must not escape into our code
                raise _ProbeTimeout

        try:
            signal.signal(signal.SIGALRM, interrupt)
        except (ValueError, OSError) as err:  # e.g. a sub-interpreter's main thread
            return cls(f"cannot install a SIGALRM handler here ({err}); use isolated")
        alarm._previous = previous
        alarm._handler = interrupt
        signal.setitimer(signal.ITIMER_REAL, timeout)
        return alarm

    def disarm(self) -> None:
        """Stop the timer and put the previous handler back (only if ours is still there:
        a module that installed its own SIGALRM handler keeps it; a timer the module armed
        during its import is cancelled with ours, the two cannot be told apart)."""
        if self._handler is None:
            return
        import signal

        signal.setitimer(signal.ITIMER_REAL, 0)
        if signal.getsignal(signal.SIGALRM) is self._handler:
            signal.signal(signal.SIGALRM, self._previous)  # type: ignore[arg-type]
        self._handler = None


def run_smoke(targets: Sequence[str], *, timeout: float = 5.0) -> list[Finding]:
    """Call each ``module:function`` with no arguments; ``False`` or an exception fails.

    The module is imported in the calling thread (bounded like a critical import, by the
    same ``timeout``); the call runs in a daemon thread abandoned at ``timeout``.
    """
    findings = []
    for target in targets:
        resolved = _resolve_bounded(target, timeout)
        if isinstance(resolved, Outcome):
            findings.append(probe_finding(target, resolved))
            continue
        findings.append(probe_finding(target, _in_thread(resolved, timeout)))
    return findings


def _resolve_bounded(target: str, timeout: float) -> Callable[[], object] | Outcome:
    """The callable, or the outcome that says why there is none (error or timeout)."""
    started = time.perf_counter()
    alarm = _Alarm.arm(timeout)
    try:
        try:
            return _resolve(target)
        finally:
            alarm.disarm()
    except _ProbeTimeout:
        alarm.disarm()  # again: the signal may have landed inside the first disarm
        outcome = Outcome()  # not done: reported as a timeout
    except Exception as err:
        outcome = Outcome()
        outcome.done = True
        outcome.error = (type(err).__name__, clip(str(err)))
        outcome.frames = last_frames(err)
    outcome.ms = (time.perf_counter() - started) * 1000.0
    return outcome


def _in_thread(call: Callable[[], object], timeout: float) -> Outcome:
    """Run ``call`` in a daemon thread; abandon it (still running) at ``timeout``.

    ``KeyboardInterrupt`` and ``SystemExit`` raised by the call are re-raised here, in
    the caller: they ask the process to stop and are never a probe's finding.
    """
    outcome = Outcome()
    escaped: list[BaseException] = []
    started = time.perf_counter()

    def target() -> None:
        try:
            outcome.value = call()
        except Exception as err:
            outcome.error = (type(err).__name__, clip(str(err)))
            outcome.frames = last_frames(err)
        except BaseException as err:  # handed to the caller, re-raised there
            escaped.append(err)
        outcome.ms = (time.perf_counter() - started) * 1000.0
        outcome.done = True

    thread = threading.Thread(target=target, name="bootguard-probe", daemon=True)
    thread.start()
    thread.join(timeout)
    if escaped:
        raise escaped[0]
    if not outcome.done:
        outcome.ms = (time.perf_counter() - started) * 1000.0
    return outcome


def _resolve(target: str) -> Callable[[], object]:
    import importlib

    module_name, _, attr = target.partition(":")
    value: object = importlib.import_module(module_name)
    for part in attr.split("."):
        value = getattr(value, part)
    if not callable(value):
        raise TypeError(f"{target} is not callable")
    return value
