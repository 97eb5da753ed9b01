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
sdists) are not read at all: see :func:`bootguard.manifest._lock.load_lock`.
"""

from __future__ import annotations

import hashlib

from bootguard.errors import ManifestError
from bootguard.manifest._lock import load_lock, read_bytes, requires_python
from bootguard.manifest._lock_skip import UV
from bootguard.manifest._urls import lock_base, uv_source
from bootguard.manifest._uv_groups import _declared_default_groups, _Package
from bootguard.manifest._uv_walk import _Walk
from bootguard.manifest.model import Manifest, ManifestEntry, Selection

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any  # annotations only: importing typing costs a cold boot

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


def read_uvlock(path: Path, selection: Selection) -> Manifest:
    """Read a uv.lock and select what ``uv sync`` installs into the target environment."""
    display = str(path)
    data = read_bytes(path, display)
    document = load_lock(data, display, UV, _ARCHIVE_LINES, _METADATA_BLOCKS)
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
    entries = [_entry(display, package, extras) for package, extras in walk.selected()]
    return Manifest(
        path=display,
        format="uv",
        entries=tuple(e for e in entries if e is not None),
        digest=hashlib.sha256(data).hexdigest(),
        requires_python=python,
        complete=True,
        notes=tuple(walk.notes),
    )


def _entry(display: str, package: _Package, extras: frozenset[str]) -> ManifestEntry | None:
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
        origin=f"{display}: {package.key} ({package.name})",
        source=uv_source(source, lock_base(display)),
    )


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
