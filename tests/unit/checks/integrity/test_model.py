"""The vocabulary of RECORD verification."""

from __future__ import annotations

from bootguard.checks.integrity.model import FileProblem, RecordEntry


def test_a_file_problem_reads_as_one_aligned_line() -> None:
    assert str(FileProblem("missing", "a.py")) == "missing    a.py"
    assert str(FileProblem("changed", "b.py", "size 3")) == "changed    b.py (size 3)"


def test_a_record_entry_defaults_to_nothing_recorded() -> None:
    entry = RecordEntry("a.py", "/site/a.py")
    assert (entry.algorithm, entry.digest, entry.size) == ("", b"", -1)
    assert entry._replace(size=3).size == 3
