"""Unit tests of bootguard.health.recheck: its settings."""

from __future__ import annotations

import pytest

from bootguard.errors import ConfigError
from bootguard.health.recheck import Recheck
from bootguard.report import Report


def test_recheck_interval_must_be_positive() -> None:
    with pytest.raises(ConfigError, match="positive"):
        Recheck(0, lambda: Report(findings=()))
