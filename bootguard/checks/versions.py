"""The manifest against what is installed: the interpreter, then each listed distribution.

Keys: ``python:python``, ``<dist>:python`` and ``<dist>:version``.
"""

from __future__ import annotations

from collections.abc import Sequence

from bootguard.checks.graph import RequirementGraph
from bootguard.checks.specifiers import satisfies
from bootguard.environment.model import Distribution, Environment
from bootguard.manifest.model import Manifest, ManifestEntry
from bootguard.report import Finding

__all__ = ["check_python", "check_versions", "merged_entries"]


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
    """Every manifest entry is installed, at the locked version or inside its specifier.

    A constraint (``-c``) applies, as in pip, only to a distribution the manifest's own
    requirements pull in (listed, or required by what is listed, transitively): a constraint
    on something nothing asks for says nothing about the environment.
    """
    findings = []
    merged = merged_entries(manifests)
    pulled_in: set[str] | None = None
    for name, entries in merged.items():
        if all(e.constraint for e in entries):
            if pulled_in is None:
                pulled_in = _pulled_in(merged, graph)
            if name not in pulled_in:
                continue
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


def _pulled_in(merged: dict[str, list[ManifestEntry]], graph: RequirementGraph) -> set[str]:
    """What the non-constraint entries name, and what those require, transitively."""
    roots = [name for name, entries in merged.items() if not all(e.constraint for e in entries)]
    return graph.add_required(roots, set(roots))


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


def merged_entries(manifests: Sequence[Manifest]) -> dict[str, list[ManifestEntry]]:
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
