"""Bounded reads of files bootguard does not control.

Manifests, METADATA, RECORD and ``direct_url.json`` are untrusted input: a FIFO blocks a
plain ``open()`` forever, ``/dev/zero`` never ends, and a corrupt file can be gigabytes.
Every such read goes through :func:`read_regular`, which opens without blocking, refuses
anything that is not a regular file, and stops at a size cap.  Imports only ``os`` (already
loaded by the interpreter), so it is usable on the boot fast path.
"""

from __future__ import annotations

import os

__all__ = [
    "JSON_MAX_DEPTH",
    "MANIFEST_MAX_BYTES",
    "METADATA_MAX_BYTES",
    "NotRegularFile",
    "TooLarge",
    "read_regular",
    "recording",
]

#: Caps, generous for real files and small enough that a runaway read cannot hurt a node.
MANIFEST_MAX_BYTES = 64 * 1024 * 1024
METADATA_MAX_BYTES = 16 * 1024 * 1024
#: Deepest nesting accepted in a JSON document bootguard reads (``direct_url.json``,
#: ``--python`` probe output); real ones nest three levels.
JSON_MAX_DEPTH = 32


class NotRegularFile(OSError):
    """The path names a FIFO, device, socket or directory, not a regular file."""


class TooLarge(OSError):
    """The file is larger than the cap for its kind."""


_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)


def read_regular(path: str | os.PathLike[str], limit: int, *, head: int | None = None) -> bytes:
    """The bytes of the regular file ``path``, at most ``limit`` of them.

    Opening with ``O_NONBLOCK`` makes a FIFO without a writer return at once instead of
    hanging; ``fstat`` on the open descriptor (not the path, which could be swapped) then
    refuses anything but a regular file.  ``head`` reads only that many leading bytes (for
    callers that look at a prefix); ``limit`` still applies to the file's size when
    ``head`` is None.  Raises :class:`NotRegularFile`, :class:`TooLarge` or the ``OSError``
    of the failing call, each with a message that names the problem, never the file content.
    """
    import stat

    if _recorders:
        _note_read(path)
    fd = os.open(path, _FLAGS)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotRegularFile(f"not a regular file ({_kind(info.st_mode)})")
        if head is None and info.st_size > limit:
            raise TooLarge(f"too large ({info.st_size} bytes; the limit is {limit})")
        want = min(limit, head) if head is not None else limit
        chunks: list[bytes] = []
        total = 0
        size_hint = max(info.st_size + 1, 1 << 16)  # usually the whole file in one read
        while total <= want:
            chunk = os.read(fd, min(size_hint, want + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        data = b"".join(chunks)
        if head is None and len(data) > limit:  # grew while being read
            raise TooLarge(f"too large (over the limit of {limit} bytes)")
        return data[:want] if head is not None else data
    finally:
        os.close(fd)


#: Thread id -> the set of absolute paths :func:`read_regular` was asked for in that thread.
_recorders: dict[int, set[str]] = {}


class recording:
    """Collect every path this thread reads through :func:`read_regular` (absent ones too).

    ``bootguard check --seal`` records what the build-time check read besides the installed
    metadata (a ``-r`` include, a ``pyproject.toml`` beside the lock, a local project's
    ``setup.cfg``) so that the boot check can confirm each is unchanged.  Only the thread
    that entered records: a re-check running in another thread is not mixed in.
    """

    def __init__(self) -> None:
        self.paths: set[str] = set()

    def __enter__(self) -> set[str]:
        import _thread

        _recorders[_thread.get_ident()] = self.paths
        return self.paths

    def __exit__(self, *exc: object) -> None:
        import _thread

        _recorders.pop(_thread.get_ident(), None)


def _note_read(path: str | os.PathLike[str]) -> None:
    import _thread

    paths = _recorders.get(_thread.get_ident())
    if paths is not None and isinstance(path, (str, os.PathLike)):  # else open() says why
        paths.add(os.path.abspath(os.fspath(path)))


def _kind(mode: int) -> str:
    import stat

    for test, word in (
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return word
    return "a special file"
