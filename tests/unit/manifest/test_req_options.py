"""Requirements-file options parsed as pip's option parser reads them."""

from __future__ import annotations

from pathlib import Path

import pytest

from bootguard.errors import ManifestError
from bootguard.manifest._req_lines import _Line
from bootguard.manifest._req_options import (
    _check_options,
    _first_option,
    _long_option,
    _split_hashes,
    _tokens,
)

WHERE = _Line(Path("r.txt"), "r.txt", 4)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("--requirement=base.txt", ("--requirement", "base.txt")),
        ("-r base.txt", ("-r", "base.txt")),
        ("-rbase.txt", ("-r", "base.txt")),
        ("-e app @ file:///src/app", ("-e", "app @ file:///src/app")),
        ("--index-url=https://i x", ("--index-url", "https://i x")),
    ],
)
def test_first_option_and_its_value(line: str, expected: tuple[str, str]) -> None:
    assert _first_option(line) == expected


def test_an_unambiguous_prefix_stands_for_the_long_option() -> None:
    assert _long_option("--extra-index") == "--extra-index-url"
    assert _long_option("--no-") == "--no-"  # ambiguous: kept, then refused as unknown
    assert _long_option("-i") == "-i"


def test_further_options_must_be_known_and_includes_stand_alone() -> None:
    _check_options(WHERE, ["-i", "https://i", "--pre", "--trusted-host=h", "-fhttps://f", "stray"])
    with pytest.raises(ManifestError, match=r"^r\.txt:4: unknown option '--frobnicate'$"):
        _check_options(WHERE, ["--frobnicate"])
    with pytest.raises(ManifestError, match="-r must be on a line of its own"):
        _check_options(WHERE, ["--pre", "-rbase.txt"])


def test_quoted_options_are_split_like_a_shell_and_bad_quoting_is_an_error() -> None:
    assert _tokens(WHERE, "-C 'a=b c' --pre") == ["-C", "a=b c", "--pre"]
    assert _tokens(WHERE, "--pre  --no-index") == ["--pre", "--no-index"]
    with pytest.raises(ManifestError, match="cannot split options"):
        _tokens(WHERE, "-C 'open")


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("msgbus==4.1.0", ("msgbus==4.1.0", ())),
        (
            "msgbus==4.1.0 --hash=sha256:aa --hash sha256:bb",
            ("msgbus==4.1.0", ("sha256:aa", "sha256:bb")),
        ),
        ("msgbus==4.1.0 --has=sha256:aa --pre", ("msgbus==4.1.0", ("sha256:aa",))),
        ("msgbus==4.1.0 -C 'k=v w' --hash=sha256:aa", ("msgbus==4.1.0", ("sha256:aa",))),
        ("pkg-a==1\t--global-option x", ("pkg-a==1", ())),
    ],
)
def test_split_hashes_keeps_the_requirement_and_collects_hashes(
    line: str, expected: tuple[str, tuple[str, ...]]
) -> None:
    assert _split_hashes(WHERE, line) == expected


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("msgbus==1 --hash=sha256", r"malformed --hash 'sha256' \(want algo:hex\)"),
        ("msgbus==1 --hash=:ab", "malformed --hash"),
        ("msgbus==1 --bogus=1", "unknown per-requirement option '--bogus=1'"),
    ],
)
def test_bad_per_requirement_options_are_errors(line: str, message: str) -> None:
    with pytest.raises(ManifestError, match=message):
        _split_hashes(WHERE, line)
