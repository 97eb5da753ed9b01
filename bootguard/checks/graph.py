"""The requirement graph: every installed distribution's applicable Requires-Dist.

Each requirement string is parsed and its marker evaluated once (:class:`Evaluator`); extras
are followed to a fixed point, so ``celery[redis]`` pulls in what its ``redis`` extra guards.
"""

from __future__ import annotations

from collections.abc import Sequence

from bootguard._pep508 import Marker, Requirement, parse_requirement
from bootguard._record import Record
from bootguard.environment.model import Distribution, Environment
from bootguard.manifest.model import Manifest
from bootguard.names import canonical_name

TYPE_CHECKING = False
if TYPE_CHECKING:
    from packaging.requirements import Requirement as PackagingRequirement

    #: A parsed Requires-Dist line: the common forms parsed here, the rest by packaging.
    AnyRequirement = Requirement | PackagingRequirement

__all__ = ["Edge", "Evaluator", "RequirementGraph", "build_graph", "requested_extras"]


class Edge(Record):
    """``requirer`` requires ``requirement`` (its marker holds here; ``via_extra`` if pulled by one)."""

    requirer: Distribution
    requirement: AnyRequirement
    via_extra: str = ""


class RequirementGraph(Record):
    """Every applicable requirement of every installed distribution, with extras followed."""

    edges: dict[str, list[Edge]]
    by_target: dict[str, list[Edge]]
    invalid: dict[str, list[str]]

    def add_required(self, names: list[str], seen: set[str]) -> set[str]:
        """Add to ``seen`` what ``names`` require, transitively, and return it.

        A name already in ``seen`` is not followed again, so whatever the caller has already
        accounted for and did not pass in ``names`` is not walked.  ``names`` is consumed.
        """
        while names:
            for edge in self.edges.get(names.pop(), []):
                target = canonical_name(edge.requirement.name)
                if target not in seen:
                    seen.add(target)
                    names.append(target)
        return seen


def build_graph(env: Environment, requested: dict[str, set[str]]) -> RequirementGraph:
    """Evaluate every Requires-Dist of every installed distribution for this environment.

    Extras are followed to a fixed point: an extra requested by the manifest, or by another
    distribution's requirement (``celery[redis]``), adds the requirements it guards.  pip
    check evaluates requirements with no extra at all; this is where bootguard differs.
    """
    evaluator = Evaluator(env.marker_env)
    extras_wanted = {name: set(extras) for name, extras in requested.items()}
    done: dict[str, set[str]] = {}
    settled: dict[str, set[int]] = {}  # lines already recorded (or invalid) per distribution
    edges: dict[str, list[Edge]] = {}
    invalid: dict[str, list[str]] = {}
    work = list(env.distributions)
    while work:
        name = work.pop()
        dist = env.distributions.get(name)
        if dist is None:
            continue
        seen = done.setdefault(name, set())
        todo = ({""} | extras_wanted.get(name, set())) - seen
        if not todo:
            continue
        seen |= todo
        lines_done = settled.setdefault(name, set())
        for index, line in enumerate(dist.requires):
            if index in lines_done:
                continue
            for extra in sorted(todo):
                if evaluator.skip_without_parsing(line, extra):
                    continue
                req = evaluator.parse(line)
                lines_done.add(index)
                if req is None:
                    invalid.setdefault(name, []).append(line)
                    break
                if req.marker is not None and not evaluator.marker_holds(req, extra):
                    lines_done.discard(index)
                    continue
                edges.setdefault(name, []).append(Edge(dist, req, extra))
                if req.extras:
                    target = canonical_name(req.name)
                    wanted = extras_wanted.setdefault(target, set())
                    new = {canonical_name(e) for e in req.extras} - wanted
                    if new:
                        wanted |= new
                        work.append(target)
                break  # one applicable evaluation per line is enough
    by_target: dict[str, list[Edge]] = {}
    for dist_edges in edges.values():
        for edge in dist_edges:
            by_target.setdefault(canonical_name(edge.requirement.name), []).append(edge)
    return RequirementGraph(edges=edges, by_target=by_target, invalid=invalid)


class Evaluator:
    """Parses and evaluates requirement strings once each (caches keyed by the text).

    The common forms of Requires-Dist lines and markers are parsed and evaluated by
    :mod:`bootguard._pep508` without importing ``packaging``; any line or comparison outside
    that subset goes to ``packaging``, imported only then.
    """

    def __init__(self, marker_env: dict[str, str]) -> None:
        self._env = marker_env
        self._parsed: dict[str, AnyRequirement | None] = {}
        self._markers: dict[tuple[str, str], bool] = {}

    @staticmethod
    def skip_without_parsing(line: str, extra: str) -> bool:
        """True when ``line`` surely does not apply, decided without parsing it.

        Two thirds of real Requires-Dist lines are guarded by ``extra == "..."`` only.  A
        marker that is a pure conjunction (no ``or``, no ``!=``, no ``not in``) containing
        ``extra == "x"`` is false when the extra being evaluated is empty.  Parsing such a line
        costs far more than the few string searches this takes.  Everything else is parsed
        and evaluated; a property test proves this shortcut never skips a line packaging
        would apply.
        """
        if extra:
            return False
        _, sep, marker = line.partition(";")
        if not sep or "extra" not in marker:
            return False
        spaced = f" {marker.replace('(', ' ').replace(')', ' ')} "
        if " or " in spaced or "!=" in marker or " not " in spaced or " in " in spaced:
            return False
        compact = marker.replace(" ", "")
        return "extra==" in compact and "extra==''" not in compact and 'extra==""' not in compact

    def parse(self, line: str) -> AnyRequirement | None:
        """The parsed requirement, or None if it is not valid PEP 508."""
        try:
            return self._parsed[line]
        except KeyError:
            pass
        req: AnyRequirement | None = parse_requirement(line)
        if req is None:
            from packaging.requirements import InvalidRequirement

            from bootguard._pep508 import packaging_requirement

            try:
                req = packaging_requirement(line)
            except InvalidRequirement:
                req = None
        self._parsed[line] = req
        return req

    def marker_holds(self, req: AnyRequirement, extra: str) -> bool:
        """Whether the requirement's marker is true here with ``extra`` (canonical)."""
        marker = req.marker
        assert marker is not None
        text = marker.text if isinstance(marker, Marker) else str(marker)
        key = (text, extra)
        cached = self._markers.get(key)
        if cached is None:
            decided = marker.evaluate(self._env, extra) if isinstance(marker, Marker) else None
            if decided is None:
                decided = _packaging_marker_holds(marker, self._env, extra)
            cached = self._markers[key] = decided
        return cached


def _packaging_marker_holds(marker: object, env: dict[str, str], extra: str) -> bool:
    """packaging's verdict on a marker (a fast-path one is re-parsed by packaging)."""
    from packaging.markers import Marker as _Marker

    parsed = _Marker(marker.text) if isinstance(marker, Marker) else marker
    assert isinstance(parsed, _Marker)
    return bool(parsed.evaluate({**env, "extra": extra}))


def requested_extras(manifests: Sequence[Manifest]) -> dict[str, set[str]]:
    requested: dict[str, set[str]] = {}
    for manifest in manifests:
        for entry in manifest.entries:
            if entry.extras:
                requested.setdefault(entry.name, set()).update(entry.extras)
    return requested
