"""The differential check of the pylock fast reader against the packaging path.

Why: the fast reader (``bootguard.manifest._pylock_fast``) must give exactly the Manifest
``packaging.pylock`` gives, or decline; a wrong answer would be a false alarm (or a missed
drift) at boot.  :func:`same_or_declined` runs both on one document and selection and fails
the test on any difference; it says whether the fast reader answered, so tests can also
prove it answers for the common documents.  :func:`same_as_tomllib` does the same for the
TOML parser of ``pip lock`` files (``bootguard.manifest._pylock_toml``) against ``tomllib``.
"""

from __future__ import annotations

import sys
from typing import Any

from bootguard.manifest._pylock_fast import fast_manifest
from bootguard.manifest._pylock_toml import pip_lock_document
from bootguard.manifest.model import Selection
from bootguard.manifest.pylock import _with_packaging
from tests.support.locks import marker_env

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

__all__ = ["DIGEST", "SELECTIONS", "same_as_tomllib", "same_or_declined", "selection_for"]

DIGEST = "0" * 64


def selection_for(
    platform: str,
    python: str,
    machine: str = "x86_64",
    extras: frozenset[str] = frozenset(),
    groups: frozenset[str] | None = None,
) -> Selection:
    """A target interpreter: ``marker_env(platform, python)`` on ``machine``."""
    return Selection({**marker_env(platform, python), "platform_machine": machine}, extras, groups)


#: Marker environments the real locks are read for (Python, platform and machine vary).
SELECTIONS = tuple(
    selection_for(platform, python, machine)
    for platform, machine in (("linux", "x86_64"), ("linux", "aarch64"), ("win32", "AMD64"),
                              ("darwin", "arm64"))
    for python in ("3.9.18", "3.10.4", "3.11.7", "3.13.1")
)  # fmt: skip


def same_or_declined(document: dict[str, Any], selection: Selection, display: str) -> bool:
    """Assert the fast reader declines or equals the packaging path; True if it answered.

    Whenever packaging refuses the document (any exception), the fast reader must decline,
    so that the error the operator sees is packaging's.
    """
    fast = fast_manifest(document, display, DIGEST, selection)
    try:
        reference = _with_packaging(document, display, DIGEST, selection)
    except Exception as err:  # any refusal: the fast reader must decline
        assert fast is None, f"packaging refused ({err!r}) but the fast reader answered {fast}"
        return False
    if fast is None:
        return False
    assert fast == reference
    assert repr(fast) == repr(reference)
    return True


def _ordered(node: Any) -> Any:
    """The document with every table as a list of items: equality that sees key order
    (hashes are reported in the order the lock lists them)."""
    if isinstance(node, dict):
        return [(key, _ordered(value)) for key, value in node.items()]
    if isinstance(node, list):
        return [_ordered(value) for value in node]
    return (type(node).__name__, node)


def same_as_tomllib(data: bytes) -> bool:
    """Assert ``pip_lock_document`` is None or tomllib's document; True if it parsed."""
    document = pip_lock_document(data)
    try:
        reference = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError):
        assert document is None
        return False
    if document is None:
        return False
    assert _ordered(document) == _ordered(reference)
    return True
