"""The log record of the gate's verdict: the operator's first place to look.

One record per verdict: ``info`` on pass (skipped when nothing imported :mod:`logging`, as
nobody could see it), otherwise the full text report at ``warning`` or ``error`` with the
consequence for this process (ready, not ready, stopping).
"""

from __future__ import annotations

import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    import logging

    from bootguard.config import Settings
    from bootguard.report import Report

__all__ = ["failed_keys", "log"]


def _logger() -> logging.Logger:
    import logging

    return logging.getLogger("bootguard")


def log(report: Report, settings: Settings, ready: bool, stop: bool, exit: bool) -> None:
    """Log ``report`` with what it means for this process (``exit``: the gate raises the stop)."""
    total = dict(report.timings).get("total", 0.0)
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
    reasons = failed_keys(report, counts_internal=not settings.ready_on_internal_error())
    if stop and exit:
        consequence = f"mode enforce: stopping this process (exit status 3){reasons}"
    elif stop:
        consequence = f"mode enforce: the boot must stop{reasons}"
    elif ready:
        consequence = f"mode {settings.mode}: the node stays ready"
    else:
        consequence = f"mode {settings.mode}: the node is not ready (readiness answers 503)"
    if settings.ready_on_internal_error() and any(f.aspect == "internal" for f in report.findings):
        consequence += "; bootguard's internal error does not count (on_internal_error = ready)"
    _logger().log(level, "%s\nbootguard: %s", report.to_text(), consequence)


def failed_keys(report: Report, *, counts_internal: bool = True) -> str:
    """``" because of: a:version, b:import"``: the failures only, the reasons for a stop.

    Warnings (``environment:files``...) stay in the table above, labelled WARN, but are
    never named as a reason: they do not stop anything; nor is a ``bootguard:internal``
    failure that does not count (``on_internal_error = ready``).
    """
    from bootguard._text import one_line

    keys = sorted(
        {
            one_line(f.key)
            for f in report.findings
            if f.status == "fail" and (counts_internal or f.aspect != "internal")
        }
    )
    return f" because of: {', '.join(keys)}" if keys else ""
