"""Prometheus gauges that follow the published verdict."""

from __future__ import annotations

import pytest
from prometheus_client import CollectorRegistry

from bootguard import state
from bootguard.health import metrics
from bootguard.report import ManifestInfo
from tests.unit.conftest import finding, report_of


@pytest.fixture
def registry(monkeypatch: pytest.MonkeyPatch, fresh_state: None) -> CollectorRegistry:
    """Gauges registered afresh in a registry of the test's own."""
    monkeypatch.setattr(metrics, "_gauges", None)
    monkeypatch.setattr(
        metrics, "_series", {"drift": set(), "manifest": set(), "environment": set()}
    )
    fresh = CollectorRegistry()
    metrics.enable(fresh)
    metrics.enable(fresh)  # idempotent
    return fresh


def test_the_gauges_follow_the_verdict(registry: CollectorRegistry) -> None:
    assert registry.get_sample_value("bootguard_ready") == 0.0  # pending
    drift = finding("msgbus", expected="4.1.0", observed="4.2.0")
    report = report_of(
        drift,
        finding("python", "python", "fail"),
        finding("app", "import", "fail"),
        manifests=(ManifestInfo("uv.lock", "uv", "ab" * 32, 3),),
        fingerprint="f" * 16,
    )
    state.publish(report, ready=True)
    assert registry.get_sample_value("bootguard_ready") == 1.0
    assert registry.get_sample_value("bootguard_drifted_distributions") == 1.0
    labels = {"distribution": "msgbus", "expected_version": "4.1.0", "installed_version": "4.2.0"}
    assert registry.get_sample_value("bootguard_distribution_drift_info", labels) == 1.0
    assert (
        registry.get_sample_value("bootguard_manifest_info", {"manifest_sha256": "ab" * 32}) == 1.0
    )


def test_a_resolved_drift_disappears(registry: CollectorRegistry) -> None:
    state.publish(report_of(finding("msgbus", expected="4.1.0", observed="4.2.0")), ready=False)
    state.publish(report_of(finding(status="pass")), ready=True)
    labels = {"distribution": "msgbus", "expected_version": "4.1.0", "installed_version": "4.2.0"}
    assert registry.get_sample_value("bootguard_distribution_drift_info", labels) is None
    assert registry.get_sample_value("bootguard_drifted_distributions") == 0.0
