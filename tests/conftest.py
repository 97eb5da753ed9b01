"""Settings shared by the whole test suite (unit and end-to-end).

The fixtures that make real wheels and venvs live in ``tests/e2e/conftest.py``: unit tests
run in-process and need none of them.
"""

from __future__ import annotations

import os

from hypothesis import settings as hypothesis_settings

# CI explores the same examples on every run (a red CI must be reproducible); local runs
# keep exploring new ones.  Every failure found locally becomes a regression test.
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")
