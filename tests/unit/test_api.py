"""Unit tests of bootguard.api: a bug in one stage keeps the others.

``check``: one report for one environment against its manifests, never raising for our bugs.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import pytest

from bootguard.api import check, check_with, log_internal
from bootguard.errors import ManifestError
from bootguard.options import CheckOptions
from bootguard.report import internal_finding
from tests.unit.conftest import Site, report_of

#: msgbus 4.1.0 is installed: the one real drift every test must see reported.
MANIFEST = "taskq==5.0.0\nmsgbus==4.2.0\n"


def test_a_bug_in_the_inventory_stage_keeps_the_other_stages(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The inventory is forced to fail: one ``bootguard:internal`` finding, the manifest
    is still read (and an unreadable one still raises), the fingerprint still computed."""
    import bootguard.environment.inventory
    from bootguard.api import check

    def broken(*args: object) -> None:
        raise RuntimeError("inventory bug")

    monkeypatch.setattr(bootguard.environment.inventory, "build", broken)
    manifest = tmp_path / "requirements.txt"
    manifest.write_text(MANIFEST)
    report = check([manifest], paths=[str(tmp_path)], use_seal=False)
    (finding,) = report.findings
    assert finding.key == "bootguard:internal" and finding.status == "fail"
    assert finding.message == (
        "internal error in the inventory stage (its findings are missing): "
        "RuntimeError: inventory bug"
    )
    assert finding.details and finding.details[0].startswith("raised at test_api.py:")
    assert [m.entries for m in report.manifests] == [2]
    assert report.fingerprint is not None
    assert report.to_text().splitlines()[0].startswith("FAIL  bootguard:internal  internal error")


def _project(site: Site, tmp_path: Path, text: str) -> Path:
    site.install("taskq", "5.0.0", requires=["msgbus>=4"])
    site.install("msgbus", "4.2.0")
    path = tmp_path / "requirements.txt"
    path.write_text(text)
    return path


def test_a_matching_environment_passes_and_a_drift_fails(site: Site, tmp_path: Path) -> None:
    path = _project(site, tmp_path, "taskq==5.0.0\nmsgbus==4.2.0\n")
    report = check([path], paths=[str(site.path)])
    assert (report.status, report.distributions, report.verified_by) == ("pass", 2, "full")
    assert report.manifests[0].path == str(path) and report.manifests[0].entries == 2
    assert report.installed == (("msgbus", "4.2.0"), ("taskq", "5.0.0"))
    path.write_text("taskq==5.0.0\nmsgbus==4.1.0\n")
    assert [f.key for f in check([path], paths=[str(site.path)]).problems] == ["msgbus:version"]


def test_keywords_and_check_options_are_one_check(site: Site, tmp_path: Path) -> None:
    path = _project(site, tmp_path, "taskq==5.0.0\nmsgbus==4.1.0\n")
    by_keywords = check([path], paths=[str(site.path)], ignore=["msgbus"])
    by_options = check_with(
        CheckOptions(manifests=[path], paths=[str(site.path)], ignore=["msgbus"])
    )
    assert by_keywords.findings == by_options.findings == ()


def test_an_empty_selection_is_refused_unless_allowed(site: Site, tmp_path: Path) -> None:
    path = _project(site, tmp_path, "windows-only==1.0; sys_platform == 'nonesuch'\n")
    with pytest.raises(ManifestError, match="selects no distribution for this environment"):
        check([path], paths=[str(site.path)])
    allowed = check([path], paths=[str(site.path)], allow_empty=True)
    assert allowed.manifests[0].entries == 0


def test_integrity_is_checked_when_asked(site: Site, tmp_path: Path) -> None:
    path = _project(site, tmp_path, "taskq==5.0.0\nmsgbus==4.2.0\n")
    (site.path / "msgbus" / "__init__.py").write_text("tampered = True\n")
    assert check([path], paths=[str(site.path)]).status == "pass"
    keys = [f.key for f in check([path], paths=[str(site.path)], integrity=["msgbus"]).problems]
    assert keys == ["msgbus:files"]


def test_another_interpreter_is_inspected_without_importing_into_it(tmp_path: Path) -> None:
    report = check([], python=sys.executable)
    assert report.executable and report.distributions > 0


def test_log_internal_logs_each_bug_once_with_its_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    try:
        raise RuntimeError("unit-test bug in api")
    except RuntimeError as err:
        bug = internal_finding("the unit test", err)
    with caplog.at_level(logging.ERROR, logger="bootguard"):
        log_internal(report_of(bug))
        log_internal(report_of(bug))
    records = [r for r in caplog.records if "unit-test bug in api" in r.getMessage()]
    assert len(records) == 1 and records[0].exc_info is not None
