"""Distribution-name normalization (PEP 503) without importing ``re``, and how many.

Every count bootguard prints (the check's summary, the snapshot's header, the sealed fast
path) is :func:`distribution_count`, so they agree and say what they leave out.


``packaging.utils.canonicalize_name`` does the same, but importing ``packaging.utils``
pulls in ``packaging.tags`` (sysconfig, platform, logging, ...), which costs more than the
whole boot check on a cold interpreter.  This runs on the boot path for every installed
distribution, so it is hand-written here; ``tests/unit/test_names.py`` proves it equal to
packaging's with hypothesis.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Container, Iterable, Sequence

__all__ = ["TOOLS", "canonical_name", "distribution_count", "unreported_tools"]

#: Installed but never reported unless a manifest names them: the installer's own tools
#: and bootguard itself (``pip freeze`` leaves out the first four the same way).
TOOLS = frozenset({"pip", "setuptools", "wheel", "distribute", "bootguard"})


def canonical_name(name: str) -> str:
    """Return the PEP 503 normalized form: lowercase, runs of ``-_.`` become one ``-``."""
    text = name.lower().replace("_", "-").replace(".", "-")
    while "--" in text:
        text = text.replace("--", "-")
    return text


def unreported_tools(names: Iterable[str], listed: Container[str] = frozenset()) -> tuple[str, ...]:
    """The :data:`TOOLS` among ``names`` (canonical) that no manifest lists: not reported."""
    return tuple(sorted({name for name in names if name in TOOLS and name not in listed}))


def distribution_count(total: int, tools: Sequence[str]) -> str:
    """``"152 distributions (3 tools not reported: bootguard, pip, setuptools)"``."""
    text = f"{total} distribution{'' if total == 1 else 's'}"
    if tools:
        kind = "tool" if len(tools) == 1 else "tools"
        text += f" ({len(tools)} {kind} not reported: {', '.join(tools)})"
    return text
