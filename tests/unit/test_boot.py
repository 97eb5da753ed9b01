"""The gate's report: configuration problems, probes and our own bugs as findings, never raised."""

from __future__ import annotations

import time
from pathlib import Path

from bootguard.boot import (
    boot_report,
    check_options,
    config_finding,
    internal_finding,
    no_manifest_finding,
    recheck_error,
)
from bootguard.config import Settings
from bootguard.errors import ManifestError


def _settings(tmp_path: Path, text: str | None, **more: object) -> Settings:
    if text is not None:
        (tmp_path / "requirements.txt").write_text(text)
    return Settings(root=str(tmp_path), **more)  # type: ignore[arg-type]


def test_a_manifest_drift_and_a_failed_import_are_findings(tmp_path: Path) -> None:
    settings = _settings(tmp_path, "absent-dist-u==1.0\n", imports=("no_such_module_u",))
    report = boot_report(settings, ["unknown setting 'mdoe'"], time.perf_counter(), [])
    keys = {f.key: f.status for f in report.problems}
    assert keys["absent-dist-u:version"] == "fail"
    assert keys["no_such_module_u:import"] == "fail"
    assert keys["bootguard:config"] == "warn"
    assert {"probes", "total"} <= dict(report.timings).keys()


def test_an_unreadable_manifest_is_a_config_finding_and_consistency_is_still_checked(
    tmp_path: Path,
) -> None:
    settings = _settings(tmp_path, "--frobnicate\n", mode="enforce")
    report = boot_report(settings, [], time.perf_counter(), [])
    (config,) = [f for f in report.findings if f.key == "bootguard:config"]
    assert config.status == "fail"  # enforce: a check that could not run fails closed
    assert "unknown option '--frobnicate'" in config.message
    assert report.distributions > 0


def test_no_manifest_found_is_said(tmp_path: Path) -> None:
    report = boot_report(_settings(tmp_path, None), [], time.perf_counter(), [])
    assert [f.message for f in report.findings if f.key == "bootguard:config"] == [
        no_manifest_finding(_settings(tmp_path, None)).message
    ]
    assert "no manifest found in" in no_manifest_finding(_settings(tmp_path, None)).message


def test_recheck_errors_keep_the_verdict_for_ours_and_report_bugs() -> None:
    assert recheck_error(ManifestError("r.txt", "half-written")) is None
    bug = recheck_error(KeyError("x"))
    assert bug is not None and (bug.key, bug.observed) == (
        "bootguard:internal",
        "the re-check: KeyError",
    )
    assert internal_finding("stage", ValueError("v")).cause is not None
    config = config_finding("fail", "cannot read /srv/node7/uv.lock")
    assert config.message == "bootguard configuration: cannot read /srv/node7/uv.lock"
    assert config.observed == "cannot read uv.lock"  # no directory: nodes group together


def test_check_options_carry_the_settings(tmp_path: Path) -> None:
    settings = _settings(tmp_path, "a==1\n", strict=True, ignore=("x",), integrity=("kombu",))
    options = check_options(settings)
    assert [Path(p) for p in options.manifests or ()] == [(tmp_path / "requirements.txt").resolve()]
    assert (options.strict, tuple(options.ignore), options.integrity) == (True, ("x",), ("kombu",))
    assert check_options(settings, []).manifests == ()
