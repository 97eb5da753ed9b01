"""Poetry's constraint language read as PEP 440: ``^``, ``~``, bare versions, ``||``."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from packaging.version import Version

from bootguard.errors import ManifestError
from bootguard.manifest._poetry_constraints import _allows, _alternatives, _python_allows
from tests.unit.conftest import selection

_release = st.lists(st.integers(min_value=0, max_value=12), min_size=1, max_size=3).map(
    lambda parts: ".".join(map(str, parts))
)


def _caret_upper(version: str) -> Version:
    numbers = [int(p) for p in version.split(".")]
    position = next((i for i, n in enumerate(numbers) if n), len(numbers) - 1)
    return Version(".".join(map(str, [*numbers[:position], numbers[position] + 1])))


@given(bound=_release, candidate=_release)
def test_caret_allows_up_to_the_first_nonzero_component(bound: str, candidate: str) -> None:
    expected = Version(bound) <= Version(candidate) < _caret_upper(bound)
    assert _allows(f"^{bound}", candidate) is expected


@given(first=_release, second=_release, candidate=_release)
def test_or_is_the_union_of_its_alternatives(first: str, second: str, candidate: str) -> None:
    either = _allows(f"^{first} || ~{second}", candidate)
    assert either == (_allows(f"^{first}", candidate) or _allows(f"~{second}", candidate))


@pytest.mark.parametrize(
    ("constraint", "alternatives"),
    [
        ("~1.2", [[">=1.2", "<1.3"]]),
        ("~1", [[">=1", "<2"]]),
        (">= 1.2, <2", [[">=1.2", "<2"]]),
        ("1.2 | =1.3", [["==1.2"], ["==1.3"]]),
        ("*", [[]]),
        ("^x.y", None),
    ],
)
def test_alternatives(constraint: str, alternatives: list[list[str]] | None) -> None:
    assert _alternatives(constraint) == alternatives


def test_allows_is_none_when_it_cannot_tell() -> None:
    assert _allows("^x", "1.0") is None
    assert _allows(">=1", "not a version") is None


@pytest.mark.parametrize(
    ("constraint", "python", "allowed"),
    [
        ("<3.11", "3.11.4", False),  # two components compare against python_version
        (">3.11", "3.11.4", False),
        ("<3.11.5", "3.11.4", True),
        ("^3.10", "3.12.0", True),
        ("~2.7 || >=3.12", "3.11.4", False),
    ],
)
def test_python_conditions_at_poetrys_precision(
    constraint: str, python: str, allowed: bool
) -> None:
    env = selection(python_full_version=python, python_version=python.rsplit(".", 1)[0]).marker_env
    assert _python_allows(constraint, env, "poetry.lock", "package[0]") is allowed


def test_an_unreadable_python_condition_names_its_key() -> None:
    env = selection().marker_env
    with pytest.raises(
        ManifestError, match=r"key 'package\[0\]\.python': cannot read the python constraint '\^x'"
    ):
        _python_allows("^x", env, "poetry.lock", "package[0]")
