"""Is the installed version acceptable: packaging's answer, pre-releases in range allowed."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from bootguard.checks.specifiers import parse_version, plain_version, satisfies

_version = st.lists(st.integers(min_value=0, max_value=20), min_size=1, max_size=3).map(
    lambda parts: ".".join(map(str, parts))
)
_operator = st.sampled_from(["==", "!=", ">=", "<=", ">", "<", "~="])


@given(version=_version, operator=_operator, bound=_version)
def test_satisfies_is_packagings_contains_with_prereleases(
    version: str, operator: str, bound: str
) -> None:
    if operator == "~=" and "." not in bound:
        bound += ".0"  # ~= needs two release components
    spec = f"{operator}{bound}"
    expected = SpecifierSet(spec).contains(Version(version), prereleases=True)
    assert satisfies(version, spec) is expected
    assert satisfies(version, SpecifierSet(spec)) is expected


def test_prereleases_locals_and_arbitrary_equality() -> None:
    assert satisfies("2.0rc1", ">=1.0") is True
    assert satisfies("2.1.0+cpu", "==2.1.0") is True
    assert satisfies("2.1.0", "==2.1.0+cpu") is False
    assert satisfies("Weird-1", "===weird-1") is True
    assert satisfies("1.0", "") is True


def test_undecidable_is_none() -> None:
    assert satisfies("not a version", ">=1") is None
    assert satisfies("1.0", ">=>1") is None
    assert parse_version("banana") is None and parse_version("1.0") == Version("1.0")


@given(st.text(max_size=12))
def test_plain_version_never_accepts_what_packaging_refuses(text: str) -> None:
    if plain_version(text):
        assert parse_version(text) is not None
