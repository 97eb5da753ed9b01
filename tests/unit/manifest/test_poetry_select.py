"""Selecting from a lock-version 2.1 poetry.lock: groups and per-group markers."""

from __future__ import annotations

from typing import Any

import pytest

from bootguard.errors import ManifestError
from bootguard.manifest._lock import Markers
from bootguard.manifest._poetry_select import (
    _check_extras,
    _check_groups,
    _declared_groups,
    _Package,
    _select_by_markers,
    _State,
)
from tests.unit.conftest import selection

PACKAGES = [
    _Package(0, "core", "1.0", {"groups": ["main"]}),
    _Package(1, "winonly", "1.0", {"groups": ["main"], "markers": 'sys_platform == "win32"'}),
    _Package(2, "pytest", "8.0", {"groups": ["Dev"], "markers": {"dev": 'extra == "t"'}}),
    _Package(3, "redis", "5.0", {"groups": ["main"], "markers": 'extra == "cache"'}),
]


def _chosen(
    groups: set[str],
    extras: frozenset[str] = frozenset(),
    pyproject: dict[str, Any] | None = None,
    **markers: str,
) -> list[str]:
    chosen = selection(**markers)
    state = _State("poetry.lock", chosen, Markers(chosen.marker_env, "poetry.lock"), list(PACKAGES))
    return [package.name for package, _ in _select_by_markers(state, groups, extras, pyproject)]


def test_a_package_is_selected_when_a_selected_groups_marker_holds() -> None:
    assert _chosen({"main"}, sys_platform="linux") == ["core"]
    assert _chosen({"main"}, sys_platform="win32") == ["core", "winonly"]
    assert _chosen({"main", "dev"}, frozenset({"t", "cache"}), sys_platform="linux") == [
        "core",
        "pytest",
        "redis",
    ]
    assert _chosen({"main", "dev"}, sys_platform="linux") == ["core"]


def test_an_unknown_group_is_refused_unless_the_pyproject_declares_it() -> None:
    with pytest.raises(ManifestError, match=r"no dependency group 'docs' \(groups: dev, main\)"):
        _chosen({"main", "docs"})
    assert _chosen(
        {"main", "docs"}, pyproject={"dependency-groups": {"Docs": []}}, sys_platform="linux"
    ) == ["core"]


def test_declared_groups_from_every_pyproject_form() -> None:
    pyproject = {
        "tool": {"poetry": {"group": {"Lint_X": {}}, "dev-dependencies": {}}},
        "dependency-groups": {"docs": []},
    }
    assert _declared_groups(pyproject) == {"lint-x", "dev", "docs"}
    assert _declared_groups({"tool": "x"}) == set()


def test_checks_name_what_exists() -> None:
    _check_groups({"main"}, set(), "p")
    _check_extras(frozenset(), set(), "p")
    with pytest.raises(ManifestError, match=r"no extra 'x' in the project \(extras: none\)"):
        _check_extras(frozenset({"x"}), set(), "p")
    assert PACKAGES[2].key == "package[2]"
