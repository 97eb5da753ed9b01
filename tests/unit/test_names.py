"""Unit tests of bootguard.names: the hand-written canonical_name equals packaging's."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from packaging.utils import canonicalize_name

from bootguard.environment._scan import _canonical
from bootguard.names import canonical_name

NAME = st.from_regex(r"[A-Za-z0-9]([A-Za-z0-9._-]{0,20}[A-Za-z0-9])?", fullmatch=True)


@given(NAME)
def test_canonical_name_equals_packaging(name: str) -> None:
    assert canonical_name(name) == canonicalize_name(name) == _canonical(name)
