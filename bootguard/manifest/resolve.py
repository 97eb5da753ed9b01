"""Which manifests one check reads: the ones given, or the one discovered.

The API, the gate, the periodic re-check and ``serve`` all answer this the same way:
``None`` means "discover one in the root" (:func:`bootguard.manifest.discover`, maybe none),
a sequence (even empty) means exactly those files.  The report says so when discovery found
nothing (:func:`no_manifest_message`), since only the environment's own consistency is then
checked.

Inside bootguard the paths are ``str`` spelled as ``pathlib`` spells them
(:func:`resolve_paths`, see :mod:`bootguard._paths`); the public :func:`resolve` gives the
same paths as ``Path`` objects.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from bootguard._paths import resolved, spelled
from bootguard._record import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["Resolution", "ResolvedPaths", "no_manifest_message", "resolve", "resolve_paths"]


class ResolvedPaths(Record):
    """The manifests to read as ``str`` paths, whether they were discovered, and what the
    report says when discovery found none (None otherwise)."""

    paths: tuple[str, ...]
    discovered: bool
    root: str
    note: str | None


class Resolution(Record):
    """The manifests to read, and whether they were discovered rather than given."""

    paths: tuple[Path, ...]
    discovered: bool
    root: Path

    @property
    def note(self) -> str | None:
        """What the report says when discovery found no manifest; None otherwise."""
        return no_manifest_message(self.root) if self.discovered and not self.paths else None


def resolve_paths(
    manifests: Sequence[str | os.PathLike[str]] | None,
    root: str | os.PathLike[str] = ".",
    *,
    absolute: bool = False,
) -> ResolvedPaths:
    """:func:`resolve` with ``str`` paths (each one ``str()`` of what :func:`resolve` gives)."""
    base = spelled(root)
    if manifests is not None:
        paths = tuple(spelled(m) for m in manifests)
        discovered = False
    else:
        from bootguard.manifest import discover_path

        found = discover_path(base)
        paths = (found,) if found is not None else ()
        discovered = True
    if absolute:
        paths = tuple(resolved(path) for path in paths)
    note = no_manifest_message(base) if discovered and not paths else None
    return ResolvedPaths(paths=paths, discovered=discovered, root=base, note=note)


def resolve(
    manifests: Sequence[str | os.PathLike[str]] | None,
    root: str | os.PathLike[str] = ".",
    *,
    absolute: bool = False,
) -> Resolution:
    """The manifests given, else the one discovered in ``root`` (maybe none).

    ``absolute`` resolves every path now (the re-check runs later, and a ``chdir`` in
    between must not change what is checked).  Discovery raises ``ManifestError`` where
    :func:`~bootguard.manifest.discover` does (several ``pylock.*.toml``, a FIFO named like
    a manifest).
    """
    from pathlib import Path  # deferred: the check itself uses resolve_paths

    found = resolve_paths(manifests, root, absolute=absolute)
    return Resolution(
        paths=tuple(Path(p) for p in found.paths), discovered=found.discovered, root=Path(root)
    )


def no_manifest_message(directory: str | os.PathLike[str]) -> str:
    """What the CLI and the gate say when discovery finds no manifest in ``directory``."""
    shown = os.path.abspath(directory)
    return (
        f"no manifest found in {shown}: versions are not checked, only the environment's "
        "own consistency (requires, duplicate)"
    )
