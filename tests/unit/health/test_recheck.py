"""Unit tests of bootguard.health.recheck: its settings.

The periodic re-check: publish only when the result changes; errors keep or degrade the verdict.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from bootguard import state
from bootguard.errors import ConfigError
from bootguard.health.recheck import Recheck, start_recheck
from bootguard.report import Finding, Report, internal_finding
from tests.unit.conftest import Site, finding, report_of


def test_recheck_interval_must_be_positive() -> None:
    with pytest.raises(ConfigError, match="positive"):
        Recheck(0, lambda: Report(findings=()))


pytestmark = pytest.mark.usefixtures("fresh_state")


class Runs:
    """Reports to return one after another; an exception instance is raised instead."""

    def __init__(self, *results: Report | Exception) -> None:
        self.results = list(results)

    def __call__(self) -> Report:
        result = self.results.pop(0)
        if isinstance(result, Exception):
            raise result
        return result


def test_only_a_changed_result_is_published() -> None:
    changes: list[str] = []
    baseline = report_of(finding(status="pass"), timings=(("total", 1.0),))
    recheck = Recheck(
        60,
        Runs(report_of(finding(status="pass"), timings=(("total", 9.0),)), report_of(finding())),
        baseline=baseline,
        on_change=lambda report: changes.append(report.status),
    )
    assert recheck.run_once() is None  # same result, other timings
    changed = recheck.run_once()
    assert changed is not None and changes == ["fail"]
    assert (state.current().ready, state.current().report) == (False, changed)


def test_integrity_findings_of_the_boot_are_carried_over() -> None:
    files = finding("msgbus", "files", "fail", "changed")
    recheck = Recheck(
        60, Runs(report_of(finding("taskq", status="warn"))), baseline=report_of(files)
    )
    published = recheck.run_once()
    assert published is not None and files in published.findings


def test_an_error_keeps_the_verdict_or_becomes_the_finding_the_hook_returns() -> None:
    baseline = report_of(finding(status="pass"))
    kept = Recheck(60, Runs(RuntimeError("boom")), baseline=baseline)
    assert kept.run_once() is None

    def on_error(err: Exception) -> Finding | None:
        return internal_finding("the re-check", err)

    degraded = Recheck(
        60, Runs(RuntimeError("boom"), RuntimeError("boom")), baseline=baseline, on_error=on_error
    )
    published = degraded.run_once()
    assert published is not None and [f.key for f in published.problems] == ["bootguard:internal"]
    assert degraded.run_once() is None  # the same error again: said once


def test_a_bad_interval_is_refused() -> None:
    with pytest.raises(ConfigError, match="recheck_interval must be a positive number of seconds"):
        Recheck(0, Runs())


def test_start_recheck_runs_in_a_thread_and_stops(site: Site, tmp_path: Path) -> None:
    site.install("msgbus", "4.1.0")
    manifest = tmp_path / "requirements.txt"
    manifest.write_text("msgbus==4.1.0\n")
    recheck = start_recheck(
        0.05,
        manifests=[manifest],
        options={"paths": [str(site.path)]},
        baseline=report_of(finding()),
    )
    try:
        deadline = time.monotonic() + 10
        while state.current().report is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert recheck.running
        report = state.current().report
        assert report is not None and report.status == "pass" and state.current().ready
    finally:
        recheck.stop()
    assert not recheck.running
