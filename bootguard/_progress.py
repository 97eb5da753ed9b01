"""The terminal progress bar the CLI draws on stderr while files are being hashed.

It is a :data:`bootguard.checks.integrity.Progress` callback; it lives on the output side,
not with the checks, which only report counts.
"""

from __future__ import annotations

import time

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import TextIO

__all__ = ["ProgressBar"]


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
