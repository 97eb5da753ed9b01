"""Unit tests of bootguard.checks.sources against what real installers recorded."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bootguard.checks.sources import verify
from bootguard.environment.direct_url import read_direct_url as _direct_url
from bootguard.environment.model import Distribution
from bootguard.manifest import Selection, read_manifest

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
