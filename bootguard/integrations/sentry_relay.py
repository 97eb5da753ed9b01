"""Deliver the gate's boot event to Sentry now, or as soon as the application configures it.

The gate hands every report it decided on to :func:`deliver`.  This module never imports
``sentry_sdk`` itself: the sink (:mod:`bootguard.integrations.sentry`) is imported only
when the application already imported ``sentry_sdk`` or gave bootguard a DSN, so an
application without Sentry pays nothing.  When the application has not configured Sentry
yet (``import bootguard.auto`` before ``sentry_sdk.init``), the event waits here: it is
sent when :class:`~bootguard.integrations.sentry.BootguardIntegration` is set up (through
:mod:`bootguard.integrations._sentry_hook`) or when a daemon thread sees the client
appear, for at most ``sentry_wait`` seconds.
"""

from __future__ import annotations

import os
import sys
import threading
import time

from bootguard.integrations import _sentry_hook

TYPE_CHECKING = False
if TYPE_CHECKING:
    import logging

    from bootguard.config import Settings
    from bootguard.report import Report

__all__ = ["client_configured", "deliver", "pending", "prepare", "reset", "resume"]

_lock = threading.Lock()
_pending: tuple[Report, Settings] | None = None
_watcher: threading.Thread | None = None


def _logger() -> logging.Logger:
    import logging

    return logging.getLogger("bootguard")


def prepare() -> None:
    """Import the sink now if the application uses Sentry.

    Called before the gate logs its report: importing the sink tells the SDK's logging
    integration to ignore the ``bootguard`` logger, so the log record of the report does
    not become a second, differently grouped event in the application's Sentry.
    """
    if "sentry_sdk" not in sys.modules:
        return
    try:
        import bootguard.integrations.sentry  # noqa: F401
    except Exception:
        _logger().debug("bootguard: sentry-sdk is not usable", exc_info=True)


def deliver(report: Report, settings: Settings) -> None:
    """Send the boot event for ``report`` now, or keep it until a client is configured."""
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
        from bootguard.integrations import sentry as sink
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


def pending() -> bool:
    """Whether a boot event is waiting for the application's Sentry client."""
    return _pending is not None


def resume(wait: float) -> None:
    """Restart the wait for a client if an event is pending (after a fork, say)."""
    if _pending is not None:
        _ensure_watcher(wait)


def reset() -> None:
    """Forget the pending event (for tests and re-initialisation)."""
    global _pending
    with _lock:
        _pending = None


def client_configured() -> None:
    """Send the pending boot event if the application's Sentry client is now active."""
    global _pending
    with _lock:
        waiting, _pending = _pending, None
    if waiting is None:
        return
    report, settings = waiting
    sent = False
    try:
        from bootguard.integrations import sentry as sink

        sent = sink.send(report, settings)
    except Exception:
        _logger().warning("bootguard: could not report to Sentry", exc_info=True)
        sent = True  # do not retry a broken send forever
    if not sent:
        with _lock:
            if _pending is None:
                _pending = waiting
        _ensure_watcher(settings.sentry_wait)


_sentry_hook.on_client_configured(client_configured)


def _sentry_installed() -> bool:
    import importlib.util

    try:
        return importlib.util.find_spec("sentry_sdk") is not None
    except (ImportError, ValueError):
        return False


def _set_pending(report: Report, settings: Settings) -> None:
    global _pending
    with _lock:
        _pending = (report, settings)
    _ensure_watcher(settings.sentry_wait)


def _ensure_watcher(wait: float) -> None:
    """Poll (daemon thread, at most ``wait`` seconds) for the application's Sentry client."""
    global _watcher
    with _lock:
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
                from bootguard.integrations import sentry as sink

                if sink.app_client_active():
                    client_configured()
                    return
            except Exception:
                _logger().debug("bootguard: waiting for Sentry failed", exc_info=True)
                return
        time.sleep(0.05)


def _after_fork_in_child() -> None:
    global _lock, _watcher
    _lock = threading.Lock()
    _watcher = None  # threads do not survive fork; the gate resumes the wait if one waits


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
