"""The source check against real installs: real git repositories, real pip, real archives.

The user story: a team pins a dependency to a git tag or commit, a wheel with its hash, or a
local project, and ships.  When the node runs what the manifest says, ``<dist>:source`` must
stay silent; when it runs another commit, another archive, or a copy from an index, the
check must say so, and ``fail`` only when the code provably differs (another commit, another
hash).  Everything is installed by pip from requirements files, the way teams install.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from bootguard.api import check
from bootguard.checks.sources import check_sources
from bootguard.environment.inventory import inspect_interpreter
from bootguard.manifest import Selection, read_manifest
from bootguard.report import Report
from tests.support.gitrepo import GitRepo, make_repo
from tests.support.venvs import Venv, VenvFactory, clean_env
from tests.support.wheels import build_editable_project, build_wheel

POETRY_SELF = Path(__file__).resolve().parents[1] / "data" / "poetry_self"


def _pip_install_r(venv: Venv, cwd: Path, text: str) -> None:
    """``pip install -r`` a requirements file written in ``cwd``, run from ``cwd`` (as teams do)."""
    requirements = cwd / "install.txt"
    requirements.write_text(text)
    result = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(venv.python), "install", "--no-index",
         "--no-deps", "--no-cache-dir", "--disable-pip-version-check", "-q", "-r",
         str(requirements)],
        capture_output=True, text=True, env=clean_env(), cwd=cwd, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr


def _check(venv: Venv, root: Path, text: str, name: str = "requirements.txt") -> Report:
    manifest = root / name
    manifest.write_text(text)
    return check([manifest], python=str(venv.python), use_seal=False)


def _keys(report: Report) -> dict[str, str]:
    return {f.key: f.status for f in report.findings}


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    return make_repo(tmp_path / "repos", "gitpkg", ["1.0", "1.1"])


@pytest.fixture
def git_venv(tmp_path: Path, repo: GitRepo, venv_factory: VenvFactory) -> Venv:
    venv = venv_factory("git")
    _pip_install_r(venv, tmp_path, f"git+{repo.url}@v1.0#egg=gitpkg\n")
    return venv


def test_a_git_install_matches_its_tag_its_commit_and_other_spellings(
    tmp_path: Path, repo: GitRepo, git_venv: Venv
) -> None:
    recorded = json.loads(
        next(git_venv.site_packages.glob("gitpkg-1.0.dist-info"))
        .joinpath("direct_url.json")
        .read_text()
    )
    assert recorded["vcs_info"]["commit_id"] == repo.commits["1.0"]  # what pip wrote
    commit = repo.commits["1.0"]
    short = next(commit[:n] for n in range(7, 41) if not commit[:n].isdigit())  # not a number
    for line in (
        f"git+{repo.url}@v1.0#egg=gitpkg",
        f"gitpkg @ git+{repo.url}@{commit}",
        f"gitpkg @ git+{repo.url}@{short}",
        f"gitpkg @ git+{repo.url}/@v1.0",  # the same repository, spelled differently
        f"git+{repo.url}@v1.0",  # unnamed: tied to gitpkg by the URL pip recorded
        f"git+{repo.url}@{commit}#egg=gitpkg",
    ):
        report = _check(git_venv, tmp_path, line + "\n")
        assert report.findings == (), (line, report.to_text(verbose=True))


@pytest.mark.parametrize(
    ("revision", "status"),
    [
        ("v1.1", "warn"),  # another tag: maybe the same commit, cannot be told offline
        ("commit", "fail"),  # another commit: the code differs
        ("short", "fail"),  # an abbreviated other commit, as pip resolves it
    ],
)
def test_another_revision_is_reported(
    tmp_path: Path, repo: GitRepo, git_venv: Venv, revision: str, status: str
) -> None:
    commit = repo.commits["1.1"]
    short = next(commit[:n] for n in range(9, 41) if not commit[:n].isdigit())  # hex, not a number
    other = {"v1.1": "v1.1", "commit": commit, "short": short}
    report = _check(git_venv, tmp_path, f"gitpkg @ git+{repo.url}@{other[revision]}\n")
    assert _keys(report) == {"gitpkg:source": status}, report.to_text(verbose=True)
    finding = report.findings[0]
    assert other[revision] in finding.message and "gitpkg 1.0" in finding.message
    if status == "fail":
        assert finding.observed == repo.commits["1.0"]


def test_an_index_install_where_the_manifest_says_git_is_reported(
    tmp_path: Path, repo: GitRepo
) -> None:
    from tests.support.venvs import make_venv

    wheels = tmp_path / "wheels"
    wheels.mkdir()
    build_wheel(wheels, "gitpkg", "1.0")
    venv = make_venv(tmp_path / "index-venv", find_links=[wheels])
    venv.install("gitpkg==1.0")  # by name from an index (no direct_url.json)
    report = _check(venv, tmp_path, f"git+{repo.url}@{repo.commits['1.0']}#egg=gitpkg\n")
    assert _keys(report) == {"gitpkg:source": "warn"}
    assert report.findings[0].observed == "index"
    assert "package index" in report.findings[0].message


def test_an_unnamed_line_that_matches_nothing_is_a_warning(
    tmp_path: Path, repo: GitRepo, git_venv: Venv
) -> None:
    report = _check(git_venv, tmp_path, f"gitpkg @ git+{repo.url}@v1.0\ngit+{repo.url}x@v1\n")
    assert _keys(report) == {"gitpkgx:source": "warn"}, report.to_text(verbose=True)
    assert "no installed distribution records that source" in report.findings[0].message


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_archives_by_hash_by_file_name_and_by_url(
    tmp_path: Path, venv_factory: VenvFactory
) -> None:
    dist = tmp_path / "dist"
    dist.mkdir()
    wheel = build_wheel(dist, "arcpkg", "1.0")
    other = build_wheel(tmp_path, "arcpkg", "1.0", modules={"arcpkg/__init__.py": "X = 2\n"})
    vendor = tmp_path / "vendor"
    vendor.mkdir()
    project = build_editable_project(tmp_path / "src", "oddproj", "1.16")
    odd = vendor / "oddproj-1.16-daily-unix.tar.gz"  # no name/version in the file name
    with tarfile.open(odd, "w:gz") as archive:
        archive.add(project, arcname="oddproj-1.16")
    venv = venv_factory("archives")
    odd_line = f"./vendor/{odd.name} --hash=sha256:{_sha256(odd)}\n"  # unnamed: tied by URL
    good = f"./dist/{wheel.name} --hash=sha256:{_sha256(wheel)}\n" + odd_line
    _pip_install_r(venv, tmp_path, good)
    assert _check(venv, tmp_path, good).findings == ()
    by_url = f"{wheel.as_uri()}#sha256={_sha256(wheel)}\n{odd.as_uri()}\n"
    assert _check(venv, tmp_path, by_url).findings == ()
    # the same file name with other bytes: the installed code is not the locked code
    drift = _check(venv, tmp_path, f"{wheel.as_uri()}#sha256={_sha256(other)}\n" + odd_line)
    assert _keys(drift) == {"arcpkg:source": "fail"}
    assert _sha256(other) in drift.findings[0].message
    assert _sha256(wheel) in drift.findings[0].message
    # another version's archive: the version check and the source check both say so
    newer = _check(venv, tmp_path, "./dist/arcpkg-1.1-py3-none-any.whl\n" + odd_line)
    assert _keys(newer) == {"arcpkg:version": "fail", "arcpkg:source": "warn"}


def test_local_directories_and_editables(tmp_path: Path, venv_factory: VenvFactory) -> None:
    build_editable_project(tmp_path / "libs", "dirpkg", "1.0")
    editable = venv_factory("editable")
    _pip_install_r(editable, tmp_path, "-e ./libs/dirpkg\n")
    plain = venv_factory("plain")
    _pip_install_r(plain, tmp_path, "./libs/dirpkg\n")
    for line in ("-e ./libs/dirpkg", "./libs/dirpkg", f"{(tmp_path / 'libs/dirpkg').as_uri()}"):
        assert _check(editable, tmp_path, line + "\n").findings == (), line
    assert _check(plain, tmp_path, "./libs/dirpkg/\n").findings == ()
    # asked editable, installed plain: the (existing) version warning, no source finding
    assert _keys(_check(plain, tmp_path, "-e ./libs/dirpkg\n")) == {"dirpkg:version": "warn"}
    elsewhere = tmp_path / "elsewhere"
    shutil.copytree(tmp_path / "libs", elsewhere)
    moved = _check(plain, tmp_path, f"{(elsewhere / 'dirpkg').as_uri()}#egg=dirpkg\n")
    assert _keys(moved) == {"dirpkg:source": "warn"}
    assert str(elsewhere / "dirpkg") in moved.findings[0].message


def test_relative_paths_resolve_from_the_current_directory_first(
    tmp_path: Path, venv_factory: VenvFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pip resolves ``./libs/x`` against the cwd, not the requirements file's directory."""
    build_editable_project(tmp_path / "libs", "dirpkg", "1.0")
    venv = venv_factory("cwd")
    _pip_install_r(venv, tmp_path, "./libs/dirpkg\n")
    nested = tmp_path / "deploy"
    nested.mkdir()
    monkeypatch.chdir(tmp_path)
    manifest = nested / "requirements.txt"
    manifest.write_text("./libs/dirpkg\n")
    entries = read_manifest(manifest, Selection(marker_env={})).entries
    assert [e.name for e in entries] == ["dirpkg"]  # found from the cwd, as pip finds it
    assert check([manifest], python=str(venv.python), use_seal=False).findings == ()


def test_poetry_own_lock_pins_poetry_core_from_git(
    tmp_path: Path, venv_factory: VenvFactory
) -> None:
    """Poetry's own lock takes poetry-core from git; an index copy of that version is a finding."""
    from packaging.markers import default_environment

    marker_env = {k: str(v) for k, v in default_environment().items()}
    manifest = read_manifest(POETRY_SELF / "poetry.lock", Selection(marker_env=marker_env))
    core = next(e for e in manifest.entries if e.name == "poetry-core")
    assert core.source is not None and core.source.kind == "vcs"
    assert core.source.commit == "e3998b0e111dc03e4aa721fd054c48e5c7de6fc5"
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    build_wheel(wheels, "poetry-core", core.pinned_version or "")
    from tests.support.venvs import make_venv

    venv = make_venv(tmp_path / "index", find_links=[wheels])
    venv.install(f"poetry-core=={core.pinned_version}")
    _, findings = check_sources([manifest], inspect_interpreter(str(venv.python)))
    assert [(f.key, f.status, f.observed) for f in findings] == [
        ("poetry-core:source", "warn", "index")
    ]
    # the same version built from another commit (a local repository): a proven drift
    repo = make_repo(tmp_path / "repos", "poetry-core", [core.pinned_version or ""])
    from_git = venv_factory("git")
    _pip_install_r(from_git, tmp_path, f"git+{repo.url}@v{core.pinned_version}#egg=poetry-core\n")
    _, findings = check_sources([manifest], inspect_interpreter(str(from_git.python)))
    assert [(f.key, f.status) for f in findings] == [("poetry-core:source", "fail")]
    assert "e3998b0e111dc03e4aa721fd054c48e5c7de6fc5" in findings[0].message


def test_a_broken_direct_url_json_means_no_origin(
    tmp_path: Path, venv_factory: VenvFactory
) -> None:
    """Nested deeper than any real file, not JSON, or a FIFO: no origin, never a crash or hang."""
    build_editable_project(tmp_path / "libs", "dirpkg", "1.0")
    venv = venv_factory("broken")
    _pip_install_r(venv, tmp_path, "./libs/dirpkg\n")
    recorded = next(venv.site_packages.glob("dirpkg-1.0.dist-info")) / "direct_url.json"
    for content in ("[" * 100_000, '{"url": "file:///x", "dir_info": ' + "{" * 5000, "not json"):
        recorded.write_text(content)
        dist = inspect_interpreter(str(venv.python)).get("dirpkg")
        assert dist is not None and dist.origin is None and dist.direct_url is None
    recorded.unlink()
    os.mkfifo(recorded)
    dist = inspect_interpreter(str(venv.python)).get("dirpkg")
    assert dist is not None and dist.origin is None


def test_pip_freeze_of_an_editable_git_install_reads_back_clean(
    tmp_path: Path, repo: GitRepo, venv_factory: VenvFactory
) -> None:
    """pip records ``-e git+...`` as its checkout directory; freeze's line must not alarm."""
    venv = venv_factory("editable-git")
    _pip_install_r(venv, tmp_path, f"-e git+{repo.url}@v1.0#egg=gitpkg\n")
    frozen = venv.pip("freeze", check=True).stdout
    assert f"-e git+{repo.url}@{repo.commits['1.0']}#egg=gitpkg" in frozen
    assert _check(venv, tmp_path, frozen).findings == ()
