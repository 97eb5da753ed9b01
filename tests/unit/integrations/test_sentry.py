"""The boot event's fields: one issue per drift, never per node; tags and message bounded."""

from __future__ import annotations

import pytest

from bootguard.integrations.sentry import event_fields, fingerprint
from bootguard.report import Finding, ManifestInfo, Report
from tests.unit.conftest import finding, report_of

LOCK = ManifestInfo("/srv/app/uv.lock", "uv.lock", "ab" * 32, 12)
DRIFT = finding("msgbus", "version", "fail", expected="4.1.0", observed="4.2.0")


def _node(*findings: Finding, python: str = "3.11.9", executable: str = "/a/bin/python") -> Report:
    return report_of(
        *findings,
        manifests=(LOCK,),
        python=python,
        executable=executable,
        timings=(("total", 12.5),),
    )


def test_two_nodes_with_the_same_drift_share_a_fingerprint_and_another_drift_does_not() -> None:
    first = _node(DRIFT, finding("taskq", "version", "pass", "ok"))
    second = _node(DRIFT, python="3.11.4", executable="/b/bin/python")
    other = _node(finding("msgbus", "version", "fail", expected="4.1.0", observed="4.3.0"))
    assert fingerprint(first) == fingerprint(second)
    assert fingerprint(first) != fingerprint(other)
    assert fingerprint(first)[:2] == ["bootguard", LOCK.digest[:12]]
    assert fingerprint(report_of(DRIFT))[1] == "no-manifest"


@pytest.mark.parametrize(("status", "level"), [("fail", "error"), ("warn", "warning")])
def test_level_follows_the_status(status: str, level: str) -> None:
    fields = event_fields(_node(finding(status=status)), "enforce")
    assert fields["level"] == level
    assert fields["tags"]["bootguard.status"] == status
    assert fields["tags"]["bootguard.mode"] == "enforce"
    assert fields["message"] == f"bootguard: environment check {status}: msgbus:version"


def test_a_passing_report_is_an_info_event_without_problems() -> None:
    fields = event_fields(_node(finding(status="pass")), "warn")
    assert (fields["message"], fields["level"]) == ("bootguard: pass", "info")
    assert fields["context"]["problem_count"] == 0
    assert fields["context"]["findings"] == []
    assert fields["tags"]["bootguard.fingerprint"] == "none"


def test_dist_tags_name_distributions_only() -> None:
    fields = event_fields(
        _node(
            DRIFT,
            finding("taskq", "requires", "warn"),
            finding("python", "python", "fail"),
            finding("environment", "files", "fail"),
            finding("bootguard", "internal", "fail"),
            finding("app.main", "import", "fail"),
            finding("x" * 40, "version", "fail"),  # a tag key Sentry would truncate
        ),
        "warn",
    )
    dist_tags = {key: value for key, value in fields["tags"].items() if key.startswith("dist.")}
    assert dist_tags == {"dist.msgbus": "4.2.0", "dist.taskq": "requires"}


def test_tags_message_and_context_stay_bounded_for_a_huge_drift() -> None:
    findings = [finding(f"dist{i:03}", observed="9" * 500) for i in range(80)]
    fields = event_fields(_node(*findings), "warn")
    dist_tags = [key for key in fields["tags"] if key.startswith("dist.")]
    assert len(dist_tags) == 20
    assert all(len(fields["tags"][key]) == 200 for key in dist_tags)
    assert fields["message"].endswith(", dist004:version and 75 more")
    assert len(fields["context"]["findings"]) == 50
    assert fields["context"]["problem_count"] == 80


def test_the_context_carries_what_an_operator_needs() -> None:
    fields = event_fields(_node(DRIFT), "warn")
    context = fields["context"]
    assert context["manifests"] == [LOCK.path]
    assert context["manifest_digest"] == LOCK.digest[:12]
    assert context["findings"] == [
        {
            "key": "msgbus:version",
            "status": "fail",
            "message": DRIFT.message,
            "expected": "4.1.0",
            "observed": "4.2.0",
            "details": [],
        }
    ]
    assert fields["fingerprint"] == fingerprint(_node(DRIFT))
