"""The sealed fast path: answered from the seal, or None so that argparse decides."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bootguard.cli.fast import plain_check, sealed_check
from bootguard.environment._scan import import_paths
from bootguard.environment.seal import add_seal, environment_key

BODY = b"# bootguard-snapshot: entries=1\nmsgbus==4.1.0\n"


@pytest.fixture
def sealed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "requirements.txt"
    path.write_bytes(add_seal(BODY, environment_key(import_paths()), after_line=1))
    return path


def test_a_matching_seal_passes_without_the_full_check(
    sealed: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert sealed_check(["check"]) == 0
    out = capsys.readouterr().out
    assert (
        out.startswith("bootguard: pass - ") and f"match the sealed snapshot {sealed.name}" in out
    )
    assert sealed_check(["check", "-q", f"--manifest={sealed}"]) == 0
    assert capsys.readouterr().out == ""


def test_a_seal_that_does_not_match_goes_to_the_full_path(sealed: Path) -> None:
    sealed.write_bytes(sealed.read_bytes().replace(b"4.1.0", b"4.2.0"))
    assert sealed_check(["check", "-m", str(sealed)]) is None


@pytest.mark.parametrize(
    "args", [[], ["snapshot"], ["check", "--json"], ["check", "-m", "a", "-m", "b"]]
)
def test_anything_unrecognised_goes_to_argparse(sealed: Path, args: list[str]) -> None:
    assert sealed_check(args) is None


def test_no_snapshot_a_lock_beside_it_or_a_fifo_goes_to_the_full_path(
    sealed: Path, tmp_path: Path
) -> None:
    (tmp_path / "uv.lock").write_text("")
    assert sealed_check(["check"]) is None  # discovery would pick the lock
    os.mkfifo(tmp_path / "fifo")
    assert sealed_check(["check", "-m", str(tmp_path / "fifo")]) is None


@pytest.mark.parametrize(
    "args",
    [
        ["check", "--color", "auto"],  # the e2e tests take argparse's path with it
        ["check", "--help"],
        ["check", "--json"],
        ["check", "-v"],
        ["check", "--python", "/usr/bin/python3"],
        ["check", "--integrity"],
        ["check", "--import", "json"],
        ["check", "--no-strict"],
        ["check", "-m", "-x.txt"],
        ["check", "-m"],
        ["check", "--manifest="],
        ["check", "--man", "a.txt"],  # an abbreviation argparse accepts
        ["check", "-ma.txt"],
        ["check", "--ignore=a"],
        ["check", "--", "-m"],
        ["check", "a.txt"],
    ],
)
def test_the_full_check_without_argparse_is_only_for_plain_forms(
    args: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert plain_check(["check", "-m", "a.txt", "--no-seal"]) == (
        ["a.txt"],
        False,
        {"--no-seal": []},
    )
    assert plain_check(args) is None


def test_a_setting_that_may_apply_leaves_the_command_to_argparse(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BOOTGUARD_STRICT", "1")
    assert plain_check(["check", "-m", "a.txt"]) is None
    monkeypatch.delenv("BOOTGUARD_STRICT")
    (tmp_path / "pyproject.toml").write_text("[tool.bootguard]\nstrict = true\n")
    assert plain_check(["check", "-m", "a.txt"]) is None


def test_no_seal_is_never_answered_from_a_seal(sealed: Path) -> None:
    assert sealed_check(["check", "--no-seal"]) is None
    assert sealed_check(["check"]) == 0
