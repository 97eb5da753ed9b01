"""The process-wide verdict: what the gate concluded, read by health endpoints and sinks.

One small object with a lock, no framework code.  The gate (:mod:`bootguard.gate`) publishes
a Report and whether the node may take traffic; the health middleware subscribes so it can
prepare its responses once per verdict instead of once per request; ``drain()`` flips
readiness off for a graceful shutdown.

Phases: ``pending`` (the check has not finished: not ready), ``done``, ``draining``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

TYPE_CHECKING = False
if TYPE_CHECKING:
    from bootguard.report import Report

__all__ = ["Verdict", "current", "drain", "publish", "reset", "subscribe"]


class Verdict:
    """An immutable snapshot of the gate's conclusion."""

    __slots__ = ("phase", "ready", "report")

    def __init__(self, report: Report | None, ready: bool, phase: str) -> None:
        self.report = report
        self.ready = ready
        self.phase = phase

    def __repr__(self) -> str:
        status = self.report.status if self.report is not None else None
        return f"Verdict(phase={self.phase!r}, ready={self.ready}, status={status!r})"


_PENDING = Verdict(None, False, "pending")
_lock = threading.Lock()
_current = _PENDING
_listeners: list[Callable[[Verdict], None]] = []


def current() -> Verdict:
    """The latest verdict (a plain attribute read: safe and cheap on every request)."""
    return _current


def publish(report: Report, *, ready: bool) -> Verdict:
    """Record a new verdict and tell the subscribers; a drained node stays drained."""
    global _current
    with _lock:
        if _current.phase == "draining":
            verdict = Verdict(report, False, "draining")
        else:
            verdict = Verdict(report, ready, "done")
        _current = verdict
        listeners = list(_listeners)
    _notify(listeners, verdict)
    return verdict


def drain() -> Verdict:
    """Stop being ready (graceful shutdown): readiness answers 503 from now on."""
    global _current
    with _lock:
        verdict = Verdict(_current.report, False, "draining")
        _current = verdict
        listeners = list(_listeners)
    _notify(listeners, verdict)
    return verdict


def subscribe(listener: Callable[[Verdict], None]) -> None:
    """Call ``listener`` now with the current verdict and on every change."""
    with _lock:
        _listeners.append(listener)
        verdict = _current
    _notify([listener], verdict)


def reset() -> None:
    """Back to ``pending`` with no subscribers (for tests and re-initialisation)."""
    global _current
    with _lock:
        _current = _PENDING
        _listeners.clear()


def _notify(listeners: list[Callable[[Verdict], None]], verdict: Verdict) -> None:
    import logging

    for listener in listeners:
        try:
            listener(verdict)
        except Exception:  # a sink's bug must never break the gate or a request
            logging.getLogger("bootguard").exception("bootguard: verdict listener failed")
