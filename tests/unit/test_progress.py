"""Unit tests of bootguard._progress: the progress bar of long integrity runs."""

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
