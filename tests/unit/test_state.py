"""The process-wide verdict: pending, done, draining; listeners told once per change."""

from __future__ import annotations

import logging

import pytest

from bootguard import state
from tests.unit.conftest import finding, report_of

pytestmark = pytest.mark.usefixtures("fresh_state")


def test_a_new_process_is_pending_and_not_ready() -> None:
    verdict = state.current()
    assert (verdict.phase, verdict.ready, verdict.report) == ("pending", False, None)
    assert repr(verdict) == "Verdict(phase='pending', ready=False, status=None)"


def test_publish_then_drain_and_a_drained_node_stays_drained() -> None:
    report = report_of(finding(status="warn"))
    done = state.publish(report, ready=True)
    assert (done.phase, done.ready, state.current()) == ("done", True, done)
    drained = state.drain()
    assert (drained.phase, drained.ready, drained.report) == ("draining", False, report)
    later = state.publish(report_of(), ready=True)
    assert (later.phase, later.ready) == ("draining", False)


def test_a_subscriber_hears_the_current_verdict_then_every_change() -> None:
    heard: list[str] = []
    state.subscribe(lambda verdict: heard.append(verdict.phase))
    state.publish(report_of(), ready=True)
    state.drain()
    assert heard == ["pending", "done", "draining"]


def test_a_failing_listener_is_logged_and_the_others_still_hear(
    caplog: pytest.LogCaptureFixture,
) -> None:
    heard: list[bool] = []

    def broken(verdict: state.Verdict) -> None:
        raise RuntimeError("sink bug")

    state.subscribe(broken)
    state.subscribe(lambda verdict: heard.append(verdict.ready))
    with caplog.at_level(logging.ERROR, logger="bootguard"):
        state.publish(report_of(), ready=True)
    assert heard == [False, True]
    assert "verdict listener failed" in caplog.text


def test_reset_forgets_the_verdict_and_the_listeners() -> None:
    heard: list[str] = []
    state.subscribe(lambda verdict: heard.append(verdict.phase))
    state.publish(report_of(), ready=True)
    state.reset()
    state.publish(report_of(), ready=True)
    assert heard == ["pending", "done"]
