"""The vocabulary of RECORD verification: rows, file problems, results, progress."""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from bootguard._record import Record
from bootguard.report import Finding

__all__ = ["FileProblem", "IntegrityResult", "Progress", "RecordEntry"]


#: ``progress(bytes_done, bytes_total, files_done, files_total)``, called from the calling
#: thread as work completes (quick mode counts files; bytes stay 0).
Progress = Callable[[int, int, int, int], None]


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


class FileProblem(Record):
    """One file of one distribution that is not as recorded."""

    kind: str  # missing | changed | unexpected | unreadable
    path: str
    detail: str = ""

    def __str__(self) -> str:
        text = f"{self.kind:<10} {self.path}"
        return f"{text} ({self.detail})" if self.detail else text


class IntegrityResult(Record):
    """The findings of one verification, the notes, and what it covered."""

    findings: tuple[Finding, ...]
    notes: tuple[str, ...]
    files: int
    bytes: int
    distributions: int
    elapsed_ms: float
