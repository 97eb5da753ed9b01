"""Unreadable metadata: a failure when the manifest names the distribution, else a warning."""

from __future__ import annotations

from bootguard.checks.metadata import check_metadata
from tests.unit.conftest import Site, requirements


def test_broken_metadata_fails_when_named_and_warns_otherwise(site: Site) -> None:
    for name in ("named", "other"):
        meta = site.install(name, "1.0")
        (meta / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\n\n")
    site.install("fine", "1.0")
    found = check_metadata([requirements("named==1.0\n")], site.environment())
    assert [(f.key, f.status) for f in found] == [
        ("named:metadata", "fail"),
        ("other:metadata", "warn"),
    ]
    assert found[0].message == "named (named-1.0.dist-info): METADATA has no Version"


def test_a_version_that_is_no_version_is_reported(site: Site) -> None:
    meta = site.install("odd", "1.0")
    text = (meta / "METADATA").read_text().replace("Version: 1.0", "Version: banana")
    (meta / "METADATA").write_text(text)
    (found,) = check_metadata([], site.environment())
    assert found.observed == "Version 'banana' is not a valid version (PEP 440)"
    assert check_metadata([], Site(site.path.parent / "empty", site.wheels).environment()) == []
