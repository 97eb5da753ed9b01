"""Installed distributions whose metadata cannot be read, or whose Version is not one.

Key: ``<dist>:metadata``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from bootguard.checks.specifiers import parse_version, plain_version
from bootguard.checks.versions import merged_entries
from bootguard.environment.model import Environment
from bootguard.manifest.model import Manifest
from bootguard.report import Finding

__all__ = ["check_metadata"]


def check_metadata(manifests: Sequence[Manifest], env: Environment) -> list[Finding]:
    """Installed distributions whose metadata cannot be read, or whose Version is not one.

    The inventory keeps such a distribution (see ``Distribution.problem``) so that one
    broken metadata directory never hides the rest of the check.  It fails when a manifest
    names the distribution (what the manifest asks for cannot be verified) and warns
    otherwise (it is broken, but nothing here depends on it being right).
    """
    named = set(merged_entries(manifests))
    findings = []
    for name, dist in sorted(env.distributions.items()):
        problem = dist.problem
        if (
            problem is None
            and not plain_version(dist.version)
            and parse_version(dist.version) is None
        ):
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
