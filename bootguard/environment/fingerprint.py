"""The environment fingerprint: one short digest that names an installed set exactly.

Two nodes with the same fingerprint have the same distributions, at the same versions, with
the same installed files as recorded by the installer (each file's path, sha256 and size in
``RECORD``).  An operator with 200 nodes sees at a glance which ones run byte-identical
environments; ``bootguard snapshot`` records it and ``bootguard check`` says whether this
node still matches.

What goes in, per ``*.dist-info`` / ``*.egg-info`` directory on the path: the normalized
name, the version (both from the directory name, as for the seal) and the sha256 of the
distribution's ``RECORD`` in a canonical form that leaves out what depends on *where* or
*when* it was installed rather than on *what* was installed:

- the lines of files outside the install location (``../../../bin/celery``: a console
  script carries the interpreter's absolute path in its shebang, so its hash differs
  between ``/srv/a/venv`` and ``/srv/b/venv``);
- the installer's notes about the installation in the metadata directory: ``INSTALLER``,
  ``REQUESTED`` (asked for by name or pulled in as a dependency) and uv's ``uv_cache.json``
  (a timestamp).

Everything else stays as the installer wrote it, including ``direct_url.json`` (the URL it
was installed from, as the snapshot pins it) and the unhashed entries of byte-compiled
``.pyc`` files: an environment installed with ``--no-compile`` differs from one installed
with byte-compilation, as its files do.  An editable install is covered by what its RECORD
lists (metadata and the ``.pth`` pointing at the checkout), not by the checkout's sources;
an ``*.egg-info`` without ``RECORD`` by name and version only.

The snapshot shortcut.  Reading and hashing every ``RECORD`` is the costly part at boot; on
a node started from the image the snapshot was taken in, one ``stat`` per ``RECORD`` is
enough.  ``bootguard snapshot`` records, next to the fingerprint,
a *stat witness*: a digest of each ``RECORD``'s name, version, size and modification time
(``# bootguard-fingerprint: <fingerprint> stat:<witness>``).  When this node's witness is the
same, its ``RECORD`` files are the very files the fingerprint was computed from (an image
keeps modification times), so the recorded fingerprint is this node's; when it differs
(another path, another build, a reinstall) the fingerprint is computed.  Only an edit of a
``RECORD`` that keeps its size and puts its modification time back would go unseen: that is
tampering, which ``--integrity`` (hashing the files themselves) is for.

Cost: one read of each ``RECORD`` (a few megabytes for a large environment) hashed at C speed; the canonical form is cut out with a few ``bytes`` searches.  pip and uv write
``RECORD`` sorted, so the ``../`` lines come first and are cut as a prefix; a ``RECORD`` that
was not written sorted (pypa/installer, used by Poetry and PDM, appends its own ``RECORD``
entry last) or that quotes a path goes through the per-line filter (:func:`_keep`), which
costs more but gives the same bytes (a property test proves it for all three writers).  A
writer that neither sorts nor ends with its own entry, if one exists, would keep ``../``
rows found further down: its fingerprints would then differ between install paths (never
hide a difference).  This module imports only ``os`` (``hashlib`` when RECORD files must be read and hashed).
"""

from __future__ import annotations

import os

from bootguard.environment._scan import (
    DEFAULT_IGNORED,
    MetadataDir,
    dir_identity,
    metadata_dirs,
    sha256_hex,
)
from bootguard.names import canonical_name

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = [
    "FINGERPRINT_LENGTH",
    "FINGERPRINT_PREFIX",
    "canonical_record",
    "environment_fingerprint",
    "fingerprint",
    "fingerprint_lines",
    "node_fingerprint",
    "record_digest",
    "recorded_fingerprint",
    "snapshot_line",
    "witness",
]

#: The comment line ``bootguard snapshot`` writes: ``# bootguard-fingerprint: <digest>``.
FINGERPRINT_PREFIX = b"# bootguard-fingerprint: "

#: Length of the fingerprint in hex characters (64 bits: no accidental collision in a fleet).
FINGERPRINT_LENGTH = 16

# Files an installer writes into the metadata directory about the installation itself
# (``uv_cache.json`` only when ``INSTALLER`` says uv wrote the RECORD).
_NOTES = (b"INSTALLER", b"REQUESTED")
_INSTALLER_NOTES = (*_NOTES, b"uv_cache.json")
_INSTALLER_MARKER = b".dist-info/INSTALLER,"
_REQUESTED_MARKER = b".dist-info/REQUESTED,"
_UV_CACHE_MARKER = b".dist-info/uv_cache.json,"
# The INSTALLER row uv writes: the file holds ``uv`` (sha256 below, urlsafe base64).
_UV_INSTALLER = b"INSTALLER,sha256=5hhM4Q4mYTT9z6QB6PGpUAW81PGNFrYrdXMj4oM_6ak,"


def environment_fingerprint(paths: list[str] | tuple[str, ...]) -> str:
    """The fingerprint of every distribution on ``paths`` (a ``sys.path``-like list)."""
    return fingerprint(metadata_dirs(paths))


def fingerprint(dirs: list[MetadataDir], ignored: frozenset[str] = DEFAULT_IGNORED) -> str:
    """The fingerprint of the distributions in these metadata directories."""
    text = "\n".join(fingerprint_lines(dirs, ignored)).encode("utf-8")
    return sha256_hex(text)[:FINGERPRINT_LENGTH]


def fingerprint_lines(
    dirs: list[MetadataDir], ignored: frozenset[str] = DEFAULT_IGNORED
) -> list[str]:
    """The sorted ``name==version <record sha256>`` lines the fingerprint is a digest of.

    ``ignored`` names are left out, as the seal and the snapshot leave them out (by default
    the installer's own tools and bootguard: upgrading pip does not change the application).
    Useful to explain *why* two fingerprints differ: diff the lines of two nodes.
    """
    lines = []
    for entry, dir_name, name, named_version in _counted(dirs, ignored):
        meta_dir = os.path.join(entry or ".", dir_name)
        # a versionless name.egg-info (``setup.py develop``) has it in PKG-INFO only
        version = named_version or _egg_version(meta_dir)
        record = _read(os.path.join(meta_dir, "RECORD"))
        digest = "-" if record is None else record_digest(record)
        lines.append(f"{name}=={version} {digest}")
    lines.sort()
    return lines


def _counted(
    dirs: list[MetadataDir], ignored: frozenset[str]
) -> Iterator[tuple[str, str, str, str]]:
    """``(entry, dir_name, name, version)`` of each directory the digests cover.

    The fingerprint and the stat witness must name the same distributions the same way
    (canonical name, version from the directory name, ``ignored`` left out), or a witness
    could vouch for a fingerprint computed over another set.
    """
    for entry, dir_name in dirs:
        raw_name, version = dir_identity(entry, dir_name)  # an egg's EGG-INFO: the egg's name
        name = canonical_name(raw_name)
        if name not in ignored:
            yield entry, dir_name, name, version


def record_digest(data: bytes) -> str:
    """The sha256 (hex) of :func:`canonical_record` of ``data``, without copying it."""
    import hashlib  # deferred: the boot fast path only needs the stat witness (OpenSSL)

    spans = _fast_spans(data)
    if spans is None:
        return hashlib.sha256(_filtered(data)).hexdigest()
    digest = hashlib.sha256()
    view = memoryview(data)
    for start, end in spans:
        digest.update(view[start:end])
    return digest.hexdigest()


def canonical_record(data: bytes) -> bytes:
    """``RECORD`` without the lines that depend on where or when it was installed."""
    spans = _fast_spans(data)
    if spans is None:
        return _filtered(data)
    return b"".join(data[start:end] for start, end in spans)


def _fast_spans(data: bytes) -> list[tuple[int, int]] | None:
    """The byte ranges of ``data`` to keep, found with a few searches; None: filter per line."""
    start = 0
    while data.startswith(b"../", start):
        end = data.find(b"\n", start)
        if end < 0:
            return []  # nothing but lines outside the location
        start = end + 1
    if b'"' in data or _unsorted(data):
        return None
    cuts: list[tuple[int, int]] = []
    installer = _line_at(data, data.find(_INSTALLER_MARKER, start))
    markers = [_REQUESTED_MARKER]
    if installer is not None:
        cuts.append(installer)
        if data.find(_UV_INSTALLER, installer[0], installer[1]) >= 0:
            markers.append(_UV_CACHE_MARKER)
    for marker in markers:
        line = _line_at(data, data.find(marker, start))
        if line is not None:
            cuts.append(line)
    if any(b"/" in data[cut_start : data.find(b".dist-info/", cut_start)] for cut_start, _ in cuts):
        return None  # ``a/b.dist-info/INSTALLER`` is a project's file, not the installer's note
    cuts.sort()
    spans = []
    for cut_start, cut_end in cuts:
        if cut_start > start:
            spans.append((start, cut_start))
        start = max(start, cut_end)
    spans.append((start, len(data)))
    return spans


def _unsorted(data: bytes) -> bool:
    """Whether ``RECORD`` ends with its own entry, as writers that do not sort rows leave it.

    In a sorted ``RECORD`` (pip, uv) the ``WHEEL`` row always follows the ``RECORD`` row.
    """
    tail = data[-200:].rstrip(b"\r\n")
    last = tail[tail.rfind(b"\n") + 1 :]
    return last.endswith(b"/RECORD,,") and b".dist-info/" in last


def _line_at(data: bytes, found: int) -> tuple[int, int] | None:
    """The span of the line holding offset ``found`` with its newline (the one before it for
    a last line without one); None if ``found`` is negative."""
    if found < 0:
        return None
    line_start = data.rfind(b"\n", 0, found) + 1
    line_end = data.find(b"\n", found)
    if line_end < 0:
        return (max(line_start - 1, 0), len(data))
    return (line_start, line_end + 1)


def _filtered(data: bytes) -> bytes:
    """The canonical form, line by line: the lines :func:`_keep` accepts, in order."""
    lines = data.split(b"\n")
    notes = _INSTALLER_NOTES if any(_is_uv_installer(line) for line in lines) else _NOTES
    return b"\n".join(line for line in lines if _keep(_record_path(line), notes))


def _is_uv_installer(line: bytes) -> bool:
    head, _, tail = _record_path(line).partition(b"/")
    return tail == b"INSTALLER" and head.endswith(b".dist-info") and _UV_INSTALLER in line


def _keep(path: bytes, notes: tuple[bytes, ...]) -> bool:
    """Whether the RECORD line of ``path`` belongs to the canonical form."""
    if path.startswith(b"../"):
        return False  # outside the install location: scripts carry this venv's path
    head, sep, tail = path.partition(b"/")
    return not (sep and tail in notes and head.endswith(b".dist-info"))


def _record_path(line: bytes) -> bytes:
    """The path field of a RECORD line (CSV: quoted when it holds a comma or a quote)."""
    if not line.startswith(b'"'):
        return line.split(b",", 1)[0]
    out = bytearray()
    i = 1
    while i < len(line):
        char = line[i : i + 1]
        if char == b'"':
            if line[i + 1 : i + 2] != b'"':
                break
            i += 1
        out += char
        i += 1
    return bytes(out)


def witness(dirs: list[MetadataDir], ignored: frozenset[str] = DEFAULT_IGNORED) -> str:
    """A digest of each ``RECORD``'s name, version, size and modification time: one ``stat``
    per distribution, no read.  Equal witnesses mean untouched ``RECORD`` files."""
    lines = []
    for entry, dir_name, name, version in _counted(dirs, ignored):
        try:
            info = os.stat(os.path.join(entry or ".", dir_name, "RECORD"))
        except OSError:
            lines.append(f"{name}=={version} -")
            continue
        lines.append(f"{name}=={version} {info.st_size} {info.st_mtime_ns}")
    lines.sort()
    return sha256_hex("\n".join(lines).encode("utf-8"))[:FINGERPRINT_LENGTH]


def snapshot_line(dirs: list[MetadataDir]) -> str:
    """The line ``bootguard snapshot`` writes: the fingerprint and the stat witness."""
    return f"{FINGERPRINT_PREFIX.decode('ascii')}{fingerprint(dirs)} stat:{witness(dirs)}"


def node_fingerprint(dirs: list[MetadataDir], snapshot: bytes | None = None) -> tuple[str, str]:
    """This node's fingerprint, and how it was found (``"stat"`` or ``"computed"``).

    With a snapshot whose stat witness this node shares, the snapshot's fingerprint is this
    node's (see the module docstring); otherwise it is computed.
    """
    if snapshot is not None:
        recorded, recorded_witness = _recorded(snapshot)
        if recorded and recorded_witness and witness(dirs) == recorded_witness:
            return recorded, "stat"
    return fingerprint(dirs), "computed"


def recorded_fingerprint(data: bytes) -> str | None:
    """The fingerprint a snapshot file records (its ``# bootguard-fingerprint:`` line)."""
    return _recorded(data)[0]


def _recorded(data: bytes) -> tuple[str | None, str | None]:
    start = data.find(FINGERPRINT_PREFIX)
    while start > 0 and data[start - 1 : start] != b"\n":
        start = data.find(FINGERPRINT_PREFIX, start + 1)
    if start < 0:
        return None, None
    end = data.find(b"\n", start)
    words = data[start + len(FINGERPRINT_PREFIX) : None if end < 0 else end].split()
    value = words[0].decode("ascii", "replace") if words else None
    stat = next(
        (w[5:].decode("ascii", "replace") for w in words[1:] if w.startswith(b"stat:")), None
    )
    return value, stat


def _read(path: str) -> bytes | None:
    """The file's bytes; None if it is absent, unreadable, not a regular file (a FIFO
    would block) or over the metadata size cap."""
    from bootguard._files import METADATA_MAX_BYTES, read_regular

    try:
        return read_regular(path, METADATA_MAX_BYTES)
    except OSError:
        return None


def _egg_version(meta_dir: str) -> str:
    path = os.path.join(meta_dir, "PKG-INFO") if os.path.isdir(meta_dir) else meta_dir
    data = _read(path) or b""
    for line in data.split(b"\n"):
        if line.startswith(b"Version:"):
            return line[8:].strip().decode("utf-8", "replace")
        if not line.strip():
            break
    return "?"
