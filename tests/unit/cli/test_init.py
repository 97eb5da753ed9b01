"""``bootguard``'s entry point: the sealed fast path first, then argparse; errors are one line."""

from __future__ import annotations

import pytest

from bootguard import __version__
from bootguard.cli import main


def test_no_command_prints_help_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "check" in capsys.readouterr().out


@pytest.mark.parametrize("args", [["check", "--bogus"], ["serve", "--port", "x"], ["nonesuch"]])
def test_a_usage_error_is_one_line_and_exit_2(
    args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("bootguard: error: ") and err.count("\n") == 1


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out == f"bootguard {__version__}\n"
