"""Every health unit test starts and ends with a pending verdict and no subscribers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.state import fresh_verdict


@pytest.fixture(autouse=True)
def fresh_state() -> Iterator[None]:
    """A pending verdict and no subscribers, before and after the test."""
    yield from fresh_verdict()
