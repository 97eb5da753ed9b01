"""Untrusted text as one printable line."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from bootguard._text import one_line


@given(st.text())
def test_the_result_is_one_printable_line(text: str) -> None:
    line = one_line(text)
    assert not [c for c in line if unicodedata.category(c) in ("Cc", "Cs", "Zl", "Zp")]
    assert not [c for c in line if c in "\u200e\u200f" or "\u202a" <= c <= "\u202e"]


@given(st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cf", "Cs", "Zl", "Zp"))))
def test_printable_text_is_unchanged(text: str) -> None:
    assert one_line(text) == text


def test_escapes_read_like_python() -> None:
    assert one_line("a\nb\r\tc\x1b[2J") == "a\\nb\\r\\tc\\x1b[2J"
    assert one_line("\u202eevil") == "\\u202eevil"
    assert one_line(b"caf\xff".decode("utf-8", "surrogateescape")) == "caf\\xff"
    assert one_line("\ud800") == "\\ud800"
