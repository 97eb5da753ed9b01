"""The snapshot header: a snapshot records how many requirement lines it holds.

``bootguard snapshot`` writes ``# bootguard-snapshot: entries=<N>`` as its first line; the
requirements reader checks it, so a truncated or hand-edited snapshot is an error rather
than a check against part of the environment.
"""

from __future__ import annotations

from bootguard.errors import ManifestError

__all__ = ["COUNT_PREFIX", "check_entry_count"]

#: The first line of every snapshot: ``# bootguard-snapshot: entries=<requirement lines>``.
COUNT_PREFIX = "# bootguard-snapshot: "


def check_entry_count(text: str, display: str) -> None:
    """Raise a ManifestError if a snapshot's requirement lines disagree with its header.

    ``text`` is a requirements file; only one whose first line is the snapshot header is
    checked.  Requirement lines are the non-blank lines that are not comments (``-e`` lines
    included), exactly what :func:`snapshot` counted when it wrote the file.
    """
    first, _, rest = text.partition("\n")
    if not first.startswith(COUNT_PREFIX):
        return
    field = first[len(COUNT_PREFIX) :].split()[:1]
    value = field[0][len("entries=") :] if field and field[0].startswith("entries=") else ""
    if not value.isdigit() or not value.isascii():
        raise ManifestError(display, "malformed snapshot header: want 'entries=N'", line=1)
    if not text.endswith("\n"):
        raise ManifestError(
            display, "truncated snapshot: the last line is incomplete; take the snapshot again"
        )
    found = sum(1 for line in rest.splitlines() if line.strip() and line.lstrip()[:1] != "#")
    if found != int(value):
        raise ManifestError(
            display,
            f"the snapshot header records {int(value)} entries but the file has {found}: it "
            "was truncated or edited; take the snapshot again (or delete line 1 to accept "
            "the edit)",
            line=1,
        )
