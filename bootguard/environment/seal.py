"""The snapshot seal: confirm "nothing changed since the snapshot" at the scandir floor.

``bootguard snapshot`` writes a pinned requirements file and, when the full check of that
environment against it found nothing, a seal line::

    # bootguard-seal: sha256=<hex>

The seal is sha256(file without the seal line + NUL + installed-set key + interpreter key),
where the installed-set key is the sorted ``name==version`` of every metadata directory on the
path (names and versions straight from directory names, see :mod:`bootguard.environment._scan`) and the
interpreter key is the marker-relevant identity of the interpreter.  At boot, recomputing it
needs one ``os.scandir`` per path entry and one file read: no metadata parsing, no TOML, no
``packaging``.  If it matches, the environment is exactly the one that passed the full check
when the snapshot was written, so the full check would pass again.  If anything differs (an
edit to the file, a version, one more or one fewer distribution, another Python), the seal
simply does not match and the full check runs and explains the difference.  A mismatch can
cost time, never correctness.

This module imports nothing the interpreter has not already loaded but CPython's built-in
sha256 (see :func:`bootguard.environment._scan.sha256_hex`).
"""

from __future__ import annotations

from bootguard.environment._scan import (
    MetadataDir,
    interpreter_key,
    listing_key,
    metadata_dirs,
    sha256_hex,
)

__all__ = ["SEAL_PREFIX", "add_seal", "environment_key", "seal_digest", "split_seal", "verify_seal"]

SEAL_PREFIX = b"# bootguard-seal: sha256="


def environment_key(
    paths: list[str] | tuple[str, ...],
    interpreter: str | None = None,
    *,
    dirs: list[MetadataDir] | None = None,
) -> str:
    """The installed-set key plus the interpreter key (``interpreter`` defaults to this one).

    ``dirs`` is ``metadata_dirs(paths)`` when the caller has listed them already.
    """
    listed = metadata_dirs(paths) if dirs is None else dirs
    return listing_key(listed) + "\n" + (interpreter or interpreter_key())


def seal_digest(body: bytes, env_key: str) -> str:
    """The seal value for a manifest body (without its seal line) and an environment key."""
    return sha256_hex(body + b"\0" + env_key.encode("utf-8"))


def split_seal(data: bytes) -> tuple[bytes, str | None]:
    """(the file without its seal line, the seal) or (data, None) if it has none."""
    start = data.find(SEAL_PREFIX)
    if start < 0 or (start > 0 and data[start - 1 : start] != b"\n"):
        return data, None
    end = data.find(b"\n", start)
    end = len(data) if end < 0 else end + 1
    seal = data[start + len(SEAL_PREFIX) : end].strip().decode("ascii", "replace")
    return data[:start] + data[end:], seal


def add_seal(body: bytes, env_key: str, *, after_line: int) -> bytes:
    """Insert the seal line after line number ``after_line`` (1-based) of ``body``.

    An unterminated last line is terminated first (the seal covers the body as written), so
    the seal line always starts a line of its own and :func:`split_seal` finds it.
    """
    if body and not body.endswith(b"\n"):
        body += b"\n"
    lines = body.splitlines(keepends=True)
    seal_line = SEAL_PREFIX + seal_digest(body, env_key).encode("ascii") + b"\n"
    return b"".join([*lines[:after_line], seal_line, *lines[after_line:]])


def verify_seal(
    data: bytes,
    paths: list[str] | tuple[str, ...],
    interpreter: str | None = None,
    *,
    dirs: list[MetadataDir] | None = None,
) -> bool:
    """Whether ``data`` carries a seal that matches this environment."""
    body, seal = split_seal(data)
    if not seal:
        return False
    return seal_digest(body, environment_key(paths, interpreter, dirs=dirs)) == seal
