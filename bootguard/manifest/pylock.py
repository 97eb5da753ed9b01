"""PEP 751 ``pylock.toml``, validated and selected as ``packaging.pylock`` does it.

Selection (markers, extras, dependency groups) is packaging's ``Pylock.select``.  Which
*wheel* it would pick does not matter for a check, so every tag that appears in the lock is
offered as compatible: that way select never fails for lack of a wheel for this platform
(the installed files are what they are), while markers, extras and groups are evaluated by
the reference implementation.  The common documents are read without importing packaging
(:mod:`bootguard.manifest._pylock_fast`, with exactly packaging's answers); the reader
hands everything else to packaging.
"""

from __future__ import annotations

import hashlib

from bootguard.errors import ManifestError
from bootguard.manifest._lock import read_bytes
from bootguard.manifest._toml import load_toml
from bootguard.manifest._urls import lock_base, pylock_source
from bootguard.manifest.model import Manifest, ManifestEntry, Selection

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

__all__ = ["read_pylock"]


def read_pylock(path: Path, selection: Selection) -> Manifest:
    """Read, validate and select a pylock file for the target environment.

    The common documents are read by :mod:`bootguard.manifest._pylock_fast`, which gives
    the same Manifest without importing packaging, or declines: then packaging decides.
    ``pip lock``'s TOML is parsed by :mod:`bootguard.manifest._pylock_toml` (the same
    document as ``tomllib``'s), anything else by ``tomllib``.
    """
    from bootguard.manifest._pylock_fast import fast_manifest
    from bootguard.manifest._pylock_toml import pip_lock_document

    display = str(path)
    data = read_bytes(path, display)
    document = pip_lock_document(data)
    if document is None:
        document = load_toml(data, display)
    digest = hashlib.sha256(data).hexdigest()
    fast = fast_manifest(document, display, digest, selection)
    return fast if fast is not None else _with_packaging(document, display, digest, selection)


def _with_packaging(
    document: dict[str, Any], display: str, digest: str, selection: Selection
) -> Manifest:
    """The reference reading: ``Pylock.from_dict`` and ``Pylock.select``."""
    import dataclasses

    from packaging.pylock import Pylock, PylockSelectError, PylockValidationError
    from packaging.utils import parse_wheel_filename

    try:
        lock = Pylock.from_dict(document)
    except PylockValidationError as err:
        raise ManifestError(display, err.message, key=err.context) from err
    except (TypeError, ValueError) as err:  # packaging raises these for some malformed values
        raise ManifestError(display, str(err)) from err
    except RecursionError:  # a marker nested too deeply for packaging's recursive parser
        raise ManifestError(display, "a marker is nested too deeply") from None
    requires_python = str(lock.requires_python) if lock.requires_python else None
    # The interpreter check is reported as a ``python`` finding, not a read error.
    selectable = dataclasses.replace(lock, requires_python=None)
    tags = {
        tag
        for package in lock.packages
        for wheel in package.wheels or ()
        for tag in parse_wheel_filename(wheel.filename)[3]
    }
    index_of = {id(package): i for i, package in enumerate(lock.packages)}
    try:
        selected = list(
            selectable.select(
                environment=dict(selection.marker_env),  # type: ignore[arg-type]
                tags=sorted(tags, key=str),
                extras=selection.extras,
                dependency_groups=selection.groups,
            )
        )
    except PylockSelectError as err:
        raise ManifestError(display, f"cannot select packages for this environment: {err}") from err
    except RecursionError:
        raise ManifestError(display, "a marker is nested too deeply") from None
    entries = []
    for package, source in selected:
        directory = package.directory
        url = getattr(source, "url", None) or getattr(source, "path", None)
        entries.append(
            ManifestEntry(
                name=str(package.name),
                specifier=f"=={package.version}" if package.version else "",
                url=url if package.is_direct else None,
                editable=bool(directory and directory.editable),
                hashes=tuple(
                    f"{k}:{v}" for k, v in (getattr(source, "hashes", None) or {}).items()
                ),
                origin=f"{display}: packages[{index_of[id(package)]}]",
                source=pylock_source(package, lock_base(display)),
            )
        )
    return Manifest(
        path=display,
        format="pylock",
        entries=tuple(entries),
        digest=digest,
        requires_python=requires_python,
        complete=True,
    )
