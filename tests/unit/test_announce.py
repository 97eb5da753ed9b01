"""The gate's log record: the report and what it means for this process."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from bootguard.announce import log
from bootguard.config import Settings
from bootguard.report import Report, internal_finding
from tests.unit.conftest import finding, report_of


def _logged(
    caplog: pytest.LogCaptureFixture,
    report: Report,
    ready: bool,
    stop: bool,
    exit: bool,
    **settings: Any,
) -> list[logging.LogRecord]:
    with caplog.at_level(logging.DEBUG, logger="bootguard"):
        log(report, Settings(**settings), ready, stop, exit)
    return [r for r in caplog.records if r.name == "bootguard"]


@pytest.mark.parametrize(
    ("ready", "stop", "exit", "consequence"),
    [
        (True, False, False, "mode warn: the node stays ready"),
        (False, False, False, "mode warn: the node is not ready (readiness answers 503)"),
        (False, True, True, "mode enforce: stopping this process (exit status 3)"),
        (False, True, False, "mode enforce: the boot must stop"),
    ],
)
def test_a_failure_is_logged_as_an_error_with_its_consequence(
    caplog: pytest.LogCaptureFixture, ready: bool, stop: bool, exit: bool, consequence: str
) -> None:
    (record,) = _logged(caplog, report_of(finding()), ready, stop, exit, mode="warn")
    assert record.levelno == logging.ERROR
    because = " because of: msgbus:version" if stop else ""  # enforce names the failures
    assert record.getMessage().endswith(f"bootguard: {consequence}{because}")
    assert "msgbus:version" in record.getMessage()


def test_a_warning_and_a_pass(caplog: pytest.LogCaptureFixture) -> None:
    (warned,) = _logged(caplog, report_of(finding(status="warn")), True, False, False)
    assert warned.levelno == logging.WARNING
    caplog.clear()
    (passed,) = _logged(
        caplog, report_of(finding(status="pass"), distributions=3), True, False, False
    )
    assert passed.levelno == logging.INFO and passed.getMessage().startswith(
        "bootguard: pass - 3 distributions"
    )


def test_an_internal_error_that_does_not_count_is_said(caplog: pytest.LogCaptureFixture) -> None:
    try:
        raise RuntimeError("bug")
    except RuntimeError as err:
        bug = internal_finding("the check", err)
    (record,) = _logged(caplog, report_of(bug), True, False, False, mode="report")
    assert record.getMessage().endswith(
        "bootguard's internal error does not count (on_internal_error = ready)"
    )
