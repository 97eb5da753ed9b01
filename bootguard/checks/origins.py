"""Where each installed distribution is expected: what ``bootguard check -v`` lists.

An operator reading a verdict wants to know, for every distribution, why bootguard thinks
it belongs: the manifest line that lists it, or that nothing does (``extraneous``), that a
listed distribution requires it (``dependency``: specifier-style manifests list only the
top level), that it is an installer's tool never reported (``tool``), or that it was
ignored on purpose (``ignored``).  Without a manifest nothing is expected anywhere:
``no manifest``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from bootguard.names import TOOLS, canonical_name

TYPE_CHECKING = False
if TYPE_CHECKING:
    from bootguard.manifest.model import Manifest
    from bootguard.report import Finding

__all__ = ["listed_names", "origins"]


def listed_names(manifests: Sequence[Manifest]) -> dict[str, str]:
    """Canonical name -> the first place a manifest lists it (``requirements.txt:12``)."""
    listed: dict[str, str] = {}
    for manifest in manifests:
        for entry in manifest.entries:
            if entry.name:
                listed.setdefault(canonical_name(entry.name), entry.origin or manifest.path)
    return listed


def origins(
    names: Iterable[str],
    listed: dict[str, str],
    findings: Iterable[Finding],
    ignored: Iterable[str] = (),
) -> tuple[tuple[str, str], ...]:
    """(name, origin) for each installed (canonical) name, sorted by name."""
    extraneous = {f.subject for f in findings if f.aspect == "extraneous"}
    skipped = {canonical_name(name) for name in ignored}

    def origin(name: str) -> str:
        if name in listed:
            return listed[name]
        if name in skipped:
            return "ignored"
        if name in TOOLS:
            return "tool"
        if name in extraneous:
            return "extraneous"
        return "dependency" if listed else "no manifest"

    return tuple((name, origin(name)) for name in sorted(set(names)))
