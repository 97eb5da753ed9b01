"""Prometheus gauges for the verdict (the ``bootguard[prometheus]`` extra).

``bootguard.health.metrics.enable()`` registers these and keeps them equal to the published
verdict (:mod:`bootguard.state`); the application exposes them with its usual
``prometheus_client`` endpoint:

* ``bootguard_ready``: 1 when the node may take traffic, else 0;
* ``bootguard_drifted_distributions``: distributions whose installed state differs from the
  lock (a ``version``, ``extraneous``, ``duplicate`` or ``files`` finding that is not pass);
* ``bootguard_distribution_drift_info{distribution,expected_version,installed_version}``:
  1 per version mismatch (only mismatches; ``installed_version="missing"`` for a locked
  distribution that is not installed);
* ``bootguard_manifest_info{manifest_sha256}``: 1 per manifest checked against;
* ``bootguard_environment_info{fingerprint}``: 1 for the environment fingerprint;
* ``bootguard_check_duration_seconds``: how long the last check took.

No hostname label (Prometheus adds ``instance``; fleets group by manifest instead).

gunicorn multiprocess mode (``PROMETHEUS_MULTIPROC_DIR`` set): every gauge has a ``live*``
mode, so no ``pid`` label either: ``bootguard_ready`` is the minimum over live workers
(ready only if every worker is), the others the maximum.  ``prometheus_client`` cannot
remove a labelled series in that mode, so a resolved drift reads 0 there instead of
disappearing.  Values are re-applied in each forked worker (``--preload``).
"""

from __future__ import annotations

import os
import threading
from typing import Any

from bootguard import state
from bootguard.errors import ConfigError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from bootguard.state import Verdict

__all__ = ["DRIFT_ASPECTS", "enable"]

DRIFT_ASPECTS = frozenset({"version", "extraneous", "duplicate", "files", "source"})
#: Finding subjects that name no distribution (``environment:files`` is the fingerprint).
NOT_DISTRIBUTIONS = frozenset({"environment", "python", "bootguard"})

_lock = threading.Lock()
_gauges: dict[str, Any] | None = None
_series: dict[str, set[tuple[str, ...]]] = {"drift": set(), "manifest": set(), "environment": set()}


def enable(registry: Any = None) -> None:
    """Register the gauges (in ``registry``, default ``prometheus_client.REGISTRY``) once.

    Idempotent.  Raises ``ConfigError`` when ``prometheus_client`` is not installed
    (``pip install 'bootguard[prometheus]'``).
    """
    global _gauges
    with _lock:
        if _gauges is not None:
            return
        try:
            import prometheus_client  # deferred: optional dependency, import cost (docs/design.md)
        except ImportError as err:
            raise ConfigError(
                "bootguard metrics need prometheus_client: pip install 'bootguard[prometheus]'"
            ) from err
        gauge = prometheus_client.Gauge
        where = {"registry": registry} if registry is not None else {}
        _gauges = {
            "ready": gauge(
                "bootguard_ready",
                "1 when bootguard's verdict lets this node take traffic, else 0.",
                multiprocess_mode="livemin",
                **where,
            ),
            "drifted": gauge(
                "bootguard_drifted_distributions",
                "Distributions whose installed state differs from the lock.",
                multiprocess_mode="livemax",
                **where,
            ),
            "drift": gauge(
                "bootguard_distribution_drift_info",
                "1 per distribution installed at another version than locked.",
                ("distribution", "expected_version", "installed_version"),
                multiprocess_mode="livemax",
                **where,
            ),
            "manifest": gauge(
                "bootguard_manifest_info",
                "1 per manifest the environment is checked against.",
                ("manifest_sha256",),
                multiprocess_mode="livemax",
                **where,
            ),
            "environment": gauge(
                "bootguard_environment_info",
                "1 for this node's environment fingerprint (equal on byte-identical nodes).",
                ("fingerprint",),
                multiprocess_mode="livemax",
                **where,
            ),
            "duration": gauge(
                "bootguard_check_duration_seconds",
                "Duration of the last bootguard check.",
                multiprocess_mode="livemax",
                **where,
            ),
        }
    state.subscribe(_update)
    if hasattr(os, "register_at_fork"):
        # A forked worker starts with fresh multiprocess files: write the values again.
        os.register_at_fork(after_in_child=_after_fork)


def _after_fork() -> None:
    global _lock
    _lock = threading.Lock()  # the parent may have forked while another thread held it
    _update(state.current())


def _multiprocess() -> bool:
    return bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))


def _update(verdict: Verdict) -> None:
    gauges = _gauges
    if gauges is None:
        return
    with _lock:
        gauges["ready"].set(1 if verdict.ready else 0)
        report = verdict.report
        if report is None:
            return
        problems = report.problems
        drifted = {
            f.subject
            for f in problems
            if f.aspect in DRIFT_ASPECTS and f.subject not in NOT_DISTRIBUTIONS
        }
        gauges["drifted"].set(len(drifted))
        drift: set[tuple[str, ...]] = {
            (f.subject, f.expected or "", f.observed or "")
            for f in problems
            if f.aspect == "version"
        }
        _replace(gauges["drift"], "drift", drift)
        _replace(gauges["manifest"], "manifest", {(m.digest,) for m in report.manifests})
        fingerprints: set[tuple[str, ...]] = (
            {(report.fingerprint,)} if report.fingerprint else set()
        )
        _replace(gauges["environment"], "environment", fingerprints)
        total = dict(report.timings).get("total")
        if total is not None:
            gauges["duration"].set(total / 1000.0)


def _replace(gauge: Any, name: str, labelsets: set[tuple[str, ...]]) -> None:
    """Make exactly ``labelsets`` read 1; earlier ones go (or read 0 in multiprocess mode)."""
    old = _series[name]
    for labels in old - labelsets:
        gauge.labels(*labels).set(0)
        if not _multiprocess():
            gauge.remove(*labels)
    for labels in labelsets:
        gauge.labels(*labels).set(1)
    _series[name] = set(labelsets)
