"""``bootguard snapshot``: write the environment as a pinned, sealed requirements file.

Why requirements and not PEP 751: a ``pylock.toml`` package must name its source (wheel
or sdist file with hashes, a VCS, a directory or an archive), and an installed environment
does not record where its wheels came from.  A pinned requirements file is the standard
format that can say exactly what is known (``name==version``, ``name @ url`` for direct-URL
installs, ``-e`` for editables, as ``pip freeze`` does), ``pip install -r`` reads it, and
``bootguard check`` reads it back with zero findings on the same environment.

The seal (see :mod:`bootguard.seal`) is added only when the full check of the environment
against the snapshot finds nothing, so a seal always vouches for a clean check.
"""

from __future__ import annotations

from pathlib import Path

from bootguard._scan import DEFAULT_IGNORED, interpreter_key
from bootguard.environment import Distribution, Environment
from bootguard.report import Finding

__all__ = ["SnapshotResult", "snapshot"]

# Requires-Dist markers on these change with every kernel patch; an environment whose
# requirements use them is never sealed (the interpreter key leaves them out).
_KERNEL_MARKERS = ("platform_release", "platform_version")


class SnapshotResult:
    """The snapshot text, whether it is sealed, and why not."""

    __slots__ = ("findings", "sealed", "text")

    def __init__(self, text: bytes, sealed: bool, findings: tuple[Finding, ...]) -> None:
        self.text = text
        self.sealed = sealed
        self.findings = findings


def snapshot(python: str | None = None, paths: list[str] | None = None) -> SnapshotResult:
    """Take a snapshot of this interpreter's environment (or ``python``'s)."""
    from bootguard import __version__
    from bootguard._scan import import_paths, metadata_dirs
    from bootguard.checks import run_checks
    from bootguard.environment import current_environment, inspect_interpreter
    from bootguard.fingerprint import snapshot_line
    from bootguard.manifest.model import Selection
    from bootguard.manifest.requirements import read_requirements
    from bootguard.seal import add_seal, environment_key

    if python is not None:
        env = inspect_interpreter(python)
    else:
        env = current_environment(import_paths() if paths is None else paths)
    marker = env.marker_env
    header = [
        f"# Written by `bootguard snapshot` (bootguard {__version__}).",
        "# A pinned requirements file: `pip install -r` reads it; `bootguard check` verifies against it.",
        f"# Python {env.python_version} ({marker.get('implementation_name', '')}, "
        f"{marker.get('sys_platform', '')}, {marker.get('platform_machine', '')}); "
        f"{_count(env)} distribution{'' if _count(env) == 1 else 's'}.",
        # what `bootguard check` compares this node's installed files with (the seal covers it)
        snapshot_line(metadata_dirs(env.paths)),
    ]
    body_lines = [*header, *_requirement_lines(env)]
    body = ("\n".join(body_lines) + "\n").encode("utf-8")

    selection = Selection(marker_env=marker)
    manifest = read_requirements(Path("snapshot.txt"), selection, data=body)
    findings = tuple(run_checks([manifest], env))
    uses_kernel = any(
        m in line
        for d in env.distributions.values()
        for line in d.requires
        for m in _KERNEL_MARKERS
    )
    if findings or uses_kernel:
        return SnapshotResult(body, False, findings)
    ikey = interpreter_key(marker if python is not None else None)
    sealed = add_seal(body, environment_key(env.paths, ikey), after_line=len(header))
    return SnapshotResult(sealed, True, findings)


def _count(env: Environment) -> int:
    return sum(1 for name in env.distributions if name not in DEFAULT_IGNORED)


def _requirement_lines(env: Environment) -> list[str]:
    lines: list[str] = []
    for name in sorted(env.distributions):
        if name in DEFAULT_IGNORED:
            continue
        lines.extend(_lines_for(env.distributions[name]))
    return lines


def _lines_for(dist: Distribution) -> list[str]:
    if dist.editable and dist.direct_url:
        return [
            f"# Editable install with no version control ({dist.display_name}=={dist.version})",
            f"-e {dist.direct_url}",
        ]
    if dist.direct_url:
        return [f"{dist.display_name} @ {dist.direct_url}"]
    return [f"{dist.display_name}=={dist.version}"]
