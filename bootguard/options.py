"""``CheckOptions``: everything one check is asked to do, as one immutable value.

The API's keyword form (``check(manifests, strict=True, ...)``), the gate, the periodic
re-check, ``serve`` and the CLI all describe a check with these same fields; building one
value once (and deriving a variant with :func:`dataclasses.replace`, or the import-free
:func:`bootguard._record.replace`) keeps them from
drifting apart.
"""

from __future__ import annotations

from collections.abc import Sequence

from bootguard._record import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    import os

    from bootguard.checks.integrity import Progress

__all__ = ["CheckOptions"]


class CheckOptions(Record):
    """What to check and how (see :func:`bootguard.api.check` for each field's meaning).

    ``manifests=None`` discovers one in the current directory; ``()`` checks only the
    environment's own consistency.  ``integrity`` is ``True`` (every distribution), a name or
    a sequence of names, or ``False``.
    """

    manifests: Sequence[str | os.PathLike[str]] | None = None
    python: str | None = None
    paths: Sequence[str] | None = None
    strict: bool = False
    ignore: Sequence[str] = ()
    extras: Sequence[str] = ()
    groups: Sequence[str] | None = None
    use_seal: bool = True
    integrity: bool | str | Sequence[str] = False
    quick_integrity: bool = False
    progress: Progress | None = None
    allow_empty: bool = False
    pyprojects: Sequence[str | os.PathLike[str]] = ()
