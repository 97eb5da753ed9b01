"""``python -m bootguard``: the same as the ``bootguard`` command."""

from __future__ import annotations

import sys

from bootguard.cli import main

if __name__ == "__main__":
    sys.exit(main())
