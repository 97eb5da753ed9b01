"""RECORD verification: are the installed files still the ones the installer wrote?

The classic broken deploy is not only a wrong version: an install that half-happened, or a
file changed after install, fails at import with ``No such file or directory:
'.../site-packages/django_scarface/__init__.py'``.  Every wheel install leaves a ``RECORD``
listing each file with its sha256 and size; this module checks the files against it and
reports ``<dist>:files`` findings naming the files that are missing, changed or
unexpected.

It is opt-in (``check(integrity=True)``, ``bootguard check --integrity``): hashing reads
every installed file, hundreds of megabytes in a large environment.  Files are hashed in threads (hashlib and file
reads release the GIL), split by size so that the threads seldom wait for the GIL (see
:func:`check_all`); small files are read in one call, large ones in 1 MiB chunks into a
per-thread buffer; ``quick=True`` only checks existence and size.

What is not a problem, per the recording-installed-projects and wheel specifications:

- entries without a hash: ``RECORD`` itself (and ``RECORD.jws`` / ``RECORD.p7s``) cannot
  hash themselves; ``.pyc`` files an installer byte-compiled are recorded without a hash
  and may be rewritten or removed by Python at any time, so they are not checked at all;
  any other unhashed entry must exist (and have its size, if one is recorded);
- anything under ``__pycache__/``, even with a hash: Python rewrites a stale cache;
- a file two distributions both install (``ujson`` and a stubs package writing the same
  file): it holds the copy of whichever was installed last.  When it matches the other
  distribution's record, that is said in a note and is not a finding; a file matching
  neither is reported under both;
- an editable install: its sources live in a checkout that no ``RECORD`` describes; what
  its ``RECORD`` lists is checked and a note says the sources are not.

Unexpected files (in a distribution's package directories, recorded by nobody, outside
``__pycache__``: a leftover of an older version, or something dropped in) are a ``warn``;
missing and changed files are a ``fail``.  A mismatch is re-hashed once before it is
reported, so a file being replaced at that moment is not a false alarm.

RECORD is untrusted input like the files it lists: it is read without blocking and with a
size cap, and a listed path that is a FIFO or a device (``/dev/zero``), or that cannot be
a path at all (a NUL byte), is a finding about that file, never a read that waits or
runs forever.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from bootguard.checks.integrity.hashing import check_all, default_workers
from bootguard.checks.integrity.judging import capped, compare, finding, problem_order, select
from bootguard.checks.integrity.model import (
    FileProblem,
    IntegrityResult,
    Progress,
    RecordEntry,
)
from bootguard.checks.integrity.record import egg_files, missing_record, no_record_note, read_record
from bootguard.checks.integrity.unexpected import unexpected_files
from bootguard.environment.model import Distribution, Environment

__all__ = [
    "FileProblem",
    "IntegrityResult",
    "Progress",
    "RecordEntry",
    "default_workers",
    "read_record",
    "verify",
]


def verify(
    env: Environment,
    *,
    names: Iterable[str] | None = None,
    quick: bool = False,
    workers: int | None = None,
    progress: Progress | None = None,
    max_listed: int = 10,
    unexpected: bool = True,
) -> IntegrityResult:
    """Verify the installed files of ``env``'s distributions (or only ``names``) against RECORD.

    ``quick`` checks existence and size only.  ``workers`` threads check files, the caller
    included (default: the CPUs this process may use, at least 2, at most 8; 1: no thread).  Each finding lists at most ``max_listed`` files and
    says how many more there are.  Never raises for what it finds: a distribution without
    ``RECORD`` is a note (a failure when pip or uv installed it: they write it last), an
    unreadable file a warning.
    """
    started = time.perf_counter()
    notes: list[str] = []
    selected = select(env, names, notes)
    count = workers if workers is not None else default_workers()
    records, bad, files, hashed = check_all(selected, quick, count, progress)

    problems: dict[str, list[FileProblem]] = {}
    for dist in selected:
        if records.get(dist.metadata_dir) is None:
            notes.append(no_record_note(dist))
            problem = missing_record(dist)
            if problem is not None:
                problems.setdefault(dist.name, []).append(problem)
        elif dist.editable:
            where = f" from {dist.direct_url}" if dist.direct_url else ""
            notes.append(
                f"{dist.name}: editable install{where}; its sources are not covered by RECORD "
                "and were not verified"
            )

    # Who records which file (every distribution on the path, selected or not, shadowed
    # copies included): needed only to explain a mismatch or to look for unexpected files.
    owners: dict[str, list[tuple[Distribution, RecordEntry]]] = {}
    unknown_locations: dict[str, str] = {}
    if bad or unexpected:
        everyone = [*env.distributions.values(), *(d.shadowed for d in env.duplicates)]
        for dist in everyone:
            entries = (
                records[dist.metadata_dir]
                if dist.metadata_dir in records
                else read_record(dist, caches=False)
            )
            if entries is None:
                listed = egg_files(dist) if dist.metadata_dir.endswith(".egg-info") else None
                if listed is None:
                    unknown_locations.setdefault(dist.location, dist.display_name)
                for full in listed or ():
                    owners.setdefault(full, []).append((dist, RecordEntry(full, full)))
                continue
            for entry in entries:
                owners.setdefault(entry.full, []).append((dist, entry))

    shared_notes: list[str] = []
    for dist, entry, seen in bad:
        problem = compare(dist, entry, seen, owners, env, shared_notes, quick=quick)
        if problem is not None:
            problems.setdefault(dist.name, []).append(problem)
    if unexpected:
        present = {meta: entries for meta, entries in records.items() if entries is not None}
        for dist, problem in unexpected_files(selected, present, owners, unknown_locations, notes):
            problems.setdefault(dist.name, []).append(problem)

    notes.extend(capped(sorted(set(shared_notes)), max_listed, "shared files"))
    findings = tuple(
        finding(dist, sorted(problems[dist.name], key=problem_order), max_listed)
        for dist in selected
        if problems.get(dist.name)
    )
    return IntegrityResult(
        findings=findings,
        notes=tuple(notes),
        files=files,
        bytes=hashed,
        distributions=len(selected),
        elapsed_ms=(time.perf_counter() - started) * 1000.0,
    )
