"""The build-time seal record: "this exact environment passed this exact check".

``bootguard check --seal`` runs the full check and, when it passes (warnings allowed), writes
a record inside the checked environment, under its ``sys.prefix`` (``share/bootguard/seals/``):
each virtual environment keeps its own, so one checkout shared by several venvs cannot
clobber another's, and the image that carries the environment carries its seal.  The boot
check, configured with the same manifests and options, finds the record by name and trusts
its verdict only if everything the verdict depends on is unchanged:

- the manifests' contents and absolute paths, bootguard's version and the options that
  change a verdict (strict, ignore, extras, groups, allow-empty): the record's file name is
  a digest of them (:func:`record_path`), so any change finds no record (other
  ``pyproject.toml`` files the gate names: :func:`extra_pyprojects`);
- the environment (:func:`environment_state`): the interpreter's marker identity, every
  metadata directory's name in import order (shadowing included; nothing ignored, so
  upgrading pip counts too) and a stat witness of every ``RECORD`` (size and modification
  time: an installer rewrites it on every install, even of the same version);
- every other file the check read (a ``-r`` include, the ``pyproject.toml`` beside the lock,
  a local project's ``setup.cfg``), and the ``pyproject.toml`` files it would have read had
  they existed, each by content digest or as absent.

Anything that differs, and any record that is unreadable, oversized, not a regular file or
malformed, means "no record": the full check runs and explains.  A mismatch costs time,
never correctness.  Checking costs one ``os.scandir`` per path entry, one ``stat`` per
distribution and one read of each manifest (BLAKE2b, built into CPython, hashes it without
loading OpenSSL); no metadata parsing, no TOML, no ``packaging``.
"""

from __future__ import annotations

import os
import sys

from bootguard.environment._scan import MetadataDir, listing_key

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

__all__ = [
    "Record",
    "content_digest",
    "environment_state",
    "extra_pyprojects",
    "file_state",
    "find_record",
    "format_record",
    "matching_record",
    "options_text",
    "record_path",
    "record_tools",
    "seal_directory",
    "stale_records",
]

MAGIC = b"bootguard-seal-record 1\n"
#: A record holds a few lines plus the findings of the check it vouches for.
RECORD_MAX_BYTES = 4 * 1024 * 1024
_NO_IGNORED: frozenset[str] = frozenset()


def content_digest(data: bytes) -> str:
    """BLAKE2b-256 of ``data`` (hex): built into CPython, faster than its own sha256."""
    try:
        from _blake2 import blake2b
    except ImportError:  # pragma: no cover - a build without it
        from hashlib import blake2b
    return blake2b(data, digest_size=32).hexdigest()


def seal_directory(prefix: str | None = None) -> str:
    """Where an environment keeps its seal records (``prefix`` defaults to ``sys.prefix``)."""
    return os.path.join(prefix or sys.prefix, "share", "bootguard", "seals")


def options_text(
    strict: bool,
    ignore: Iterable[str],
    extras: Iterable[str],
    groups: Iterable[str] | None,
    allow_empty: bool,
) -> str:
    """The options that change a verdict, as one canonical line (order and case aside)."""
    from bootguard.names import canonical_name

    group_text = "-" if groups is None else ",".join(sorted(set(groups)))
    return (
        f"strict={int(strict)} allow_empty={int(allow_empty)} "
        f"ignore={','.join(sorted({canonical_name(n) for n in ignore}))} "
        f"extras={','.join(sorted(set(extras)))} groups={group_text}"
    )


def extra_pyprojects(
    pyprojects: Iterable[str | os.PathLike[str]], manifests: Iterable[str | os.PathLike[str]]
) -> str:
    """The ``pyproject.toml`` files a check reads besides those beside its manifests.

    They only tell which installed distribution is the project being deployed, which can
    only spare an ``extraneous`` finding; the gate names its root's (usually the manifest's
    directory, or absent) and the CLI none.  So they are not part of a record's name: a
    record whose check found nothing extraneous holds whatever they are, one that did holds
    only for the same ones (:func:`bootguard.checks.recorded.recorded_report`).
    """
    beside = {
        os.path.join(os.path.dirname(os.path.abspath(m)), "pyproject.toml") for m in manifests
    }
    found = {os.path.abspath(p) for p in pyprojects if os.path.isfile(p)} - beside
    return "\0".join(sorted(found)).encode("unicode_escape").decode("ascii")


def record_path(
    manifests: Sequence[tuple[str, str]], options: str, prefix: str | None = None
) -> str:
    """The record for these (absolute path, content digest) manifests and options.

    Its name is ``<slot>-<contents>.seal``: the slot names the check (bootguard's version,
    the options, the manifests' paths), so sealing again after an edit replaces the slot's
    previous record instead of piling up (:func:`stale_records`).
    """
    from bootguard import __version__

    check = "\n".join([f"bootguard {__version__}", options, *(path for path, _ in manifests)])
    contents = "\n".join(digest for _, digest in manifests)
    slot = content_digest(check.encode("utf-8", "surrogateescape"))[:24]
    name = f"{slot}-{content_digest(contents.encode('ascii'))[:24]}.seal"
    return os.path.join(seal_directory(prefix), name)


def stale_records(path: str) -> list[str]:
    """The other records of the check whose record is ``path`` (older manifest contents)."""
    directory, name = os.path.split(path)
    slot = name.partition("-")[0] + "-"
    try:
        names = os.listdir(directory)
    except OSError:
        return []
    return [os.path.join(directory, n) for n in names if n.startswith(slot) and n != name]


def environment_state(dirs: list[MetadataDir], interpreter: str) -> str:
    """A digest naming the installed set exactly (see the module docstring)."""
    from bootguard.environment.fingerprint import witness

    ordered = "\n".join(name for _, name in dirs)
    text = "\n\0".join(
        [interpreter, ordered, listing_key(dirs, _NO_IGNORED), witness(dirs, _NO_IGNORED)]
    )
    return content_digest(text.encode("utf-8", "surrogateescape"))


def file_state(path: str) -> str:
    """The content digest of a file the check read, or ``-`` when it cannot be read."""
    from bootguard._files import MANIFEST_MAX_BYTES, read_regular

    try:
        return content_digest(read_regular(path, MANIFEST_MAX_BYTES))
    except (OSError, ValueError):
        return "-"


class Record:
    """A record's fields: the payload lines (``manifest``, ``distributions``, ...) by key."""

    __slots__ = ("fields", "manifests")

    def __init__(self, fields: dict[str, str], manifests: list[str]) -> None:
        self.fields = fields
        self.manifests = manifests


def find_record(
    manifests: Sequence[str | os.PathLike[str]],
    options: str,
    dirs: list[MetadataDir],
    interpreter: str,
    prefix: str | None = None,
    *,
    contents: Sequence[bytes] | None = None,
) -> Record | None:
    """The record that vouches for checking these manifests with these options here, if any.

    ``contents`` are the manifests' bytes when the caller has read them already.
    """
    from bootguard._files import MANIFEST_MAX_BYTES, read_regular

    keyed = []
    for index, manifest in enumerate(manifests):
        if contents is not None:
            data = contents[index]
        else:
            try:
                data = read_regular(manifest, MANIFEST_MAX_BYTES)
            except (OSError, ValueError):
                return None  # the full check reports the unreadable manifest
        keyed.append((os.path.abspath(manifest), content_digest(data)))
    return matching_record(record_path(keyed, options, prefix), dirs, interpreter)


def format_record(
    environment: str, inputs: dict[str, str], manifests: list[str], fields: dict[str, str]
) -> bytes:
    """The record's bytes; ``ValueError`` if a value cannot be one line."""
    lines = [f"environment {environment}"]
    lines += [f"input {state} {path}" for path, state in sorted(inputs.items())]
    lines += [f"manifest {text}" for text in manifests]
    lines += [f"{key} {value}" for key, value in fields.items()]
    if any("\n" in line or "\r" in line for line in lines):
        raise ValueError("a path or value spans lines")
    return MAGIC + "\n".join(lines).encode("utf-8", "surrogateescape") + b"\n"


def matching_record(path: str, dirs: list[MetadataDir], interpreter: str) -> Record | None:
    """The record at ``path`` if it exists and still holds for this environment, else None.

    Never raises and never blocks: a FIFO, a device or a huge file is refused unread
    (:func:`bootguard._files.read_regular`), and a malformed record is no record.
    """
    from bootguard._files import read_regular

    try:
        data = read_regular(path, RECORD_MAX_BYTES)
    except (OSError, ValueError):
        return None
    if not data.startswith(MAGIC):
        return None
    try:
        lines = data[len(MAGIC) :].decode("utf-8", "surrogateescape").splitlines()
        if not lines or lines[0] != "environment " + environment_state(dirs, interpreter):
            return None
        fields: dict[str, str] = {}
        manifests: list[str] = []
        for line in lines[1:]:
            key, _, value = line.partition(" ")
            if key == "input":
                state, _, input_path = value.partition(" ")
                if not input_path or file_state(input_path) != state:
                    return None
            elif key == "manifest":
                manifests.append(value)
            else:
                fields[key] = value
    except Exception:  # malformed beyond what is checked above: the full check decides
        return None
    return Record(fields, manifests)


def record_tools(text: str) -> tuple[str, ...]:
    """The unreported tools a record lists (``-``: none), as the full check counted them."""
    return () if text == "-" else tuple(text.split(","))
