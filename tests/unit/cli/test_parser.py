"""The command line: every subcommand's options, and bad values as one usage error."""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios

import pytest

from bootguard.cli.parser import UsageError, build_parser


def test_each_subcommand_parses_its_options() -> None:
    parser = build_parser()
    check = parser.parse_args(
        ["check", "-m", "a.txt", "--manifest", "b.lock", "--json", "--strict"]
    )
    assert (check.command, check.manifest, check.json, check.strict) == (
        "check",
        ["a.txt", "b.lock"],
        True,
        True,
    )
    serve = parser.parse_args(["serve", "--port", "0", "--recheck", "30", "--grace", "0"])
    assert (serve.port, serve.recheck_interval, serve.grace, serve.host) == (
        0,
        30.0,
        0.0,
        "127.0.0.1",
    )
    diff = parser.parse_args(["diff", "a.json", "b.json", "--json"])
    assert (diff.a, diff.b, diff.json) == ("a.json", "b.json", True)
    assert parser.parse_args(["snapshot", "-o", "s.txt"]).output == "s.txt"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["serve", "--port", "70000"], "expected a port number from 0 to 65535, not '70000'"),
        (["serve", "--port", "1", "--recheck", "0"], "between 0 and 3600, not '0'"),
        (["serve", "--port", "1", "--grace", "soon"], "expected a number of seconds, not 'soon'"),
        (["check", "--json", "-q"], "not allowed with argument"),
        (["frobnicate"], "invalid choice"),
        (["serve"], "required: --port"),
    ],
)
def test_a_bad_command_line_is_a_usage_error(args: list[str], message: str) -> None:
    with pytest.raises(UsageError, match=message) as caught:
        build_parser().parse_args(args)
    assert "\n" not in str(caught.value)


_WIDTH = (
    "import shutil, sys; from bootguard.cli.parser import help_width; "
    "sys.stderr.write(f'{help_width()} {shutil.get_terminal_size().columns - 2}')"
)


def _widths(columns: str | None, terminal: int | None) -> list[str]:
    """(help_width(), shutil's columns - 2) in a child whose stdout is a pipe or a pty."""
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    if columns is not None:
        env["COLUMNS"] = columns
    command = [sys.executable, "-c", _WIDTH]
    if terminal is None:
        done = subprocess.run(command, capture_output=True, text=True, env=env, check=True)
        return done.stderr.split()
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, terminal, 0, 0))
    try:
        done = subprocess.run(
            command, stdout=slave, stderr=subprocess.PIPE, text=True, env=env, check=True
        )
    finally:
        os.close(slave)
        os.close(master)
    return done.stderr.split()


@pytest.mark.parametrize("columns", [None, "100", "40", "0", "-5", "wide", "", " 120 "])
@pytest.mark.parametrize("terminal", [None, 123, 0])
def test_help_width_is_shutil_s(columns: str | None, terminal: int | None) -> None:
    """The width argparse would take from shutil.get_terminal_size, without shutil."""
    mine, shutil_s = _widths(columns, terminal)
    assert mine == shutil_s
    assert int(mine) > 0


@pytest.mark.parametrize("columns", [None, "60", "100", "200"])
def test_help_is_what_argparse_s_own_width_gives(
    columns: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every parser's help, with the width given, equals argparse's with shutil's width."""
    if columns is None:
        monkeypatch.delenv("COLUMNS", raising=False)
    else:
        monkeypatch.setenv("COLUMNS", columns)
    parser = build_parser()
    subparsers = [
        action for action in parser._actions if isinstance(action, argparse._SubParsersAction)
    ]
    parsers = [parser, *subparsers[0].choices.values()]
    ours = [p.format_help() for p in parsers]
    monkeypatch.setattr(type(parser), "_get_formatter", argparse.ArgumentParser._get_formatter)
    assert [p.format_help() for p in parsers] == ours
    assert len(parsers) == 5 and all("usage: bootguard" in text for text in ours)
