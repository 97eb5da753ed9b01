"""The walk through a ``uv.lock``'s graph that selects what ``uv sync`` installs.

Which packages apply is a property of the *edges* that lead to them, so the walk starts at
the roots (the project at ``.``, else the workspace members) and follows only the edges
whose markers hold for the target interpreter, with the extras and groups asked for.  When
one name is locked at several versions (forks), the edge's version and source, then the
package's ``resolution-markers``, tell which one is meant.
"""

from __future__ import annotations

from bootguard.errors import ManifestError
from bootguard.manifest._lock import (
    Markers,
    array,
    optional_string,
    optional_version,
    string,
    table,
)
from bootguard.manifest._uv_groups import (
    _check_extras,
    _Declared,
    _group,
    _Package,
    _select_groups,
)
from bootguard.manifest.model import Selection
from bootguard.names import canonical_name

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any  # annotations only: importing typing costs a cold boot


class _Walk:
    """The graph walk from the roots; ``selected()`` is the result."""

    def __init__(self, display: str, document: dict[str, Any], selection: Selection) -> None:
        self.display = display
        self.selection = selection
        self.markers = Markers(selection.marker_env, display)
        self.packages: list[_Package] = []
        self.by_name: dict[str, list[_Package]] = {}
        for index, raw in enumerate(array(document.get("package", []), display, "package")):
            package = self._package(index, raw)
            self.packages.append(package)
            self.by_name.setdefault(package.name, []).append(package)
        self.manifest = table(document.get("manifest", {}), display, "manifest")
        self.members = {
            canonical_name(string(m, display, f"manifest.members[{i}]"))
            for i, m in enumerate(
                array(self.manifest.get("members", []), display, "manifest.members")
            )
        }
        self.extras = frozenset(canonical_name(e) for e in selection.extras)
        # (package index) -> extras activated on it; insertion order is discovery order.
        self._chosen: dict[int, set[str]] = {}
        self._queue: list[tuple[_Package, str | None]] = []
        self._conflict_extras: frozenset[str] = frozenset()
        self.declared_defaults: _Declared | None = None
        self.notes: list[str] = []

    def _package(self, index: int, raw: object) -> _Package:
        key = f"package[{index}]"
        raw = table(raw, self.display, key)
        name = canonical_name(string(raw.get("name"), self.display, f"{key}.name"))
        version = optional_version(raw.get("version"), self.display, f"{key}.version")
        source = table(raw.get("source", {}), self.display, f"{key}.source")
        return _Package(index, name, version, source, raw)

    # --- roots ------------------------------------------------------------------------

    def run(self) -> None:
        """Select from the roots: the project at ``.``, else the workspace members."""
        project = [p for p in self.packages if _local_path(p.source) == "."]
        if len(project) > 1:
            raise ManifestError(
                self.display, "two packages have their source at '.'", key="package"
            )
        roots = project or [p for p in self.packages if p.name in self.members]
        if not roots:
            raise ManifestError(
                self.display,
                "no project to start from: no package has its source at '.' and "
                "[manifest] lists no members",
                key="package",
            )
        groups = _select_groups(
            roots,
            self.manifest,
            self.selection,
            self.declared_defaults,
            self.display,
            self.notes,
            workspace_root=not project,
        )
        _check_extras(roots, self.extras, self.display)
        self._conflict_extras = frozenset(
            [f"extra-{len(r.name)}-{r.name}-{e}" for r in roots for e in self.extras]
            + [f"group-{len(r.name)}-{r.name}-{g}" for r in roots for g in groups]
        )
        for root in roots:
            self._visit(root, self.extras)
            dev = table(
                root.raw.get("dev-dependencies", {}), self.display, f"{root.key}.dev-dependencies"
            )
            for group in sorted(groups):
                edges = _group(dev, group)
                if edges is not None:
                    self._follow(edges, f"{root.key}.dev-dependencies.{group}")
        if not project:
            workspace_groups = table(
                self.manifest.get("dependency-groups", {}),
                self.display,
                "manifest.dependency-groups",
            )
            for group in sorted(groups):
                requirements = _group(workspace_groups, group)
                if requirements is not None:
                    self._follow(
                        requirements, f"manifest.dependency-groups.{group}", requirements=True
                    )
        while self._queue:
            package, extra = self._queue.pop()
            if extra is None:
                edges = array(
                    package.raw.get("dependencies", []), self.display, f"{package.key}.dependencies"
                )
                self._follow(edges, f"{package.key}.dependencies")
            else:
                optional = table(
                    package.raw.get("optional-dependencies", {}),
                    self.display,
                    f"{package.key}.optional-dependencies",
                )
                edges = _group(optional, extra)
                if edges is not None:
                    self._follow(edges, f"{package.key}.optional-dependencies.{extra}")

    # --- walking ----------------------------------------------------------------------

    def _visit(self, package: _Package, extras: frozenset[str] | set[str]) -> None:
        chosen = self._chosen.get(package.index)
        if chosen is None:
            chosen = self._chosen[package.index] = set()
            self._queue.append((package, None))
        for extra in sorted(set(extras) - chosen):
            chosen.add(extra)
            self._queue.append((package, extra))

    def _follow(self, edges: list[Any], key: str, *, requirements: bool = False) -> None:
        """Visit what each edge whose marker holds points at, with the extras it names.

        A package's edges are ``{name, version?, source?, marker?, extra?}``;
        ``[manifest.dependency-groups]`` lists requirement tables instead (name, specifier,
        marker, ``extras``), whose target is found by name alone.
        """
        extras_field = "extras" if requirements else "extra"
        for position, raw in enumerate(edges):
            edge_key = f"{key}[{position}]"
            edge = table(raw, self.display, edge_key)
            marker = optional_string(edge.get("marker"), self.display, f"{edge_key}.marker")
            if not self.markers.holds(marker, f"{edge_key}.marker", self._conflict_extras):
                continue
            target = self._target({"name": edge.get("name")} if requirements else edge, edge_key)
            extras_key = f"{edge_key}.{extras_field}"
            extras = array(edge.get(extras_field, []), self.display, extras_key)
            self._visit(
                target, {canonical_name(string(e, self.display, extras_key)) for e in extras}
            )

    def _target(self, edge: dict[str, Any], key: str) -> _Package:
        """The package an edge points at: by name, then version, source, resolution markers."""
        name = canonical_name(string(edge.get("name"), self.display, f"{key}.name"))
        candidates = self.by_name.get(name)
        if not candidates:
            raise ManifestError(
                self.display, f"depends on {name!r}, which the lock does not list", key=key
            )
        if len(candidates) == 1:
            return candidates[0]
        version = edge.get("version")
        if version is not None:
            candidates = [c for c in candidates if c.version == version]
        source = edge.get("source")
        if source is not None and len(candidates) > 1:
            candidates = [c for c in candidates if c.source == source]
        if len(candidates) > 1:
            candidates = [c for c in candidates if self._fork_applies(c)]
        if len(candidates) != 1:
            found = "no package" if not candidates else "several packages"
            raise ManifestError(
                self.display, f"{found} named {name!r} match this dependency", key=key
            )
        return candidates[0]

    def _fork_applies(self, package: _Package) -> bool:
        key = f"{package.key}.resolution-markers"
        markers = array(package.raw.get("resolution-markers", []), self.display, key)
        if not markers:
            return True
        return any(
            self.markers.holds(string(m, self.display, f"{key}[{i}]"), f"{key}[{i}]")
            for i, m in enumerate(markers)
        )

    # --- result -----------------------------------------------------------------------

    def selected(self) -> list[tuple[_Package, frozenset[str]]]:
        """The selected packages with the extras activated on them, in lock order."""
        return [
            (self.packages[index], frozenset(extras))
            for index, extras in sorted(self._chosen.items())
        ]


def _local_path(source: dict[str, Any]) -> str | None:
    value = source.get("editable", source.get("virtual"))
    return value if isinstance(value, str) else None
