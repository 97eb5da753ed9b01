"""Unit tests of bootguard._text: one-line escaping of untrusted text."""

from __future__ import annotations

import pytest


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
