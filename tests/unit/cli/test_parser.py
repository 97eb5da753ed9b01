"""The command line: every subcommand's options, and bad values as one usage error."""

from __future__ import annotations

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
