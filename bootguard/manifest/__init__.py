"""Manifests: what is expected to be installed, read from any lock format.

``read_manifest(path, selection)`` detects the format from the file name and content and
dispatches to one reader module; each reader produces the same :class:`Manifest`.  Reader
modules are imported only when a file of their format is read (import cost at boot).

Discovery order in a directory (first match wins, see :data:`DISCOVERY_ORDER`)::

    pylock.toml, pylock.*.toml (exactly one), uv.lock, poetry.lock, Pipfile.lock,
    requirements.txt, requirements.lock, pyproject.toml ([project] dependencies)
"""

from __future__ import annotations

import os
from pathlib import Path

from bootguard.errors import ManifestError
from bootguard.manifest.model import Manifest, ManifestEntry, Selection

__all__ = [
    "DISCOVERY_ORDER",
    "READERS",
    "Manifest",
    "ManifestEntry",
    "Selection",
    "detect_format",
    "discover",
    "read_manifest",
]

#: format name -> "module:function"; a reader is ``(path: Path, selection: Selection) -> Manifest``.
READERS: dict[str, str] = {
    "pylock": "bootguard.manifest.pylock:read_pylock",
    "requirements": "bootguard.manifest.requirements:read_requirements",
}

#: File names tried by :func:`discover`, in order (``pylock.*.toml`` is a glob).
DISCOVERY_ORDER = (
    "pylock.toml",
    "pylock.*.toml",
    "uv.lock",
    "poetry.lock",
    "Pipfile.lock",
    "requirements.txt",
    "requirements.lock",
    "pyproject.toml",
)

_BY_NAME = {
    "uv.lock": "uv",
    "poetry.lock": "poetry",
    "Pipfile.lock": "pipfile",
    "pyproject.toml": "pyproject",
}


def detect_format(path: Path) -> str:
    """The format of a manifest file, from its name first and its content second."""
    name = path.name
    if name == "pylock.toml" or (name.startswith("pylock.") and name.endswith(".toml")):
        return "pylock"
    if name in _BY_NAME:
        return _BY_NAME[name]
    if name.endswith((".txt", ".in")) or "requirements" in name:
        return "requirements"
    try:
        with path.open("rb") as handle:
            head = handle.read(4096)
    except OSError as err:
        raise ManifestError(str(path), f"cannot read: {err.strerror or err}") from err
    if b"lock-version" in head and b"created-by" in head:
        return "pylock"
    if b"[[package]]" in head and b"source = " in head:
        return "uv"
    if b"[[package]]" in head:
        return "poetry"
    if head.lstrip().startswith(b"{") and b'"_meta"' in head:
        return "pipfile"
    if b"[project]" in head or b"[tool." in head or b"[build-system]" in head:
        return "pyproject"
    return "requirements"


def discover(directory: Path | str = ".") -> Path | None:
    """The manifest bootguard uses in ``directory`` when none is given (see module doc)."""
    base = Path(directory)
    for pattern in DISCOVERY_ORDER:
        if detect_format(Path(pattern.replace("*", "x"))) not in READERS:
            continue  # a format this version cannot read yet is never picked implicitly
        if "*" in pattern:
            matches = sorted(base.glob(pattern))
            if len(matches) > 1:
                names = ", ".join(m.name for m in matches)
                raise ManifestError(
                    str(base), f"several {pattern} files ({names}); pass --manifest"
                )
            if matches:
                return matches[0]
            continue
        candidate = base / pattern
        if candidate.is_file() and (pattern != "pyproject.toml" or _has_dependencies(candidate)):
            return candidate
    return None


def _has_dependencies(pyproject: Path) -> bool:
    try:
        return b"dependencies" in pyproject.read_bytes()
    except OSError:
        return False


def read_manifest(path: Path | str, selection: Selection, *, format: str | None = None) -> Manifest:
    """Read one manifest file of any supported format."""
    path = Path(path)
    if not os.path.exists(path):
        raise ManifestError(str(path), "no such file")
    kind = format or detect_format(path)
    target = READERS.get(kind)
    if target is None:
        supported = ", ".join(sorted(READERS))
        raise ManifestError(
            str(path), f"format {kind!r} is not supported yet (supported: {supported})"
        )
    module_name, _, function_name = target.partition(":")
    import importlib

    reader = getattr(importlib.import_module(module_name), function_name)
    manifest: Manifest = reader(path, selection)
    return manifest
