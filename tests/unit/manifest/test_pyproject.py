"""pyproject.toml as a manifest: declared dependencies, extras and groups, specifier mode."""

from __future__ import annotations

from pathlib import Path

import pytest

from bootguard.manifest.pyproject import read_pyproject
from tests.unit.conftest import demo_lock, refusal, selection


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
