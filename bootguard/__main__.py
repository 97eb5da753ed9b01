"""``python -m bootguard``: the same as the ``bootguard`` command."""

from __future__ import annotations

from bootguard.cli import run

if __name__ == "__main__":
    run()
