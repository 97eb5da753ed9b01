"""uv's universal lock, ``uv.lock``, selected for one environment the way ``uv sync`` does.

A uv.lock lists every package for every platform and Python version; which of them apply
is not a property of a package but of the *edges* that lead to it (``{ name = "colorama",
marker = "sys_platform == 'win32'" }``), and one name may appear at several versions, one per
fork of the resolution.  So selection is a walk from the project root(s) with markers
evaluated for the target interpreter, following the extras and dependency groups asked for.

Roots, as ``uv sync`` run in the lock's directory installs them:

* the package whose source is ``editable = "."`` or ``virtual = "."`` (the project), with
  the extras named and its dependency groups;
* without one (a virtual workspace root): every ``[manifest] members`` package, plus the
  root's own ``[manifest.dependency-groups]``.

Default groups are what ``uv sync`` reads: ``[tool.uv] default-groups`` in the
``pyproject.toml`` beside the lock (a list, or ``"all"``: every group the lock knows), else
``["dev"]``; ``--group`` names the groups instead (``uv sync --no-default-groups --group X``).
The lock itself does not record them; a ``default-groups`` key on the root package is read
when the pyproject is absent.

The project and workspace members are expected installed as editable at the locked version
when the lock records one (a dynamic version is not recorded, and then any version is
accepted); virtual packages are never installed and have no entry.  Archive lines (wheels,
sdists) are not read at all: see :func:`bootguard.manifest._lock.load_lock_toml`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bootguard.errors import ManifestError
from bootguard.manifest._lock import (
    Markers,
    array,
    load_lock_toml,
    optional_string,
    optional_version,
    read_bytes,
    requires_python,
    string,
    table,
)
from bootguard.manifest._urls import lock_base, uv_source
from bootguard.manifest.model import Manifest, ManifestEntry, Selection
from bootguard.names import canonical_name

__all__ = ["SUPPORTED_VERSIONS", "read_uvlock"]

#: ``version`` values of uv.lock this module reads (``revision`` is forward compatible).
SUPPORTED_VERSIONS = (1,)

# Never read: one wheel per line inside ``wheels = [...]``, the ``sdist = {...}`` line, and
# ``[package.metadata] requires-dist`` (a local package's own requirements, already resolved
# into its ``dependencies``).
_ARCHIVE_LINES = (
    r"^(?:    \{ url = .*\},|    \{ path = .*\},|    \{ filename = .*\},|sdist = \{ .*\})$"
)
_METADATA_BLOCKS = r"^requires-dist = \[\n(?:    .*\n)*\]$"


@dataclass(frozen=True, slots=True)
class _Package:
    index: int
    name: str
    version: str | None
    source: dict[str, Any]
    raw: dict[str, Any]

    @property
    def key(self) -> str:
        return f"package[{self.index}]"


def read_uvlock(path: Path, selection: Selection) -> Manifest:
    """Read a uv.lock and select what ``uv sync`` installs into the target environment."""
    display = str(path)
    data = read_bytes(path, display)
    document = load_lock_toml(
        data, display, skip_lines=_ARCHIVE_LINES, skip_blocks=_METADATA_BLOCKS
    )
    version = document.get("version")
    if version is None:
        raise ManifestError(display, "no lock version: is this a uv.lock?", key="version")
    if isinstance(version, bool) or version not in SUPPORTED_VERSIONS:
        supported = ", ".join(str(v) for v in SUPPORTED_VERSIONS)
        raise ManifestError(
            display,
            f"unsupported uv.lock version {version!r} (this bootguard reads version {supported}); "
            "upgrade bootguard",
            key="version",
        )
    python = requires_python(document.get("requires-python"), display, "requires-python")
    walk = _Walk(display, document, selection)
    walk.declared_defaults = _declared_default_groups(path.parent / "pyproject.toml")
    walk.run()
    entries = [walk.entry(package, extras) for package, extras in walk.selected()]
    return Manifest(
        path=display,
        format="uv",
        entries=tuple(e for e in entries if e is not None),
        digest=hashlib.sha256(data).hexdigest(),
        requires_python=python,
        complete=True,
        notes=tuple(walk.notes),
    )


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
        groups = self._groups(roots, workspace_root=not project)
        self._check_extras(roots)
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
                    self._follow(root, edges, f"{root.key}.dev-dependencies.{group}")
        if not project:
            workspace_groups = table(
                self.manifest.get("dependency-groups", {}),
                self.display,
                "manifest.dependency-groups",
            )
            for group in sorted(groups):
                requirements = _group(workspace_groups, group)
                if requirements is not None:
                    self._follow_requirements(requirements, f"manifest.dependency-groups.{group}")
        while self._queue:
            package, extra = self._queue.pop()
            if extra is None:
                edges = array(
                    package.raw.get("dependencies", []), self.display, f"{package.key}.dependencies"
                )
                self._follow(package, edges, f"{package.key}.dependencies")
            else:
                optional = table(
                    package.raw.get("optional-dependencies", {}),
                    self.display,
                    f"{package.key}.optional-dependencies",
                )
                edges = _group(optional, extra)
                if edges is not None:
                    self._follow(package, edges, f"{package.key}.optional-dependencies.{extra}")

    def _groups(self, roots: list[_Package], *, workspace_root: bool) -> frozenset[str]:
        """The dependency groups to follow: the ones named, else the roots' defaults."""
        known: set[str] = set()
        for root in roots:
            dev = table(
                root.raw.get("dev-dependencies", {}), self.display, f"{root.key}.dev-dependencies"
            )
            known.update(canonical_name(g) for g in dev)
            # a group without dependencies is only in the project's metadata
            metadata = table(root.raw.get("metadata", {}), self.display, f"{root.key}.metadata")
            requires_dev = table(
                metadata.get("requires-dev", {}), self.display, f"{root.key}.metadata.requires-dev"
            )
            known.update(canonical_name(g) for g in requires_dev)
        known.update(
            canonical_name(g)
            for g in table(
                self.manifest.get("dependency-groups", {}),
                self.display,
                "manifest.dependency-groups",
            )
        )
        if self.selection.groups is not None:
            wanted = frozenset(canonical_name(g) for g in self.selection.groups)
            unknown = sorted(wanted - known)
            if unknown:
                raise ManifestError(
                    self.display,
                    f"no dependency group {', '.join(map(repr, unknown))} in the lock "
                    f"(groups: {', '.join(sorted(known)) or 'none'})",
                )
            return wanted
        declared = self.declared_defaults
        if declared is not None and declared.value is not None:
            value, where = declared.value, declared.path
            if value == "all":
                return frozenset(known)
            if not isinstance(value, list) or not all(isinstance(g, str) for g in value):
                raise ManifestError(
                    where, "expected a list of group names or 'all'", key="tool.uv.default-groups"
                )
            return frozenset(canonical_name(g) for g in value) & frozenset(known)
        defaults: set[str] = set()
        for root in roots:
            value = root.raw.get("default-groups", ["dev"])
            if value == "all":
                defaults.update(known)
                continue
            for i, group in enumerate(array(value, self.display, f"{root.key}.default-groups")):
                defaults.add(
                    canonical_name(string(group, self.display, f"{root.key}.default-groups[{i}]"))
                )
        if workspace_root:
            defaults.add("dev")  # a virtual workspace root's own groups: uv's default
        if declared is not None and declared.problem and known - defaults:
            left_out = ", ".join(sorted(known - defaults))
            self.notes.append(
                f"{self.display}: default groups taken as {', '.join(sorted(defaults)) or 'none'} "
                f"({declared.problem}); groups {left_out} are selected only with --group"
            )
        return frozenset(defaults & known)

    def _check_extras(self, roots: list[_Package]) -> None:
        """An extra nobody defines is a typo: uv refuses it too."""
        if not self.extras:
            return
        known: set[str] = set()
        for root in roots:
            known.update(
                canonical_name(e)
                for e in table(
                    root.raw.get("optional-dependencies", {}),
                    self.display,
                    f"{root.key}.optional-dependencies",
                )
            )
            metadata = table(root.raw.get("metadata", {}), self.display, f"{root.key}.metadata")
            provided = array(
                metadata.get("provides-extras", []),
                self.display,
                f"{root.key}.metadata.provides-extras",
            )
            known.update(canonical_name(e) for e in provided if isinstance(e, str))
        unknown = sorted(self.extras - known)
        if unknown:
            raise ManifestError(
                self.display,
                f"no extra {', '.join(map(repr, unknown))} in the project "
                f"(extras: {', '.join(sorted(known)) or 'none'})",
            )

    # --- walking ----------------------------------------------------------------------

    def _visit(self, package: _Package, extras: frozenset[str] | set[str]) -> None:
        chosen = self._chosen.get(package.index)
        if chosen is None:
            chosen = self._chosen[package.index] = set()
            self._queue.append((package, None))
        for extra in sorted(set(extras) - chosen):
            chosen.add(extra)
            self._queue.append((package, extra))

    def _follow(self, package: _Package, edges: list[Any], key: str) -> None:
        for position, raw in enumerate(edges):
            edge_key = f"{key}[{position}]"
            edge = table(raw, self.display, edge_key)
            marker = optional_string(edge.get("marker"), self.display, f"{edge_key}.marker")
            if not self.markers.holds(marker, f"{edge_key}.marker", self._conflict_extras):
                continue
            target = self._target(edge, edge_key)
            extras = array(edge.get("extra", []), self.display, f"{edge_key}.extra")
            self._visit(
                target,
                {canonical_name(string(e, self.display, f"{edge_key}.extra")) for e in extras},
            )

    def _follow_requirements(self, requirements: list[Any], key: str) -> None:
        """``[manifest.dependency-groups]``: requirement tables (name, specifier, marker)."""
        for position, raw in enumerate(requirements):
            req_key = f"{key}[{position}]"
            requirement = table(raw, self.display, req_key)
            marker = optional_string(requirement.get("marker"), self.display, f"{req_key}.marker")
            if not self.markers.holds(marker, f"{req_key}.marker", self._conflict_extras):
                continue
            target = self._target({"name": requirement.get("name")}, req_key)
            extras = array(requirement.get("extras", []), self.display, f"{req_key}.extras")
            self._visit(
                target,
                {canonical_name(string(e, self.display, f"{req_key}.extras")) for e in extras},
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

    def entry(self, package: _Package, extras: frozenset[str]) -> ManifestEntry | None:
        """The manifest entry of one selected package (None: virtual, never installed)."""
        source = package.source
        if "virtual" in source:
            return None
        editable = "editable" in source
        url = _source_url(source)
        return ManifestEntry(
            name=package.name,
            specifier=f"=={package.version}" if package.version else "",
            extras=extras,
            url=url,
            editable=editable,
            origin=f"{self.display}: {package.key} ({package.name})",
            source=uv_source(source, lock_base(self.display)),
        )


@dataclass(frozen=True, slots=True)
class _Declared:
    """``[tool.uv] default-groups`` of the pyproject beside the lock (``value`` None: unset)."""

    path: str
    value: object = None
    problem: str = ""


def _declared_default_groups(pyproject: Path) -> _Declared:
    """What the pyproject beside the lock says about default groups, as ``uv sync`` reads it.

    A missing or unreadable pyproject is not an error here (a deployment may ship the lock
    alone); the walk then falls back to uv's own default and says so in a note.
    """
    from bootguard.manifest.project import load_pyproject

    shown = str(pyproject)
    if not pyproject.is_file():
        return _Declared(shown, problem=f"no {pyproject.name} beside the lock")
    document = load_pyproject(pyproject)
    if document is None:
        return _Declared(shown, problem=f"{shown} cannot be read")
    tool = document.get("tool")
    uv = tool.get("uv") if isinstance(tool, dict) else None
    if not isinstance(uv, dict) or "default-groups" not in uv:
        return _Declared(shown)
    return _Declared(shown, uv["default-groups"])


def _group(groups: dict[str, Any], name: str) -> list[Any] | None:
    """The edges of group / extra ``name`` in a table keyed by (unnormalized) names."""
    for key, value in groups.items():
        if canonical_name(key) == name:
            return value if isinstance(value, list) else None
    return None


def _local_path(source: dict[str, Any]) -> str | None:
    value = source.get("editable", source.get("virtual"))
    return value if isinstance(value, str) else None


def _source_url(source: dict[str, Any]) -> str | None:
    """Where a non-registry package comes from, as text for messages (None for an index)."""
    for kind in ("editable", "virtual", "directory", "path", "url"):
        value = source.get(kind)
        if isinstance(value, str):
            return value
    git = source.get("git")
    if isinstance(git, str):
        return f"git+{git}"
    return None
