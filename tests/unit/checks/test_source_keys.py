"""Unit tests of bootguard.checks.source_keys: how repositories compare."""

from __future__ import annotations

import pytest

from bootguard.checks.sources import repository_key


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
