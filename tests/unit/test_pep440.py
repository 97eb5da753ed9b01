"""``bootguard._pep440``: its version and specifier decisions equal packaging's wherever it
decides (it answers None for anything else, and packaging then decides).

The corpus holds every version, specifier and Requires-Python of the two benchmark
environments; an exhaustive grid covers pre, post and dev releases; hypothesis generates the
rest.  The helpers live with the requirement-line tests in ``test_pep508``.
"""

from __future__ import annotations

from hypothesis import given, settings
from packaging.requirements import Requirement as PRequirement
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from bootguard._pep440 import contains, normal_pin
from bootguard.checks.specifiers import plain_version, satisfies
from tests.unit.test_pep508 import (
    CORPUS,
    _assert_contains_agrees,
    _packaging_contains,
    specifiers,
    versions,
)


def test_every_corpus_version_against_every_corpus_specifier() -> None:
    specs = sorted({str(PRequirement(line).specifier) for line in CORPUS["requires_dist"]})
    versions = CORPUS["versions"]
    decided = total = 0
    for spec in specs:
        for version in versions:
            total += 1
            decided += _assert_contains_agrees(version, spec)
    assert decided >= 0.98 * total, (decided, total)


def test_every_requires_python_against_many_pythons() -> None:
    pythons = ["2.7.18", "3.6.15", "3.8.10", "3.9.0", "3.10.12", "3.11.7", "3.12.1", "3.13.0"]
    pythons += ["3.13.0rc2", "3.14.0a1", "3.12.0.post1", "3.11.dev3", "4.0"]
    for spec in CORPUS["requires_python"]:
        for python in pythons:
            _assert_contains_agrees(python, spec)
            assert satisfies(python, spec) == _packaging_contains(python, spec), (python, spec)


def test_every_operator_around_pre_post_and_dev_releases() -> None:
    """Exhaustive over a small universe where PEP 440's exclusive-bound rules bite."""
    releases = ["0", "1", "1.0", "1.0.0", "2", "2.0", "1.1"]
    suffixes = ["", "a0", "b1", "rc1", ".post0", ".post1", ".dev0", ".dev1", "a0.dev0"]
    suffixes += [".post1.dev0", "rc1.post1", "-1", "RC2", "+cpu"]
    universe = [r + s for r in releases for s in suffixes]
    decided = 0
    for op in ("<", ">", "<=", ">=", "==", "!=", "~="):
        for target in universe:
            for version in universe:
                decided += _assert_contains_agrees(version, op + target)
    assert decided > 20000


@settings(max_examples=600, deadline=None)
@given(versions(), specifiers())
def test_generated_versions_and_specifiers_agree(version: str, spec: str) -> None:
    _assert_contains_agrees(version, spec)
    if contains(version, spec) is not None:
        assert satisfies(version, spec) is contains(version, spec)


@settings(max_examples=300, deadline=None)
@given(versions())
def test_generated_pins_agree(version: str) -> None:
    if plain_version(version):
        Version(version)  # must not raise
    _assert_contains_agrees(version, f"=={version}")
    pin = normal_pin(f"=={version}")
    if pin is not None:
        assert pin == str(SpecifierSet(f"=={version}"))
