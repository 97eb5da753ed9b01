"""Duplicates: two versions in one directory fail, a shadowed copy warns, one version is a note."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from bootguard.checks.duplicates import check_duplicates, duplicate_notes, where
from tests.unit.conftest import Site


def _sites(tmp_path: Path) -> tuple[Site, Site]:
    return Site(tmp_path / "first", tmp_path / "w"), Site(tmp_path / "second", tmp_path / "w")


def test_two_versions_in_one_directory_fail(site: Site) -> None:
    site.install("msgbus", "4.1.0")
    site.install("msgbus", "4.2.0")
    (found,) = check_duplicates(site.environment())
    assert (found.key, found.status) == ("msgbus:duplicate", "fail")
    assert "4.1.0" in found.message and "4.2.0" in found.message


def test_a_shadowed_copy_of_another_version_warns(tmp_path: Path) -> None:
    first, second = _sites(tmp_path)
    first.install("msgbus", "4.2.0")
    second.install("msgbus", "4.1.0")
    from bootguard.environment.inventory import current_environment

    env = current_environment([str(first.path), str(second.path)])
    (found,) = check_duplicates(env)
    assert (found.status, found.observed is not None) == ("warn", True)
    assert duplicate_notes(env) == []


def test_a_second_copy_of_the_same_version_is_only_a_note(tmp_path: Path) -> None:
    first, second = _sites(tmp_path)
    first.install("msgbus", "4.1.0")
    second.install("msgbus", "4.1.0")
    from bootguard.environment.inventory import current_environment

    env = current_environment([str(first.path), str(second.path)])
    assert check_duplicates(env) == []
    (note,) = duplicate_notes(env)
    assert "msgbus" in note and "4.1.0" in note


def test_where_names_the_special_path_entries() -> None:
    assert where("") == "the current directory"
    assert where(os.getcwd()) == f"the current directory ({os.getcwd()})"
    assert where("/srv/site-packages") == "/srv/site-packages"
    assert where(sys.path[0]).startswith(("the script directory", "the current directory"))
