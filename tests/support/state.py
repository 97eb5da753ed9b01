"""A clean published verdict around a test that publishes one in-process.

Why: :mod:`bootguard.state` is process-wide, so a test that drains or publishes would leak
its verdict into the next one; the health tests start and end from a pending verdict.
"""

from __future__ import annotations

from collections.abc import Iterator

from bootguard import state

__all__ = ["fresh_verdict"]


def fresh_verdict() -> Iterator[None]:
    """Reset the verdict and subscribers before and after (use with ``yield from``)."""
    state.reset()
    yield
    state.reset()
