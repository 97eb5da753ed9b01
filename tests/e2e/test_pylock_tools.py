"""pylock.toml files written by the real tools, read with and without packaging.

A generated project with every feature the fast reader must get right or leave alone:
markers, an extra, a dependency group, a VCS, a directory and an archive requirement, names
that need normalizing.  ``pip lock``, ``uv export --format pylock.toml`` and
``uv pip compile --format pylock.toml`` lock it offline from the test wheelhouse, and every
lock is read for several interpreters (Python, platform, machine), extras and groups: the
fast reader's Manifest equals packaging's, or it declines.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from bootguard.manifest._toml import load_toml
from tests.support.gitrepo import make_repo
from tests.support.pylock_diff import (
    SELECTIONS,
    same_as_tomllib,
    same_or_declined,
    selection_for,
)
from tests.support.tools import cache_dir, run_tool, tool, tool_env
from tests.support.venvs import clean_env
from tests.support.wheels import build_editable_project


def _project(root: Path, wheelhouse: Path) -> Path:
    """``Demo_Proj``: index, VCS, directory and archive requirements, an extra, a group."""
    repo = make_repo(root / "repos", "gitproj", ["1.0"])
    # inside the project: pip lock writes a directory as a path relative to it
    local = root / "Demo_Proj" / "libs" / "localproj"
    archive = (wheelhouse / "pygreet-2.0.1-py3-none-any.whl").as_uri()
    requires = [
        "webapp==1.0",
        "zope.interface>=6; sys_platform != 'win32'",
        "Typing_Extensions>=4; python_version < '3.13'",
        f"PyGreet @ {archive}",
        f"gitproj @ git+{repo.url}@v1.0",
        f"localproj @ {local.as_uri()}",
    ]
    extras = {"speedups": ["fastjson>=2"]}
    project = build_editable_project(root, "Demo_Proj", "0.1.0", requires=requires, extras=extras)
    build_editable_project(local.parent, "localproj", "2.0")
    listed = ", ".join(f'"{r}"' for r in requires)
    with (project / "pyproject.toml").open("a") as pyproject:
        pyproject.write(
            f'requires-python = ">=3.9"\ndependencies = [{listed}]\n\n'
            '[project.optional-dependencies]\nspeedups = ["fastjson>=2"]\n\n'
            '[dependency-groups]\ndev = ["brokenimport==1.0"]\n'
        )
    return project


@pytest.fixture(scope="module")
def locks(tmp_path_factory: pytest.TempPathFactory, wheelhouse: Path) -> dict[str, Path]:
    """The project's pylock files, by the command that wrote them."""
    root = tmp_path_factory.mktemp("pylock-tools")
    project = _project(root, wheelhouse)
    offline = ["--no-index", "--find-links", str(wheelhouse)]
    pip = [sys.executable, "-m", "pip", "lock", "-q", *offline]
    made = {
        "pip lock -e .[speedups]": [*pip, "-e", ".[speedups]", "-o", "pylock.pipextra.toml"],
        "pip lock . --group dev": [*pip, ".", "--group", "dev", "-o", "pylock.pipgroup.toml"],
    }
    for command in made.values():
        run_tool(list(command), project, clean_env(), timeout=300)
    uv_env = tool_env(
        {"UV_PYTHON": sys.executable, "UV_PYTHON_DOWNLOADS": "never",
         "UV_CACHE_DIR": str(cache_dir("uv")), "UV_NO_CONFIG": "1"}
    )  # fmt: skip
    run_tool([tool("uv"), "lock", *offline], project, uv_env)
    uv = {
        "uv export": ["export", "--frozen", "--format", "pylock.toml", "-o", "pylock.uvexport.toml"],
        "uv export --all-extras --all-groups": [
            "export", "--frozen", "--format", "pylock.toml", "--all-extras", "--all-groups",
            "-o", "pylock.uvall.toml",
        ],
        "uv pip compile --universal --extra speedups": [
            "pip", "compile", "pyproject.toml", "--universal", "--format", "pylock.toml",
            "--extra", "speedups", *offline, "-o", "pylock.uvcompile.toml",
        ],
    }  # fmt: skip
    for command in uv.values():
        run_tool([tool("uv"), *command], project, uv_env)
    return {name: project / str(command[-1]) for name, command in {**made, **uv}.items()}


def test_every_lock_reads_the_same_without_packaging(locks: dict[str, Path]) -> None:
    answered: dict[str, int] = {}
    for name, path in locks.items():
        data = path.read_bytes()
        assert same_as_tomllib(data) is name.startswith("pip"), name  # pip's TOML shape
        document = load_toml(data, str(path))
        extras = frozenset(document.get("extras", ()))
        groups = frozenset(document.get("dependency-groups", ()))
        selections = [
            *SELECTIONS,
            *(selection_for(p, "3.12.4", extras=extras, groups=groups) for p in ("linux", "win32")),
            selection_for("linux", "3.11.7", groups=frozenset()),
        ]
        answered[name] = sum(same_or_declined(document, s, str(path)) for s in selections)
    # what these tools write is all in the common forms: read without packaging every time
    assert set(answered.values()) == {len(selections)}, answered


def test_the_locks_hold_the_sources_and_markers_to_compare(locks: dict[str, Path]) -> None:
    """The differential above is worth something only if the locks hold these forms."""
    text = "\n".join(path.read_text() for path in locks.values())
    for form in ("vcs", "directory", "archive", "editable = true", "marker", "sys_platform"):
        assert form in text, form
