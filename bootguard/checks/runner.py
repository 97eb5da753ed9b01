"""All the pure checks of one environment against its manifests, in report order."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from bootguard.checks.duplicates import check_duplicates
from bootguard.checks.graph import build_graph, requested_extras
from bootguard.checks.metadata import check_metadata
from bootguard.checks.requires import check_extraneous, check_requires
from bootguard.checks.sources import check_sources
from bootguard.checks.versions import check_python, check_versions
from bootguard.environment.model import Environment
from bootguard.manifest.model import Manifest
from bootguard.names import canonical_name
from bootguard.report import Finding

TYPE_CHECKING = False
if TYPE_CHECKING:
    from bootguard.manifest.project import Project

__all__ = ["run_checks"]


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
    requested = requested_extras(manifests)
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
