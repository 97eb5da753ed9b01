"""Unit tests of tests.support.wheels: names and metadata text, without pip."""

from __future__ import annotations

import pytest

from tests.support.wheels import (
    dist_info_dir,
    escape_name,
    metadata_text,
    wheel_filename,
)


@pytest.mark.parametrize(
    ("name", "escaped"),
    [
        ("zope.interface", "zope_interface"),
        ("typing_extensions", "typing_extensions"),
        ("Foo--Bar._baz", "foo_bar_baz"),
        ("PyGreet", "pygreet"),
    ],
)
def test_escape_name_follows_the_wheel_spec(name: str, escaped: str) -> None:
    assert escape_name(name) == escaped
    assert wheel_filename(name, "1.0") == f"{escaped}-1.0-py3-none-any.whl"
    assert dist_info_dir(name, "1.0") == f"{escaped}-1.0.dist-info"


def test_metadata_text_without_extras_or_python() -> None:
    text = metadata_text("msgbus", "4.1.0")
    assert "Requires-Python" not in text
    assert "Requires-Dist" not in text
    assert text.endswith("\n\n")
