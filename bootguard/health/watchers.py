"""Start what keeps the published verdict current after boot, as the settings ask.

Prometheus gauges (:mod:`~bootguard.health.metrics`), the SIGTERM drain
(:mod:`~bootguard.health.shutdown`) and the periodic re-check
(:mod:`~bootguard.health.recheck`).  The gate calls :func:`start` once, after it published
its verdict, and passes its own policy in (``ready``, ``on_change``, ``on_error``): this
module decides nothing about readiness.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    from bootguard.config import Settings
    from bootguard.options import CheckOptions
    from bootguard.report import Finding, Report

__all__ = ["start"]


def start(
    settings: Settings,
    baseline: Report,
    *,
    options: Callable[[], CheckOptions],
    ready: Callable[[Report], bool],
    on_change: Callable[[Report], None],
    on_error: Callable[[Exception], Finding | None],
) -> None:
    """Metrics, the drain and the re-check; a failure is logged, never raised.

    ``options`` gives the boot's check (called only when a re-check is asked for: it
    resolves the manifests); the re-check runs it without ``integrity``, whose findings it
    carries over from the boot report instead.
    """
    try:
        if settings.metrics:
            from bootguard.health.metrics import enable

            enable()
        if settings.drain_on_sigterm:
            from bootguard.health.shutdown import install_sigterm_drain

            install_sigterm_drain()
        if settings.recheck_interval:
            from bootguard._record import replace
            from bootguard.health.recheck import start_recheck

            start_recheck(
                settings.recheck_interval,
                options=replace(options(), integrity=False, quick_integrity=False),
                ready=ready,
                on_change=on_change,
                baseline=baseline,
                on_error=on_error,
            )
    except Exception:  # our bug or a missing extra: log it, never break the boot
        import logging

        logging.getLogger("bootguard").exception(
            "bootguard: could not start metrics / drain / re-check"
        )
