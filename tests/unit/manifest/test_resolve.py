"""One manifest resolution: the given paths, else the discovered one, else a note."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bootguard.manifest.resolve import no_manifest_message, resolve, resolve_paths


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


@pytest.mark.parametrize(
    "given",
    [
        ["./a//b/", "~/x.txt", "../up.lock", ".", "", "//net/r.txt", "\udcffname.txt"],
        [Path("sub/r.txt"), "sub/r.txt/"],
        None,
    ],
)
@pytest.mark.parametrize("absolute", [False, True])
def test_resolve_paths_gives_str_of_what_resolve_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, given: list[str | Path] | None, absolute: bool
) -> None:
    (tmp_path / "real" / "sub").mkdir(parents=True)
    (tmp_path / "real" / "sub" / "r.txt").write_text("")
    (tmp_path / "real" / "requirements.txt").write_text("")
    (tmp_path / "linked").symlink_to(tmp_path / "real")
    monkeypatch.chdir(tmp_path / "linked")  # a symlinked working directory
    public = resolve(given, absolute=absolute)
    ours = resolve_paths(given, absolute=absolute)
    assert ours.paths == tuple(str(p) for p in public.paths)
    assert all(type(p) is str for p in ours.paths)
    assert (ours.discovered, ours.root, ours.note) == (
        public.discovered,
        str(public.root),
        public.note,
    )
    assert all(isinstance(p, Path) for p in public.paths)  # the public form is unchanged
