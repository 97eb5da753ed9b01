"""Installed distributions against each other and the manifest: unmet requirements, and
distributions nothing accounts for.

Keys: ``<dist>:requires`` and ``<dist>:extraneous``.
"""

from __future__ import annotations

from collections.abc import Sequence

from bootguard.checks.graph import Evaluator, RequirementGraph
from bootguard.checks.specifiers import satisfies
from bootguard.checks.versions import merged_entries
from bootguard.environment._scan import DEFAULT_IGNORED
from bootguard.environment.model import Distribution, Environment
from bootguard.manifest.model import Manifest
from bootguard.names import canonical_name
from bootguard.report import Finding

TYPE_CHECKING = False
if TYPE_CHECKING:
    from bootguard.manifest.project import Project
    from bootguard.report import Status

__all__ = ["check_extraneous", "check_requires"]


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
    listed = set(merged_entries(manifests))
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
    graph.add_required(stack, accounted)
    accounted |= _SYNC_KEEPS
    status: Status = "fail" if strict else "warn"
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
    evaluator = Evaluator(env.marker_env)
    extras = ("", *(canonical_name(e) for e in dist.provides_extras))
    names: set[str] = set()
    for line in dist.requires:
        req = evaluator.parse(line)
        if req is None:
            continue
        if req.marker is None or any(evaluator.marker_holds(req, e) for e in extras):
            names.add(canonical_name(req.name))
    return names
