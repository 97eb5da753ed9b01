"""Reading ``RECORD`` (and an egg's ``installed-files.txt``): which files an installer wrote.

RECORD is untrusted: it is read without blocking and with a size cap, and a distribution
without one is a note (a failure when pip or uv installed it: they write it last).
"""

from __future__ import annotations

import base64
import hashlib
import io
import os

from bootguard._files import METADATA_MAX_BYTES, read_regular
from bootguard.checks.integrity.model import (
    FileProblem,
    RecordEntry,
)
from bootguard.environment.model import Distribution

__all__ = ["egg_files", "is_record_file", "missing_record", "no_record_note", "read_record"]

_UNHASHED_OK = frozenset({"RECORD", "RECORD.jws", "RECORD.p7s"})
_KNOWN_WRITERS = ("pip", "uv")  # installers that always write RECORD
# RECORD hashes bootguard can check (a shake digest needs a length RECORD does not give).
_ALGORITHMS = frozenset(a for a in hashlib.algorithms_guaranteed if not a.startswith("shake"))


def read_record(dist: Distribution, *, caches: bool = True) -> list[RecordEntry] | None:
    """The rows of ``dist``'s RECORD (paths resolved against its location); None if absent.

    ``caches=False`` leaves out rows under ``__pycache__/``: Python owns those files and
    rewrites them (a third of the rows of a byte-compiled install).  A malformed hash or
    size reads as none recorded: the file is then only checked for existence.  A RECORD
    that is not a regular file or is over ``METADATA_MAX_BYTES`` reads as absent (see
    :func:`missing_record`, which says why).
    """
    path = os.path.join(dist.metadata_dir, "RECORD")
    try:
        text = read_regular(path, METADATA_MAX_BYTES).decode("utf-8", "surrogateescape")
    except OSError:
        return None
    prefix = os.path.abspath(dist.location or ".") + os.sep
    native = os.sep == "/"
    decode = base64.urlsafe_b64decode
    make = tuple.__new__  # RecordEntry without its Python-level __new__: 30,000 rows
    entries: dict[str, RecordEntry] = {}
    for recorded, hash_text, size_text in _rows(text):
        if not recorded or (not caches and "__pycache__/" in recorded):
            continue
        local = recorded if native else recorded.replace("/", os.sep)
        if recorded.startswith(("/", "../")) or "/." in recorded or "\\" in recorded:
            full = os.path.abspath(os.path.join(prefix, local))  # an absolute path stays
        else:  # the common case, already normal: no abspath
            full = prefix + local
        algorithm, _, value = hash_text.partition("=")
        digest = b""
        if value and algorithm in _ALGORITHMS:
            try:
                digest = decode(value + "=" * (-len(value) % 4))
            except ValueError:
                algorithm = ""
            if not digest:  # only characters outside base64's alphabet: nothing recorded
                algorithm = ""
        else:
            algorithm = ""
        if full not in entries:
            size = int(size_text) if size_text.isdigit() else -1
            entries[full] = make(RecordEntry, (recorded, full, algorithm, digest, size))
    return list(entries.values())


def _rows(text: str) -> list[list[str]]:
    """[path, hash, size] per RECORD row: CSV, split by hand unless a path is quoted."""
    if '"' in text:
        import csv  # deferred for import cost

        rows = [([*row, "", ""])[:3] for row in csv.reader(io.StringIO(text, newline="")) if row]
        return [[path, digest.strip(), size.strip()] for path, digest, size in rows]
    return [([*line.split(",", 2), "", ""])[:3] for line in text.splitlines()]


def is_record_file(full: str, metadata_prefix: str) -> bool:
    """``RECORD`` itself or its signatures, in the distribution's own metadata directory."""
    return full.startswith(metadata_prefix) and full[len(metadata_prefix) :] in _UNHASHED_OK


def egg_files(dist: Distribution) -> list[str] | None:
    """The files an ``*.egg-info`` lists in ``installed-files.txt`` (for attribution only)."""
    path = os.path.join(dist.metadata_dir, "installed-files.txt")
    try:
        data = read_regular(path, METADATA_MAX_BYTES)
    except OSError:
        return None
    lines = data.decode("utf-8", "surrogateescape").splitlines()
    base = os.path.abspath(dist.metadata_dir)
    return [os.path.abspath(os.path.join(base, line)) for line in lines if line]


def no_record_note(dist: Distribution) -> str:
    if dist.metadata_dir.endswith(".egg-info"):
        return f"{dist.name}: installed as an egg ({os.path.basename(dist.metadata_dir)}), which has no RECORD: files not verified"
    return f"{dist.name}: {os.path.basename(dist.metadata_dir)} has no RECORD: files not verified"


def missing_record(dist: Distribution) -> FileProblem | None:
    """A ``.dist-info`` left by pip or uv without RECORD: they write it last, so the install
    was interrupted.  Other tools (system package managers) may not write one: no finding."""
    if dist.metadata_dir.endswith(".egg-info"):
        return None
    record = f"{os.path.basename(dist.metadata_dir)}/RECORD"
    path = os.path.join(dist.metadata_dir, "RECORD")
    if os.path.lexists(path):
        return FileProblem("unreadable", record, f"RECORD exists but {_why_unreadable(path)}")
    try:
        data = read_regular(os.path.join(dist.metadata_dir, "INSTALLER"), 4096)
        installer = data.decode("utf-8").strip()
    except (OSError, ValueError):
        return None
    if installer not in _KNOWN_WRITERS:
        return None
    return FileProblem(
        "missing", record, f"{installer} writes it last: the install was interrupted"
    )


def _why_unreadable(path: str) -> str:
    """Why ``read_record`` could not read the RECORD at ``path``, in a few words."""
    try:
        read_regular(path, METADATA_MAX_BYTES, head=0)
    except OSError as err:
        if err.strerror is None:  # NotRegularFile, TooLarge: their message says it
            return f"is {err}"
        return f"cannot be read ({err.strerror})"
    return "cannot be read"
