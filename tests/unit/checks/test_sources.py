"""Unit tests of bootguard.checks.sources against what real installers recorded.

Installed from the source the manifest records: commits, archives, directories.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from bootguard.checks.sources import check_sources, resolve_unnamed, verify
from bootguard.environment.direct_url import read_direct_url as _direct_url
from bootguard.environment.model import Distribution
from bootguard.manifest import Selection, read_manifest
from tests.unit.conftest import Site, requirements

UV_GIT = Path(__file__).resolve().parents[2] / "data" / "uv_git"


def _recorded(tmp_path: Path, name: str, version: str, recorded: str) -> Distribution:
    """The distribution with the ``direct_url.json`` a real installer wrote (a fixture file)."""
    meta = tmp_path / recorded / f"{name}-{version}.dist-info"
    meta.mkdir(parents=True)
    shutil.copyfile(UV_GIT / recorded, meta / "direct_url.json")
    direct_url, editable, origin = _direct_url(str(meta))
    return Distribution(
        name, name, version, str(meta.parent), str(meta), direct_url=direct_url,
        editable=editable, origin=origin,
    )  # fmt: skip


def test_uv_lock_sources_against_what_uv_and_pip_recorded(tmp_path: Path) -> None:
    """uv's git (``?tag=...#commit``), path and directory sources, from real uv output."""
    from packaging.markers import default_environment

    marker_env = {k: str(v) for k, v in default_environment().items()}
    manifest = read_manifest(UV_GIT / "uv.lock", Selection(marker_env=marker_env))
    sources = {e.name: e.source for e in manifest.entries}
    git = sources["gitpkg"]
    assert git is not None and (git.kind, git.requested_revision) == ("vcs", "v1.0")
    assert git.commit == "b5d4309f45fa0007932261e6c0115914e4c93c0b"
    assert sources["arcpkg"] is not None and sources["arcpkg"].kind == "archive"
    assert sources["dirpkg"] is not None and sources["dirpkg"].kind == "directory"
    synced = {
        name: _recorded(tmp_path, name, "1.0", f"direct_url.uv-sync.{name}.json")
        for name in ("arcpkg", "dirpkg", "gitpkg")
    }
    for name, dist in synced.items():
        entry = next(e for e in manifest.entries if e.name == name)
        assert entry.source is not None
        assert verify(entry, entry.source, dist) is None, name  # what uv sync installed
    drifted = _recorded(tmp_path, "gitpkg", "1.1", "direct_url.pip-v1.1.gitpkg.json")
    entry = next(e for e in manifest.entries if e.name == "gitpkg")
    assert entry.source is not None
    finding = verify(entry, entry.source, drifted)
    assert finding is not None and (finding.key, finding.status) == ("gitpkg:source", "fail")
    assert finding.observed == "19b15c8d1316aa8d81debe2282615941f7360e1f"


@pytest.mark.parametrize(
    ("lock", "name", "path"),
    [
        ("pipenv/Pipfile.lock", "demo-app", "."),
        ("pip-lock/pylock.toml", "demo-app", "."),
        ("uv/uv.lock", "demo-app", "."),
        ("uv-workspace/uv.lock", "demo-lib", "packages/demo-lib"),
    ],
)
def test_real_locks_record_their_editable_project_as_a_directory_source(
    lock: str, name: str, path: str
) -> None:
    from packaging.markers import default_environment

    marker_env = {k: str(v) for k, v in default_environment().items()}
    locks = Path(__file__).resolve().parents[2] / "data" / "locks"
    manifest = read_manifest(locks / lock, Selection(marker_env=marker_env))
    source = next(e.source for e in manifest.entries if e.name == name)
    assert source is not None
    assert (source.kind, source.url, source.editable) == ("directory", path, True)
    assert source.base == str((locks / lock).parent)


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
