"""Direct references read as pip reads them: schemes, fragments, revisions, lock sources."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bootguard.manifest._urls import (
    commit_like,
    fragment,
    is_archive,
    is_url,
    local_source,
    lock_base,
    looks_like_path,
    name_from_filename,
    pipfile_source,
    poetry_source,
    source_from_url,
    split_revision,
    url_scheme,
    uv_source,
)
from bootguard.manifest.model import Source

COMMIT = "a" * 40
_segment = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_.", min_size=1, max_size=12)


def test_schemes_urls_and_paths_as_pip_tells_them_apart() -> None:
    assert url_scheme("Git+HTTPS://h/r") == "git+https"
    assert url_scheme("msgbus==1") is None
    assert is_url("https://h/x.whl") and is_url("git+ssh://h/r") and not is_url("c:/x")
    assert looks_like_path("./app") and looks_like_path("..") and looks_like_path("a\\b")
    assert not looks_like_path("msgbus")
    assert is_archive("x-1.0.TAR.GZ#egg=x") and is_archive("x.whl") and not is_archive("x.git")
    assert commit_like(COMMIT) and commit_like("0" * 64)
    assert not commit_like("a" * 39) and not commit_like("g" * 40) and not commit_like(None)


def test_fragment_parameters_first_one_wins_and_values_run_to_the_next_ampersand() -> None:
    assert fragment("https://h/x.zip") == ("https://h/x.zip", {})
    assert fragment("https://h/x.zip#egg=x&subdirectory=a/b#egg=y&sha256=ff") == (
        "https://h/x.zip",
        {"egg": "x", "subdirectory": "a/b#egg=y", "sha256": "ff"},
    )


@given(
    repo=st.lists(_segment, min_size=1, max_size=3).map("/".join),
    revision=_segment,
    user=st.sampled_from(["", "git@", "u:p@"]),
)
def test_split_revision_takes_the_last_at_of_the_path_only(
    repo: str, revision: str, user: str
) -> None:
    url = f"https://{user}host.example/{repo}"
    assert split_revision(f"{url}@{revision}") == (url, revision)
    assert split_revision(url) == (url, None)


def test_split_revision_of_scp_like_addresses() -> None:
    assert split_revision("git@host:org/repo.git@v1") == ("git@host:org/repo.git", "v1")
    assert split_revision("git@host") == ("git@host", None)
    assert split_revision("https://h/r?x=1@a") == ("https://h/r?x=1@a", None)


def test_source_from_url_for_vcs_archive_and_file_urls() -> None:
    vcs = source_from_url(f"git+https://h/r.git@{COMMIT}#subdirectory=pkg", editable=True)
    assert vcs == Source("vcs", "https://h/r.git", "git", COMMIT, COMMIT, (), "pkg", True)
    tag = source_from_url("git+https://h/r.git@v1")
    assert (tag.requested_revision, tag.commit) == ("v1", None)
    archive = source_from_url("https://h/x-1.0.tar.gz#sha256=ab&md5=cd", hashes=("sha1:ee",))
    assert archive == Source(
        "archive", "https://h/x-1.0.tar.gz", hashes=("sha1:ee", "sha256:ab", "md5:cd")
    )
    local = source_from_url("file:///src/app#subdirectory=sub", base="/b")
    assert local == Source("directory", "file:///src/app", subdirectory="sub", base="/b")


def test_local_source_is_an_archive_only_when_it_ends_like_one() -> None:
    assert local_source("./dist/x-1.0-py3-none-any.whl").kind == "archive"
    assert local_source("../app", editable=True).kind == "directory"
    assert local_source("../app#sha256=ab").url == "../app#sha256=ab"  # a path keeps its '#'


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://h/msgbus-4.1.0-py3-none-any.whl", ("msgbus", "4.1.0")),
        ("./dist/Task_Q-5.0.0.tar.gz#sha256=ab", ("task-q", "5.0.0")),
        ("https://h/pyRXP-1.16-daily-unix.tar.gz", (None, None)),
        ("https://h/download/", (None, None)),
    ],
)
def test_name_from_filename(url: str, expected: tuple[str | None, str | None]) -> None:
    assert name_from_filename(url) == expected


def test_lock_base_is_the_locks_own_directory(tmp_path: Path) -> None:
    assert lock_base(tmp_path / "uv.lock") == str(tmp_path)
    assert lock_base("uv.lock") == os.getcwd()


def test_uv_sources() -> None:
    git = uv_source({"git": f"https://h/r.git?tag=v1&subdirectory=s#{COMMIT}"}, "/b")
    assert git == Source("vcs", "https://h/r.git", "git", "v1", COMMIT, subdirectory="s")
    assert uv_source({"url": "https://h/x.whl"}, "/b") == Source("archive", "https://h/x.whl")
    editable = uv_source({"editable": "app"}, "/b")
    assert editable == Source("directory", "app", editable=True, base="/b")
    assert uv_source({"registry": "https://pypi.org/simple"}, "/b") is None
    assert uv_source({"virtual": "."}, "/b") is None


def test_poetry_sources() -> None:
    git = poetry_source(
        {
            "type": "git",
            "url": "https://h/r.git",
            "reference": "main",
            "resolved_reference": COMMIT,
        },
        "/b",
        develop=False,
    )
    assert git == Source("vcs", "https://h/r.git", "git", "main", COMMIT)
    directory = poetry_source({"type": "directory", "url": "../lib"}, "/b", develop=True)
    assert directory == Source("directory", "../lib", editable=True, base="/b")
    file = poetry_source({"type": "file", "url": "x.whl"}, "/b", develop=True, hashes=("sha256:a",))
    assert file == Source("archive", "x.whl", hashes=("sha256:a",), base="/b")
    assert poetry_source({"type": "legacy", "url": "https://idx"}, "/b", develop=False) is None


def test_pipfile_sources() -> None:
    git = pipfile_source({"git": "git+https://h/r.git@v1", "ref": COMMIT}, "/b", editable=False)
    assert git == Source("vcs", "https://h/r.git", "git", COMMIT, COMMIT)
    path = pipfile_source({"path": "./app"}, "/b", editable=True)
    assert path == Source("directory", "./app", editable=True, base="/b")
    assert pipfile_source({"version": "==1"}, "/b", editable=False) is None
