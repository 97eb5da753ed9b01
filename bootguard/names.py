"""Distribution-name normalization (PEP 503) without importing ``re``.

``packaging.utils.canonicalize_name`` does the same, but importing ``packaging.utils``
pulls in ``packaging.tags`` (sysconfig, platform, logging, ...), which costs more than the
whole boot check on a cold interpreter.  This runs on the boot path for every installed
distribution, so it is hand-written here; ``tests/test_shortcuts.py`` proves it equal to
packaging's with hypothesis.
"""

from __future__ import annotations

__all__ = ["canonical_name"]


def canonical_name(name: str) -> str:
    """Return the PEP 503 normalized form: lowercase, runs of ``-_.`` become one ``-``."""
    text = name.lower().replace("_", "-").replace(".", "-")
    while "--" in text:
        text = text.replace("--", "-")
    return text
