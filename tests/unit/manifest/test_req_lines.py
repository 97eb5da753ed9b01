"""The lines of a requirements file prepared as pip prepares them (pip's own code is the oracle)."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pip._internal.req.req_file import preprocess

from bootguard.errors import ManifestError
from bootguard.manifest._req_lines import _decode, _Line, _logical_lines

#: Text made of what matters to line preparation: continuations, comments, variables.
_text = st.lists(
    st.sampled_from(["a", "b==1", " ", "\t", "#", "\\", "\n", "${HOME}", "${UNSET_VAR}", "x#y"]),
    max_size=25,
).map("".join)


@given(_text)
def test_logical_lines_are_pips_lines(text: str) -> None:
    ours = [(number, content) for number, content, _ in _logical_lines(text) if content]
    assert ours == list(preprocess(text))


def test_comments_and_continuations_keep_the_first_line_number() -> None:
    text = "msgbus==4.1.0 \\\n  --hash=sha256:ab  # pinned\n\n# only a comment\nx#not-a-comment\n"
    assert _logical_lines(text) == [
        (1, "msgbus==4.1.0   --hash=sha256:ab", "# pinned"),
        (3, "", ""),
        (4, "", "# only a comment"),
        (5, "x#not-a-comment", ""),
    ]


def test_variables_expand_after_comments_and_unset_ones_stay(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("INDEX_TOKEN", "a #b")
    monkeypatch.delenv("NOT_SET_HERE", raising=False)
    ((_, content, _),) = _logical_lines("x @ https://${INDEX_TOKEN}@h/${NOT_SET_HERE}/$HOME/%PATH%")
    assert content == "x @ https://a #b@h/${NOT_SET_HERE}/$HOME/%PATH%"


@pytest.mark.parametrize(
    "data",
    [
        codecs.BOM_UTF8 + "caf\u00e9==1\n".encode(),
        codecs.BOM_UTF16_LE + "caf\u00e9==1\n".encode("utf-16-le"),
        codecs.BOM_UTF32_BE + "caf\u00e9==1\n".encode("utf-32-be"),
        "# -*- coding: latin-1 -*-\ncaf\u00e9==1\n".encode("latin-1"),
        "#!shebang\n# vim: set fileencoding=latin-1 :\ncaf\u00e9==1\n".encode("latin-1"),
    ],
)
def test_decoding_follows_the_bom_then_a_coding_comment(data: bytes) -> None:
    assert _decode(data, "r.txt").endswith("caf\u00e9==1\n")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"a==1\nb\xff==2\n", r"^r\.txt:2: not UTF-8 text$"),
        (b"# coding: no-such-codec\n", r"^r\.txt:1: unknown encoding 'no-such-codec'$"),
        (b"# coding: rot13\n", r"^r\.txt:1: unknown encoding 'rot13'$"),
    ],
)
def test_undecodable_text_is_one_error_with_its_line(data: bytes, message: str) -> None:
    with pytest.raises(ManifestError, match=message):
        _decode(data, "r.txt")


def test_a_line_knows_where_it_comes_from() -> None:
    line = _Line(Path("/srv/r.txt"), "r.txt", 7)
    assert line.origin == "r.txt:7"
    assert str(line.error("bad")) == "r.txt:7: bad"
