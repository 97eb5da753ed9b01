"""Reading and hashing the recorded files in threads.

hashlib and file reads release the GIL; files are split by size so that the threads seldom
wait for it (see :func:`check_all`).  Small files are read in one call, large ones in 1 MiB
chunks into a per-thread buffer.  A path that is a FIFO or a device is never read.
"""

from __future__ import annotations

import functools
import hashlib
import io
import os
import stat
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from bootguard.checks.integrity.model import (
    Progress,
    RecordEntry,
)
from bootguard.checks.integrity.record import is_record_file, read_record
from bootguard.environment.model import Distribution

__all__ = ["Seen", "check_all", "default_workers", "rehash"]


_CHUNK = 1 << 20  # read size for large files; small files are read in one call
_LARGE = 256 << 10  # files this large start hashing while the RECORDs are still being parsed


class Seen(NamedTuple):
    """What is on disk at one path: its size and digest, or why it could not be read.

    A named tuple rather than a frozen dataclass: one is made per installed file, and a
    tuple is cheaper to make.
    """

    size: int = -1
    digest: bytes = b""
    error: str = ""  # "missing", "not a file", or an OS error name


def _hasher(algorithm: str) -> Callable[..., Any]:
    """The hashlib constructor for ``algorithm`` (``hashlib.sha256`` is faster than
    ``hashlib.new("sha256")``, which looks the algorithm up on every call)."""
    constructor = _HASHERS.get(algorithm)
    if constructor is None:
        constructor = getattr(hashlib, algorithm, None) or functools.partial(hashlib.new, algorithm)
        _HASHERS[algorithm] = constructor
    return constructor


_HASHERS: dict[str, Callable[..., Any]] = {}


_Bad = list[tuple[Distribution, RecordEntry, "Seen"]]
_Item = tuple[Distribution, RecordEntry]


def check_all(
    selected: Sequence[Distribution], quick: bool, workers: int, progress: Progress | None
) -> tuple[dict[str, list[RecordEntry] | None], _Bad, int, int]:
    """Read every selected distribution's RECORD and check its files, in ``workers`` threads.

    The work is split by what it costs under the GIL.  A small file costs mostly
    interpreter work around its three system calls, which holds the GIL; a large one costs
    mostly hashing, which releases it.  So files are ordered by size: the calling thread
    checks them from the smallest up, ``workers - 1`` hashing threads from the largest
    down, and they meet in the middle.  Threads doing small files at the same time would
    spend their time handing the GIL to each other; this way they seldom wait.  Files of
    256 KiB and more go to the hashing threads as soon as their RECORD is parsed, so hashing
    overlaps the parsing too.  (Mixing large and small files in every thread was measured
    to gain less than this split.)

    Returns the RECORD rows per metadata directory (None: no RECORD), the files that are
    not as recorded with what was seen, and how many files and bytes were checked.
    """
    import collections  # deferred for import cost
    import queue
    import threading

    records: dict[str, list[RecordEntry] | None] = {}
    rest: list[_Item] = []
    small: collections.deque[_Item] = collections.deque()
    large: queue.SimpleQueue[_Item | None] = queue.SimpleQueue()
    found: _Bad = []  # list.append is atomic: every thread appends here
    errors: list[BaseException] = []
    done = [[0, 0] for _ in range(max(workers, 1))]  # files, bytes checked per thread

    threads = [
        threading.Thread(
            target=_hashing_thread,
            args=(large, small, quick, found, done[index + 1], errors),
            name=f"bootguard-hash-{index}",
            daemon=True,
        )
        for index in range(workers - 1)
    ]
    for thread in threads:
        thread.start()
    files = hashed = 0
    try:
        for dist in selected:
            entries = read_record(dist, caches=False)
            records[dist.metadata_dir] = entries
            if entries is None:
                continue
            record_file = os.path.join(os.path.abspath(dist.metadata_dir), "")
            for entry in entries:
                if not entry.algorithm and (
                    entry.full.endswith(".pyc") or is_record_file(entry.full, record_file)
                ):
                    continue  # unverifiable by specification (see the module docstring)
                files += 1
                if not quick and entry.algorithm:
                    hashed += max(entry.size, 0)
                    if threads and entry.size >= _LARGE:
                        large.put((dist, entry))
                        continue
                rest.append((dist, entry))
        rest.sort(key=_size)
        small.extend(rest)
    finally:
        for _ in threads:
            large.put(None)  # no more large files: take the largest of the rest, then stop

    report = None if progress is None else functools.partial(_report, progress, done, hashed, files)
    buffer = bytearray(_CHUNK)
    _drain(small.popleft, quick, buffer, memoryview(buffer), found, done[0], report)
    for thread in threads:
        while thread.is_alive():
            thread.join(0.1)
            if report is not None:
                report()
    if errors:
        raise errors[0]
    if progress is not None:
        progress(hashed, hashed, files, files)
    return records, found, files, hashed


def _size(item: _Item) -> int:
    return item[1].size


def _check_counted(
    item: _Item, quick: bool, buffer: bytearray, view: memoryview, found: _Bad, done: list[int]
) -> None:
    """Check one file, keep it in ``found`` if it differs, and count it in ``done`` (files,
    and bytes when it is hashed: large files always are, they are queued only then)."""
    dist, entry = item
    seen = _check_one(entry, quick, buffer, view)
    if seen is not None:
        found.append((dist, entry, seen))
    done[0] += 1
    if not quick and entry.algorithm:
        done[1] += max(entry.size, 0)


def _drain(
    take: Callable[[], _Item],
    quick: bool,
    buffer: bytearray,
    view: memoryview,
    found: _Bad,
    done: list[int],
    report: Callable[[], None] | None = None,
) -> None:
    """Check the files ``take`` hands out until the deque it pops from is empty; the calling
    thread pops the small end, the hashing threads the large end (see :func:`check_all`).
    ``report`` is called after every 256th file this thread checks."""
    while True:
        try:
            item = take()
        except IndexError:
            return
        _check_counted(item, quick, buffer, view, found, done)
        if report is not None and not done[0] % 256:
            report()


def _report(progress: Progress, done: list[list[int]], hashed: int, files: int) -> None:
    """Tell ``progress`` the bytes and files all the threads have checked so far."""
    progress(sum(d[1] for d in done), hashed, sum(d[0] for d in done), files)


def _hashing_thread(
    large: Any, small: Any, quick: bool, found: _Bad, done: list[int], errors: list[BaseException]
) -> None:
    """Check the large files as they come, then the rest from the largest down."""
    buffer = bytearray(_CHUNK)
    view = memoryview(buffer)
    try:
        while (item := large.get()) is not None:
            _check_counted(item, quick, buffer, view, found, done)
        _drain(small.pop, quick, buffer, view, found, done)
    except BaseException as err:  # re-raised by the caller: a bug must not pass silently
        errors.append(err)


def default_workers() -> int:
    """Threads that check files, the caller included: the CPUs this process may use, at
    least 2, at most 8."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    return max(2, min(8, cpus))


def _check_one(entry: RecordEntry, quick: bool, buffer: bytearray, view: memoryview) -> Seen | None:
    """Stat (quick, or no hash recorded) or hash one file: None if it is as recorded.

    Inline system calls and no helpers: it runs once for every installed file,
    and what it does while holding the GIL limits the threads.  Never raises for a file.
    """
    path, algorithm, size_hint = entry.full, entry.algorithm, entry.size
    try:
        if quick or not algorithm:
            info = os.stat(path)
            if not stat.S_ISREG(info.st_mode):
                return _NOT_FILE
            if size_hint >= 0 and info.st_size != size_hint:
                return Seen(size=info.st_size)
            return None
        fd = os.open(path, _OPEN_FLAGS)
        try:
            if 0 <= size_hint < _CHUNK:
                data = os.read(fd, size_hint + 1)
                if not data and not stat.S_ISREG(os.fstat(fd).st_mode):
                    return _NOT_FILE  # a FIFO without a writer reads as empty
                if len(data) <= size_hint:  # a short read of a regular file is its end
                    digest = _hasher(algorithm)(data).digest()
                    if len(data) == size_hint and digest == entry.digest:
                        return None
                    return Seen(len(data), digest)
                hasher = _hasher(algorithm)(data)
                total = len(data)
            else:
                hasher = _hasher(algorithm)()
                total = 0
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                return _NOT_FILE  # a device (/dev/zero never ends) where a file was
            with io.FileIO(fd, closefd=False) as raw:
                while count := raw.readinto(buffer):
                    hasher.update(view[:count])
                    total += count
            digest = hasher.digest()
            if digest == entry.digest and (size_hint < 0 or total == size_hint):
                return None
            return Seen(total, digest)
        finally:
            os.close(fd)
    except FileNotFoundError:
        return _MISSING
    except NotADirectoryError:
        return _MISSING  # a parent directory became a file
    except IsADirectoryError:
        return _NOT_FILE
    except BlockingIOError:
        return _NOT_FILE  # a FIFO or a device where a file was
    except OSError as err:
        return Seen(error=type(err).__name__)
    except ValueError:
        return _BAD_PATH  # a NUL byte: RECORD is corrupt


# O_NONBLOCK: opening a FIFO that replaced a file must not wait for a writer forever.
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0)
_MISSING = Seen(error="missing")
_NOT_FILE = Seen(error="not a file")
_BAD_PATH = Seen(error="not a valid path")


def rehash(path: str, algorithm: str) -> Seen:
    """A second, plain read of a file that did not match (it may have been mid-replace);
    never of a FIFO or a device, which would block or never end."""
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except FileNotFoundError:
        return _MISSING
    except OSError as err:
        return Seen(error=type(err).__name__)
    except ValueError:
        return _BAD_PATH
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return _NOT_FILE
        hasher = _hasher(algorithm)()
        total = 0
        with io.FileIO(fd, closefd=False) as raw:
            while chunk := raw.read(_CHUNK):
                hasher.update(chunk)
                total += len(chunk)
        return Seen(total, hasher.digest())
    except OSError as err:
        return Seen(error=type(err).__name__)
    finally:
        os.close(fd)
