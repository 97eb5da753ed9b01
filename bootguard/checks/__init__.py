"""The checks: pure functions of (manifests, environment) -> findings.

Nothing here touches the outside world beyond what the Environment already read; every
check is deterministic for its inputs, which is what makes findings comparable across the
fleet (same drift -> same findings -> one Sentry issue).

One module per family of finding keys: :mod:`~bootguard.checks.versions` (``python:python``,
``<dist>:python``, ``<dist>:version``), :mod:`~bootguard.checks.requires` (``<dist>:requires``,
``<dist>:extraneous``), :mod:`~bootguard.checks.duplicates`, :mod:`~bootguard.checks.metadata`
and :mod:`~bootguard.checks.sources`, over the requirement graph of
:mod:`~bootguard.checks.graph`.  The checks that read files or run code are imported only when
asked for: :mod:`~bootguard.checks.integrity` and :mod:`~bootguard.checks.probes`.

The names below are loaded lazily (PEP 562): the gate imports :mod:`~bootguard.checks.probes`
after a sealed check that read no metadata, and must not pay for the others (docs/design.md).
"""

from __future__ import annotations

from bootguard._lazy import lazy_exports

__all__ = [
    "Edge",
    "RequirementGraph",
    "build_graph",
    "check_metadata",
    "duplicate_notes",
    "run_checks",
    "satisfies",
    "where",
]


_LAZY = {
    "Edge": "bootguard.checks.graph",
    "RequirementGraph": "bootguard.checks.graph",
    "build_graph": "bootguard.checks.graph",
    "check_metadata": "bootguard.checks.metadata",
    "duplicate_notes": "bootguard.checks.duplicates",
    "run_checks": "bootguard.checks.runner",
    "satisfies": "bootguard.checks.specifiers",
    "where": "bootguard.checks.duplicates",
}

TYPE_CHECKING = False
if TYPE_CHECKING:
    from bootguard.checks.duplicates import duplicate_notes, where
    from bootguard.checks.graph import Edge, RequirementGraph, build_graph
    from bootguard.checks.metadata import check_metadata
    from bootguard.checks.runner import run_checks
    from bootguard.checks.specifiers import satisfies


__getattr__, __dir__ = lazy_exports(__name__, _LAZY, globals())
