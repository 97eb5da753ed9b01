"""What the command prints besides reports: one line per error, a closed stdout, and the
verbose listing of ``check -v``."""

from __future__ import annotations

import os
import sys

from bootguard._text import one_line  # untrusted text as one printable line

TYPE_CHECKING = False
if TYPE_CHECKING:
    from bootguard.report import Report, Status

__all__ = ["one_line", "silence_stdout", "verbose_text"]


def silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's flush at exit cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


def verbose_text(report: Report) -> str:
    """What ``-v`` adds after the report: every distribution, then route, fingerprint, timings.

    One line per installed distribution with its verdict (the worst status of its findings,
    ``ok`` without any) and its origin (the manifest line, ``extraneous``, ``dependency``,
    ``tool`` or ``ignored``).  The fingerprint is printed here only when no note already
    names it, so it appears once.
    """
    from bootguard.report import worst_status

    statuses: dict[str, list[Status]] = {}
    for finding in report.findings:
        statuses.setdefault(finding.subject, []).append(finding.status)
    versions = dict(report.installed)
    rows = [
        (one_line(f"{name}=={versions.get(name, '?')}"), name, one_line(origin))
        for name, origin in report.origins
    ]
    width = max((len(shown) for shown, _, _ in rows), default=0)
    lines = []
    for shown, name, origin in rows:
        verdict = worst_status(statuses.get(name, ()))
        lines.append(f"  {'ok' if verdict == 'pass' else verdict:<4}  {shown:<{width}}  {origin}")
    parts = [f"verified by {report.verified_by}"]
    if report.fingerprint and not any(report.fingerprint in note for note in report.notes):
        parts.append(f"environment fingerprint {report.fingerprint}")
    parts.append(", ".join(f"{name} {ms:.1f} ms" for name, ms in report.timings))
    header = f"distributions ({len(rows)}):" if rows else ""
    return "\n".join([*([header] if header else []), *lines, "; ".join(parts)]) + "\n"
