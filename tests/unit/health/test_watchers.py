"""What the gate starts after the verdict: metrics, the drain, the re-check; never raising."""

from __future__ import annotations

import signal
from collections.abc import Iterator

import pytest

from bootguard import state
from bootguard.config import Settings
from bootguard.health import recheck, watchers
from bootguard.options import CheckOptions
from bootguard.report import Report
from tests.unit.conftest import finding, report_of


@pytest.fixture
def clean() -> Iterator[None]:
    previous = signal.getsignal(signal.SIGTERM)
    state.reset()
    yield
    for running in list(recheck._running):
        running.stop()
    signal.signal(signal.SIGTERM, previous)
    state.reset()


def _start(settings: Settings, options: CheckOptions | None = None) -> None:
    watchers.start(
        settings,
        report_of(finding(status="pass")),
        options=lambda: options or CheckOptions(manifests=()),
        ready=lambda report: report.status != "fail",
        on_change=lambda report: None,
        on_error=lambda err: None,
    )


@pytest.mark.usefixtures("clean")
def test_nothing_is_started_by_default() -> None:
    before = signal.getsignal(signal.SIGTERM)
    _start(Settings())
    assert signal.getsignal(signal.SIGTERM) is before and not recheck._running


@pytest.mark.usefixtures("clean")
def test_the_drain_and_the_recheck_start_when_asked() -> None:
    before = signal.getsignal(signal.SIGTERM)
    _start(Settings(drain_on_sigterm=True, recheck_interval=3600.0))
    assert signal.getsignal(signal.SIGTERM) is not before
    (running,) = recheck._running
    assert running.running and running.interval == 3600.0


@pytest.mark.usefixtures("clean")
def test_a_failure_is_logged_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    def broken() -> CheckOptions:
        raise RuntimeError("options bug")

    watchers.start(
        Settings(recheck_interval=10.0),
        Report(findings=()),
        options=broken,
        ready=lambda report: True,
        on_change=lambda report: None,
        on_error=lambda err: None,
    )
    assert "could not start metrics / drain / re-check" in caplog.text
