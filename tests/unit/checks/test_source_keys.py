"""Unit tests of bootguard.checks.source_keys: how repositories compare.

Two spellings of one repository or one local path compare equal; others do not.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bootguard.checks.source_keys import repository_key, same_location
from bootguard.manifest.model import Source


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("https://github.com/org/repo.git", "https://github.com/org/repo"),
        ("ssh://git@github.com/org/repo.git", "https://github.com/org/repo/"),
        ("git@github.com:org/repo.git", "https://user:token@github.com/org/repo"),
        ("ssh://git@github.com:22/Org/Repo", "git://github.com/org/repo.git"),
        ("file:///srv/repos/x/", "file://localhost/srv/repos/x"),
    ],
)
def test_repository_spellings_compare_equal(first: str, second: str) -> None:
    assert repository_key(first) == repository_key(second)


def test_different_repositories_compare_different() -> None:
    assert repository_key("https://github.com/org/repo") != repository_key(
        "https://github.com/org/repo2"
    )
    assert repository_key("https://github.com/org/repo") != repository_key(
        "https://gitlab.com/org/repo"
    )


_part = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_", min_size=1, max_size=10)


@given(org=_part, repo=_part, host=_part)
def test_every_spelling_of_a_repository_has_one_key(org: str, repo: str, host: str) -> None:
    spellings = [
        f"git+https://user@{host}.com/{org}/{repo}.git/",
        f"ssh://git@{host}.com:22/{org}/{repo}",
        f"git@{host}.com:{org}/{repo}.git",
        f"https://{host.upper()}.com/{org}/{repo}#egg=x",
    ]
    assert {repository_key(url) for url in spellings} == {
        f"{host}.com/{org.lower()}/{repo.lower()}"
    }


def test_different_repositories_and_file_urls() -> None:
    assert repository_key("https://h/org/a") != repository_key("https://h/org/b")
    assert repository_key("file:///srv/x/../repo") == "file:/srv/repo"


def test_remote_archives_compare_without_fragment_and_credentials() -> None:
    source = Source("archive", "https://token@h/x-1.0.whl#sha256=ab")
    assert same_location(source, "https://h/x-1.0.whl", loose=False)
    assert not same_location(source, "https://h/x-2.0.whl", loose=False)
    assert not same_location(source, "file:///x-1.0.whl", loose=True)


def test_local_paths_from_the_cwd_the_base_or_loosely_by_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "app").mkdir()
    monkeypatch.chdir(tmp_path)
    recorded = (tmp_path / "app").as_uri()
    assert same_location(Source("directory", "./app"), recorded, loose=False)
    assert same_location(Source("directory", "app", base="/elsewhere"), recorded, loose=False)
    moved = Source("directory", "../checkout/app", base="/elsewhere")
    assert not same_location(moved, recorded, loose=False)
    assert same_location(moved, recorded, loose=True)
    assert not same_location(Source("directory", "../lib"), recorded, loose=True)
    assert same_location(Source("directory", str(tmp_path / "app") + "/"), recorded, loose=False)
