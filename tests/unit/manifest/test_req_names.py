"""The name of a direct reference: wheel file, #egg=, freeze comment, archive, project."""

from __future__ import annotations

from pathlib import Path

import pytest

from bootguard.manifest._req_lines import _Line
from bootguard.manifest._req_names import (
    _egg,
    _file_url_path,
    _locate,
    _name_of,
    _project_name,
)
from bootguard.manifest._urls import source_from_url


def _name(location: str, tmp_path: Path, comment: str = "") -> tuple[str | None, str | None]:
    where = _Line(tmp_path / "requirements.txt", "requirements.txt", 1)
    return _name_of(where, location, source_from_url(location), comment)


def test_a_wheels_file_name_wins_over_egg(tmp_path: Path) -> None:
    assert _name("https://h/msgbus-4.1.0-py3-none-any.whl#egg=other", tmp_path) == (
        "msgbus",
        "4.1.0",
    )


def test_egg_then_freeze_comment_then_archive_name(tmp_path: Path) -> None:
    assert _name("git+https://h/r.git#egg=Task_Q[redis]>=1", tmp_path) == ("Task_Q", None)
    comment = "# Editable install with no version control (app==0.3)"
    assert _name("/nonexistent/app", tmp_path, comment) == ("app", "0.3")
    assert _name("https://h/taskq-5.0.0.tar.gz", tmp_path) == ("taskq", "5.0.0")
    assert _name("git+https://h/r.git", tmp_path) == (None, None)


def test_a_local_directory_is_named_by_its_project(tmp_path: Path) -> None:
    project = tmp_path / "app"
    project.mkdir()
    (project / "pyproject.toml").write_text('[project]\nname = " my-app "\n')
    assert _name("./app", tmp_path) == ("my-app", None)
    (project / "pyproject.toml").write_text("[project\n")  # broken: fall back to setup.cfg
    (project / "setup.cfg").write_text("[metadata]\nname = legacy-app\n")
    assert _project_name(str(project)) == "legacy-app"
    (project / "setup.cfg").write_bytes(b"[metadata\n\xff")
    assert _project_name(str(project)) is None


def test_egg_takes_the_leading_name_part() -> None:
    assert _egg("x#egg=pkg.name-2==1.0") == "pkg.name-2"
    assert _egg("x#sha256=ab") == ""


FILE_URLS = {
    "file:///srv/app": "/srv/app",
    "file://localhost/srv/app": "/srv/app",
    "file:rel/app": "rel/app",
    "file:///srv/my%20app": "/srv/my app",
    "file://server/share": "//server/share",
}


def test_file_url_path() -> None:
    assert {url: _file_url_path(url) for url in FILE_URLS} == FILE_URLS


def test_locate_tries_the_cwd_then_the_files_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "base" / "lib").mkdir(parents=True)
    monkeypatch.chdir(tmp_path)
    assert _locate("lib", str(tmp_path / "base")) == str(tmp_path / "base" / "lib")
    assert _locate(f"file://{tmp_path}/base", "/x") == str(tmp_path / "base")
    assert _locate("missing", str(tmp_path)) is None
    assert _locate("a\0b", str(tmp_path)) is None
