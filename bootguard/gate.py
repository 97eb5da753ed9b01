"""The boot gate: run the checks once per process, publish the verdict, report, apply the mode.

``guard(app)`` is the one line in ``wsgi.py``/``asgi.py``; :func:`run` is what the server
hooks call.  The first call in a process does the work under a lock; every later call
(another thread, a forked gunicorn worker that inherited the master's state) gets the same
:class:`Outcome`.

What the gate does, in order, and never raising into the application except for the
explicit ``enforce`` stop:

1. settings (kwargs > ``BOOTGUARD_*`` > ``[tool.bootguard]``); configuration problems
   become ``bootguard:config`` findings (``warn``; ``fail`` in ``enforce`` mode);
2. the check (:func:`bootguard.api.check`) against the configured or discovered manifest;
   an unreadable manifest is a ``bootguard:config`` finding and the consistency checks
   still run; then the probes (critical imports, smoke callables);  any other exception
   is bootguard's own bug: a ``bootguard:internal`` finding (status ``fail``), logged with
   its traceback at error level;
3. the verdict to :mod:`bootguard.state` (ready unless ``fail``; always ready in ``warn``);
   whether a ``bootguard:internal`` finding counts is the ``on_internal_error`` setting
   (default: it does not, except in ``enforce`` mode);
4. a log record (info on pass, warning, error) and, on warn/fail, one Sentry event
   (:mod:`bootguard.sentry`); when Sentry is not configured yet the event waits for it;
5. the mode: ``enforce`` and ``fail`` -> ``SystemExit(3)`` (after the Sentry flush).
"""

from __future__ import annotations

import os
import sys
import threading
import time
from dataclasses import dataclass, replace

from bootguard import state
from bootguard.config import Settings, load_settings
from bootguard.report import Finding, Report

TYPE_CHECKING = False
if TYPE_CHECKING:
    import logging
    from collections.abc import Mapping
    from pathlib import Path
    from typing import Any, TypeVar

    from bootguard.report import Status

    App = TypeVar("App")

__all__ = ["EXIT_STATUS", "Outcome", "guard", "outcome", "reset", "run", "sentry_configured"]

EXIT_STATUS = 3  # gunicorn: "worker failed to boot" (halts); uvicorn: startup failure


def _logger() -> logging.Logger:
    """The ``bootguard`` logger; ``logging`` is imported on first use (import cost)."""
    import logging

    return logging.getLogger("bootguard")


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the gate concluded in this process."""

    settings: Settings
    report: Report
    ready: bool
    stop: bool
    pid: int


_lock = threading.RLock()
_outcome: Outcome | None = None
_pending_lock = threading.Lock()
_pending: tuple[Report, Settings] | None = None
_watcher: threading.Thread | None = None


def guard(app: App, /, **options: object) -> App:
    """Check this process's environment once, then return ``app`` with the health endpoints.

    ``application = bootguard.guard(get_wsgi_application())``.  Keyword arguments override
    the environment and ``pyproject.toml`` (see the README's configuration reference).  In
    ``enforce`` mode a failed check raises ``SystemExit(3)`` here.
    """
    caller = sys._getframe(1).f_globals.get("__file__")
    result = run(options, start=os.path.dirname(os.path.abspath(caller)) if caller else None)
    if app is None:
        return app
    return _wrap(app, result.settings)


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
    if _pending is not None:
        _ensure_watcher(result.settings.sentry_wait)
    if exit and result.stop:
        from bootguard.errors import BootFailed

        raise SystemExit(EXIT_STATUS) from BootFailed(result.report)
    return result


def outcome() -> Outcome | None:
    """The outcome of the gate in this process, or ``None`` before it ran."""
    return _outcome


def reset() -> None:
    """Forget the outcome and any pending Sentry event (for tests and re-initialisation)."""
    global _outcome, _pending
    with _lock:
        _outcome = None
        with _pending_lock:
            _pending = None
        state.reset()


# --- the first run ------------------------------------------------------------------------


def _first_run(options: dict[str, object], start: str | Path | None, exit: bool) -> Outcome:
    started = time.perf_counter()
    internal: list[Finding] = []
    try:
        settings, problems = load_settings(options, start=start)
    except Exception as err:  # our bug: never a traceback into the application
        settings, problems = Settings(), []
        internal.append(_internal_finding("reading the settings", err))
    report = _checked(settings, problems, started, internal)
    ready = _ready(settings, report)
    state.publish(report, ready=ready)
    _start_watchers(settings, report)
    stop = _stops(settings, report)
    if settings.sentry and "sentry_sdk" in sys.modules:
        _import_sentry_sink()  # before logging: keeps the report log out of the app's Sentry
    _log(report, settings, ready, stop, exit)
    if settings.sentry:
        _to_sentry(report, settings)
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
        internal = _internal_finding("the boot gate", err)
        if base is None:
            report = Report(findings=(internal,))
        else:
            findings = sorted((*base.findings, internal), key=lambda f: (f.subject, f.aspect))
            report = replace(base, findings=tuple(findings))
        ready = _ready(settings, report)
        stop = _stops(settings, report)
        try:
            state.publish(report, ready=ready)
            _log(report, settings, ready, stop, exit)
            if settings.sentry:
                _to_sentry(report, settings)
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


def _stops(settings: Settings, report: Report) -> bool:
    """``enforce`` stops the process on what makes the node not ready."""
    return settings.mode == "enforce" and _deciding(settings, report).status == "fail"


def _start_watchers(settings: Settings, report: Report) -> None:
    """Metrics, the SIGTERM drain and the periodic re-check, when the settings ask for them."""
    try:
        if settings.metrics:
            from bootguard.metrics import enable

            enable()
        if settings.drain_on_sigterm:
            from bootguard.shutdown import install_sigterm_drain

            install_sigterm_drain()
        if settings.recheck_interval:
            from bootguard.recheck import start_recheck

            def changed(new: Report) -> None:
                if settings.sentry:
                    _to_sentry(new, settings)  # one event per change of verdict

            start_recheck(
                settings.recheck_interval,
                manifests=_manifests(settings),
                options={
                    "strict": settings.strict,
                    "ignore": settings.ignore,
                    "extras": settings.extras,
                    "groups": settings.groups,
                    "use_seal": settings.seal,
                    "allow_empty": settings.allow_empty_manifest,
                    "pyprojects": [os.path.join(settings.root, "pyproject.toml")],
                },
                ready=lambda new: _ready(settings, new),
                on_change=changed,
                baseline=report,
                on_error=_recheck_error,
            )
    except Exception:  # our bug or a missing extra: log it, never break the boot
        _logger().exception("bootguard: could not start metrics / drain / re-check")


def _checked(
    settings: Settings, problems: list[str], started: float, internal: list[Finding]
) -> Report:
    """The Report with the configuration, probe and internal findings added; never raises.

    Errors bootguard raises on purpose (:class:`~bootguard.errors.BootguardError`: an
    unreadable manifest, a bad setting, an interpreter that cannot be inspected) are
    ``bootguard:config`` findings; any other exception is a bug of bootguard's own and
    becomes a ``bootguard:internal`` finding (logged with its traceback, see
    :func:`_internal_finding`).
    """
    from bootguard.errors import BootguardError, ManifestError

    status: Status = "fail" if settings.mode == "enforce" else "warn"
    extra = [_config_finding(status, problem) for problem in problems]
    extra.extend(internal)
    report: Report | None = None
    kwargs: dict[str, Any] = {
        "strict": settings.strict,
        "ignore": settings.ignore,
        "extras": settings.extras,
        "groups": settings.groups,
        "use_seal": settings.seal,
        "integrity": settings.integrity,
        "quick_integrity": settings.quick_integrity,
        "allow_empty": settings.allow_empty_manifest,
        "pyprojects": [os.path.join(settings.root, "pyproject.toml")],
    }
    try:
        from bootguard.api import check

        manifests = _manifests(settings)
        if not manifests and settings.manifest_paths() is None:
            extra.append(_no_manifest_finding(settings))
        try:
            report = check(manifests, **kwargs)
        except ManifestError as err:
            extra.append(_config_finding(status, f"manifest: {err}"))
            report = check([], **kwargs)  # still catch what pip check would
    except BootguardError as err:
        extra.append(_config_finding(status, str(err)))
    except Exception as err:
        extra.append(_internal_finding("the environment check", err))
    if report is None:
        report = Report(findings=())
    probe_findings: list[Finding] = []
    mark = time.perf_counter()
    try:
        if settings.imports or settings.smoke:
            from bootguard.checks.probes import run_probes

            probe_findings = run_probes(
                settings.imports,
                settings.smoke,
                isolated=settings.isolated,
                import_timeout=settings.import_timeout,
                smoke_timeout=settings.smoke_timeout,
            )
    except Exception as err:
        extra.append(_internal_finding("the probes", err))
    timings = (
        *report.timings,
        ("probes", (time.perf_counter() - mark) * 1000.0),
        ("gate", (time.perf_counter() - started) * 1000.0),
    )
    findings = sorted(
        (*report.findings, *probe_findings, *extra), key=lambda f: (f.subject, f.aspect)
    )
    return replace(report, findings=tuple(findings), timings=timings)


def _recheck_error(err: Exception) -> Finding | None:
    """What a re-check's exception becomes: bootguard's bug is ``bootguard:internal``
    (readiness then follows ``on_internal_error``); an error bootguard raises on purpose
    (a manifest removed or half-written while it is replaced) keeps the last verdict."""
    from bootguard.errors import BootguardError

    if isinstance(err, BootguardError):
        return None
    return _internal_finding("the re-check", err)


def _internal_finding(stage: str, err: BaseException) -> Finding:
    """A ``bootguard:internal`` finding for a bug in ``stage``, logged with its traceback.

    Always status ``fail`` (something was not checked); what it does to readiness is the
    ``on_internal_error`` policy (:func:`_deciding`).  ``observed`` (the drift signature,
    so Sentry grouping) holds the stage and the exception type, never its message, which
    may carry paths or addresses that differ per node.
    """
    _logger().error("bootguard: internal error in %s", stage, exc_info=err)
    return Finding(
        "bootguard",
        "internal",
        "fail",
        f"bootguard internal error in {stage}: {type(err).__name__}: {_one_line(err)}",
        expected="no error",
        observed=f"{stage}: {type(err).__name__}",
    )


def _one_line(err: BaseException) -> str:
    from bootguard._text import one_line

    text = one_line(" ".join(str(err).split()))
    return text if len(text) <= 300 else text[:297] + "..."


def _manifests(settings: Settings) -> list[str]:
    """The configured manifests, else the one discovered in the root (maybe none).

    ``manifest = []`` configures "no manifest" on purpose; discovery finding nothing is
    reported by :func:`_no_manifest_finding`.
    """
    paths = settings.manifest_paths()
    if paths is not None:
        return paths
    from bootguard.manifest import discover

    found = discover(settings.root)
    return [str(found)] if found is not None else []


def _no_manifest_finding(settings: Settings) -> Finding:
    """Discovery found nothing: only consistency is checked, and the operator must know."""
    from bootguard.api import no_manifest_message

    return _config_finding("warn", f"{no_manifest_message(settings.root)}; set manifest")


def _config_finding(status: Status, problem: str) -> Finding:
    # ``observed`` feeds the drift signature (Sentry grouping): without directories, so
    # nodes deployed under different paths still group together.
    stable = " ".join(os.path.basename(t) if os.sep in t else t for t in problem.split(" "))
    return Finding(
        "bootguard",
        "config",
        status,
        f"bootguard configuration: {problem}",
        expected="valid configuration",
        observed=stable[:200],
    )


def _log(report: Report, settings: Settings, ready: bool, stop: bool, exit: bool) -> None:
    total = dict(report.timings).get("gate", 0.0)
    if report.status == "pass":
        if "logging" not in sys.modules:
            return  # an info record nobody can see: not worth importing logging at boot
        _logger().info(
            "bootguard: pass - %d distributions, verified by %s in %.1f ms",
            report.distributions,
            report.verified_by,
            total,
        )
        return
    level = 40 if report.status == "fail" else 30  # logging.ERROR, logging.WARNING
    if stop and exit:
        consequence = "mode enforce: stopping this process (exit status 3)"
    elif stop:
        consequence = "mode enforce: the boot must stop"
    elif ready:
        consequence = f"mode {settings.mode}: the node stays ready"
    else:
        consequence = f"mode {settings.mode}: the node is not ready (readiness answers 503)"
    if settings.ready_on_internal_error() and any(f.aspect == "internal" for f in report.findings):
        consequence += "; bootguard's internal error does not count (on_internal_error = ready)"
    _logger().log(level, "%s\nbootguard: %s", report.to_text(), consequence)


# --- Sentry: now, or as soon as the application configures a client ----------------------


def _to_sentry(report: Report, settings: Settings) -> None:
    wanted = report.status != "pass" or settings.sentry_on_pass
    if "sentry_sdk" not in sys.modules:
        if not wanted:
            return  # nothing to send and no client to tag: never import sentry_sdk
        if not settings.sentry_dsn:
            # The application has not configured Sentry (yet): keep the event for its client.
            if _sentry_installed():
                _set_pending(report, settings)
            return
    try:
        from bootguard import sentry as sink
    except ImportError:
        _logger().warning("bootguard: sentry_dsn is set but sentry-sdk is not installed")
        return
    try:
        if sink.app_client_active():
            sink.install_integration()
        if wanted and not sink.send(report, settings):
            _set_pending(report, settings)
    except Exception:
        _logger().warning("bootguard: could not report to Sentry", exc_info=True)


def _import_sentry_sink() -> None:
    try:
        import bootguard.sentry  # noqa: F401
    except Exception:
        _logger().debug("bootguard: sentry-sdk is not usable", exc_info=True)


def _sentry_installed() -> bool:
    import importlib.util

    try:
        return importlib.util.find_spec("sentry_sdk") is not None
    except (ImportError, ValueError):
        return False


def _set_pending(report: Report, settings: Settings) -> None:
    global _pending
    with _pending_lock:
        _pending = (report, settings)
    _ensure_watcher(settings.sentry_wait)


def sentry_configured() -> None:
    """Send the pending boot event if the application's Sentry client is now active.

    Called by :class:`bootguard.sentry.BootguardIntegration` and by the watcher thread.
    """
    global _pending
    with _pending_lock:
        pending, _pending = _pending, None
    if pending is None:
        return
    report, settings = pending
    sent = False
    try:
        from bootguard import sentry as sink

        sent = sink.send(report, settings)
    except Exception:
        _logger().warning("bootguard: could not report to Sentry", exc_info=True)
        sent = True  # do not retry a broken send forever
    if not sent:
        with _pending_lock:
            if _pending is None:
                _pending = pending
        _ensure_watcher(settings.sentry_wait)


def _ensure_watcher(wait: float) -> None:
    """Poll (daemon thread, at most ``wait`` seconds) for the application's Sentry client."""
    global _watcher
    with _pending_lock:
        if _pending is None or (_watcher is not None and _watcher.is_alive()):
            return
        _watcher = threading.Thread(
            target=_watch, args=(wait,), name="bootguard-sentry-wait", daemon=True
        )
        _watcher.start()


def _watch(wait: float) -> None:
    deadline = time.monotonic() + wait
    while _pending is not None and time.monotonic() < deadline:
        if "sentry_sdk" in sys.modules:
            try:
                from bootguard import sentry as sink

                if sink.app_client_active():
                    sentry_configured()
                    return
            except Exception:
                _logger().debug("bootguard: waiting for Sentry failed", exc_info=True)
                return
        time.sleep(0.05)


def _after_fork_in_child() -> None:
    global _lock, _pending_lock, _watcher
    _lock = threading.RLock()
    _pending_lock = threading.Lock()
    _watcher = None  # threads do not survive fork; run() restarts it if an event waits


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


# --- wrapping the application -------------------------------------------------------------


def _wrap(app: App, settings: Settings) -> App:
    """``app`` behind the health middleware of its kind (WSGI or ASGI), when available."""
    options: dict[str, Any] = {}
    if settings.token is not None:
        options["token"] = settings.token
    if settings.health_paths is not None:
        options["paths"] = dict(settings.health_paths)
    try:
        if _is_asgi(app):
            from bootguard.asgi import ASGIHealthMiddleware

            return ASGIHealthMiddleware(app, **options)  # type: ignore[return-value,arg-type]
        from bootguard.wsgi import HealthMiddleware

        return HealthMiddleware(app, **options)  # type: ignore[return-value,arg-type]
    except ImportError:
        return app
    except Exception:
        _logger().exception(
            "bootguard: could not install the health endpoints; serving the app as is"
        )
        return app


def _is_asgi(app: object) -> bool:
    """An ASGI 3 application is a coroutine function or an object with ``async def __call__``."""
    import inspect  # already imported by dataclasses: free

    if inspect.iscoroutinefunction(app):
        return True
    return inspect.iscoroutinefunction(getattr(type(app), "__call__", None))  # noqa: B004
