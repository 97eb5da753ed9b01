"""RECORD verification: are the installed files still the ones the installer wrote?

The classic broken deploy is not only a wrong version: an install that half-happened, or a
file changed after install, fails at import with ``No such file or directory:
'.../site-packages/django_scarface/__init__.py'``.  Every wheel install leaves a ``RECORD``
listing each file with its sha256 and size; this module checks the files against it and
reports ``<dist>:files`` findings (DESIGN.md) naming the files that are missing, changed or
unexpected.

It is opt-in (``check(integrity=True)``, ``bootguard check --integrity``): hashing a
150-distribution environment reads ~470 MB.  Files are hashed in threads (hashlib and file
reads release the GIL), split by size so that the threads seldom wait for the GIL (see
:func:`_check_all`); small files are read in one call, large ones in 1 MiB chunks into a
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

import base64
import functools
import hashlib
import io
import os
import stat
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from bootguard._files import METADATA_MAX_BYTES, read_regular
from bootguard.environment.model import Distribution, Environment
from bootguard.names import canonical_name
from bootguard.report import Finding

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import TextIO

__all__ = [
    "FileProblem",
    "IntegrityResult",
    "Progress",
    "ProgressBar",
    "RecordEntry",
    "default_workers",
    "read_record",
    "verify",
]

#: ``progress(bytes_done, bytes_total, files_done, files_total)``, called from the calling
#: thread as work completes (quick mode counts files; bytes stay 0).
Progress = Callable[[int, int, int, int], None]

_CHUNK = 1 << 20  # read size for large files; small files are read in one call
_LARGE = 256 << 10  # files this large start hashing while the RECORDs are still being parsed
_UNHASHED_OK = frozenset({"RECORD", "RECORD.jws", "RECORD.p7s"})
_KNOWN_WRITERS = ("pip", "uv")  # installers that always write RECORD
# RECORD hashes bootguard can check (a shake digest needs a length RECORD does not give).
_ALGORITHMS = frozenset(a for a in hashlib.algorithms_guaranteed if not a.startswith("shake"))


class RecordEntry(NamedTuple):
    """One row of a ``RECORD``: ``path`` as written, ``full`` where it is on disk.

    A named tuple rather than a frozen dataclass: a 150-distribution venv has 30,000 rows,
    and a tuple is made at less than half the cost.
    """

    path: str
    full: str
    algorithm: str = ""
    digest: bytes = b""
    size: int = -1


@dataclass(frozen=True, slots=True)
class FileProblem:
    """One file of one distribution that is not as recorded."""

    kind: str  # missing | changed | unexpected | unreadable
    path: str
    detail: str = ""

    def __str__(self) -> str:
        text = f"{self.kind:<10} {self.path}"
        return f"{text} ({self.detail})" if self.detail else text


@dataclass(frozen=True, slots=True)
class IntegrityResult:
    """The findings of one verification, the notes, and what it covered."""

    findings: tuple[Finding, ...]
    notes: tuple[str, ...]
    files: int
    bytes: int
    distributions: int
    elapsed_ms: float


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
    selected = _select(env, names, notes)
    count = workers if workers is not None else default_workers()
    records, bad, files, hashed = _check_all(selected, quick, count, progress)

    problems: dict[str, list[FileProblem]] = {}
    for dist in selected:
        if records.get(dist.metadata_dir) is None:
            notes.append(_no_record_note(dist))
            problem = _missing_record(dist)
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
                listed = _egg_files(dist) if dist.metadata_dir.endswith(".egg-info") else None
                if listed is None:
                    unknown_locations.setdefault(dist.location, dist.display_name)
                for full in listed or ():
                    owners.setdefault(full, []).append((dist, RecordEntry(full, full)))
                continue
            for entry in entries:
                owners.setdefault(entry.full, []).append((dist, entry))

    shared_notes: list[str] = []
    for dist, entry, seen in bad:
        problem = _compare(dist, entry, seen, owners, env, shared_notes, quick=quick)
        if problem is not None:
            problems.setdefault(dist.name, []).append(problem)
    if unexpected:
        present = {meta: entries for meta, entries in records.items() if entries is not None}
        for dist, problem in _unexpected(selected, present, owners, unknown_locations, notes):
            problems.setdefault(dist.name, []).append(problem)

    notes.extend(_capped(sorted(set(shared_notes)), max_listed, "shared files"))
    findings = tuple(
        _finding(dist, sorted(problems[dist.name], key=_problem_order), max_listed)
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


class ProgressBar:
    """A one-line progress bar for a terminal (the CLI draws it on stderr for long runs).

    Nothing is drawn during the first half second, so a quick run prints nothing; then at
    most ten updates a second.  :meth:`close` erases the line.  No dependency: ``\\r`` and an
    ANSI erase-line.
    """

    def __init__(self, stream: TextIO, *, delay: float = 0.5, width: int = 24) -> None:
        self._stream = stream
        self._start = time.monotonic()
        self._delay = delay
        self._width = width
        self._last = 0.0
        self._drawn = False

    def __call__(
        self, done_bytes: int, total_bytes: int, done_files: int, total_files: int
    ) -> None:
        now = time.monotonic()
        finished = done_files >= total_files
        if now - self._start < self._delay or (now - self._last < 0.1 and not finished):
            return
        self._last = now
        if total_bytes:
            fraction = done_bytes / total_bytes
            amount = f"{done_bytes / 1e6:,.0f}/{total_bytes / 1e6:,.0f} MB"
        else:
            fraction = done_files / max(total_files, 1)
            amount = "sizes only"
        filled = round(fraction * self._width)
        bar = "#" * filled + "-" * (self._width - filled)
        self._stream.write(
            f"\rbootguard: verifying files [{bar}] {fraction:4.0%}  {amount}  "
            f"{done_files:,}/{total_files:,} files\x1b[K"
        )
        self._stream.flush()
        self._drawn = True

    def close(self) -> None:
        """Erase the bar, if it was drawn."""
        if self._drawn:
            self._stream.write("\r\x1b[K")
            self._stream.flush()
            self._drawn = False


# --- RECORD -------------------------------------------------------------------------------


def read_record(dist: Distribution, *, caches: bool = True) -> list[RecordEntry] | None:
    """The rows of ``dist``'s RECORD (paths resolved against its location); None if absent.

    ``caches=False`` leaves out rows under ``__pycache__/``: Python owns those files and
    rewrites them (a third of the rows of a byte-compiled install).  A malformed hash or
    size reads as none recorded: the file is then only checked for existence.  A RECORD
    that is not a regular file or is over ``METADATA_MAX_BYTES`` reads as absent (see
    :func:`_missing_record`, which says why).
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


def _is_record_file(full: str, metadata_prefix: str) -> bool:
    """``RECORD`` itself or its signatures, in the distribution's own metadata directory."""
    return full.startswith(metadata_prefix) and full[len(metadata_prefix) :] in _UNHASHED_OK


def _egg_files(dist: Distribution) -> list[str] | None:
    """The files an ``*.egg-info`` lists in ``installed-files.txt`` (for attribution only)."""
    path = os.path.join(dist.metadata_dir, "installed-files.txt")
    try:
        data = read_regular(path, METADATA_MAX_BYTES)
    except OSError:
        return None
    lines = data.decode("utf-8", "surrogateescape").splitlines()
    base = os.path.abspath(dist.metadata_dir)
    return [os.path.abspath(os.path.join(base, line)) for line in lines if line]


def _no_record_note(dist: Distribution) -> str:
    if dist.metadata_dir.endswith(".egg-info"):
        return f"{dist.name}: installed as an egg ({os.path.basename(dist.metadata_dir)}), which has no RECORD: files not verified"
    return f"{dist.name}: {os.path.basename(dist.metadata_dir)} has no RECORD: files not verified"


def _missing_record(dist: Distribution) -> FileProblem | None:
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


# --- reading and hashing ----------------------------------------------------------------


class _Seen(NamedTuple):
    """What is on disk at one path: its size and digest, or why it could not be read.

    A named tuple rather than a frozen dataclass: one is made per file (20,000 in a
    150-distribution venv) and a tuple is made at half the cost.
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


_Bad = list[tuple[Distribution, RecordEntry, "_Seen"]]
_Item = tuple[Distribution, RecordEntry]


def _check_all(
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
    overlaps the parsing too.  (Measured on 2 cores: mixing large and small files in every
    thread bought 1.2-1.4x over one thread; this split 1.6x, and 1.9x over a plain loop.)

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
                    entry.full.endswith(".pyc") or _is_record_file(entry.full, record_file)
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

    buffer = bytearray(_CHUNK)
    view = memoryview(buffer)
    mine = done[0]
    while True:
        try:
            item = small.popleft()
        except IndexError:
            break
        _check_counted(item, quick, buffer, view, found, mine)
        if progress is not None and not mine[0] % 256:
            progress(sum(d[1] for d in done), hashed, sum(d[0] for d in done), files)
    for thread in threads:
        while thread.is_alive():
            thread.join(0.1)
            if progress is not None:
                progress(sum(d[1] for d in done), hashed, sum(d[0] for d in done), files)
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


def _hashing_thread(
    large: Any, small: Any, quick: bool, found: _Bad, done: list[int], errors: list[BaseException]
) -> None:
    """Check the large files as they come, then the rest from the largest down."""
    buffer = bytearray(_CHUNK)
    view = memoryview(buffer)
    try:
        while (item := large.get()) is not None:
            _check_counted(item, quick, buffer, view, found, done)
        while True:
            try:
                item = small.pop()
            except IndexError:
                return
            _check_counted(item, quick, buffer, view, found, done)
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


def _check_one(
    entry: RecordEntry, quick: bool, buffer: bytearray, view: memoryview
) -> _Seen | None:
    """Stat (quick, or no hash recorded) or hash one file: None if it is as recorded.

    Inline system calls and no helpers: it runs 20,000 times for a 150-distribution venv,
    and what it does while holding the GIL limits the threads.  Never raises for a file.
    """
    path, algorithm, size_hint = entry.full, entry.algorithm, entry.size
    try:
        if quick or not algorithm:
            info = os.stat(path)
            if not stat.S_ISREG(info.st_mode):
                return _NOT_FILE
            if size_hint >= 0 and info.st_size != size_hint:
                return _Seen(size=info.st_size)
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
                    return _Seen(len(data), digest)
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
            return _Seen(total, digest)
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
        return _Seen(error=type(err).__name__)
    except ValueError:
        return _BAD_PATH  # a NUL byte: RECORD is corrupt


# O_NONBLOCK: opening a FIFO that replaced a file must not wait for a writer forever.
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0)
_MISSING = _Seen(error="missing")
_NOT_FILE = _Seen(error="not a file")
_BAD_PATH = _Seen(error="not a valid path")


def _rehash(path: str, algorithm: str) -> _Seen:
    """A second, plain read of a file that did not match (it may have been mid-replace);
    never of a FIFO or a device, which would block or never end."""
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except FileNotFoundError:
        return _MISSING
    except OSError as err:
        return _Seen(error=type(err).__name__)
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
        return _Seen(total, hasher.digest())
    except OSError as err:
        return _Seen(error=type(err).__name__)
    finally:
        os.close(fd)


# --- judging ----------------------------------------------------------------------------


def _compare(
    dist: Distribution,
    entry: RecordEntry,
    seen: _Seen,
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
    if seen.error == "missing":
        return FileProblem("missing", entry.path, also)
    if seen.error == "not a file":
        return FileProblem("changed", entry.path, _join("no longer a regular file", also))
    if seen.error:
        return FileProblem("unreadable", entry.path, _join(seen.error, also))
    if quick or not entry.algorithm:
        owner = _matching_owner(others, env, size=seen.size)
        if owner is not None:
            shared_notes.append(_shared_note(entry, dist, owner))
            return None
        detail = f"{seen.size} bytes, recorded {entry.size}"
        return FileProblem("changed", entry.path, _join(detail, also))
    again = _rehash(entry.full, entry.algorithm)
    if again.error == "missing":
        return FileProblem("missing", entry.path, also)
    if again.error == "not a file":
        return FileProblem("changed", entry.path, _join("no longer a regular file", also))
    if again.error:
        return FileProblem("unreadable", entry.path, _join(again.error, also))
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


def _unexpected(
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


def _select(env: Environment, names: Iterable[str] | None, notes: list[str]) -> list[Distribution]:
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


def _capped(lines: list[str], limit: int, what: str) -> list[str]:
    if len(lines) <= limit:
        return lines
    return [*lines[:limit], f"... and {len(lines) - limit} more {what}"]


def _finding(dist: Distribution, problems: list[FileProblem], max_listed: int) -> Finding:
    kinds = {"missing": 0, "changed": 0, "unexpected": 0, "unreadable": 0}
    for problem in problems:
        kinds[problem.kind] += 1
    status = "fail" if kinds["missing"] or kinds["changed"] else "warn"
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
        details = tuple(_capped([str(p) for p in ordered], max_listed, "files"))
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


def _problem_order(problem: FileProblem) -> tuple[int, str]:
    return (_KIND_ORDER[problem.kind], problem.path)
