"""The sealed route: a matching seal answers from directory names; anything else, None."""

from __future__ import annotations

import time
from pathlib import Path

from bootguard.checks.sealed import fingerprint_findings, sealed_report
from bootguard.environment._scan import interpreter_key, metadata_dirs
from bootguard.environment.fingerprint import snapshot_line
from bootguard.environment.seal import add_seal, environment_key
from tests.unit.conftest import Site


def _snapshot(site: Site, tmp_path: Path) -> tuple[Path, tuple[str, ...]]:
    site.install("msgbus", "4.1.0")
    site.install("taskq", "5.0.0")
    search = (str(site.path),)
    body = f"# bootguard-snapshot: entries=2\n{snapshot_line(metadata_dirs(search))}\nmsgbus==4.1.0\ntaskq==5.0.0\n".encode()
    path = tmp_path / "snapshot.txt"
    path.write_bytes(add_seal(body, environment_key(search), after_line=1))
    return path, search


def test_a_matching_seal_gives_a_passing_report_without_reading_metadata(
    site: Site, tmp_path: Path
) -> None:
    path, search = _snapshot(site, tmp_path)
    report = sealed_report(path, search, interpreter_key(), None, time.perf_counter())
    assert report is not None
    assert (report.status, report.verified_by, report.distributions) == ("pass", "seal", 2)
    assert report.installed == (("msgbus", "4.1.0"), ("taskq", "5.0.0"))
    assert report.manifests[0].entries == 2
    assert report.notes[0] == "environment matches the sealed snapshot: metadata not re-read"


def test_each_name_points_at_its_snapshot_line_and_a_left_out_tool_is_a_tool(
    site: Site, tmp_path: Path
) -> None:
    site.install("pip", "25.0")  # installed before the snapshot, which leaves tools out
    path, search = _snapshot(site, tmp_path)
    report = sealed_report(path, search, interpreter_key(), None, time.perf_counter())
    assert report is not None
    lines = path.read_text().splitlines()
    assert dict(report.origins) == {
        "msgbus": f"{path}:{lines.index('msgbus==4.1.0') + 1}",
        "taskq": f"{path}:{lines.index('taskq==5.0.0') + 1}",
        "pip": "tool",
    }
    assert report.tools == ("pip",)


def test_any_change_or_an_unreadable_file_sends_the_check_down_the_full_path(
    site: Site, tmp_path: Path
) -> None:
    path, search = _snapshot(site, tmp_path)
    site.install("stray", "1.0")
    assert sealed_report(path, search, interpreter_key(), None, 0.0) is None
    assert sealed_report(tmp_path / "absent.txt", search, interpreter_key(), None, 0.0) is None


def test_fingerprint_findings_compare_with_what_the_snapshot_records(
    site: Site, tmp_path: Path
) -> None:
    path, search = _snapshot(site, tmp_path)
    dirs = metadata_dirs(search)
    value, findings, notes = fingerprint_findings(dirs, [path, tmp_path / "absent.txt"])
    assert value is not None and findings == [] and len(notes) == 1
    (site.path / "msgbus-4.1.0.dist-info" / "RECORD").write_text("changed,,\n")
    _, changed, _ = fingerprint_findings(dirs, [path])
    assert [f.key for f in changed] == ["environment:files"]
