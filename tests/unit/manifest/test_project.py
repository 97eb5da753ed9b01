"""The project being deployed: found from its pyproject or from where it was installed from."""

from __future__ import annotations

from pathlib import Path

import pytest

from bootguard.manifest.project import declared_project, find_projects, load_pyproject
from tests.unit.conftest import Site


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ({"project": {"name": "My_App", "version": "1.0"}}, ("my-app", "1.0")),
        ({"project": {"name": "app", "version": "1.0", "dynamic": ["version"]}}, ("app", None)),
        ({"tool": {"poetry": {"name": "poet", "version": "2.0"}}}, ("poet", "2.0")),
        ({"tool": {"poetry": {"name": "poet", "package-mode": False}}}, None),
        ({"project": {"name": " "}}, None),
        ({"tool": "x"}, None),
    ],
)
def test_declared_project(
    document: dict[str, object], expected: tuple[str, str | None] | None
) -> None:
    found = declared_project(document, "pyproject.toml")
    assert (None if found is None else (found.name, found.version)) == expected


def test_load_pyproject_is_none_for_anything_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    assert load_pyproject(path) is None
    path.write_text("[project\n")
    assert load_pyproject(path) is None
    path.write_text("[project]\nname = 'x'\n")
    assert load_pyproject(path) == {"project": {"name": "x"}}


def test_the_project_is_found_by_its_pyproject_or_its_install_directory(tmp_path: Path) -> None:
    checkout = tmp_path / "checkout"
    (checkout / "requirements").mkdir(parents=True)
    manifest = checkout / "requirements" / "prod.txt"
    site = Site(tmp_path / "site", tmp_path / "wheels")
    site.install(
        "myapp", "1.0", direct_url={"url": checkout.as_uri(), "dir_info": {"editable": True}}
    )
    site.install("other", "2.0")
    distributions = site.environment().distributions
    (project,) = find_projects([manifest], distributions)
    assert (project.name, project.reason) == ("myapp", f"installed from {checkout}")
    assert project.note == f"myapp 1.0 is the project itself (installed from {checkout})"
    (checkout / "pyproject.toml").write_text("[project]\nname = 'other'\n")
    by_pyproject = find_projects(
        [manifest], distributions, pyprojects=[checkout / "pyproject.toml"]
    )
    assert [p.name for p in by_pyproject] == ["myapp", "other"]
    assert find_projects([], distributions) == ()
