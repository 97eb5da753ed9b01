"""``pyproject.toml`` as a manifest: the project's declared dependencies, specifier mode.

Not a lock: ``[project] dependencies`` (plus the ``[project.optional-dependencies]`` extras
and PEP 735 ``[dependency-groups]`` that are named) say which distributions must be installed
and which versions are acceptable, not which exact versions.  So the manifest is not
``complete``: installed versions must satisfy the specifiers, and what the listed
distributions require (transitively, from their installed metadata) is accounted for rather
than extraneous.  Nothing is selected by default beyond ``[project] dependencies``:
dependency groups have no standard default.

The project itself, when installed (``pip install -e .``), is accounted for at its static
version and never required: an application run from its source tree is not installed.
"""

from __future__ import annotations

import hashlib
import os
from typing import Any

from bootguard.errors import ManifestError
from bootguard.manifest._lock import (
    Markers,
    array,
    load_lock_toml,
    optional_string,
    read_bytes,
    requires_python,
    string,
    table,
)
from bootguard.manifest.model import Manifest, ManifestEntry, Selection
from bootguard.names import canonical_name

__all__ = ["read_pyproject"]


def read_pyproject(path: str | os.PathLike[str], selection: Selection) -> Manifest:
    """Read the ``[project]`` table (and named extras / groups) of a pyproject.toml."""
    display = str(path)
    data = read_bytes(path, display)
    document = load_lock_toml(data, display)
    if "project" not in document:
        raise ManifestError(
            display,
            "no [project] table: nothing to check (for a Poetry project, check its poetry.lock)",
            key="project",
        )
    project = table(document["project"], display, "project")
    dynamic = array(project.get("dynamic", []), display, "project.dynamic")
    if "dependencies" in dynamic:
        raise ManifestError(
            display,
            "the dependencies are dynamic (computed by the build backend); check a lock instead",
            key="project.dynamic",
        )
    markers = Markers(selection.marker_env, display)
    entries: list[ManifestEntry] = []
    key = "project.dependencies"
    entries += _requirements(project.get("dependencies", []), display, key, markers)

    extras = {canonical_name(e) for e in selection.extras}
    optional = table(
        project.get("optional-dependencies", {}), display, "project.optional-dependencies"
    )
    by_extra = {canonical_name(name): name for name in optional}
    unknown = sorted(extras - by_extra.keys())
    if unknown:
        raise ManifestError(
            display,
            f"no extra {', '.join(map(repr, unknown))} in [project.optional-dependencies] "
            f"(extras: {', '.join(sorted(by_extra)) or 'none'})",
        )
    for extra in sorted(extras):
        name = by_extra[extra]
        key = f"project.optional-dependencies.{name}"
        entries += _requirements(optional[name], display, key, markers)

    groups = table(document.get("dependency-groups", {}), display, "dependency-groups")
    for group in sorted(selection.groups or ()):
        entries += _group(groups, canonical_name(group), display, markers, ())

    root = _project_entry(project, display, dynamic, extras)
    if root is not None:
        entries.append(root)
    python = requires_python(project.get("requires-python"), display, "project.requires-python")
    return Manifest(
        path=display,
        format="pyproject",
        entries=tuple(entries),
        digest=hashlib.sha256(data).hexdigest(),
        requires_python=python,
        complete=False,
    )


def _requirements(value: object, display: str, key: str, markers: Markers) -> list[ManifestEntry]:
    entries = []
    for index, text in enumerate(array(value, display, key)):
        entry = _requirement(text, display, f"{key}[{index}]", markers)
        if entry is not None:
            entries.append(entry)
    return entries


def _requirement(text: object, display: str, key: str, markers: Markers) -> ManifestEntry | None:
    """One PEP 508 requirement, or None when its marker is false here."""
    from packaging.requirements import InvalidRequirement  # deferred: import cost

    from bootguard._pep508 import packaging_requirement

    text = string(text, display, key)
    try:
        requirement = packaging_requirement(text)
    except InvalidRequirement as err:
        raise ManifestError(display, f"invalid requirement {text!r}: {err}", key=key) from err
    marker = str(requirement.marker) if requirement.marker is not None else None
    if not markers.holds(marker, key):
        return None
    return ManifestEntry(
        name=canonical_name(requirement.name),
        specifier=str(requirement.specifier),
        extras=frozenset(canonical_name(e) for e in requirement.extras),
        marker=marker,
        url=requirement.url,
        origin=f"{display}: {key}",
    )


def _group(
    groups: dict[str, Any],
    wanted: str,
    display: str,
    markers: Markers,
    seen: tuple[str, ...],
) -> list[ManifestEntry]:
    """PEP 735: a group's requirements, with ``{include-group = "..."}`` expanded."""
    by_name = {canonical_name(name): name for name in groups}
    if wanted not in by_name:
        raise ManifestError(
            display,
            f"no dependency group {wanted!r} in [dependency-groups] "
            f"(groups: {', '.join(sorted(by_name)) or 'none'})",
        )
    if wanted in seen:
        cycle = " -> ".join((*seen, wanted))
        raise ManifestError(display, f"dependency groups include each other: {cycle}")
    name = by_name[wanted]
    key = f"dependency-groups.{name}"
    entries: list[ManifestEntry] = []
    for index, item in enumerate(array(groups[name], display, key)):
        item_key = f"{key}[{index}]"
        if isinstance(item, dict):
            included = string(item.get("include-group"), display, f"{item_key}.include-group")
            entries += _group(groups, canonical_name(included), display, markers, (*seen, wanted))
        else:
            entry = _requirement(item, display, item_key, markers)
            if entry is not None:
                entries.append(entry)
    return entries


def _project_entry(
    project: dict[str, Any], display: str, dynamic: list[Any], extras: set[str]
) -> ManifestEntry | None:
    name = optional_string(project.get("name"), display, "project.name")
    if not name:
        return None
    version = None if "version" in dynamic else project.get("version")
    return ManifestEntry(
        name=canonical_name(name),
        specifier=f"=={version}" if isinstance(version, str) else "",
        extras=frozenset(extras),
        origin=f"{display}: project ({name})",
        constraint=True,
    )
