"""Silencing stdout after the reader went away: the interpreter's exit flush cannot fail."""

from __future__ import annotations

import subprocess
import sys

CODE = """
import sys
from bootguard.cli.output import silence_stdout
print("before", flush=True)
silence_stdout()
print("after: lost")
sys.stderr.write("still here\\n")
"""


def test_after_silencing_nothing_reaches_stdout_and_stderr_still_works() -> None:
    result = subprocess.run(
        [sys.executable, "-c", CODE], capture_output=True, text=True, timeout=60, check=False
    )
    assert (result.returncode, result.stdout, result.stderr) == (0, "before\n", "still here\n")
