"""One manifest resolution: the given paths, else the discovered one, else a note."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bootguard.manifest.resolve import no_manifest_message, resolve


def test_given_manifests_are_taken_as_they_are_even_when_empty(tmp_path: Path) -> None:
    given = resolve(["a.txt", Path("b.lock")], tmp_path)
    assert (given.paths, given.discovered, given.note) == (
        (Path("a.txt"), Path("b.lock")),
        False,
        None,
    )
    assert resolve([], tmp_path).paths == ()
    assert resolve([], tmp_path).note is None  # nothing asked: nothing to say


def test_discovery_finds_one_or_says_that_none_was_found(tmp_path: Path) -> None:
    found = resolve(None, tmp_path)
    assert (found.paths, found.discovered) == ((), True)
    assert found.note == no_manifest_message(tmp_path)
    (tmp_path / "uv.lock").write_text("")
    assert resolve(None, tmp_path).paths == (tmp_path / "uv.lock",)


def test_absolute_fixes_the_paths_against_a_later_chdir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    fixed = resolve(["req.txt"], absolute=True)
    assert fixed.paths == (tmp_path.resolve() / "req.txt",)


def test_the_no_manifest_message_names_the_absolute_directory() -> None:
    message = no_manifest_message(".")
    assert message.startswith(f"no manifest found in {os.path.abspath('.')}:")
    assert "only the environment's own consistency" in message
