"""bootguard's test suite (a package so that ``tests.support`` is importable by name)."""

from __future__ import annotations
