"""Unit tests of bootguard.errors."""

from __future__ import annotations

from bootguard.errors import ManifestError


def test_manifest_error_keeps_the_reason_line_of_a_multi_line_message() -> None:
    err = ManifestError("a\nb.txt", "Expected end\n    foo bar\n        ^")
    assert str(err) == "a\\nb.txt: Expected end"
