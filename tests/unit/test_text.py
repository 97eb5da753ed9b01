"""Unit tests of bootguard._text: one-line escaping of untrusted text.

Untrusted text as one printable line.
"""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bootguard._text import one_line


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("fake 1.0\x1b]0;pwned\x07\x1b[2J", "fake 1.0\\x1b]0;pwned\\x07\\x1b[2J"),
        ("a\r\nb\tc", "a\\r\\nb\\tc"),
        ("del\x7f c1\x85\x9b", "del\\x7f c1\\x85\\x9b"),
        ("caf\udce9", "caf\\xe9"),  # a surrogate-escaped byte shows as the byte
        ("lone\ud800", "lone\\ud800"),
        ("rtl\u202eexe.txt", "rtl\\u202eexe.txt"),
        ("plain café 1.0 ✓", "plain café 1.0 ✓"),
    ],
)
def test_one_line_escapes_what_drives_a_terminal(raw: str, shown: str) -> None:
    from bootguard._text import one_line

    assert one_line(raw) == shown
    assert one_line(raw).isprintable()
    shown.encode("utf-8")  # always encodable


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
