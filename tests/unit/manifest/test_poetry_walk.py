"""Walking a Poetry 1 lock from the pyproject: each edge's conditions for this interpreter."""

from __future__ import annotations

from typing import Any

import pytest

from bootguard.errors import ManifestError
from bootguard.manifest._lock import Markers
from bootguard.manifest._poetry_select import _Package, _State
from bootguard.manifest._poetry_walk import _Dependency, _from_pep508, _from_poetry, _Walk
from tests.unit.conftest import selection

LOCKED = [
    _Package(
        0,
        "app-lib",
        "2.0",
        {"dependencies": {"helper": {"version": ">=1", "markers": 'sys_platform == "win32"'}}},
    ),
    _Package(1, "helper", "1.5", {}),
    _Package(2, "old", "0.1", {}),
    _Package(3, "extra-dep", "3.0", {}),
]
PYPROJECT = {
    "tool": {
        "poetry": {
            "dependencies": {
                "python": "^3.10",
                "App_Lib": "^2",
                "old": {"version": "*", "python": "<3.11"},
                "extra-dep": {"version": "*", "optional": True},
            },
            "extras": {"more": ["extra-dep"]},
        }
    }
}


def _walk(
    extras: frozenset[str] = frozenset(), pyproject: dict[str, Any] = PYPROJECT, **markers: str
) -> list[str]:
    chosen = selection(**markers)
    state = _State("poetry.lock", chosen, Markers(chosen.marker_env, "poetry.lock"), list(LOCKED))
    for package in LOCKED:
        state.by_name.setdefault(package.name, []).append(package)
    return [p.name for p, _ in _Walk(state, pyproject, "pyproject.toml").run({"main"}, extras)]


def test_the_walk_follows_only_edges_that_hold_here() -> None:
    assert _walk(python_full_version="3.11.4", python_version="3.11", sys_platform="linux") == [
        "app-lib"
    ]
    assert _walk(python_full_version="3.10.2", python_version="3.10", sys_platform="win32") == [
        "app-lib",
        "helper",
        "old",
    ]
    assert _walk(
        frozenset({"more"}),
        python_full_version="3.11.4",
        python_version="3.11",
        sys_platform="linux",
    ) == ["app-lib", "extra-dep"]


def test_a_dependency_the_lock_does_not_have_is_an_error_not_a_guess() -> None:
    stale = {"project": {"dependencies": ["missing-dist>=1"]}}
    with pytest.raises(
        ManifestError, match="'missing-dist' is required but the lock does not list it"
    ):
        _walk(pyproject=stale)


def test_dependency_forms() -> None:
    assert _from_poetry("A_B", "^1", "p", "k") == [_Dependency("a-b", "^1", key="k")]
    both = _from_poetry(
        "x", [{"version": "1", "python": "<3"}, {"version": "2", "platform": "linux"}], "p", "k"
    )
    assert [(d.constraint, d.python, d.platform, d.key) for d in both] == [
        ("1", "<3", None, "k[0]"),
        ("2", None, "linux", "k[1]"),
    ]
    assert _from_pep508("Pytest[Cov] (>=6) ; os_name == 'posix'", "p", "k") == _Dependency(
        "pytest", ">=6", 'os_name == "posix"', extras=frozenset({"cov"}), key="k"
    )
    with pytest.raises(ManifestError, match=r"key 'k\.optional': expected true or false"):
        _from_poetry("x", {"optional": "yes"}, "p", "k")
    with pytest.raises(ManifestError, match="key 'k': invalid requirement"):
        _from_pep508("x ==", "p", "k")
