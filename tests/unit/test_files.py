"""Bounded reads: regular files only, never blocking, never past the cap."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bootguard._files import NotRegularFile, TooLarge, read_regular


def test_a_regular_file_is_read_whole_or_its_head(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"0123456789")
    assert read_regular(path, 10) == b"0123456789"
    assert read_regular(str(path), 100, head=4) == b"0123"
    assert read_regular(path, 3, head=100) == b"012"  # the cap still bounds the head
    assert read_regular(path, 5, head=0) == b""


def test_a_file_over_the_cap_is_refused_with_its_size(tmp_path: Path) -> None:
    path = tmp_path / "big"
    path.write_bytes(b"x" * 11)
    with pytest.raises(TooLarge, match=r"too large \(11 bytes; the limit is 10\)"):
        read_regular(path, 10)


def test_special_files_are_refused_at_once_and_named(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(NotRegularFile, match=r"a FIFO"):
        read_regular(fifo, 10)  # no writer: would block a plain open() forever
    with pytest.raises(NotRegularFile, match=r"a directory"):
        read_regular(tmp_path, 10)
    with pytest.raises(NotRegularFile, match=r"a character device"):
        read_regular("/dev/zero", 10)


def test_a_missing_file_is_the_os_error() -> None:
    with pytest.raises(FileNotFoundError):
        read_regular("/nonexistent/file", 10)
    assert issubclass(NotRegularFile, OSError) and issubclass(TooLarge, OSError)
