"""pyproject.toml as a manifest: specifier mode, extras, PEP 735 groups, the project itself.

pyproject.toml as a manifest: declared dependencies, extras and groups, specifier mode.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bootguard.errors import ManifestError
from bootguard.manifest import Manifest
from bootguard.manifest.pyproject import read_pyproject
from tests.support.locks import LOCKS, read_lock
from tests.unit.conftest import demo_lock, refusal, selection

PYPROJECT = LOCKS / "uv" / "pyproject.toml"


def _read(path: Path = PYPROJECT, **selection: Any) -> Manifest:
    return read_lock(path, **selection)


def test_specifiers_markers_extras_groups() -> None:
    manifest = _read()
    assert not manifest.complete and manifest.format == "pyproject"
    assert manifest.requires_python == ">=3.10"
    required = {e.name: e.specifier for e in manifest.entries if not e.constraint}
    assert required == {"python-dateutil": ">=2.8", "typing-extensions": ">=4.6"}
    windows = {e.name for e in _read(platform="win32", python="3.10.1").entries}
    assert {"colorama", "exceptiongroup"} <= windows
    full = {e.name for e in _read(extras=("speedups",), groups=("dev",)).entries}
    assert {"attrs", "iniconfig"} <= full
    origin = next(e.origin for e in manifest.entries if e.name == "typing-extensions")
    assert origin == f"{PYPROJECT}: project.dependencies[1]"


def test_the_project_is_accounted_for_but_not_required() -> None:
    (root,) = [e for e in _read(extras=("speedups",)).entries if e.constraint]
    assert (root.name, root.specifier, root.extras) == (
        "demo-app",
        "==0.1.0",
        frozenset({"speedups"}),
    )


def test_include_group_and_its_cycles(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text(
        '[project]\nname = "x"\nversion = "1"\ndependencies = []\n'
        '[dependency-groups]\ntest = ["pytest>=8", {include-group = "Lint"}]\n'
        'lint = ["ruff"]\nloop-a = [{include-group = "loop-b"}]\n'
        'loop-b = [{include-group = "loop-a"}]\n'
    )
    names = {e.name for e in _read(path, groups=("test",)).entries if not e.constraint}
    assert names == {"pytest", "ruff"}
    with pytest.raises(ManifestError, match="include each other"):
        _read(path, groups=("loop-a",))
    with pytest.raises(ManifestError, match="no dependency group 'docs'"):
        _read(path, groups=("docs",))


@pytest.mark.parametrize(
    ("text", "key", "message"),
    [
        ("[tool.poetry]\nname = 'x'\n", "project", "no [project] table"),
        ("[project]\nname = 'x'\ndynamic = ['dependencies']\n", "project.dynamic", "dynamic"),
        ("[project]\ndependencies = ['ok', 'not a req!']\n", "project.dependencies[1]", "invalid"),
        ("[project]\ndependencies = 'x'\n", "project.dependencies", "expected an array"),
    ],
)
def test_errors(tmp_path: Path, text: str, key: str, message: str) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text(text)
    with pytest.raises(ManifestError) as caught:
        _read(path)
    assert caught.value.key == key and message in caught.value.message


def test_unknown_extra(tmp_path: Path) -> None:
    with pytest.raises(ManifestError, match="no extra 'gpu'"):
        _read(extras=("gpu",))


def test_declared_dependencies_with_markers_extras_and_groups() -> None:
    newer = demo_lock("uv/pyproject.toml")
    assert newer == {
        "demo-app": "==0.1.0",
        "python-dateutil": ">=2.8",
        "typing-extensions": ">=4.6",
    }
    assert demo_lock("uv/pyproject.toml", python="3.10.4")["exceptiongroup"] == ">=1.2"
    everything = demo_lock(
        "uv/pyproject.toml", platform="win32", extras=["speedups"], groups=["dev"]
    )
    assert set(everything) - set(newer) == {"attrs", "colorama", "iniconfig"}


def test_a_pyproject_is_not_a_complete_lock(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text(
        '[project]\nname = "app"\ndynamic = ["version"]\ndependencies = ["msgbus>=4"]\n'
    )
    manifest = read_pyproject(path, selection())
    assert (manifest.format, manifest.complete) == ("pyproject", False)
    by_name = {e.name: e.specifier for e in manifest.entries}
    assert by_name == {"msgbus": ">=4", "app": ""}  # the project, at no static version


def test_groups_include_each_other(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text(
        "[project]\ndependencies = []\n[dependency-groups]\n"
        'test = ["pytest"]\ndev = [{include-group = "test"}, "ruff"]\n'
    )
    assert sorted(e.name for e in read_pyproject(path, selection(groups=["dev"])).entries) == [
        "pytest",
        "ruff",
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[project]\ndependencies = "x"\n',
            ": key 'project.dependencies': expected an array, found a string",
        ),
        (
            '[project]\ndependencies = ["x=="]\n',
            ": key 'project.dependencies[0]': invalid requirement 'x=='",
        ),
        (
            '[project]\ndependencies = []\n[dependency-groups]\ndev = [{include-group = "dev"}]\n',
            ": dependency groups include each other: dev -> dev",
        ),
    ],
)
def test_bad_declarations_name_the_key(tmp_path: Path, text: str, message: str) -> None:
    groups = ["dev"] if "dependency-groups" in text else None
    assert refusal(tmp_path, "pyproject.toml", text, groups=groups).startswith(message)
