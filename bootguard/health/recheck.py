"""Re-run the cheap checks in the background so readiness follows the environment.

A ``pip install`` into a running container changes what the process will import next; the
boot verdict no longer describes it.  :func:`start_recheck` runs
:func:`bootguard.api.check_with` (same :class:`~bootguard.options.CheckOptions`) every ``interval`` seconds in a daemon thread and publishes
a new verdict only when the result changes, so the health endpoints re-render once per
change and ``on_change`` (the gate's Sentry hook) fires once per change.

What a change does to readiness is the gate's policy, the same as at boot: a locked
distribution at another version, a missing one, or a broken requirement is ``fail`` (503);
a newly installed package the manifest does not list is an ``extraneous`` warning (still
ready) unless ``strict``.  A change that only adds a warning is still published (the report
and ``/readyz`` body say ``warn``), so operators can see it.

Rules it keeps:

* never blocks a request: the thread only calls ``state.publish``, which swaps one object;
* a re-check that raises is logged (once per distinct error), never raised, and leaves the
  last verdict in place: bootguard's own trouble must not flip readiness by itself.  With
  ``on_error`` (the gate passes one) the error may instead become a finding added to the
  last report (``bootguard:internal``), and the ``ready`` policy decides what it does;
* findings the re-check does not re-run (critical ``import``, ``smoke``, ``files``) are
  carried over from the boot report, so a failed import at boot is not "healed" by a
  re-check that never imports anything;
* survives ``fork``: a gunicorn ``--preload`` master starts it while loading the app, and
  each worker gets its own thread (threads do not cross ``fork``).
"""

from __future__ import annotations

import logging
import os
import threading
import weakref
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from bootguard import state
from bootguard._text import one_line
from bootguard.errors import ConfigError
from bootguard.options import CheckOptions

TYPE_CHECKING = False
if TYPE_CHECKING:
    from bootguard.report import Finding, Report

__all__ = ["CARRIED_ASPECTS", "Recheck", "start_recheck"]

CARRIED_ASPECTS = frozenset({"import", "smoke", "files", "config"})
"""Aspects a re-check does not re-run; their boot findings stay in every later report."""

_log = logging.getLogger("bootguard")
_running: weakref.WeakSet[Recheck] = weakref.WeakSet()


def _default_ready(report: Report) -> bool:
    return report.status != "fail"


def _key(report: Report) -> tuple[str, str, str | None]:
    """What counts as "the result changed" (never timings, paths or the seal/full route)."""
    return (report.status, report.drift_signature(), report.manifest_digest)


class Recheck:
    """A background re-check; :meth:`start` it, :meth:`stop` it, or :meth:`run_once`."""

    def __init__(
        self,
        interval: float,
        run: Callable[[], Report],
        *,
        ready: Callable[[Report], bool] | None = None,
        on_change: Callable[[Report], None] | None = None,
        baseline: Report | None = None,
        on_error: Callable[[Exception], Finding | None] | None = None,
    ) -> None:
        if not interval > 0:
            raise ConfigError(
                f"recheck_interval must be a positive number of seconds: {interval!r}"
            )
        self.interval = float(interval)
        self._run = run
        self._ready = ready or _default_ready
        self._on_change = on_change
        self._carried: tuple[Finding, ...] = ()
        self._last_key: tuple[str, str, str | None] | None = None
        self._last_report = baseline
        self._on_error = on_error
        if baseline is not None:
            self._carried = tuple(f for f in baseline.findings if f.aspect in CARRIED_ASPECTS)
            self._last_key = _key(baseline)
        self._last_error: str | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        """True while the thread runs."""
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> Recheck:
        """Start the daemon thread (idempotent); return self."""
        if self.running:
            return self
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="bootguard-recheck", daemon=True)
        self._thread.start()
        _running.add(self)
        return self

    def stop(self, timeout: float | None = 5.0) -> None:
        """Stop the thread; waits up to ``timeout`` for a re-check in progress."""
        _running.discard(self)
        self._stop.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    def run_once(self) -> Report | None:
        """Re-check now, in this thread; return the new report if the result changed."""
        try:
            report = self._run()
        except Exception as err:
            message = one_line(f"{type(err).__name__}: {err}")
            if message == self._last_error:
                return None
            self._last_error = message
            finding = self._error_finding(err)
            if finding is None or self._last_report is None:
                _log.warning(
                    "bootguard: re-check failed (verdict kept): %s", message, exc_info=True
                )
                return None
            return self._publish(_with_error(self._last_report, finding))
        if self._last_error is not None:
            self._last_error = None
            _log.info("bootguard: re-check works again")
        if self._carried:
            report = _with_carried(report, self._carried)
        return self._publish(report)

    def _error_finding(self, err: Exception) -> Finding | None:
        if self._on_error is None:
            return None
        try:
            return self._on_error(err)
        except Exception:
            _log.exception("bootguard: re-check error hook failed")
            return None

    def _publish(self, report: Report) -> Report | None:
        """Publish ``report`` if its result differs from the last one; return it if so."""
        key = _key(report)
        if key == self._last_key:
            return None
        self._last_key = key
        self._last_report = report
        ready = self._ready(report)
        _log.warning(
            "bootguard: environment changed since the last check: %s (%s)",
            report.status,
            "ready" if ready else "not ready",
        )
        state.publish(report, ready=ready)
        if self._on_change is not None:
            try:
                self._on_change(report)
            except Exception:
                _log.exception("bootguard: re-check change hook failed")
        return report

    def _loop(self) -> None:
        stop = self._stop
        while not stop.wait(self.interval):
            try:
                self.run_once()
            except Exception:  # belt and braces: the thread must outlive our bugs
                _log.exception("bootguard: re-check failed")

    def _after_fork(self) -> None:
        self._thread = None
        self.start()


def _with_error(last: Report, finding: Finding) -> Report:
    """The last report, its previous error findings replaced by ``finding``."""
    from bootguard._record import replace

    kept = [f for f in last.findings if f.key != finding.key]
    findings = sorted((*kept, finding), key=lambda f: (f.subject, f.aspect))
    return replace(last, findings=tuple(findings))


def _with_carried(report: Report, carried: tuple[Finding, ...]) -> Report:
    from bootguard._record import replace

    findings = sorted((*report.findings, *carried), key=lambda f: (f.subject, f.aspect))
    return replace(report, findings=tuple(findings))


def start_recheck(
    interval: float,
    *,
    manifests: Sequence[str | os.PathLike[str]] | None = None,
    options: CheckOptions | Mapping[str, Any] | None = None,
    ready: Callable[[Report], bool] | None = None,
    on_change: Callable[[Report], None] | None = None,
    baseline: Report | None = None,
    on_error: Callable[[Exception], Finding | None] | None = None,
) -> Recheck:
    """Re-run the check ``options`` describe every ``interval`` seconds.

    ``options`` is a :class:`~bootguard.options.CheckOptions` (or its fields as keywords, as
    :func:`bootguard.check` takes them); ``manifests``, when given, replaces its manifests.
    ``ready`` maps a report to readiness (default: not ``fail``; the gate passes its
    policy).  ``on_change`` is called with each changed report (after it is published).
    ``baseline`` is the report to compare with; default: the currently published one.
    ``on_error`` turns an exception of the re-check into a finding added to the last
    report (``None``: log it and keep the verdict, the default).
    Manifest paths are resolved (``None``: discovered) now, to absolute paths, so a later
    ``chdir`` does not change what is checked.
    """
    from bootguard._record import replace
    from bootguard.api import check_with, log_internal
    from bootguard.manifest.resolve import resolve_paths

    if not isinstance(options, CheckOptions):
        options = CheckOptions(**dict(options or {}))
    if manifests is not None:
        options = replace(options, manifests=manifests)
    resolved = resolve_paths(options.manifests, absolute=True).paths
    checked = replace(options, manifests=resolved)

    def run() -> Report:
        report = check_with(checked)
        log_internal(report)
        return report

    if baseline is None:
        baseline = state.current().report
    return Recheck(
        interval, run, ready=ready, on_change=on_change, baseline=baseline, on_error=on_error
    ).start()


def _restart_in_child() -> None:
    for recheck in list(_running):
        recheck._after_fork()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_restart_in_child)
