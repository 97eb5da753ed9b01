"""The sealed route of the check, and the environment fingerprint with what snapshots say.

A snapshot written with ``--seal`` records a digest of the installed set's directory names
(:mod:`bootguard.environment.seal`); when it still matches, :func:`sealed_report` answers
from those names alone, without reading any metadata: the boot fast path.  Both routes
compute the fingerprint and compare it with the one a snapshot records
(:func:`fingerprint_findings`), so they report the same drift.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Sequence

from bootguard.checks.origins import origins
from bootguard.environment._scan import metadata_dirs
from bootguard.names import TOOLS, canonical_name, unreported_tools
from bootguard.report import ManifestInfo, Report

TYPE_CHECKING = False
if TYPE_CHECKING:
    from bootguard.report import Finding

__all__ = ["fingerprint_findings", "installed_from_names", "sealed_report"]


def sealed_report(
    path: str | os.PathLike[str],
    search: tuple[str, ...],
    ikey: str,
    python: str | None,
    started: float,
) -> Report | None:
    """The Report for a sealed snapshot whose seal matches; None to run the full check."""
    from bootguard._files import MANIFEST_MAX_BYTES, read_regular
    from bootguard.environment.seal import verify_seal

    try:
        data = read_regular(path, MANIFEST_MAX_BYTES)
    except (OSError, ValueError):
        return None  # the full path reports the unreadable file properly
    if not verify_seal(data, search, ikey):
        return None
    import hashlib

    dirs = metadata_dirs(search)
    entries = sum(1 for line in data.splitlines() if line.strip() and not line.startswith(b"#"))
    version = ikey.split(maxsplit=1)[0].partition("=")[2]
    fingerprint, findings, notes = fingerprint_findings(dirs, [path], {str(path): data})
    installed = installed_from_names(dirs)
    names = [name for name, _ in installed]
    return Report(
        findings=tuple(findings),
        manifests=(
            ManifestInfo(str(path), "requirements", hashlib.sha256(data).hexdigest(), entries),
        ),
        python=version,
        executable=python or sys.executable,
        distributions=len(installed),
        verified_by="seal",
        timings=(("total", (time.perf_counter() - started) * 1000.0),),
        fingerprint=fingerprint,
        notes=("environment matches the sealed snapshot: metadata not re-read", *notes),
        installed=installed,
        tools=unreported_tools(names),
        origins=origins(names, _sealed_origins(path, data, names), ()),
    )


def _sealed_origins(
    path: str | os.PathLike[str], data: bytes, names: Sequence[str]
) -> dict[str, str]:
    """Where the snapshot lists each name the seal covers: its line, else the snapshot (an
    ``-e`` line has no name to match); the tools a snapshot leaves out are not listed."""
    lines = _snapshot_lines(path, data)
    return {n: lines.get(n, str(path)) for n in names if n in lines or n not in TOOLS}


def _snapshot_lines(path: str | os.PathLike[str], data: bytes) -> dict[str, str]:
    """Canonical name -> ``path:line`` for each ``name==version`` line of the snapshot."""
    listed: dict[str, str] = {}
    for number, raw in enumerate(data.decode("utf-8", "replace").splitlines(), 1):
        line = raw.strip()
        if line and not line.startswith("#"):
            name = line.split("==", 1)[0].split("@", 1)[0].split("[", 1)[0].split(";", 1)[0]
            listed.setdefault(canonical_name(name.strip()), f"{path}:{number}")
    return listed


def installed_from_names(dirs: list[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """(name, version) from metadata directory names, first on the path winning."""
    from bootguard.environment._scan import dir_identity

    found: dict[str, str] = {}
    for entry, dir_name in dirs:
        name, version = dir_identity(entry, dir_name)
        found.setdefault(canonical_name(name), version)
    return tuple(sorted(found.items()))


def fingerprint_findings(
    dirs: list[tuple[str, str]],
    manifest_paths: Sequence[str | os.PathLike[str]],
    contents: dict[str, bytes] | None = None,
) -> tuple[str | None, list[Finding], tuple[str, ...]]:
    """The environment fingerprint, and what the manifests that record one say about it."""
    from bootguard._files import MANIFEST_MAX_BYTES, read_regular
    from bootguard.checks.fingerprint import snapshot_comparison
    from bootguard.environment.fingerprint import node_fingerprint

    sources: list[tuple[str | os.PathLike[str], bytes]] = []
    for path in manifest_paths:
        data = (contents or {}).get(str(path))
        if data is None:
            try:
                data = read_regular(path, MANIFEST_MAX_BYTES)
            except OSError:
                continue
        sources.append((path, data))
    try:  # a snapshot's stat witness spares reading every RECORD when nothing changed
        value, _ = node_fingerprint(dirs, sources[0][1] if len(sources) == 1 else None)
    except Exception as err:  # a bug here must not fail the check; say so instead
        return None, [], (f"environment fingerprint not computed: {err!r}",)
    findings: list[Finding] = []
    notes: list[str] = []
    for path, data in sources:
        finding, note = snapshot_comparison(value, data, str(path))
        if finding is not None:
            findings.append(finding)
        if note:
            notes.append(note)
    return value, findings, tuple(notes)
