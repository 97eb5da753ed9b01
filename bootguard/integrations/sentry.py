"""Report the gate's verdict to Sentry: one event per node per boot, one issue per drift.

The only module that imports ``sentry_sdk`` (``pip install bootguard[sentry]``); the relay
(:mod:`bootguard.integrations.sentry_relay`) imports it only when the application already
imported ``sentry_sdk`` or gave bootguard a DSN, so an application without Sentry pays
nothing.

Rules:

* never ``sentry_sdk.init``: use the client the application configured, or, with a DSN
  given to bootguard, a separate ``sentry_sdk.Client`` bound only to bootguard's scope
  (no integrations, nothing global);
* ``new_scope()``; ``capture_message`` at level ``error`` (fail) or ``warning`` (warn);
* fingerprint = manifest digest + a hash of :meth:`Report.drift_signature`, never the host,
  so fifty nodes with the same drift make one issue with fifty events and a different
  drift makes a new issue; ``server_name`` is left to the SDK (the node);
* tags ``bootguard.status``, ``bootguard.manifest``, ``bootguard.mode`` and
  ``dist.<name>`` = observed version per drifted distribution; a ``bootguard`` context
  with the findings;
* ``flush(timeout)`` bounded, so an unreachable Sentry delays boot by at most that.

:class:`BootguardIntegration` (installed automatically when the app's client reports, or
listed in ``sentry_sdk.init(integrations=[...])``) adds the status and manifest digest to
every later error event of the application.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading

from bootguard.integrations._require import require

require("sentry_sdk", "sentry", "pip install 'bootguard[sentry]'")

import sentry_sdk
from sentry_sdk.integrations import Integration
from sentry_sdk.integrations.logging import ignore_logger
from sentry_sdk.scope import add_global_event_processor

from bootguard import state
from bootguard.integrations import _sentry_hook

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from bootguard.config import Settings
    from bootguard.report import Report

__all__ = [
    "BootguardIntegration",
    "app_client_active",
    "event_fields",
    "fingerprint",
    "install_integration",
    "send",
]

log = logging.getLogger("bootguard")

_MAX_FINDINGS = 50  # in the context
_MAX_DIST_TAGS = 20
_TAG_KEY_LIMIT = 32  # Sentry truncates or drops longer tag keys
_DIST_ASPECTS = frozenset(
    {"version", "requires", "duplicate", "files", "extraneous", "metadata", "source"}
)
#: Finding subjects that name no distribution (``environment:files`` is the fingerprint).
_NOT_DISTRIBUTIONS = frozenset({"environment", "python", "bootguard"})
_processor_lock = threading.Lock()
_processor_installed = False
#: The process that sent a boot event through the application's client (see the fork hook).
_sent_from_pid: int | None = None

# The gate logs its report too; the SDK's logging integration must not turn that record
# into a second, differently grouped event (the boot event is the one we send on purpose).
ignore_logger("bootguard")


def app_client_active() -> bool:
    """Whether the application has configured a Sentry client in this process."""
    return bool(sentry_sdk.get_client().is_active())


def fingerprint(report: Report) -> list[str]:
    """``["bootguard", <manifest digest>, <drift hash>]``: the same for the same drift."""
    signature = report.drift_signature()
    drift = hashlib.sha256(signature.encode("utf-8")).hexdigest()[:16]
    return ["bootguard", report.manifest_digest or "no-manifest", drift]


def event_fields(report: Report, mode: str) -> dict[str, Any]:
    """Message, level, fingerprint, tags and context of the boot event (pure; for tests)."""
    problems = report.problems
    status = report.status
    tags: dict[str, str] = {
        "bootguard.status": status,
        "bootguard.manifest": report.manifest_digest or "none",
        "bootguard.mode": mode,
        # which nodes are byte-identical (same installed files as recorded by the installer)
        "bootguard.fingerprint": report.fingerprint or "none",
    }
    fixed = len(tags)
    for finding in problems:
        if finding.aspect not in _DIST_ASPECTS or len(tags) >= fixed + _MAX_DIST_TAGS:
            continue
        if finding.subject in _NOT_DISTRIBUTIONS:
            continue
        key = f"dist.{finding.subject}"
        if len(key) <= _TAG_KEY_LIMIT and key not in tags:
            tags[key] = (finding.observed or finding.aspect)[:200]
    names = sorted({f.key for f in problems})
    shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
    message = f"bootguard: environment check {status}: {shown}" if names else "bootguard: pass"
    context: dict[str, object] = {
        "status": status,
        "mode": mode,
        "manifest_digest": report.manifest_digest,
        "fingerprint": report.fingerprint,
        "manifests": [m.path for m in report.manifests],
        "python": report.python,
        "distributions": report.distributions,
        "verified_by": report.verified_by,
        "problem_count": len(problems),
        "findings": [
            {
                "key": f.key,
                "status": f.status,
                "message": f.message,
                "expected": f.expected,
                "observed": f.observed,
                "details": list(f.details),
            }
            for f in problems[:_MAX_FINDINGS]
        ],
    }
    return {
        "message": message,
        "level": "error" if status == "fail" else ("warning" if status == "warn" else "info"),
        "fingerprint": fingerprint(report),
        "tags": tags,
        "context": context,
    }


def send(report: Report, settings: Settings) -> bool:
    """Send the boot event; return False when there is no client to send it with yet.

    Never raises: a Sentry problem is logged, because it must never stop a boot.
    """
    fields = event_fields(report, settings.mode)
    try:
        if settings.sentry_dsn:
            _send_with_own_client(fields, settings)
            return True
        if not app_client_active():
            return False
        install_integration()
        with sentry_sdk.new_scope() as scope:
            _fill(scope, fields)
            scope.capture_message(fields["message"], level=fields["level"])
        global _sent_from_pid
        _sent_from_pid = os.getpid()
        sentry_sdk.flush(timeout=settings.sentry_flush_timeout)
    except Exception:
        log.warning("bootguard: could not report to Sentry", exc_info=True)
    return True


def _send_with_own_client(fields: dict[str, Any], settings: Settings) -> None:
    client = sentry_sdk.Client(
        dsn=settings.sentry_dsn,
        default_integrations=False,
        auto_enabling_integrations=False,
        integrations=[],
    )
    try:
        with sentry_sdk.new_scope() as scope:
            scope.set_client(client)
            _fill(scope, fields)
            scope.capture_message(fields["message"], level=fields["level"])
    finally:
        client.close(timeout=settings.sentry_flush_timeout)


def _fill(scope: Any, fields: dict[str, Any]) -> None:
    scope.fingerprint = fields["fingerprint"]
    for key, value in fields["tags"].items():
        scope.set_tag(key, value)
    scope.set_context("bootguard", fields["context"])


# --- the integration: tie every later error to the boot verdict ---------------------------


def install_integration() -> None:
    """Add the bootguard tags to every later error event (idempotent)."""
    global _processor_installed
    with _processor_lock:
        if _processor_installed:
            return
        add_global_event_processor(_add_verdict)  # type: ignore[arg-type]
        _processor_installed = True


def _add_verdict(event: dict[str, Any], hint: dict[str, Any]) -> dict[str, Any]:
    try:
        if event.get("type") == "transaction":
            return event
        if "exception" not in event and event.get("level") not in ("error", "fatal"):
            return event
        report = state.current().report
        if report is None:
            return event
        tags = event.setdefault("tags", {})
        if isinstance(tags, dict):
            tags.setdefault("bootguard.status", report.status)
            tags.setdefault("bootguard.manifest", report.manifest_digest or "none")
        contexts = event.setdefault("contexts", {})
        if isinstance(contexts, dict) and "bootguard" not in contexts:
            contexts["bootguard"] = {
                "status": report.status,
                "manifest_digest": report.manifest_digest,
                "problems": [f.key for f in report.problems[:_MAX_FINDINGS]],
            }
    except Exception:  # the SDK contract: never break the application's error reporting
        log.debug("bootguard: event processor failed", exc_info=True)
    return event


class BootguardIntegration(Integration):
    """``sentry_sdk.init(integrations=[BootguardIntegration()])``.

    Tags every later error event with ``bootguard.status`` and ``bootguard.manifest`` and,
    when the gate ran before Sentry was configured (``import bootguard.auto`` first), sends
    the boot event as soon as the client is bound.
    """

    identifier = "bootguard"

    @staticmethod
    def setup_once() -> None:
        install_integration()
        _sentry_hook.client_configured()  # a boot event waiting for this client is sent now


# --- fork: a worker must not inherit the master's boot event -----------------------------


def _after_fork_in_child() -> None:
    """Give a forked child a fresh send queue when this process sent the boot event.

    The gunicorn ``preload_app`` master sends the boot event through the application's
    client, which starts the SDK's sending thread there.  A forked worker inherits that
    thread's queue, including the dead thread among its waiters: the worker's own sends
    then wake the dead thread instead of its new one, and at exit the SDK reports "pending
    events" and waits its whole shutdown timeout, in every worker.  The queue and its lock
    are replaced with new, empty ones (so nothing of the master's is sent again); a new
    thread starts on the worker's first send.  The SDK offers no public call for this, so
    it is done only for the transport shape it has (a ``_worker`` with ``_queue``,
    ``_lock``, ``_thread``, ``_thread_for_pid``) and skipped otherwise.
    """
    global _sent_from_pid
    if _sent_from_pid is None:
        return
    _sent_from_pid = None
    try:
        worker = getattr(getattr(sentry_sdk.get_client(), "transport", None), "_worker", None)
        queue = getattr(worker, "_queue", None)
        if queue is None or not all(
            hasattr(worker, name) for name in ("_lock", "_thread", "_thread_for_pid")
        ):
            return
        worker._queue = type(queue)(queue.maxsize)  # type: ignore[union-attr]
        worker._lock = threading.Lock()  # type: ignore[union-attr]
        worker._thread = None  # type: ignore[union-attr]
        worker._thread_for_pid = None  # type: ignore[union-attr]
    except Exception:  # never break a fork over this
        log.debug("bootguard: could not reset the inherited Sentry queue", exc_info=True)


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
