"""Unit tests of bootguard.health.shutdown: SIGTERM drains, then chains."""

from __future__ import annotations

import os
import signal
from types import FrameType

import bootguard
from bootguard import state
from bootguard.api import check


def test_sigterm_drains_then_calls_the_previous_handler() -> None:
    calls: list[tuple[int, str]] = []

    def previous(signum: int, frame: FrameType | None) -> None:
        calls.append((signum, state.current().phase))

    state.publish(check([], paths=[]), ready=True)
    original = signal.signal(signal.SIGTERM, previous)
    try:
        assert bootguard.install_sigterm_drain() is True
        os.kill(os.getpid(), signal.SIGTERM)
        # The drain handler re-raises the signal for the previous handler, which sees the
        # node already draining; the previous handler is back in place afterwards.
        assert calls == [(signal.SIGTERM, "draining")]
        assert state.current().ready is False
        assert signal.getsignal(signal.SIGTERM) is previous
    finally:
        signal.signal(signal.SIGTERM, original)
