"""Which manifests one check reads: the ones given, or the one discovered.

The API, the gate, the periodic re-check and ``serve`` all answer this the same way:
``None`` means "discover one in the root" (:func:`bootguard.manifest.discover`, maybe none),
a sequence (even empty) means exactly those files.  The report says so when discovery found
nothing (:func:`no_manifest_message`), since only the environment's own consistency is then
checked.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from bootguard._record import Record

__all__ = ["Resolution", "no_manifest_message", "resolve"]


class Resolution(Record):
    """The manifests to read, and whether they were discovered rather than given."""

    paths: tuple[Path, ...]
    discovered: bool
    root: Path

    @property
    def note(self) -> str | None:
        """What the report says when discovery found no manifest; None otherwise."""
        if self.discovered and not self.paths:
            return no_manifest_message(self.root)
        return None


def resolve(
    manifests: Sequence[str | Path] | None,
    root: str | Path = ".",
    *,
    absolute: bool = False,
) -> Resolution:
    """The manifests given, else the one discovered in ``root`` (maybe none).

    ``absolute`` resolves every path now (the re-check runs later, and a ``chdir`` in
    between must not change what is checked).  Discovery raises ``ManifestError`` where
    :func:`~bootguard.manifest.discover` does (several ``pylock.*.toml``, a FIFO named like
    a manifest).
    """
    base = Path(root)
    if manifests is not None:
        paths = tuple(Path(m) for m in manifests)
        discovered = False
    else:
        from bootguard.manifest import discover

        found = discover(base)
        paths = (found,) if found is not None else ()
        discovered = True
    if absolute:
        paths = tuple(path.resolve() for path in paths)
    return Resolution(paths=paths, discovered=discovered, root=base)


def no_manifest_message(directory: str | Path) -> str:
    """What the CLI and the gate say when discovery finds no manifest in ``directory``."""
    shown = os.path.abspath(directory)
    return (
        f"no manifest found in {shown}: versions are not checked, only the environment's "
        "own consistency (requires, duplicate)"
    )
