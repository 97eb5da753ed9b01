"""Unexpected files: in a distribution's package directories, recorded by nobody.

A leftover of an older version, or something dropped in; ``__pycache__`` is never one.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from bootguard.checks.integrity.model import (
    FileProblem,
    RecordEntry,
)
from bootguard.environment.model import Distribution

__all__ = ["unexpected_files"]


def unexpected_files(
    selected: Sequence[Distribution],
    records: dict[str, list[RecordEntry]],
    owners: dict[str, list[tuple[Distribution, RecordEntry]]],
    unknown_locations: dict[str, str],
    notes: list[str],
) -> list[tuple[Distribution, FileProblem]]:
    """Files in the selected distributions' package directories that nobody records.

    Lists each directory that holds recorded files once (``os.listdir``, compared with the
    recorded names as sets) instead of walking every file; only a directory nobody records
    anything in is walked, and everything in it is unexpected.
    """
    names_in: dict[str, set[str]] = {}  # directory -> recorded file names in it
    dir_owners: dict[str, dict[str, int]] = {}  # directory -> metadata dir -> files recorded
    for full, claims in owners.items():
        parent, _, name = full.rpartition(os.sep)
        names_in.setdefault(parent, set()).add(name)
        counts = dir_owners.setdefault(parent, {})
        for dist, _ in claims:
            counts[dist.metadata_dir] = counts.get(dist.metadata_dir, 0) + 1
    expected_dirs: set[str] = set()  # those directories and their ancestors
    for holder in names_in:
        parent = holder
        while parent not in expected_dirs and os.path.dirname(parent) != parent:
            expected_dirs.add(parent)
            parent = os.path.dirname(parent)
    by_top: dict[str, dict[str, list[str]]] = {}  # base -> top directory -> directories in it

    by_meta = {dist.metadata_dir: dist for dist in selected}
    found: list[tuple[Distribution, FileProblem]] = []
    listed: set[str] = set()
    skipped_locations: set[str] = set()
    for dist in selected:
        entries = records.get(dist.metadata_dir)
        if entries is None or dist.editable:
            continue
        base = os.path.abspath(dist.location or ".")
        if dist.location in unknown_locations:
            if dist.location not in skipped_locations:
                skipped_locations.add(dist.location)
                notes.append(
                    f"unexpected files not looked for in {dist.location or '.'}: "
                    f"{unknown_locations[dist.location]} there has no list of its files"
                )
            continue
        if base not in by_top:
            by_top[base] = _group_by_top(expected_dirs, base)
        groups = by_top[base]
        tops = _top_directories(entries, base, dist)
        for directory in sorted(d for top in tops for d in groups.get(top, ())):
            if directory in listed:
                continue
            listed.add(directory)
            try:
                entries_here = os.listdir(directory)
            except (OSError, ValueError):  # ValueError: a NUL byte from a corrupt RECORD
                continue
            recorded = names_in.get(directory, set())
            owner_meta = _nearest_owner(directory, base, dir_owners)
            owner = dist if owner_meta is None else by_meta.get(owner_meta)
            if owner is None:
                continue  # a directory of a distribution that was not selected
            for name in sorted(entries_here):
                path = directory + os.sep + name
                if name in recorded or name == "__pycache__" or path in expected_dirs:
                    continue
                extra = [path]
                if os.path.isdir(path) and not os.path.islink(path):
                    extra = _walk_files(path)  # a directory nobody records anything in
                for full in extra:
                    relative = os.path.relpath(full, base).replace(os.sep, "/")
                    found.append((owner, FileProblem("unexpected", relative, "recorded by nobody")))
    return found


def _group_by_top(directories: set[str], base: str) -> dict[str, list[str]]:
    """``directories`` under ``base``, grouped by their top-level directory."""
    prefix = base + os.sep
    groups: dict[str, list[str]] = {}
    for directory in directories:
        if directory.startswith(prefix):
            first = directory[len(prefix) :].split(os.sep, 1)[0]
            groups.setdefault(prefix + first, []).append(directory)
    return groups


def _top_directories(entries: list[RecordEntry], base: str, dist: Distribution) -> set[str]:
    """The top-level directories under ``base`` where ``dist`` records files (not its
    metadata directory, nothing outside ``base``)."""
    tops: set[str] = set()
    meta = os.path.abspath(dist.metadata_dir)
    prefix = base + os.sep
    for entry in entries:
        if not entry.full.startswith(prefix):
            continue
        first = entry.full[len(prefix) :].split(os.sep, 1)
        if len(first) < 2:
            continue  # a top-level module file, not a directory
        top = prefix + first[0]
        if first[0] == "__pycache__":
            continue  # bytecode of top-level modules: whoever imports one writes there
        if top != meta and not first[0].endswith((".dist-info", ".egg-info", ".data")):
            tops.add(top)
    return tops


def _walk_files(top: str) -> list[str]:
    found: list[str] = []
    for root, dirs, files in os.walk(top):
        dirs[:] = [name for name in dirs if name != "__pycache__"]
        found.extend(os.path.join(root, name) for name in files)
    return found


def _nearest_owner(directory: str, base: str, dir_owners: dict[str, dict[str, int]]) -> str | None:
    """The metadata dir recording most files in ``directory`` or its nearest ancestor."""
    while directory.startswith(base) and directory != base:
        counts = dir_owners.get(directory)
        if counts:
            return max(sorted(counts), key=lambda meta: counts[meta])
        directory = os.path.dirname(directory)
    return None
