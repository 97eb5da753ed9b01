"""The boot gate: run the checks once per process, publish the verdict, report, apply the mode.

``guard(app)`` is the one line in ``wsgi.py``/``asgi.py``; :func:`run` is what the server
hooks call.  The first call in a process does the work under a lock; every later call
(another thread, a forked gunicorn worker that inherited the master's state) gets the same
:class:`Outcome`.

What the gate does, in order, and never raising into the application except for the
explicit ``enforce`` stop:

1. settings (kwargs > ``BOOTGUARD_*`` > ``[tool.bootguard]``); configuration problems
   become ``bootguard:config`` findings (``warn``; ``fail`` in ``enforce`` mode);
2. the check and the probes against the configured or discovered manifest
   (:func:`bootguard.boot.boot_report`: an unreadable manifest is a ``bootguard:config``
   finding, bootguard's own bug a ``bootguard:internal`` one);
3. the verdict to :mod:`bootguard.state` (ready unless ``fail``; always ready in ``warn``);
   whether a ``bootguard:internal`` finding counts is the ``on_internal_error`` setting
   (default: it does not, except in ``enforce`` mode);
4. a log record (:mod:`bootguard.announce`) and, on warn/fail, one Sentry event through the
   relay (:mod:`bootguard.integrations.sentry_relay`), which keeps it until the application
   configures Sentry if it has not yet;
5. the mode: ``enforce`` and ``fail`` -> ``SystemExit(3)`` (after the Sentry flush).

This module is the policy (once per process, the modes, the verdict); the report it
decides on is built by :mod:`bootguard.boot`, the health endpoints are installed by
:mod:`bootguard.health.wrap` and kept current by :mod:`bootguard.health.watchers`.
"""

from __future__ import annotations

import os
import sys
import threading
import time

from bootguard import announce, boot, state
from bootguard._record import Record, replace
from bootguard.config import Settings, load_settings
from bootguard.report import Finding, Report

TYPE_CHECKING = False
if TYPE_CHECKING:
    import logging
    from collections.abc import Callable, Mapping
    from pathlib import Path
    from typing import TypeVar

    App = TypeVar("App")

__all__ = ["EXIT_STATUS", "Outcome", "guard", "outcome", "readiness", "reset", "run"]

EXIT_STATUS = 3  # gunicorn: "worker failed to boot" (halts); uvicorn: startup failure


def _logger() -> logging.Logger:
    """The ``bootguard`` logger; ``logging`` is imported on first use (docs/design.md)."""
    import logging

    return logging.getLogger("bootguard")


class Outcome(Record):
    """What the gate concluded in this process."""

    settings: Settings
    report: Report
    ready: bool
    stop: bool
    pid: int


_lock = threading.RLock()
_outcome: Outcome | None = None


def guard(app: App, /, **options: object) -> App:
    """Check this process's environment once, then return ``app`` with the health endpoints.

    ``application = bootguard.guard(get_wsgi_application())``.  Keyword arguments override
    the environment and ``pyproject.toml`` (see docs/configuration.md).  In
    ``enforce`` mode a failed check raises ``SystemExit(3)`` here.
    """
    caller = sys._getframe(1).f_globals.get("__file__")
    result = run(options, start=os.path.dirname(os.path.abspath(caller)) if caller else None)
    if app is None:
        return app
    from bootguard.health.wrap import wrap

    return wrap(app, result.settings)


def run(
    options: Mapping[str, object] | None = None,
    *,
    start: str | Path | None = None,
    exit: bool = True,
) -> Outcome:
    """Run the gate once per process and return its outcome.

    With ``exit=True`` (the default) a stop in ``enforce`` mode raises ``SystemExit(3)``,
    on this and every later call; hooks that stop their server another way (a lifespan
    ``startup.failed``, Celery's ``WorkerShutdown``) pass ``exit=False`` and read ``stop``.
    """
    global _outcome
    with _lock:
        if _outcome is None:
            _outcome = _first_run_failsafe(dict(options or {}), start, exit)
        elif options:
            _logger().debug("bootguard: the gate already ran in this process; options ignored")
        result = _outcome
    if result.settings.sentry and "bootguard.integrations.sentry_relay" in sys.modules:
        from bootguard.integrations import sentry_relay

        sentry_relay.resume(result.settings.sentry_wait)  # a forked worker's event still waits
    if exit and result.stop:
        from bootguard.errors import BootFailed

        raise SystemExit(EXIT_STATUS) from BootFailed(result.report)
    return result


def outcome() -> Outcome | None:
    """The outcome of the gate in this process, or ``None`` before it ran."""
    return _outcome


def reset() -> None:
    """Forget the outcome and any pending Sentry event (for tests and re-initialisation)."""
    global _outcome
    with _lock:
        _outcome = None
        if "bootguard.integrations.sentry_relay" in sys.modules:
            from bootguard.integrations import sentry_relay

            sentry_relay.reset()
        state.reset()


# --- the first run ------------------------------------------------------------------------


def _first_run(options: dict[str, object], start: str | Path | None, exit: bool) -> Outcome:
    started = time.perf_counter()
    internal: list[Finding] = []
    try:
        settings, problems = load_settings(options, start=start)
    except Exception as err:  # our bug: never a traceback into the application
        settings, problems = Settings(), []
        internal.append(boot.internal_finding("reading the settings", err))
    report = boot.boot_report(settings, problems, started, internal)
    ready = _ready(settings, report)
    state.publish(report, ready=ready)
    _start_watchers(settings, report)
    stop = _stops(settings, report)
    if settings.sentry:
        from bootguard.integrations import sentry_relay

        sentry_relay.prepare()  # before logging: keeps the report log out of the app's Sentry
    announce.log(report, settings, ready, stop, exit)
    if settings.sentry:
        sentry_relay.deliver(report, settings)
    return Outcome(settings, report, ready, stop, os.getpid())


def _first_run_failsafe(
    options: dict[str, object], start: str | Path | None, exit: bool
) -> Outcome:
    """:func:`_first_run`, with a bug of the gate's own turned into an outcome.

    Every stage of the first run already catches its own errors; this is the last net
    (a bug in logging the report, publishing the verdict...).  The outcome then carries a
    ``bootguard:internal`` finding, added to the report the run had already published
    (so a drift it found still counts), and the ``on_internal_error`` policy of the
    settings that could be read (defaults otherwise).
    """
    before = state.current()
    try:
        return _first_run(options, start, exit)
    except Exception as err:
        try:
            settings, _ = load_settings(options, start=start)
        except Exception:
            settings = Settings()
        published = state.current()
        base = published.report if published is not before else None
        internal = boot.internal_finding("the boot gate", err)
        if base is None:
            report = Report(findings=(internal,))
        else:
            findings = sorted((*base.findings, internal), key=lambda f: (f.subject, f.aspect))
            report = replace(base, findings=tuple(findings))
        ready = _ready(settings, report)
        stop = _stops(settings, report)
        try:
            state.publish(report, ready=ready)
            announce.log(report, settings, ready, stop, exit)
            if settings.sentry:
                from bootguard.integrations import sentry_relay

                sentry_relay.deliver(report, settings)
        except Exception:
            _logger().exception("bootguard: could not publish or report the verdict")
        return Outcome(settings, report, ready, stop, os.getpid())


def _deciding(settings: Settings, report: Report) -> Report:
    """The report readiness and the stop are decided on.

    With ``on_internal_error = "ready"`` (the default outside ``enforce``), a
    ``bootguard:internal`` finding is reported (log, Sentry, detailed health) but does not
    count: readiness is computed as if it were not there, so bootguard's own bug never
    takes a node out of rotation nor stops it.
    """
    if not settings.ready_on_internal_error():
        return report
    if not any(f.aspect == "internal" for f in report.findings):
        return report
    return replace(report, findings=tuple(f for f in report.findings if f.aspect != "internal"))


def _ready(settings: Settings, report: Report) -> bool:
    """The policy: ``warn`` mode is always ready; otherwise ready unless the check failed
    (a ``bootguard:internal`` finding counts only with ``on_internal_error = "not-ready"``)."""
    return settings.mode == "warn" or _deciding(settings, report).status != "fail"


def readiness(settings: Settings) -> Callable[[Report], bool]:
    """The gate's readiness policy for these settings, for a server that is not the gate
    (``bootguard serve``): the mode and ``on_internal_error`` mean the same there."""
    return lambda report: _ready(settings, report)


def _stops(settings: Settings, report: Report) -> bool:
    """``enforce`` stops the process on what makes the node not ready."""
    return settings.mode == "enforce" and _deciding(settings, report).status == "fail"


def _start_watchers(settings: Settings, report: Report) -> None:
    """Metrics, the SIGTERM drain and the re-check, with this policy for the re-checks."""
    from bootguard.health import watchers

    def changed(new: Report) -> None:
        if settings.sentry:
            from bootguard.integrations import sentry_relay

            sentry_relay.deliver(new, settings)  # one event per change of verdict

    watchers.start(
        settings,
        report,
        options=lambda: boot.check_options(settings),
        ready=lambda new: _ready(settings, new),
        on_change=changed,
        on_error=boot.recheck_error,
    )


def _after_fork_in_child() -> None:
    global _lock
    _lock = threading.RLock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
