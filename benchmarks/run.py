"""Compare bootguard with its peers on real pinned environments, in one run.

Why this exists: bootguard's promise is "verify the environment at boot for about the cost of
starting Python". That claim only means something next to the tools people already use
(pip check, uv pip check, pkg_resources.require, an importlib.metadata loop, pip-lock) measured
on the same environments, on the same machine, in the same run.

This file is only the entry point (``python benchmarks/run.py [--quick] [--sizes 150,300]
[--repeat N] [--only TEXT]``); the stages live in the ``harness`` package next to it:
environments, manifests, the table of rows, timing, and reporting. ``inproc.py`` is the probe
the in-process rows run in a fresh process per sample.
"""

from __future__ import annotations

import sys

from harness.cli import main  # run as a script, this directory is sys.path[0]

__all__ = ["main"]

if __name__ == "__main__":
    sys.exit(main())
