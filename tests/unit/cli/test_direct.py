"""The options of the full check without argparse: exactly what argparse parses."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bootguard import config
from bootguard.cli.direct import check_namespace
from bootguard.cli.fast import plain_check
from bootguard.cli.parser import build_parser


@pytest.fixture(autouse=True)
def _plain(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No setting applies: no pyproject.toml above, no BOOTGUARD_* variable."""
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith("BOOTGUARD_"):
            monkeypatch.delenv(name)


@pytest.mark.parametrize(
    "args",
    [
        ["check"],
        ["check", "-m", "a.txt"],
        ["check", "--manifest=a.txt", "-m", "b.lock", "-q", "-q"],
        ["check", "-m", "requirements.txt", "--no-seal", "--no-seal"],
        ["check", "--strict", "--allow-empty", "--no-default-groups", "--quiet"],
        ["check", "--ignore", " a, b ", "--extra", "x", "--ignore", "c", "--group", "dev"],
        ["check", "--group", ",", "--no-default-groups", "--extra", "x,y", "--extra", "z"],
        ["check", "-m", ""],
    ],
)
def test_the_options_are_argparse_s(args: list[str]) -> None:
    plain = plain_check(args)
    assert plain is not None
    made = check_namespace(plain)
    assert made is not None
    assert vars(made) == vars(build_parser().parse_args(args))


def test_a_value_the_setting_refuses_is_left_to_argparse(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(value: object, from_env: bool) -> tuple[str, ...]:
        raise ValueError("no")

    monkeypatch.setitem(config.SETTINGS, "ignore", refuse)
    plain = plain_check(["check", "--ignore", "a"])
    assert plain is not None
    assert check_namespace(plain) is None
    other = plain_check(["check", "--extra", "a"])
    assert other is not None and check_namespace(other) is not None  # only that option
