"""The checks: pure functions of (manifests, environment) -> findings.

Nothing here touches the outside world beyond what the Environment already read; every
check is deterministic for its inputs, which is what makes findings comparable across the
fleet (same drift -> same findings -> one Sentry issue).

Keys follow DESIGN.md: ``<dist>:version``, ``<dist>:requires``, ``<dist>:extraneous``,
``<dist>:duplicate``, ``<dist>:metadata``, ``python:python`` and ``<dist>:python``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bootguard.environment._scan import DEFAULT_IGNORED
from bootguard.environment.model import Distribution, Environment
from bootguard.manifest.model import Manifest, ManifestEntry
from bootguard.names import canonical_name
from bootguard.report import Finding
from bootguard.sources import check_sources

TYPE_CHECKING = False
if TYPE_CHECKING:
    from bootguard.manifest.project import Project

if TYPE_CHECKING:
    from packaging.requirements import Requirement
    from packaging.specifiers import SpecifierSet
    from packaging.version import Version

__all__ = [
    "Edge",
    "RequirementGraph",
    "build_graph",
    "check_metadata",
    "duplicate_notes",
    "run_checks",
    "where",
]


@dataclass(frozen=True, slots=True)
class Edge:
    """``requirer`` requires ``requirement`` (its marker holds here; ``via_extra`` if pulled by one)."""

    requirer: Distribution
    requirement: Requirement
    via_extra: str = ""


@dataclass(frozen=True, slots=True)
class RequirementGraph:
    """Every applicable requirement of every installed distribution, with extras followed."""

    edges: dict[str, list[Edge]]
    by_target: dict[str, list[Edge]]
    invalid: dict[str, list[str]]


def run_checks(
    manifests: Sequence[Manifest],
    env: Environment,
    *,
    strict: bool = False,
    ignore: Iterable[str] = (),
    projects: Sequence[Project] = (),
) -> list[Finding]:
    """All findings for ``env`` against ``manifests`` (none: consistency checks only).

    ``projects`` are the installed project(s) being deployed (see :mod:`bootguard.manifest.project`).
    """
    ignored = {canonical_name(name) for name in ignore}
    manifests, source_findings = check_sources(manifests, env)  # names unnamed lines first
    requested = _requested_extras(manifests)
    graph = build_graph(env, requested)
    findings: list[Finding] = []
    findings.extend(check_python(manifests, env))
    findings.extend(check_versions(manifests, env, graph))
    findings.extend(check_requires(env, graph))
    findings.extend(check_extraneous(manifests, env, graph, strict=strict, projects=projects))
    findings.extend(check_duplicates(env))
    findings.extend(check_metadata(manifests, env))
    findings.extend(source_findings)
    return [f for f in findings if f.subject not in ignored]


# --- requirement graph -------------------------------------------------------------------


def build_graph(env: Environment, requested: dict[str, set[str]]) -> RequirementGraph:
    """Evaluate every Requires-Dist of every installed distribution for this environment.

    Extras are followed to a fixed point: an extra requested by the manifest, or by another
    distribution's requirement (``celery[redis]``), adds the requirements it guards.  pip
    check evaluates requirements with no extra at all; this is where bootguard differs.
    """
    evaluator = _Evaluator(env.marker_env)
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


class _Evaluator:
    """Parses and evaluates requirement strings once each (caches keyed by the text)."""

    def __init__(self, marker_env: dict[str, str]) -> None:
        from packaging.requirements import InvalidRequirement, Requirement  # deferred: ~35 ms

        self._requirement = Requirement
        self._invalid = InvalidRequirement
        self._env = marker_env
        self._parsed: dict[str, Requirement | None] = {}
        self._markers: dict[tuple[str, str], bool] = {}

    @staticmethod
    def skip_without_parsing(line: str, extra: str) -> bool:
        """True when ``line`` surely does not apply, decided without parsing it.

        Two thirds of real Requires-Dist lines are guarded by ``extra == "..."`` only.  A
        marker that is a pure conjunction (no ``or``, no ``!=``, no ``not in``) containing
        ``extra == "x"`` is false when the extra being evaluated is empty.  Parsing such a line
        with packaging costs ~20 us; this costs a few string searches.  Everything else is
        parsed and evaluated by packaging; a property test proves this shortcut never skips a
        line packaging would apply.
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

    def parse(self, line: str) -> Requirement | None:
        """The parsed requirement, or None if it is not valid PEP 508."""
        try:
            return self._parsed[line]
        except KeyError:
            pass
        try:
            req: Requirement | None = self._requirement(line)
        except self._invalid:
            req = None
        self._parsed[line] = req
        return req

    def marker_holds(self, req: Requirement, extra: str) -> bool:
        """Whether the requirement's marker is true here with ``extra``."""
        marker = req.marker
        assert marker is not None
        key = (str(marker), extra)
        cached = self._markers.get(key)
        if cached is None:
            cached = bool(marker.evaluate({**self._env, "extra": extra}))
            self._markers[key] = cached
        return cached


def _requested_extras(manifests: Sequence[Manifest]) -> dict[str, set[str]]:
    requested: dict[str, set[str]] = {}
    for manifest in manifests:
        for entry in manifest.entries:
            if entry.extras:
                requested.setdefault(entry.name, set()).update(entry.extras)
    return requested


# --- version helpers ---------------------------------------------------------------------


_SPEC_CACHE: dict[str, SpecifierSet | None] = {}


def _specifier(text: str) -> SpecifierSet | None:
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    try:
        return _SPEC_CACHE[text]
    except KeyError:
        pass
    try:
        spec: SpecifierSet | None = SpecifierSet(text)
    except InvalidSpecifier:
        spec = None
    _SPEC_CACHE[text] = spec
    return spec


def _version(text: str) -> Version | None:
    from packaging.version import InvalidVersion, Version

    try:
        return Version(text)
    except InvalidVersion:
        return None


def satisfies(version: str, specifier: str | SpecifierSet) -> bool | None:
    """Whether ``version`` is allowed by ``specifier`` (PEP 440), None if undecidable.

    Pre-releases count as allowed when they are inside the range: the question here is
    "is what is installed acceptable", not "what would a resolver pick".  Local versions
    follow PEP 440: ``==2.1.0`` accepts ``2.1.0+cpu``; ``==2.1.0+cpu`` requires that label.
    ``===`` is a plain string comparison, as specified.
    """
    text = str(specifier).strip()
    if not text:
        return True
    if text.startswith("==="):
        return version == text[3:].strip()
    spec = _specifier(text) if isinstance(specifier, str) else specifier
    parsed = _version(version)
    if spec is None or parsed is None:
        return None
    return spec.contains(parsed, prereleases=True)


# --- the checks ----------------------------------------------------------------------------


def check_python(manifests: Sequence[Manifest], env: Environment) -> list[Finding]:
    """The interpreter against each manifest's requires-python, and each dist's own."""
    findings = []
    for manifest in manifests:
        if manifest.requires_python and not satisfies(env.python_version, manifest.requires_python):
            findings.append(
                Finding(
                    "python",
                    "python",
                    "fail",
                    f"Python {env.python_version} is outside {manifest.path}'s "
                    f"requires-python {manifest.requires_python}",
                    expected=manifest.requires_python,
                    observed=env.python_version,
                )
            )
    for dist in env.distributions.values():
        if dist.requires_python and satisfies(env.python_version, dist.requires_python) is False:
            findings.append(
                Finding(
                    dist.name,
                    "python",
                    "fail",
                    f"{dist} requires Python {dist.requires_python}, "
                    f"but this is Python {env.python_version}",
                    expected=dist.requires_python,
                    observed=env.python_version,
                )
            )
    return findings


def check_versions(
    manifests: Sequence[Manifest], env: Environment, graph: RequirementGraph
) -> list[Finding]:
    """Every manifest entry is installed, at the locked version or inside its specifier."""
    findings = []
    for name, entries in _merge(manifests).items():
        dist = env.get(name)
        if dist is None:
            required = [e for e in entries if not e.constraint]
            if required:
                entry = required[0]
                findings.append(
                    Finding(
                        name,
                        "version",
                        "fail",
                        f"{name} is not installed; {entry.origin} expects "
                        f"{_expected(entry) or 'it'}",
                        expected=_expected(entry) or "installed",
                        observed="missing",
                    )
                )
            continue
        findings.extend(_check_entry(name, dist, entries, graph))
    return findings


def _check_entry(
    name: str, dist: Distribution, entries: list[ManifestEntry], graph: RequirementGraph
) -> list[Finding]:
    bad = [e for e in entries if e.specifier and satisfies(dist.version, e.specifier) is not True]
    if bad:
        entry = bad[0]
        verdict = satisfies(dist.version, entry.specifier)
        expected = _expected(entry)
        if verdict is None:
            message = f"{dist} cannot be compared with {entry.origin}'s {entry.specifier}"
        elif entry.pinned_version:
            message = f"{dist.display_name} is {dist.version}, {entry.origin} locks {expected}"
        else:
            message = f"{dist.display_name} is {dist.version}, outside {entry.origin}'s {expected}"
        return [
            Finding(
                name,
                "version",
                "fail",
                message,
                expected=expected,
                observed=dist.version,
                details=tuple(_explain(name, dist, graph)),
            )
        ]
    for entry in entries:
        if entry.editable and not dist.editable:
            return [
                Finding(
                    name,
                    "version",
                    "warn",
                    f"{dist} is installed, but not as the editable install {entry.origin} asks for",
                    expected="editable",
                    observed=dist.version,
                )
            ]
    return []


def _explain(name: str, dist: Distribution, graph: RequirementGraph) -> list[str]:
    """Which installed distributions accept or reject the installed version of ``name``."""
    lines = []
    for edge in sorted(graph.by_target.get(name, []), key=lambda e: e.requirer.name):
        spec = edge.requirement.specifier
        shown = str(spec) or "any version"
        verdict = satisfies(dist.version, spec) if str(spec) else True
        word = {True: "accepts", False: "rejects", None: "cannot judge"}[verdict]
        lines.append(
            f"{edge.requirer} requires {name}{shown if str(spec) else ' (' + shown + ')'}: {word} {dist.version}"
        )
    if not lines:
        lines.append(f"no installed distribution requires {name}")
    return lines


def check_requires(env: Environment, graph: RequirementGraph) -> list[Finding]:
    """Every installed distribution's applicable Requires-Dist is satisfied."""
    findings = []
    for name in sorted(graph.edges.keys() | graph.invalid.keys()):
        problems: list[str] = []
        for edge in graph.edges.get(name, []):
            req = edge.requirement
            target = env.get(canonical_name(req.name))
            suffix = f" (extra {edge.via_extra!r})" if edge.via_extra else ""
            if target is None:
                problems.append(f"requires {req}, which is not installed{suffix}")
            elif str(req.specifier) and satisfies(target.version, req.specifier) is False:
                problems.append(
                    f"requires {req.name}{req.specifier}, but {target} is installed{suffix}"
                )
        problems.extend(
            f"has an invalid requirement {line!r}" for line in graph.invalid.get(name, [])
        )
        if problems:
            dist = env.distributions[name]
            findings.append(
                Finding(
                    name,
                    "requires",
                    "fail",
                    f"{dist} {problems[0]}"
                    + (f" (+{len(problems) - 1} more)" if len(problems) > 1 else ""),
                    observed=dist.version,
                    details=tuple(problems[1:]),
                )
            )
    return findings


def check_extraneous(
    manifests: Sequence[Manifest],
    env: Environment,
    graph: RequirementGraph,
    *,
    strict: bool = False,
    projects: Sequence[Project] = (),
) -> list[Finding]:
    """Installed distributions the manifests do not account for.

    A complete lock accounts for exactly what it lists.  Specifier-style manifests (top-level
    requirements) also account for everything the listed distributions require, transitively.
    The project being deployed accounts for itself and for what it requires, transitively,
    with any of its own extras (``pip install -e '.[test]'``), whatever the manifest format:
    pip-compile and pipenv never list it, and its requirements are its own business.
    """
    if not manifests:
        return []
    listed = set(_merge(manifests))
    accounted = set(listed)
    stack: list[str] = []
    if not all(m.complete for m in manifests):
        stack.extend(listed)
    for project in projects:
        accounted.add(project.name)
        for target in _project_requirements(project.distribution, env):
            if target not in accounted:
                accounted.add(target)
                stack.append(target)
    while stack:
        for edge in graph.edges.get(stack.pop(), []):
            target = canonical_name(edge.requirement.name)
            if target not in accounted:
                accounted.add(target)
                stack.append(target)
    accounted |= _SYNC_KEEPS
    status = "fail" if strict else "warn"
    return [
        Finding(
            name,
            "extraneous",
            status,
            f"{dist} is installed but not in the manifest",
            expected="absent",
            observed=dist.version,
        )
        for name, dist in sorted(env.distributions.items())
        if name not in accounted and name not in DEFAULT_IGNORED
    ]


#: Installers that their own sync never removes (``uv sync`` keeps ``uv``, ``pip-sync`` keeps
#: ``pip-tools``): left behind by the tool that made the environment exact, not drift.  Unlike
#: ``DEFAULT_IGNORED`` they are still checked when a manifest names them.
_SYNC_KEEPS = frozenset({"uv", "pip-tools"})


def _project_requirements(dist: Distribution, env: Environment) -> set[str]:
    """The names the project requires here, with no extra or any of its own extras."""
    evaluator = _Evaluator(env.marker_env)
    extras = ("", *(canonical_name(e) for e in dist.provides_extras))
    names: set[str] = set()
    for line in dist.requires:
        req = evaluator.parse(line)
        if req is None:
            continue
        if req.marker is None or any(evaluator.marker_holds(req, e) for e in extras):
            names.add(canonical_name(req.name))
    return names


def check_duplicates(env: Environment) -> list[Finding]:
    """A distribution found twice at two versions: two metadata directories in one directory
    (fail: a half-finished install or uninstall), or a copy shadowed on the path (warn).

    Two copies of the *same* version are not a finding (see :func:`duplicate_notes`).
    """
    findings = []
    for dup in env.duplicates:
        if dup.same_version:
            continue
        winner, shadowed = dup.winner, dup.shadowed
        if dup.same_directory:
            message = (
                f"{winner.display_name} has two metadata directories in {where(winner.location)}: "
                f"{os.path.basename(winner.metadata_dir)} ({winner.version}) and "
                f"{os.path.basename(shadowed.metadata_dir)} ({shadowed.version}) "
                "(a half-finished install or uninstall; files of both may be mixed)"
            )
            status = "fail"
        else:
            message = (
                f"{winner} in {where(winner.location)} shadows {shadowed} "
                f"in {where(shadowed.location)}"
            )
            status = "warn"
        findings.append(
            Finding(
                winner.name,
                "duplicate",
                status,
                message,
                expected=winner.version,
                observed=shadowed.version,
            )
        )
    return findings


def duplicate_notes(env: Environment) -> list[str]:
    """Report notes for copies of one version found twice: harmless, but worth knowing."""
    notes = []
    for dup in env.duplicates:
        if not dup.same_version:
            continue
        winner, shadowed = dup.winner, dup.shadowed
        if dup.same_directory:
            notes.append(
                f"{winner} has two metadata directories of that version in "
                f"{where(winner.location)} ({os.path.basename(winner.metadata_dir)}, "
                f"{os.path.basename(shadowed.metadata_dir)}), as distribution packages ship "
                "it; the first is read"
            )
        else:
            notes.append(
                f"{winner} in {where(winner.location)} shadows the same version in "
                f"{where(shadowed.location)}"
            )
    return notes


def where(location: str) -> str:
    """A ``sys.path`` entry as a message names it: ``""`` and the working directory are "the
    current directory", this process's ``sys.path[0]`` is "the script directory"."""
    if not location:
        return "the current directory"
    try:
        if os.path.abspath(location) == os.getcwd():
            return f"the current directory ({location})"
    except OSError:  # the working directory was removed
        pass
    if sys.path and location == sys.path[0]:
        return f"the script directory ({location})"
    return location


def check_metadata(manifests: Sequence[Manifest], env: Environment) -> list[Finding]:
    """Installed distributions whose metadata cannot be read, or whose Version is not one.

    The inventory keeps such a distribution (see ``Distribution.problem``) so that one
    broken metadata directory never hides the rest of the check.  It fails when a manifest
    names the distribution (what the manifest asks for cannot be verified) and warns
    otherwise (it is broken, but nothing here depends on it being right).
    """
    named = set(_merge(manifests))
    findings = []
    for name, dist in sorted(env.distributions.items()):
        problem = dist.problem
        if problem is None and not _plain_version(dist.version) and _version(dist.version) is None:
            problem = f"Version {dist.version!r} is not a valid version (PEP 440)"
        if problem is None:
            continue
        where = os.path.basename(dist.metadata_dir)
        findings.append(
            Finding(
                name,
                "metadata",
                "fail" if name in named else "warn",
                f"{dist.display_name} ({where}): {problem}",
                expected="readable metadata",
                observed=problem,
            )
        )
    return findings


def _plain_version(text: str) -> bool:
    """``1.2.3``: surely valid, decided without packaging (nearly every installed version)."""
    return text.isascii() and all(part.isdigit() for part in text.split("."))


def _merge(manifests: Sequence[Manifest]) -> dict[str, list[ManifestEntry]]:
    merged: dict[str, list[ManifestEntry]] = {}
    for manifest in manifests:
        for name, entries in manifest.by_name().items():
            merged.setdefault(name, []).extend(entries)
    return merged


def _expected(entry: ManifestEntry) -> str:
    if entry.pinned_version:
        return entry.pinned_version
    if entry.specifier:
        return entry.specifier
    return entry.url or ""
