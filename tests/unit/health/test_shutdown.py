"""Unit tests of bootguard.health.shutdown: SIGTERM drains, then chains.

The SIGTERM drain: readiness goes 503 first, then the previous handler gets the signal.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from types import FrameType

import pytest

import bootguard
from bootguard import state
from bootguard.api import check
from bootguard.health.shutdown import install_sigterm_drain


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


SIGNUM = signal.SIGUSR1  # a signal of our own: the test runner keeps its SIGTERM handling


@pytest.fixture
def restored() -> Iterator[list[str]]:
    previous = signal.getsignal(SIGNUM)
    heard: list[str] = []

    def handler(received: int, frame: FrameType | None) -> None:
        heard.append(state.current().phase)

    signal.signal(SIGNUM, handler)
    state.reset()
    yield heard
    signal.signal(SIGNUM, previous)
    state.reset()


def test_the_drain_comes_before_the_previous_handler(restored: list[str]) -> None:
    assert install_sigterm_drain(signum=SIGNUM)
    signal.raise_signal(SIGNUM)
    assert restored == ["draining"]
    assert state.current().ready is False


def test_the_grace_period_delays_the_previous_handler(restored: list[str]) -> None:
    assert install_sigterm_drain(grace=0.2, signum=SIGNUM)
    signal.raise_signal(SIGNUM)
    assert restored == [] and state.current().phase == "draining"
    deadline = time.monotonic() + 5
    while not restored and time.monotonic() < deadline:
        time.sleep(0.02)
    assert restored == ["draining"]


def test_outside_the_main_thread_nothing_is_installed(
    restored: list[str], caplog: pytest.LogCaptureFixture
) -> None:
    results: list[bool] = []
    thread = threading.Thread(target=lambda: results.append(install_sigterm_drain(signum=SIGNUM)))
    thread.start()
    thread.join()
    assert results == [False]
    assert "cannot install the drain handler" in caplog.text
