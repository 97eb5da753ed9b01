"""Version comparison rules that decide between pass and a false alarm (see docs/manifests.md).

Versions against the manifest, and the interpreter against requires-python.
"""

from __future__ import annotations

import pytest

from bootguard.checks.graph import build_graph
from bootguard.checks.specifiers import satisfies
from bootguard.checks.versions import check_python, check_versions, merged_entries
from bootguard.manifest.model import Manifest, ManifestEntry
from bootguard.report import Finding
from tests.unit.conftest import Site, requirements


@pytest.mark.parametrize(
    ("installed", "specifier", "expected"),
    [
        ("1.0", "==1.0.0", True),  # PEP 440 normalization
        ("6.0.0", "==6", True),
        ("2.1.0+cpu", "==2.1.0", True),  # a pin without a local label accepts any label
        ("2.1.0+cu121", "==2.1.0+cpu", False),  # a pinned label is required
        ("2.1.0", "==2.1.0+cpu", False),
        ("2.1.0+cpu", "==2.1.0+cpu", True),
        ("1.0-custom", "===1.0-custom", True),  # arbitrary equality: string comparison
        ("1.0", "===1.0.0", False),
        ("1.0+cpu", "===1.0+CPU", True),  # case-insensitive, as packaging compares it
        ("2.0.0.post1", "===2.0.0.POST1", True),
        ("5.0.0rc1", ">=4,<6", True),  # an installed pre-release inside the range is fine
        ("4.2.0", ">=4.0.2,<5.0", True),
        ("5.0", ">=4.0.2,<5.0", False),
        ("1.0", "", True),
        ("not-a-version", ">=1", None),  # undecidable: reported as such, never guessed
    ],
)
def test_satisfies(installed: str, specifier: str, expected: bool | None) -> None:
    assert satisfies(installed, specifier) is expected


def test_pinned_version_is_only_an_exact_single_pin() -> None:
    assert ManifestEntry("a", "==1.0").pinned_version == "1.0"
    assert ManifestEntry("a", "===1.0-x").pinned_version == "1.0-x"
    assert ManifestEntry("a", "==1.*").pinned_version is None
    assert ManifestEntry("a", ">=1,<2").pinned_version is None
    assert ManifestEntry("a", "").pinned_version is None


def _problems(findings: list[Finding]) -> dict[str, Finding]:
    return {f.key: f for f in findings if f.status != "pass"}


def _check(site: Site, text: str) -> dict[str, Finding]:
    env = site.environment()
    return _problems(check_versions([requirements(text)], env, build_graph(env, {})))


def test_a_drifted_pin_fails_and_explains_who_accepts_it(site: Site) -> None:
    site.install("taskq", "5.0.0", requires=["msgbus>=4,<4.2"])
    site.install("msgbus", "4.2.0")
    drift = _check(site, "taskq==5.0.0\nmsgbus==4.1.0\n")["msgbus:version"]
    assert (drift.status, drift.expected, drift.observed) == ("fail", "4.1.0", "4.2.0")
    assert drift.details == ("taskq 5.0.0 requires msgbus<4.2,>=4: rejects 4.2.0",)


def test_pep440_equal_versions_and_ranges_pass(site: Site) -> None:
    site.install("msgbus", "4.1")
    assert _check(site, "msgbus==4.1.0\n") == {}
    assert _check(site, "msgbus>=4,<5\n") == {}
    assert set(_check(site, "msgbus>=5\n")) == {"msgbus:version"}


def test_a_missing_distribution_and_a_constraint_on_nothing(site: Site) -> None:
    site.install("taskq", "5.0.0")
    problems = _check(site, "taskq==5.0.0\nabsent==1.0\n")
    assert (problems["absent:version"].status, problems["absent:version"].observed) == (
        "fail",
        "missing",
    )
    env = site.environment()
    constraint = Manifest(
        "r.txt", "requirements", (ManifestEntry("absent", "==1.0", constraint=True),), "0" * 64
    )
    assert _problems(check_versions([constraint], env, build_graph(env, {}))) == {}


def test_requires_python_of_manifest_and_distributions(site: Site) -> None:
    site.install("modern", "1.0", requires_python=">=99")
    env = site.environment()
    manifest = Manifest("uv.lock", "uv", (), "0" * 64, requires_python="<3")
    keys = {f.key: f.status for f in check_python([manifest], env) if f.status != "pass"}
    assert keys == {"python:python": "fail", "modern:python": "fail"}


def test_merged_entries_group_all_manifests_by_name() -> None:
    merged = merged_entries([requirements("a==1\nb>=2\n"), requirements("a<2\n")])
    assert {name: [e.specifier for e in entries] for name, entries in merged.items()} == {
        "a": ["==1", "<2"],
        "b": [">=2"],
    }
