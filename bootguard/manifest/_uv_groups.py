"""Which dependency groups and extras of a ``uv.lock`` are asked for, as ``uv sync`` decides.

Groups named on the command line win; otherwise ``[tool.uv] default-groups`` in the
pyproject beside the lock, else the roots' recorded ``default-groups``, else ``dev``.  A
group or extra that nothing defines is a typo and an error (uv refuses it too), never an
empty selection that would pass silently.
"""

from __future__ import annotations

import os

from bootguard._paths import FilePath
from bootguard._record import Record
from bootguard.errors import ManifestError
from bootguard.manifest._lock import array, string, table
from bootguard.manifest.model import Selection
from bootguard.names import canonical_name

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any  # annotations only: importing typing costs a cold boot


class _Package(Record):
    index: int
    name: str
    version: str | None
    source: dict[str, Any]
    raw: dict[str, Any]

    @property
    def key(self) -> str:
        return f"package[{self.index}]"


class _Declared(Record):
    """``[tool.uv] default-groups`` of the pyproject beside the lock (``value`` None: unset)."""

    path: str
    value: object = None
    problem: str = ""


def _declared_default_groups(pyproject: str | os.PathLike[str]) -> _Declared:
    """What the pyproject beside the lock says about default groups, as ``uv sync`` reads it.

    A missing or unreadable pyproject is not an error here (a deployment may ship the lock
    alone); the walk then falls back to uv's own default and says so in a note.

    A pyproject whose bytes never spell ``default-groups`` cannot set it, so it is not
    parsed: that spares importing ``tomllib`` (with ``typing``, ``datetime`` and ``re``) on
    every boot that checks a uv.lock.  TOML spells a key as written, or inside a quoted key
    through an escape (a backslash and u, U, or x in newer TOML), so a file holding none of
    these gives the same answer unparsed; the one difference is that an invalid file that
    never mentions default groups is then not named in the note (the groups are the same).
    """
    from bootguard.manifest.project import parse_pyproject, read_pyproject

    pyproject = FilePath(pyproject)
    shown = str(pyproject)
    if not pyproject.is_file():
        return _Declared(shown, problem=f"no {pyproject.name} beside the lock")
    data = read_pyproject(pyproject)
    if data is not None and not may_declare_default_groups(data):
        return _Declared(shown)
    document = None if data is None else parse_pyproject(data, pyproject)
    if document is None:
        return _Declared(shown, problem=f"{shown} cannot be read")
    tool = document.get("tool")
    uv = tool.get("uv") if isinstance(tool, dict) else None
    if not isinstance(uv, dict) or "default-groups" not in uv:
        return _Declared(shown)
    return _Declared(shown, uv["default-groups"])


def may_declare_default_groups(data: bytes) -> bool:
    """Whether a valid TOML document with these bytes could hold a ``default-groups`` key."""
    return any(spelling in data for spelling in (b"default-groups", b"\\u", b"\\U", b"\\x"))


def _select_groups(
    roots: list[_Package],
    manifest: dict[str, Any],
    selection: Selection,
    declared: _Declared | None,
    display: str,
    notes: list[str],
    *,
    workspace_root: bool,
) -> frozenset[str]:
    """The dependency groups to follow: the ones named, else the roots' defaults."""
    known: set[str] = set()
    for root in roots:
        dev = table(root.raw.get("dev-dependencies", {}), display, f"{root.key}.dev-dependencies")
        known.update(canonical_name(g) for g in dev)
        # a group without dependencies is only in the project's metadata
        metadata = table(root.raw.get("metadata", {}), display, f"{root.key}.metadata")
        requires_dev = table(
            metadata.get("requires-dev", {}), display, f"{root.key}.metadata.requires-dev"
        )
        known.update(canonical_name(g) for g in requires_dev)
    known.update(
        canonical_name(g)
        for g in table(
            manifest.get("dependency-groups", {}),
            display,
            "manifest.dependency-groups",
        )
    )
    if selection.groups is not None:
        wanted = frozenset(canonical_name(g) for g in selection.groups)
        unknown = sorted(wanted - known)
        if unknown:
            raise ManifestError(
                display,
                f"no dependency group {', '.join(map(repr, unknown))} in the lock "
                f"(groups: {', '.join(sorted(known)) or 'none'})",
            )
        return wanted
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
        for i, group in enumerate(array(value, display, f"{root.key}.default-groups")):
            defaults.add(canonical_name(string(group, display, f"{root.key}.default-groups[{i}]")))
    if workspace_root:
        defaults.add("dev")  # a virtual workspace root's own groups: uv's default
    if declared is not None and declared.problem and known - defaults:
        left_out = ", ".join(sorted(known - defaults))
        notes.append(
            f"{display}: default groups taken as {', '.join(sorted(defaults)) or 'none'} "
            f"({declared.problem}); groups {left_out} are selected only with --group"
        )
    return frozenset(defaults & known)


def _check_extras(roots: list[_Package], extras: frozenset[str], display: str) -> None:
    """An extra nobody defines is a typo: uv refuses it too."""
    if not extras:
        return
    known: set[str] = set()
    for root in roots:
        known.update(
            canonical_name(e)
            for e in table(
                root.raw.get("optional-dependencies", {}),
                display,
                f"{root.key}.optional-dependencies",
            )
        )
        metadata = table(root.raw.get("metadata", {}), display, f"{root.key}.metadata")
        provided = array(
            metadata.get("provides-extras", []),
            display,
            f"{root.key}.metadata.provides-extras",
        )
        known.update(canonical_name(e) for e in provided if isinstance(e, str))
    unknown = sorted(extras - known)
    if unknown:
        raise ManifestError(
            display,
            f"no extra {', '.join(map(repr, unknown))} in the project "
            f"(extras: {', '.join(sorted(known)) or 'none'})",
        )


def _group(groups: dict[str, Any], name: str) -> list[Any] | None:
    """The edges of group / extra ``name`` in a table keyed by (unnormalized) names."""
    for key, value in groups.items():
        if canonical_name(key) == name:
            return value if isinstance(value, list) else None
    return None
