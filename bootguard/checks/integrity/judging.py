"""Judging what was seen on disk against RECORD: missing, changed, shared, the finding.

A file two distributions both install holds the copy of whichever was installed last: when
it matches the other's record that is a note, not a finding.  A mismatch is re-hashed once
before it is reported, so a file being replaced at that moment is not a false alarm.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from bootguard.checks.integrity.hashing import Seen, rehash
from bootguard.checks.integrity.model import (
    FileProblem,
    RecordEntry,
)
from bootguard.environment.model import Distribution, Environment
from bootguard.names import canonical_name
from bootguard.report import Finding

TYPE_CHECKING = False
if TYPE_CHECKING:
    from bootguard.report import Status

__all__ = ["capped", "compare", "finding", "problem_order", "select"]


def compare(
    dist: Distribution,
    entry: RecordEntry,
    seen: Seen,
    owners: dict[str, list[tuple[Distribution, RecordEntry]]],
    env: Environment,
    shared_notes: list[str],
    *,
    quick: bool,
) -> FileProblem | None:
    """The problem with one recorded file of ``dist``, or None."""
    if not seen.error:  # the common case first: as recorded
        if quick or not entry.algorithm:
            if entry.size < 0 or seen.size == entry.size:
                return None
        elif seen.digest == entry.digest and (entry.size < 0 or seen.size == entry.size):
            return None
    others = [
        (other, other_entry)
        for other, other_entry in owners.get(entry.full, ())
        if other.metadata_dir != dist.metadata_dir
    ]
    also = _also(others)
    unread = _unread(seen, entry, also)
    if unread is not None:
        return unread
    if quick or not entry.algorithm:
        owner = _matching_owner(others, env, size=seen.size)
        if owner is not None:
            shared_notes.append(_shared_note(entry, dist, owner))
            return None
        detail = f"{seen.size} bytes, recorded {entry.size}"
        return FileProblem("changed", entry.path, _join(detail, also))
    again = rehash(entry.full, entry.algorithm)
    unread = _unread(again, entry, also)
    if unread is not None:
        return unread
    if not again.error and again.digest == entry.digest:
        return None  # it was being replaced while we read it; it is as recorded now
    owner = _matching_owner(others, env, digest=again.digest, algorithm=entry.algorithm)
    if owner is not None:
        shared_notes.append(_shared_note(entry, dist, owner))
        return None
    if entry.size >= 0 and again.size != entry.size:
        detail = f"{entry.algorithm} differs; {again.size} bytes, recorded {entry.size}"
    else:
        detail = f"{entry.algorithm} differs"
    stale = _stale_copy(others, dist, again.digest, entry.algorithm)
    return FileProblem("changed", entry.path, _join(detail, stale or also))


def _unread(seen: Seen, entry: RecordEntry, also: str) -> FileProblem | None:
    """The problem when the file could not be read as a regular file (None: it was read).

    The same on the first look and on the re-hash of a mismatch.
    """
    if seen.error == "missing":
        return FileProblem("missing", entry.path, also)
    if seen.error == "not a file":
        return FileProblem("changed", entry.path, _join("no longer a regular file", also))
    if seen.error:
        return FileProblem("unreadable", entry.path, _join(seen.error, also))
    return None


def _matching_owner(
    others: list[tuple[Distribution, RecordEntry]],
    env: Environment,
    *,
    size: int = -1,
    digest: bytes = b"",
    algorithm: str = "",
) -> Distribution | None:
    """Another *installed* distribution (not a shadowed copy) whose record the file matches."""
    for other, other_entry in others:
        if env.get(other.name) is not other:
            continue
        if digest and other_entry.algorithm == algorithm and other_entry.digest == digest:
            return other
        if not digest and size >= 0 and other_entry.size == size:
            return other
    return None


def _stale_copy(
    others: list[tuple[Distribution, RecordEntry]],
    dist: Distribution,
    digest: bytes,
    algorithm: str,
) -> str:
    """If the file is a shadowed copy's version of it: a half-done upgrade, say so."""
    for other, other_entry in others:
        same_name = other.name == dist.name and other_entry.algorithm == algorithm
        if same_name and other_entry.digest == digest:
            return f"holds the copy of {other} ({os.path.basename(other.metadata_dir)} is still installed)"
    return ""


def _shared_note(entry: RecordEntry, dist: Distribution, owner: Distribution) -> str:
    return (
        f"{entry.path} is installed by both {dist.name} and {owner.name}; it holds "
        f"{owner.name}'s copy (installed last), not {dist.name}'s: not a change after install"
    )


def _also(others: list[tuple[Distribution, RecordEntry]]) -> str:
    names = sorted({other.name for other, _ in others})
    return f"also recorded by {', '.join(names)}" if names else ""


def _join(*parts: str) -> str:
    return "; ".join(part for part in parts if part)


def select(env: Environment, names: Iterable[str] | None, notes: list[str]) -> list[Distribution]:
    if names is None:
        return [env.distributions[name] for name in sorted(env.distributions)]
    selected = []
    for raw in names:
        name = canonical_name(raw)
        dist = env.get(name)
        if dist is None:
            notes.append(f"integrity: no installed distribution named {raw!r}")
        elif dist not in selected:
            selected.append(dist)
    return sorted(selected, key=lambda d: d.name)


def capped(lines: list[str], limit: int, what: str) -> list[str]:
    if len(lines) <= limit:
        return lines
    return [*lines[:limit], f"... and {len(lines) - limit} more {what}"]


def finding(dist: Distribution, problems: list[FileProblem], max_listed: int) -> Finding:
    kinds = {"missing": 0, "changed": 0, "unexpected": 0, "unreadable": 0}
    for problem in problems:
        kinds[problem.kind] += 1
    status: Status = "fail" if kinds["missing"] or kinds["changed"] else "warn"
    observed = ", ".join(f"{count} {kind}" for kind, count in kinds.items() if count)
    ordered = sorted(problems, key=lambda p: (_KIND_ORDER[p.kind], p.path))
    if len(ordered) == 1:
        only = ordered[0]
        message = f"installed file {only.kind}: {only.path}"
        if only.detail:
            message += f" ({only.detail})"
        details: tuple[str, ...] = ()
    else:
        message = f"installed files differ from RECORD: {observed}"
        details = tuple(capped([str(p) for p in ordered], max_listed, "files"))
    return Finding(
        dist.name,
        "files",
        status,
        message,
        expected="as recorded",
        observed=observed,
        details=details,
    )


_KIND_ORDER = {"missing": 0, "changed": 1, "unreadable": 2, "unexpected": 3}


def problem_order(problem: FileProblem) -> tuple[int, str]:
    return (_KIND_ORDER[problem.kind], problem.path)
