"""``poetry.lock``, every format Poetry has written (lock-version 1.x, 2.0, 2.1).

How a package is selected depends on what the lock records:

* **2.1** (Poetry 2): every package carries the ``groups`` it belongs to and the ``markers``
  under which it is needed (a string, or one per group).  Selection is what
  ``poetry install`` does from such a lock: the package is in a selected group and the
  marker of one of those groups holds, with the selected extras as ``extra``.
* **1.x and 2.0** (Poetry 1): packages carry no markers (1.x has a ``category``), so
  Poetry itself re-resolves against the ``pyproject.toml`` beside the lock.  bootguard walks
  the lock's dependency graph from that pyproject's dependencies (``[tool.poetry.*]`` or
  ``[project]``), evaluating each edge's ``markers`` / ``python`` / ``platform``; without the
  pyproject this is an error, never a guess (a guess would report a ``win32``-only package
  missing on Linux).

Groups: ``main`` always; more only when named (``--group dev``).  This is stricter than a
bare ``poetry install`` (which adds every non-optional group), on purpose: production
installs use ``--only main`` / ``--without dev``, and a dev package that is installed anyway
shows up as a warning, not a failure.  The root project is not in the lock; when the
pyproject declares it (and ``package-mode`` is not false) it is accounted for if installed,
so an installed project is not reported extraneous, and it is not required.
"""

from __future__ import annotations

import hashlib

from bootguard.errors import ManifestError
from bootguard.manifest._lock import (
    Markers,
    array,
    load_lock,
    load_lock_toml,
    optional_string,
    read_bytes,
    requires_python,
    string,
    table,
    version_string,
)
from bootguard.manifest._lock_skip import POETRY, POETRY_2_1
from bootguard.manifest._poetry_constraints import _alternatives
from bootguard.manifest._poetry_select import (
    _MAIN,
    _check_extras,
    _Package,
    _select_by_markers,
    _State,
)
from bootguard.manifest._poetry_walk import _Walk
from bootguard.manifest._urls import lock_base, poetry_source
from bootguard.manifest.model import Manifest, ManifestEntry, Selection
from bootguard.names import canonical_name

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any  # annotations only: importing typing costs a cold boot

__all__ = ["read_poetry"]


# Never read: ``{file = "...", hash = "..."}`` archive lines (2.x inline, 1.x under
# [metadata.files]) and descriptions; in a 2.1 lock also the ``[package.dependencies]`` and
# ``[package.extras]`` tables, which only the graph walk of older locks needs (a 2.1 lock's
# recorded groups and markers already say what is installed).
_SKIPPED_LINES = r"^(?:    \{file = .*\},?|description = \".*\")$"


_WALK_TABLES = r"^\[package\.(?:dependencies|extras)\]\n(?:[^\[\n].*\n|\n)*"


_CLAIMS_2_1 = b'\nlock-version = "2.1"\n'


def read_poetry(path: Path, selection: Selection) -> Manifest:
    """Read a poetry.lock and select what ``poetry install --only main`` (+ groups) installs."""
    display = str(path)
    data = read_bytes(path, display)
    skip_walk_tables = _CLAIMS_2_1 in data[-4096:]
    if skip_walk_tables:
        document = load_lock(data, display, POETRY_2_1, _SKIPPED_LINES, _WALK_TABLES)
    else:
        document = load_lock(data, display, POETRY, _SKIPPED_LINES)
    metadata = table(document.get("metadata"), display, "metadata")
    version = _lock_version(metadata, display)
    if skip_walk_tables and version < (2, 1):  # not what the text suggested: read it all
        document = load_lock(data, display, POETRY, _SKIPPED_LINES)
        metadata = table(document.get("metadata"), display, "metadata")
    state = _State(display, selection, Markers(selection.marker_env, display))
    for index, raw in enumerate(array(document.get("package", []), display, "package")):
        package = _package(index, raw, display)
        state.packages.append(package)
        state.by_name.setdefault(package.name, []).append(package)

    pyproject_path = path.parent / "pyproject.toml"
    pyproject: dict[str, Any] | None = None
    digest = hashlib.sha256(data)
    if pyproject_path.is_file():
        pyproject_data = read_bytes(pyproject_path, str(pyproject_path))
        pyproject = load_lock_toml(pyproject_data, str(pyproject_path))
    extras = frozenset(canonical_name(e) for e in selection.extras)
    groups = {_MAIN} | {canonical_name(g) for g in selection.groups or ()}

    if version >= (2, 1):
        root_extras = table(document.get("extras", {}), display, "extras")
        _check_extras(extras, {canonical_name(e) for e in root_extras}, display)
        chosen = _select_by_markers(state, groups, extras, pyproject)
    else:
        if pyproject is None:
            raise ManifestError(
                display,
                f"lock-version {'.'.join(map(str, version))} records no install markers, so "
                "packages are selected from the pyproject.toml beside the lock, as Poetry 1 "
                f"does; {pyproject_path} is missing",
                key="metadata.lock-version",
            )
        digest.update(pyproject_data)
        chosen = _Walk(state, pyproject, str(pyproject_path)).run(groups, extras)

    entries = [_entry(state, package, package_extras) for package, package_extras in chosen]
    root = _root_entry(pyproject, str(pyproject_path), extras) if pyproject is not None else None
    if root is not None and root.name not in {e.name for e in entries}:
        entries.append(root)
    return Manifest(
        path=display,
        format="poetry",
        entries=tuple(entries),
        digest=digest.hexdigest(),
        requires_python=_requires_python(metadata, state),
        complete=True,
        notes=tuple(state.notes),
    )


def _lock_version(metadata: dict[str, Any], display: str) -> tuple[int, int]:
    text = string(metadata.get("lock-version"), display, "metadata.lock-version")
    major, _, minor = text.partition(".")
    if not (major.isdigit() and minor.isdigit()):
        raise ManifestError(
            display, f"malformed lock-version {text!r}", key="metadata.lock-version"
        )
    version = (int(major), int(minor))
    # Poetry reads lock-version >=1,<3 (a newer minor only adds information).
    if not (1, 0) <= version < (3, 0):
        raise ManifestError(
            display,
            f"unsupported lock-version {text!r} (this bootguard reads 1.x and 2.x); "
            "upgrade bootguard",
            key="metadata.lock-version",
        )
    return version


def _package(index: int, raw: object, display: str) -> _Package:
    key = f"package[{index}]"
    raw = table(raw, display, key)
    name = canonical_name(string(raw.get("name"), display, f"{key}.name"))
    version = version_string(raw.get("version"), display, f"{key}.version")
    return _Package(index, name, version, raw)


def _entry(state: _State, package: _Package, extras: frozenset[str]) -> ManifestEntry:
    display = state.display
    source = table(package.raw.get("source", {}), display, f"{package.key}.source")
    kind = optional_string(source.get("type"), display, f"{package.key}.source.type")
    url = optional_string(source.get("url"), display, f"{package.key}.source.url")
    develop = package.raw.get("develop", False) is True
    direct = kind in ("directory", "file", "url", "git")
    return ManifestEntry(
        name=package.name,
        specifier=f"=={package.version}",
        extras=frozenset(e for e in extras if e),
        url=(f"git+{url}" if kind == "git" and url else url) if direct else None,
        editable=develop and kind == "directory",
        origin=f"{display}: {package.key} ({package.name})",
        source=poetry_source(source, lock_base(display), develop=develop),
    )


def _root_entry(
    pyproject: dict[str, Any], shown: str, extras: frozenset[str]
) -> ManifestEntry | None:
    """The project itself: accounted for when installed, never required (``--no-root``).

    Which project the pyproject declares is :func:`bootguard.manifest.project.declared_project`'s
    answer, the one every format shares; Poetry's lock adds that its version is checked.
    """
    from bootguard.manifest.project import declared_project

    declared = declared_project(pyproject, shown)
    if declared is None:
        return None
    return ManifestEntry(
        name=declared.name,
        specifier=f"=={declared.version}" if declared.version else "",
        extras=extras,
        origin=f"{shown}: project ({declared.display_name})",
        constraint=True,
    )


def _requires_python(metadata: dict[str, Any], state: _State) -> str | None:
    text = optional_string(
        metadata.get("python-versions"), state.display, "metadata.python-versions"
    )
    if not text or text.strip() == "*":
        return None
    alternatives = _alternatives(text)
    if alternatives is None or len(alternatives) != 1:
        state.notes.append(
            f"{state.display}: python-versions {text!r} is not checked (not one PEP 440 range)"
        )
        return None
    return requires_python(",".join(alternatives[0]), state.display, "metadata.python-versions")
