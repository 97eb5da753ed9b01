"""Two copies of one distribution on the path: the one import finds, and the shadowed one.

Key: ``<dist>:duplicate``; copies of one version are only noted (nothing differs for import).
"""

from __future__ import annotations

import os
import sys

from bootguard.environment.model import Environment
from bootguard.report import Finding

TYPE_CHECKING = False
if TYPE_CHECKING:
    from bootguard.report import Status

__all__ = ["check_duplicates", "duplicate_notes", "where"]


def check_duplicates(env: Environment) -> list[Finding]:
    """A distribution found twice at two versions: two metadata directories in one directory
    (fail: a half-finished install or uninstall), or a copy shadowed on the path (warn).

    Two copies of the *same* version are not a finding (see :func:`duplicate_notes`).
    """
    findings = []
    for dup in env.duplicates:
        if dup.same_version:
            continue
        winner, shadowed = dup.winner, dup.shadowed
        if dup.same_directory:
            message = (
                f"{winner.display_name} has two metadata directories in {where(winner.location)}: "
                f"{os.path.basename(winner.metadata_dir)} ({winner.version}) and "
                f"{os.path.basename(shadowed.metadata_dir)} ({shadowed.version}) "
                "(a half-finished install or uninstall; files of both may be mixed)"
            )
            status: Status = "fail"
        else:
            message = (
                f"{winner} in {where(winner.location)} shadows {shadowed} "
                f"in {where(shadowed.location)}"
            )
            status = "warn"
        findings.append(
            Finding(
                winner.name,
                "duplicate",
                status,
                message,
                expected=winner.version,
                observed=shadowed.version,
            )
        )
    return findings


def duplicate_notes(env: Environment) -> list[str]:
    """Report notes for copies of one version found twice: harmless, but worth knowing."""
    notes = []
    for dup in env.duplicates:
        if not dup.same_version:
            continue
        winner, shadowed = dup.winner, dup.shadowed
        if dup.same_directory:
            notes.append(
                f"{winner} has two metadata directories of that version in "
                f"{where(winner.location)} ({os.path.basename(winner.metadata_dir)}, "
                f"{os.path.basename(shadowed.metadata_dir)}), as distribution packages ship "
                "it; the first is read"
            )
        else:
            notes.append(
                f"{winner} in {where(winner.location)} shadows the same version in "
                f"{where(shadowed.location)}"
            )
    return notes


def where(location: str) -> str:
    """A ``sys.path`` entry as a message names it: ``""`` and the working directory are "the
    current directory", this process's ``sys.path[0]`` is "the script directory"."""
    if not location:
        return "the current directory"
    try:
        if os.path.abspath(location) == os.getcwd():
            return f"the current directory ({location})"
    except OSError:  # the working directory was removed
        pass
    if sys.path and location == sys.path[0]:
        return f"the script directory ({location})"
    return location
