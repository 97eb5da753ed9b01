"""Locks written by the real uv and Poetry read the same through the subset reader.

The subset reader (:mod:`bootguard.manifest._lock_subset`) must return exactly the document
``tomllib`` reads after the readers' regex blanking.  The fixtures in ``tests/data`` are a
few locks; here uv and Poetry (pinned, from :mod:`tests.support.tools`) lock projects with
what makes their output vary: markers, extras, dependency groups, path, wheel-file, git and
workspace sources, offline from tiny local wheels and a local git repository.  Each lock
must be read by the subset reader (not declined: this is the text it exists for) into the
reference document, and the lock readers must select the same thing either way.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import tomllib

from bootguard.environment.inventory import current_environment
from bootguard.manifest import _lock_subset, _toml, poetry, uvlock
from bootguard.manifest._lock import _newlines
from bootguard.manifest._lock_skip import POETRY, POETRY_2_1, UV, Layout
from bootguard.manifest._lock_subset import read_subset
from bootguard.manifest.model import Selection
from tests.support.gitrepo import make_repo
from tests.support.tools import cache_dir, run_tool, tool, tool_env
from tests.support.venvs import make_venv
from tests.support.wheels import build_editable_project, build_wheel

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(scope="module")
def house(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("house")
    build_wheel(out, "Web_Kit", "2.0", requires=["tinyutil>=1", "colorama; os_name == 'nt'"])
    build_wheel(out, "tinyutil", "1.1")
    build_wheel(out, "colorama", "0.4.6")
    build_wheel(out, "checker", "3.0", extras={"fast": ["tinyutil"]})
    build_wheel(out, "devtool", "1.0", requires=['exceptiongroup; python_version < "3.11"'])
    build_wheel(out, "exceptiongroup", "1.2.2")
    build_wheel(out, "wheelfile", "1.0")
    return out


def _reference(text: str, lines: str, blocks: str | None) -> object:
    text = re.sub(lines, "", text, flags=re.MULTILINE)
    if blocks is not None:
        text = re.sub(blocks, _newlines, text, flags=re.MULTILINE)
    return tomllib.loads(text)


def _assert_read_alike(lock: Path, layout: Layout, lines: str, blocks: str | None) -> None:
    text = lock.read_text(encoding="utf-8")
    document = read_subset(text, layout)
    assert document is not None, text  # the tool's own output is in the subset
    assert repr(document) == repr(_reference(text, lines, blocks))  # types and order too


def _selection() -> Selection:
    env = current_environment([]).marker_env
    return Selection(marker_env=env, extras=frozenset({"speedups"}), groups=frozenset({"dev"}))


def _declined(monkeypatch: pytest.MonkeyPatch) -> None:
    """The lock readers without the subset reader: every lock takes the reference path."""
    monkeypatch.setattr(_lock_subset, "read_subset", lambda text, layout: None)


def test_uv_locks_of_a_workspace_with_every_kind_of_source(
    house: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = make_repo(tmp_path / "repos", "gitpkg", ["1.0", "1.1"])
    build_editable_project(tmp_path / "project" / "packages", "demo-lib", "0.3")
    build_editable_project(tmp_path / "project", "localpkg", "2.0")
    project = build_editable_project(tmp_path, "project", "0.1.0")
    wheel = next(house.glob("wheelfile-*.whl"))
    (project / "pyproject.toml").write_text(
        '[build-system]\nrequires = []\nbuild-backend = "_bootguard_backend"\n'
        'backend-path = ["."]\n\n'
        '[project]\nname = "Demo_App"\nversion = "0.1.0"\nrequires-python = ">=3.10"\n'
        'dependencies = [\n  "Web_Kit>=2",\n  "colorama>=0.4; sys_platform == \'win32\'",\n'
        '  "localpkg", "gitpkg", "wheelfile", "demo-lib",\n]\n\n'
        '[project.optional-dependencies]\nspeedups = ["checker[fast]>=3"]\n\n'
        '[dependency-groups]\ndev = ["devtool"]\n\n'
        '[tool.uv.workspace]\nmembers = ["packages/*"]\n\n'
        "[tool.uv.sources]\n"
        'localpkg = { path = "localpkg", editable = true }\n'
        f'gitpkg = {{ git = "{repo.url}", tag = "v1.1" }}\n'
        f'wheelfile = {{ path = "{wheel}" }}\n'
        "demo-lib = { workspace = true }\n"
    )
    venv = make_venv(tmp_path / "venv")
    env = tool_env(
        {
            "UV_PYTHON": str(venv.python),
            "UV_PYTHON_DOWNLOADS": "never",
            "UV_CACHE_DIR": str(cache_dir("uv")),
            "UV_NO_CONFIG": "1",
        }
    )
    run_tool([tool("uv"), "lock", "--no-index", "--find-links", house], project, env)
    lock = project / "uv.lock"
    text = lock.read_text(encoding="utf-8")
    assert all(f in text for f in ('{ git = "file:', "editable", "wheels = [", "[manifest]"))
    _assert_read_alike(lock, UV, uvlock._ARCHIVE_LINES, uvlock._METADATA_BLOCKS)

    selection = _selection()
    monkeypatch.setattr(_toml, "_compiled_tomli", False)  # the subset reader, not tomli
    fast = uvlock.read_uvlock(lock, selection)
    _declined(monkeypatch)
    assert uvlock.read_uvlock(lock, selection) == fast


def test_poetry_locks_with_markers_extras_groups_paths_and_git(
    house: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = make_repo(tmp_path / "repos", "gitpkg", ["1.0"])
    project = tmp_path / "project"
    build_editable_project(project, "localpkg", "2.0")
    wheels = {p.name.split("-")[0].lower(): p for p in house.glob("*.whl")}
    (project / "pyproject.toml").write_text(
        "[tool.poetry]\npackage-mode = false\n\n"
        '[tool.poetry.dependencies]\npython = ">=3.10"\n'
        f'tinyutil = {{ path = "{wheels["tinyutil"]}" }}\n'
        f'colorama = {{ path = "{wheels["colorama"]}", markers = "sys_platform == \'win32\'" }}\n'
        f'checker = {{ path = "{wheels["checker"]}", optional = true }}\n'
        'localpkg = { path = "localpkg", develop = true }\n'
        f'gitpkg = {{ git = "{repo.url}", tag = "v1.0" }}\n\n'
        '[tool.poetry.extras]\nspeedups = ["checker"]\n\n'
        "[tool.poetry.group.dev.dependencies]\n"
        f'devtool = {{ path = "{wheels["devtool"]}" }}\n'
        f'exceptiongroup = {{ path = "{wheels["exceptiongroup"]}", python = "<3.11" }}\n'
    )
    env = tool_env({"POETRY_CACHE_DIR": str(cache_dir("poetry")), "POETRY_NO_INTERACTION": "1"})
    run_tool([tool("poetry"), "lock"], project, env)
    lock = project / "poetry.lock"
    text = lock.read_text(encoding="utf-8")
    assert 'lock-version = "2.1"' in text and "[package.source]" in text
    _assert_read_alike(lock, POETRY_2_1, poetry._SKIPPED_LINES, poetry._WALK_TABLES)
    _assert_read_alike(lock, POETRY, poetry._SKIPPED_LINES, None)

    selection = _selection()
    monkeypatch.setattr(_toml, "_compiled_tomli", False)  # the subset reader, not tomli
    fast = poetry.read_poetry(lock, selection)
    _declined(monkeypatch)
    assert poetry.read_poetry(lock, selection) == fast
