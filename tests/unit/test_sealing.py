"""``check --seal``: a passing full check is recorded under the environment's prefix; a failing
or broken one is not, and says why; sealing the same check again replaces its record.

A real site-packages directory in ``tmp_path`` and a real prefix beside it: every record is
read back with :func:`~bootguard.environment.seal_record.find_record`, as a later check would.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import pytest

from bootguard.checks.recorded import decode_findings, options_key
from bootguard.environment._scan import interpreter_key, metadata_dirs
from bootguard.environment.seal_record import Record, find_record, seal_directory
from bootguard.options import CheckOptions
from bootguard.sealing import seal_check
from tests.unit.conftest import Site

REQS = "taskq==5.0.0\nmsgbus==4.1.0\n"


def _project(site: Site, tmp_path: Path, text: str = REQS) -> CheckOptions:
    site.install("taskq", "5.0.0", requires=["msgbus>=4"])
    site.install("msgbus", "4.1.0")
    app = tmp_path / "app"
    app.mkdir(exist_ok=True)
    manifest = app / "requirements.txt"
    manifest.write_text(text)
    return CheckOptions(manifests=[manifest], paths=[str(site.path)])


def _find(options: CheckOptions, prefix: Path) -> Record | None:
    assert options.manifests is not None and options.paths is not None
    dirs = metadata_dirs(list(options.paths))
    return find_record(
        list(options.manifests), options_key(options), dirs, interpreter_key(), str(prefix)
    )


def _records(prefix: Path) -> list[Path]:
    directory = Path(seal_directory(str(prefix)))
    return sorted(directory.iterdir()) if directory.is_dir() else []


def test_a_passing_check_is_recorded_under_the_prefix(site: Site, tmp_path: Path) -> None:
    options = _project(site, tmp_path)
    prefix = tmp_path / "prefix"
    outcome = seal_check(options, str(prefix))
    assert (outcome.report.status, outcome.report.verified_by) == ("pass", "full")
    assert outcome.reason == "" and outcome.path is not None
    assert _records(prefix) == [Path(outcome.path)]
    assert Path(outcome.path).parent == prefix / "share" / "bootguard" / "seals"
    record = _find(options, prefix)
    assert record is not None
    assert record.fields["distributions"] == str(outcome.report.distributions) == "2"
    assert decode_findings(record.fields["findings"]) == ()
    (manifest,) = outcome.report.manifests
    assert record.manifests == [f"{manifest.format} {manifest.digest} {manifest.entries}"]


def test_a_check_with_warnings_is_recorded_with_them(site: Site, tmp_path: Path) -> None:
    options = _project(site, tmp_path)
    site.install("fastjson", "2.1")  # installed, not in the manifest: a warning
    prefix = tmp_path / "prefix"
    outcome = seal_check(options, str(prefix))
    assert outcome.report.status == "warn" and outcome.path is not None
    record = _find(options, prefix)
    assert record is not None
    assert decode_findings(record.fields["findings"]) == outcome.report.findings
    assert [f.key for f in outcome.report.findings] == ["fastjson:extraneous"]


def test_the_default_prefix_is_this_interpreters(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    options = _project(site, tmp_path)
    monkeypatch.setattr(sys, "prefix", str(tmp_path / "venv"))
    outcome = seal_check(options)
    assert outcome.path is not None
    assert _records(tmp_path / "venv") == [Path(outcome.path)]


def test_a_failing_check_is_not_sealed_and_says_why(site: Site, tmp_path: Path) -> None:
    options = _project(site, tmp_path, REQS.replace("4.1.0", "4.2.0"))
    prefix = tmp_path / "prefix"
    outcome = seal_check(options, str(prefix))
    assert [f.key for f in outcome.report.problems] == ["msgbus:version"]
    assert (outcome.path, outcome.reason) == (None, "the check failed")
    assert not prefix.exists()


def test_a_broken_stage_is_not_sealed_and_says_why(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bug in a stage of the check (simulated: the checks raise) is a
    ``bootguard:internal`` finding, not a refusal: that is named, not "the check failed"."""
    import bootguard.checks

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("simulated bug in a check")

    options = _project(site, tmp_path)
    monkeypatch.setattr(bootguard.checks, "run_checks", broken)
    prefix = tmp_path / "prefix"
    outcome = seal_check(options, str(prefix))
    assert "bootguard:internal" in [f.key for f in outcome.report.findings]
    assert outcome.path is None
    assert outcome.reason == "a stage of the check broke (bootguard:internal)"
    assert not prefix.exists()


def test_integrity_and_another_interpreter_are_never_sealed(site: Site, tmp_path: Path) -> None:
    options = _project(site, tmp_path)
    prefix = tmp_path / "prefix"
    outcome = seal_check(replace(options, integrity=True), str(prefix))
    assert outcome.report.status == "pass"
    assert (outcome.path, outcome.reason) == (
        None,
        "--integrity is verified at every check, never sealed",
    )
    with pytest.raises(ValueError, match="run it with that one"):
        seal_check(replace(options, python=sys.executable), str(prefix))
    assert not prefix.exists()


def test_kernel_version_markers_are_never_sealed(site: Site, tmp_path: Path) -> None:
    options = _project(site, tmp_path, REQS + "fastjson==2.1; platform_release == 'nonesuch'\n")
    prefix = tmp_path / "prefix"
    outcome = seal_check(options, str(prefix))
    assert outcome.report.status == "pass"
    assert (outcome.path, outcome.reason) == (None, "a requirement uses kernel-version markers")
    assert not prefix.exists()


def test_an_included_file_is_recorded_and_its_change_finds_no_record(
    site: Site, tmp_path: Path
) -> None:
    options = _project(site, tmp_path, "-r base.txt\ntaskq==5.0.0\n")
    base = tmp_path / "app" / "base.txt"
    base.write_text("msgbus==4.1.0\n")
    prefix = tmp_path / "prefix"
    assert seal_check(options, str(prefix)).path is not None
    assert _find(options, prefix) is not None
    base.write_text("msgbus==4.2.0\n")
    assert _find(options, prefix) is None


def test_sealing_again_after_an_edit_replaces_the_old_record(site: Site, tmp_path: Path) -> None:
    options = _project(site, tmp_path)
    prefix = tmp_path / "prefix"
    first = seal_check(options, str(prefix)).path
    assert first is not None and _records(prefix) == [Path(first)]
    assert options.manifests is not None
    Path(options.manifests[0]).write_text(REQS + "# reviewed\n")
    assert _find(options, prefix) is None  # the old record is for the old contents
    second = seal_check(options, str(prefix)).path
    assert second is not None and second != first
    assert _records(prefix) == [Path(second)]  # one record per check: the old one is gone
    assert Path(second).name.partition("-")[0] == Path(first).name.partition("-")[0]
    assert _find(options, prefix) is not None
    strict = replace(options, strict=True)
    third = seal_check(strict, str(prefix)).path
    assert third is not None  # another check keeps its own record beside the first
    assert _records(prefix) == sorted([Path(second), Path(third)])
