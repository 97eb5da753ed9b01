"""Findings and the Report: status aggregation, stable signatures, the two renderings."""

from __future__ import annotations

import json
import typing

import pytest
from hypothesis import given
from hypothesis import strategies as st

import bootguard.report as report_module
from bootguard.report import (
    ASPECTS,
    STATUSES,
    ManifestInfo,
    Report,
    internal_finding,
    worst_status,
)
from tests.unit.conftest import finding, report_of

_statuses = st.lists(st.sampled_from(STATUSES))


@given(_statuses)
def test_worst_status_is_the_highest_in_pass_warn_fail_order(statuses: list[str]) -> None:
    expected = max(statuses, key=STATUSES.index, default="pass")
    assert worst_status(statuses) == expected  # type: ignore[arg-type]
    assert worst_status(reversed(statuses)) == expected  # type: ignore[arg-type]


@given(_statuses, _statuses)
def test_worst_status_of_a_union_is_the_worst_of_the_parts(a: list[str], b: list[str]) -> None:
    parts = [worst_status(a), worst_status(b)]  # type: ignore[arg-type]
    assert worst_status(a + b) == worst_status(parts)  # type: ignore[arg-type]


def test_worst_status_of_nothing_is_pass_and_an_unknown_status_is_refused() -> None:
    assert worst_status([]) == "pass"
    with pytest.raises(KeyError):
        worst_status(["fatal"])  # type: ignore[list-item]


def test_status_and_problems_come_from_the_findings() -> None:
    ok, warn = finding(status="pass"), finding("taskq", status="warn")
    report = report_of(ok, warn)
    assert report.status == "warn"
    assert report.problems == (warn,)
    assert report_of().status == "pass"
    assert warn.key == "taskq:version"


def test_manifest_digest_is_one_value_per_manifest_set_in_any_order() -> None:
    one = ManifestInfo("a.lock", "uv.lock", "1" * 64, 3)
    two = ManifestInfo("b.txt", "requirements", "2" * 64, 4)
    assert report_of().manifest_digest is None
    assert report_of(manifests=(one,)).manifest_digest == "1" * 12
    both = report_of(manifests=(one, two)).manifest_digest
    assert both == report_of(manifests=(two, one)).manifest_digest
    assert both is not None and len(both) == 12 and both not in ("1" * 12, "2" * 12)


def test_drift_signature_ignores_host_timing_order_and_passing_findings() -> None:
    a, b = finding("msgbus", observed="4.2.0"), finding("taskq", "requires", "warn")
    first = report_of(a, b, python="3.11", executable="/x", timings=(("t", 1.0),))
    second = report_of(b, finding(status="pass"), a, python="3.12", executable="/y")
    assert first.drift_signature() == second.drift_signature()
    assert first.drift_signature() != report_of(a).drift_signature()
    assert report_of(finding(status="pass")).drift_signature() == ""


def test_health_json_anonymous_holds_the_status_only() -> None:
    assert report_of(finding()).to_health_json(detailed=False) == {"status": "fail"}


def test_health_json_groups_checks_by_key_and_is_json() -> None:
    a = finding(expected="4.1.0", observed="4.2.0", details=("why",), time_ms=1.23456)
    b = finding("app", "import", "pass", "imported")
    doc = report_of(a, b, distributions=7, notes=("n",), installed=(("msgbus", "4.2.0"),))
    data = json.loads(json.dumps(doc.to_health_json()))
    assert data["status"] == "fail"
    assert data["checks"]["msgbus:version"] == [
        {
            "status": "fail",
            "componentType": "distribution",
            "output": a.message,
            "observedValue": "4.2.0",
            "expectedValue": "4.1.0",
            "details": ["why"],
            "durationMs": 1.235,
        }
    ]
    assert data["checks"]["app:import"][0]["componentType"] == "module"
    assert (data["notes"], data["installed"]) == (["n"], {"msgbus": "4.2.0"})
    assert "7 distributions checked" in data["output"]


def test_text_lists_problems_worst_first_then_one_summary_line() -> None:
    report = report_of(
        finding("taskq", "requires", "warn", "taskq needs x"),
        finding("msgbus", "version", "fail", "drifted", details=("detail line",)),
        finding("ok", status="pass"),
        notes=("a note",),
    )
    lines = report.to_text().splitlines()
    assert lines[0].startswith("FAIL  msgbus:version") and lines[0].endswith("drifted")
    assert lines[1].strip() == "detail line"
    assert lines[2].startswith("WARN  taskq:requires")
    assert lines[3].startswith("bootguard: fail - ")
    assert len(lines) == 4
    assert "note: a note" in report.to_text(verbose=True)
    assert "\x1b[31mFAIL\x1b[0m" in report.to_text(color=True)
    assert "\x1b" not in report.to_text()


def test_text_neutralizes_control_characters_from_untrusted_fields() -> None:
    hostile = finding("evil\x1b]0;x\x07", message="line\nforged: pass", details=("\r\x1b[2J",))
    text = report_of(hostile).to_text()
    assert "\x1b" not in text and "\r" not in text
    assert len(text.splitlines()) == 3


def test_internal_finding_names_the_stage_and_type_but_no_path_or_message_in_observed() -> None:
    try:
        raise ValueError("bad value in /srv/node7/file\nsecond line " + "x" * 400)
    except ValueError as err:
        found = internal_finding("reading /srv/node7/uv.lock", err)
    assert (found.key, found.status, found.cause.__class__) == (
        "bootguard:internal",
        "fail",
        ValueError,
    )
    assert found.observed == "reading uv.lock: ValueError"
    assert found.message.startswith("internal error in reading /srv/node7/uv.lock: ValueError: ")
    assert found.message.endswith("...") and "\n" not in found.message
    assert found.details[0].startswith("raised at test_report.py:")


def test_the_status_and_aspect_types_name_exactly_the_tuples() -> None:
    assert typing.get_args(report_module.Status) == STATUSES
    assert typing.get_args(report_module.Aspect) == ASPECTS
    with pytest.raises(AttributeError, match="no attribute 'Verdict'"):
        report_module.Verdict  # noqa: B018


def test_a_report_is_immutable() -> None:
    report: Report = report_of(finding())
    with pytest.raises(AttributeError):
        report.python = "3.13"  # type: ignore[misc]
