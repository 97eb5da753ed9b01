"""Which packages of a ``poetry.lock`` are installed: the shared parts, and lock-version 2.1.

A 2.1 lock records per package the ``groups`` it belongs to and the ``markers`` under
which it is needed, so selection is what ``poetry install`` does from it: the package is in
a selected group and the marker of one of those groups holds.  Older locks are walked from
the pyproject instead (:mod:`bootguard.manifest._poetry_walk`); both check the requested
groups and extras exist, so a typo is an error rather than an empty selection.
"""

from __future__ import annotations

from bootguard._record import Record
from bootguard.errors import ManifestError
from bootguard.manifest._lock import Markers, array, optional_string, string
from bootguard.manifest.model import Selection
from bootguard.names import canonical_name

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any  # annotations only: importing typing costs a cold boot

_MAIN = "main"


class _Package(Record):
    index: int
    name: str
    version: str
    raw: dict[str, Any]

    @property
    def key(self) -> str:
        return f"package[{self.index}]"


class _State:
    """What selecting from one lock has gathered so far (mutable, one per read)."""

    __slots__ = ("by_name", "display", "markers", "notes", "packages", "selection")

    def __init__(
        self,
        display: str,
        selection: Selection,
        markers: Markers,
        packages: list[_Package] | None = None,
    ) -> None:
        self.display = display
        self.selection = selection
        self.markers = markers
        self.packages: list[_Package] = [] if packages is None else packages
        self.by_name: dict[str, list[_Package]] = {}
        self.notes: list[str] = []


def _check_extras(wanted: frozenset[str], known: set[str], display: str) -> None:
    unknown = sorted(wanted - known)
    if unknown:
        raise ManifestError(
            display,
            f"no extra {', '.join(map(repr, unknown))} in the project "
            f"(extras: {', '.join(sorted(known)) or 'none'})",
        )


def _check_groups(wanted: set[str], known: set[str], display: str) -> None:
    unknown = sorted(wanted - known - {_MAIN})
    if unknown:
        raise ManifestError(
            display,
            f"no dependency group {', '.join(map(repr, unknown))} "
            f"(groups: {', '.join(sorted(known | {_MAIN}))})",
        )


def _select_by_markers(
    state: _State,
    groups: set[str],
    extras: frozenset[str],
    pyproject: dict[str, Any] | None,
) -> list[tuple[_Package, frozenset[str]]]:
    display = state.display
    known: set[str] = set()
    per_package: list[tuple[_Package, list[str]]] = []
    for package in state.packages:
        key = f"{package.key}.groups"
        names = [
            canonical_name(string(g, display, f"{key}[{i}]"))
            for i, g in enumerate(array(package.raw.get("groups"), display, key))
        ]
        known.update(names)
        per_package.append((package, names))
    if pyproject is not None:
        known.update(_declared_groups(pyproject))
    _check_groups(groups, known, display)
    chosen: list[tuple[_Package, frozenset[str]]] = []
    for package, names in per_package:
        active = [g for g in names if g in groups]
        if not active:
            continue
        markers = package.raw.get("markers")
        key = f"{package.key}.markers"
        if isinstance(markers, dict):
            by_group = {canonical_name(g): m for g, m in markers.items()}
            texts = [optional_string(by_group.get(g), display, f"{key}.{g}") for g in active]
        else:
            texts = [optional_string(markers, display, key)]
        if any(state.markers.holds(text, key, extras) for text in texts):
            chosen.append((package, frozenset()))
    return chosen


def _declared_groups(pyproject: dict[str, Any]) -> set[str]:
    tool = pyproject.get("tool")
    poetry = tool.get("poetry") if isinstance(tool, dict) else None
    names: set[str] = set()
    if isinstance(poetry, dict):
        if isinstance(poetry.get("group"), dict):
            names.update(canonical_name(g) for g in poetry["group"])
        if "dev-dependencies" in poetry:
            names.add("dev")
    if isinstance(pyproject.get("dependency-groups"), dict):
        names.update(canonical_name(g) for g in pyproject["dependency-groups"])
    return names
