"""All checks at once: findings keyed by aspect, ignore applied, consistency without a manifest."""

from __future__ import annotations

from bootguard.checks.runner import run_checks
from tests.unit.conftest import Site, requirements


def _site(site: Site) -> Site:
    site.install("taskq", "5.0.0", requires=["msgbus>=4,<4.2"])
    site.install("msgbus", "4.2.0")
    site.install("stray", "1.0")
    return site


def test_drift_requires_and_extraneous_against_a_lock(site: Site) -> None:
    found = run_checks([requirements("taskq==5.0.0\nmsgbus==4.1.0\n")], _site(site).environment())
    statuses = {f.key: f.status for f in found if f.status != "pass"}
    assert statuses["msgbus:version"] == "fail"
    assert statuses["taskq:requires"] in ("fail", "warn")
    assert "stray:extraneous" in statuses


def test_ignore_and_no_manifest(site: Site) -> None:
    env = _site(site).environment()
    keys = {f.key for f in run_checks([], env) if f.status != "pass"}
    assert "taskq:requires" in keys and not any(k.endswith(":version") for k in keys)
    ignored = run_checks(
        [requirements("taskq==5.0.0\nmsgbus==4.1.0\n")], env, ignore=["msgbus", "stray"]
    )
    assert not [f for f in ignored if f.subject in ("msgbus", "stray") and f.status != "pass"]
