"""What the command prints besides reports: one line per error, and a closed stdout."""

from __future__ import annotations

import os
import sys

from bootguard._text import one_line  # untrusted text as one printable line

__all__ = ["one_line", "silence_stdout"]


def silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's flush at exit cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass
