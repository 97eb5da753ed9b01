"""``check()``: read the manifests, take the inventory, run the checks, build the Report.

This is the single orchestration point used by the CLI, the boot gate and the tests.  It
tries the snapshot seal first (see :mod:`bootguard.environment.seal`), then a verdict sealed
at build time (:mod:`bootguard.environment.seal_record`), and only parses metadata when
neither is there or matches.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Mapping, Sequence

from bootguard.environment._scan import import_paths, interpreter_key, metadata_dirs
from bootguard.manifest.resolve import no_manifest_message, resolve_paths
from bootguard.options import CheckOptions
from bootguard.report import ManifestInfo, Report

TYPE_CHECKING = False
if TYPE_CHECKING:
    from bootguard.checks.integrity import Progress
    from bootguard.environment.interpreter import InterpreterProbe
    from bootguard.environment.model import Distribution
    from bootguard.manifest import Manifest
    from bootguard.manifest.project import Project
    from bootguard.report import Finding

__all__ = [
    "CheckOptions",
    "check",
    "check_with",
    "import_paths",
    "log_internal",
    "no_manifest_message",
]


def check(
    manifests: Sequence[str | os.PathLike[str]] | None = None,
    *,
    python: str | None = None,
    paths: Sequence[str] | None = None,
    strict: bool = False,
    ignore: Sequence[str] = (),
    extras: Sequence[str] = (),
    groups: Sequence[str] | None = None,
    use_seal: bool = True,
    integrity: bool | Sequence[str] = False,
    quick_integrity: bool = False,
    progress: Progress | None = None,
    allow_empty: bool = False,
    pyprojects: Sequence[str | os.PathLike[str]] = (),
) -> Report:
    """Check an environment against manifests and return the Report.

    ``manifests=None`` discovers one in the current directory; an empty sequence checks only
    the environment's own consistency (``requires``, ``duplicate``), like ``pip check``.
    ``python`` inspects another interpreter instead of this one.  Raises ``ManifestError`` for
    an unreadable manifest; never raises for what it finds.

    ``integrity`` also verifies installed files against each distribution's RECORD (all of
    them, or only the names given; see :mod:`bootguard.checks.integrity`); ``quick_integrity``
    checks only existence and size (and implies ``integrity``); ``progress`` is called as
    the hashing advances.  The report always carries the environment fingerprint, and says
    whether it matches the one a snapshot records.

    A manifest that selects no distribution at all for this environment checks nothing, so
    it raises ``ManifestError`` unless ``allow_empty``.  When discovery finds no manifest the
    report says so in a note.  The project being deployed (see :mod:`bootguard.manifest.project`) is
    found beside each manifest and in ``pyprojects`` (the gate's configuration file).

    A bug of bootguard's own that aborts one stage (seal, inventory, a manifest reader, the
    checks, fingerprint, integrity) becomes a ``bootguard:internal`` finding (``fail``);
    the other stages still run and report.
    """
    return check_with(
        CheckOptions(
            manifests=manifests,
            python=python,
            paths=paths,
            strict=strict,
            ignore=ignore,
            extras=extras,
            groups=groups,
            use_seal=use_seal,
            integrity=integrity,
            quick_integrity=quick_integrity,
            progress=progress,
            allow_empty=allow_empty,
            pyprojects=pyprojects,
        )
    )


def check_with(options: CheckOptions) -> Report:
    """:func:`check` with its arguments as one :class:`~bootguard.options.CheckOptions`."""
    manifests, python, paths = options.manifests, options.python, options.paths
    strict, ignore, extras, groups = options.strict, options.ignore, options.extras, options.groups
    integrity, quick_integrity = options.integrity, options.quick_integrity
    use_seal, progress, allow_empty = options.use_seal, options.progress, options.allow_empty
    pyprojects = options.pyprojects
    started = time.perf_counter()
    timings: list[tuple[str, float]] = []
    internal: list[Finding] = []  # bugs of bootguard's own, one per stage they cut short
    resolution = resolve_paths(manifests)  # str paths: the check imports no pathlib
    manifest_paths = list(resolution.paths)
    resolution_notes = (resolution.note,) if resolution.note else ()

    probe: InterpreterProbe | None = None
    if python is not None:
        from bootguard.environment.interpreter import probe_interpreter

        probe = probe_interpreter(python)
        search = probe.paths
        ikey = interpreter_key(probe.marker_env)
    else:
        search = tuple(import_paths() if paths is None else paths)
        ikey = interpreter_key()

    if quick_integrity and not integrity:
        integrity = True
    if use_seal and not integrity and len(manifest_paths) == 1:
        try:
            from bootguard.checks.sealed import sealed_report

            sealed = sealed_report(manifest_paths[0], search, ikey, python, started)
        except Exception as err:  # the full check below still runs
            internal.append(_internal("seal", err))
            sealed = None
        if sealed is not None:
            return sealed
    if use_seal and not integrity and python is None and not internal:
        try:  # a verdict sealed at build time (``check --seal``) for these manifests and options
            from bootguard.checks.recorded import recorded_report

            recorded = recorded_report(manifest_paths, options, search, ikey, started)
        except Exception as err:  # the full check below still runs
            internal.append(_internal("seal record", err))
            recorded = None
        if recorded is not None:
            return recorded

    from bootguard.checks import run_checks
    from bootguard.checks.duplicates import duplicate_notes
    from bootguard.environment.inventory import build
    from bootguard.environment.model import Environment
    from bootguard.errors import BootguardError
    from bootguard.manifest import Selection, read_manifest
    from bootguard.names import canonical_name

    mark = time.perf_counter()
    marker_env = _marker_env(probe)
    executable = probe.executable if probe is not None else sys.executable
    python_version = marker_env["python_full_version"]
    env: Environment | None = None
    try:
        env = build(executable, python_version, marker_env, search)
    except Exception as err:
        internal.append(_internal("inventory", err))
    timings.append(("inventory", _ms(mark)))

    mark = time.perf_counter()
    selection = Selection(
        marker_env=marker_env,
        extras=frozenset(extras),
        groups=frozenset(groups) if groups is not None else None,
    )
    loaded: list[Manifest] = []
    for manifest_path in manifest_paths:
        try:
            loaded.append(read_manifest(manifest_path, selection))
        except BootguardError:
            raise  # an unreadable manifest: the caller's input, not a bug
        except Exception as err:
            internal.append(_internal(f"manifest {manifest_path}", err))
    if not allow_empty:
        _refuse_empty(loaded)
    timings.append(("manifests", _ms(mark)))

    findings: list[Finding] = []
    projects: tuple[Project, ...] = ()
    if env is not None:
        mark = time.perf_counter()
        try:
            if _unlisted(loaded, env.distributions):
                projects = _projects(manifest_paths, env.distributions, pyprojects)
            findings = run_checks(loaded, env, strict=strict, ignore=ignore, projects=projects)
        except Exception as err:
            internal.append(_internal("checks", err))
        if len(loaded) < len(manifest_paths):
            # what the lost manifest lists would all look extraneous: a false alarm
            findings = [f for f in findings if f.aspect != "extraneous"]
        timings.append(("checks", _ms(mark)))
    notes: tuple[str, ...] = (
        *resolution_notes,
        *(project.note for project in projects),
        *(note for m in loaded for note in m.notes),
        *(duplicate_notes(env) if env is not None else ()),
    )

    mark = time.perf_counter()
    ignored = {canonical_name(name) for name in ignore}
    fingerprint: str | None = None
    try:
        from bootguard.checks.sealed import fingerprint_findings

        fingerprint, more_findings, more_notes = fingerprint_findings(
            metadata_dirs(search), manifest_paths
        )
        findings.extend(f for f in more_findings if f.subject not in ignored)
        notes += more_notes
    except Exception as err:
        internal.append(_internal("fingerprint", err))
    timings.append(("fingerprint", _ms(mark)))
    if integrity and env is not None:
        from bootguard.checks.integrity import verify

        mark = time.perf_counter()
        names = (
            None if integrity is True else [integrity] if isinstance(integrity, str) else integrity
        )
        try:
            verified = verify(env, names=names, quick=quick_integrity, progress=progress)
            findings.extend(f for f in verified.findings if f.subject not in ignored)
            notes += verified.notes
        except Exception as err:
            internal.append(_internal("integrity", err))
        timings.append(("integrity", _ms(mark)))
    findings.extend(internal)
    timings.append(("total", _ms(started)))
    distributions = env.distributions if env is not None else {}
    from bootguard.checks.origins import listed_names, origins
    from bootguard.names import unreported_tools

    listed = listed_names(loaded)
    return Report(
        findings=tuple(sorted(findings, key=lambda f: (f.subject, f.aspect))),
        manifests=tuple(ManifestInfo(m.path, m.format, m.digest, len(m.entries)) for m in loaded),
        python=python_version,
        executable=executable,
        distributions=len(distributions),
        verified_by="full",
        timings=tuple(timings),
        fingerprint=fingerprint,
        notes=notes,
        installed=tuple(sorted((n, d.version) for n, d in distributions.items())),
        tools=unreported_tools(distributions, listed),
        origins=origins(distributions, listed, findings, ignore),
    )


def _marker_env(probe: InterpreterProbe | None) -> dict[str, str]:
    """The PEP 508 marker environment: the probed interpreter's, or this one's."""
    if probe is not None:
        return dict(probe.marker_env)
    from bootguard.environment.inventory import marker_environment

    return marker_environment()


def _internal(stage: str, err: Exception) -> Finding:
    """A ``bootguard:internal`` finding for a stage of the check cut short (not logged here:
    :func:`log_internal` does, once per distinct error)."""
    from bootguard.report import internal_finding

    return internal_finding(f"the {stage} stage (its findings are missing)", err)


_logged: set[str] = set()


def log_internal(report: Report) -> None:
    """Log each new ``bootguard:internal`` finding of ``report`` with its traceback, once.

    :func:`check` never raises for its own bugs and never logs (the CLI prints one line);
    the boot gate and the re-check call this so that the operator's log has the traceback
    to report, once per distinct error rather than once per re-check.
    """
    for finding in report.findings:
        if finding.aspect != "internal" or finding.cause is None:
            continue
        if finding.message in _logged:
            continue
        _logged.add(finding.message)
        import logging  # deferred: only on a bug

        logging.getLogger("bootguard").error(
            "bootguard: %s", finding.message, exc_info=finding.cause
        )


def _refuse_empty(loaded: Sequence[Manifest]) -> None:
    """A manifest that selects nothing here would make every check pass vacuously: refuse it."""
    from bootguard.errors import ManifestError

    for manifest in loaded:
        if not manifest.entries and not manifest.unnamed:
            raise ManifestError(
                manifest.path,
                "selects no distribution for this environment, so nothing would be checked "
                "(a wrong file, group or extra?); allow it with --allow-empty "
                "(setting allow_empty_manifest)",
            )


def _unlisted(loaded: Sequence[Manifest], distributions: Mapping[str, Distribution]) -> bool:
    """Whether anything installed is not named by a manifest: only then can the project
    matter (reading a pyproject.toml costs a TOML parser import at boot otherwise)."""
    if not loaded:
        return False
    from bootguard.environment._scan import DEFAULT_IGNORED

    named = {entry.name for manifest in loaded for entry in manifest.entries}
    return any(name not in named and name not in DEFAULT_IGNORED for name in distributions)


def _projects(
    manifest_paths: Sequence[str],
    distributions: Mapping[str, Distribution],
    pyprojects: Sequence[str | os.PathLike[str]],
) -> tuple[Project, ...]:
    """The installed project(s) being deployed; a bug here never fails the check."""
    from bootguard.manifest.project import find_projects

    try:
        return find_projects(manifest_paths, distributions, pyprojects=pyprojects)
    except Exception:  # our bug: the project then counts as any other distribution
        import logging

        logging.getLogger("bootguard").debug("project lookup failed", exc_info=True)
        return ()


def _ms(since: float) -> float:
    return (time.perf_counter() - since) * 1000.0
