"""TOML loading: a broken file is one ManifestError with its line."""

from __future__ import annotations

import pytest

from bootguard.errors import ManifestError
from bootguard.manifest._toml import load_toml


def test_valid_toml_is_the_document() -> None:
    assert load_toml(b'[a]\nb = [1, "x"]\n', "f.toml") == {"a": {"b": [1, "x"]}}


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"a = 1\nb = \n", r"^f\.toml:2: invalid TOML: .*\(column \d+\)$"),
        (b"a = [1,", r"^f\.toml(:1)?: invalid TOML: .*"),
        (b"a = 1\n\xff = 2\n", r"^f\.toml:2: not UTF-8 text$"),
        (b"a = " + b"[" * 5000 + b"]" * 5000, r"^f\.toml(:1)?: invalid TOML: .*"),
    ],
)
def test_a_broken_file_is_one_line_naming_where(data: bytes, expected: str) -> None:
    with pytest.raises(ManifestError, match=expected) as caught:
        load_toml(data, "f.toml")
    assert "\n" not in str(caught.value)
