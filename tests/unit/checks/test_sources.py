"""Installed from the source the manifest records: commits, archives, directories."""

from __future__ import annotations

import json

from bootguard.checks.sources import check_sources, resolve_unnamed, verify
from tests.unit.conftest import Site, requirements

COMMIT, OTHER = "a" * 40, "b" * 40


def _vcs(commit: str) -> dict[str, object]:
    return {"url": "https://h/org/lib.git", "vcs_info": {"vcs": "git", "commit_id": commit}}


def test_the_locked_commit_passes_and_another_commit_fails(site: Site) -> None:
    site.install("lib", "1.0", direct_url=_vcs(OTHER))
    manifest = requirements(f"lib @ git+https://h/org/lib.git@{COMMIT}\n")
    _, findings = check_sources([manifest], site.environment())
    (found,) = [f for f in findings if f.status != "pass"]
    assert (found.key, found.status) == ("lib:source", "fail")
    assert COMMIT[:7] in (found.expected or "") and OTHER[:7] in (found.observed or "")
    (entry,) = manifest.entries
    assert entry.source is not None
    (site.path / "lib-1.0.dist-info" / "direct_url.json").write_text(json.dumps(_vcs(COMMIT)))
    dist = site.environment().get("lib")
    assert dist is not None
    assert verify(entry, entry.source, dist) is None


def test_an_index_install_of_a_vcs_entry_is_reported(site: Site) -> None:
    site.install("lib", "1.0")  # from an index: no direct_url.json
    manifest = requirements(f"lib @ git+https://h/org/lib.git@{COMMIT}\n")
    _, findings = check_sources([manifest], site.environment())
    assert [f.key for f in findings if f.status != "pass"] == ["lib:source"]


def test_an_unnamed_url_is_named_from_what_was_installed_from_it(site: Site) -> None:
    site.install("lib", "1.0", direct_url=_vcs(COMMIT))
    manifest = requirements(f"git+https://h/org/lib.git@{COMMIT}\n")
    assert [e.name for e in manifest.unnamed] == [""]
    named, findings = resolve_unnamed([manifest], site.environment())
    assert [e.name for e in named[0].entries] == ["lib"] and findings == []
    unmatched = requirements("git+https://h/org/other.git@v1\n")
    _, warnings = resolve_unnamed([unmatched], site.environment())
    assert [f.status for f in warnings] == ["warn"]
