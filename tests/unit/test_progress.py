"""Unit tests of bootguard._progress: the progress bar of long integrity runs.

The progress bar: silent for quick runs, one rewritten line otherwise, erased at the end.
"""

from __future__ import annotations

import io

from bootguard._progress import ProgressBar


def test_progress_bar_draws_on_long_runs_and_erases_itself() -> None:
    stream = io.StringIO()
    bar = ProgressBar(stream, delay=0.0)
    bar(235_000_000, 470_000_000, 10_000, 20_000)
    bar(470_000_000, 470_000_000, 20_000, 20_000)
    bar.close()
    text = stream.getvalue()
    assert "[############------------]  50%  235/470 MB  10,000/20,000 files" in text
    assert "100%" in text
    assert text.endswith("\r\x1b[K")

    quiet = io.StringIO()
    slow = ProgressBar(quiet, delay=3600.0)  # a short run never reaches the delay
    slow(1, 2, 1, 2)
    slow.close()
    assert quiet.getvalue() == ""


def test_a_quick_run_draws_nothing_and_close_erases_nothing() -> None:
    stream = io.StringIO()
    bar = ProgressBar(stream, delay=3600)
    for files in (1, 10):
        bar(files * 10, 100, files, 10)
    bar.close()
    assert stream.getvalue() == ""


def test_a_long_run_draws_one_line_with_bytes_and_files_then_erases_it() -> None:
    stream = io.StringIO()
    bar = ProgressBar(stream, delay=0, width=10)
    bar(50_000_000, 100_000_000, 5, 10)
    drawn = stream.getvalue()
    assert drawn.startswith("\rbootguard: verifying files [#####-----]  50%")
    assert "50/100 MB" in drawn and "5/10 files" in drawn and "\n" not in drawn
    bar(100_000_000, 100_000_000, 10, 10)  # the last update is drawn at once
    assert "[##########] 100%" in stream.getvalue()
    bar.close()
    assert stream.getvalue().endswith("\r\x1b[K")


def test_quick_mode_counts_files_and_zero_files_is_complete() -> None:
    stream = io.StringIO()
    ProgressBar(stream, delay=0, width=4)(0, 0, 3, 4)
    assert "[###-]" in stream.getvalue() and "sizes only" in stream.getvalue()
    empty = io.StringIO()
    ProgressBar(empty, delay=0, width=4)(0, 0, 0, 0)
    assert "[----]   0%" in empty.getvalue()
