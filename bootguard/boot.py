"""The report the boot gate decides on: the check, the probes, and bootguard's own problems.

:func:`boot_report` never raises.  Errors bootguard raises on purpose
(:class:`~bootguard.errors.BootguardError`: an unreadable manifest, a bad setting, an
interpreter that cannot be inspected) become ``bootguard:config`` findings (``warn``;
``fail`` in ``enforce`` mode) and the consistency checks still run; any other exception is
a bug of bootguard's own and becomes a ``bootguard:internal`` finding, logged with its
traceback.  What the findings mean for readiness is the gate's policy, not decided here.
"""

from __future__ import annotations

import os
import time

from bootguard._record import replace
from bootguard.report import Finding, Report

TYPE_CHECKING = False
if TYPE_CHECKING:
    import logging
    from collections.abc import Sequence

    from bootguard.config import Settings
    from bootguard.options import CheckOptions
    from bootguard.report import Status

__all__ = [
    "boot_report",
    "check_options",
    "config_finding",
    "internal_finding",
    "no_manifest_finding",
    "recheck_error",
    "with_probes",
]


def _logger() -> logging.Logger:
    import logging

    return logging.getLogger("bootguard")


def boot_report(
    settings: Settings, problems: list[str], started: float, internal: list[Finding]
) -> Report:
    """The Report with the configuration, probe and internal findings added; never raises.

    Errors bootguard raises on purpose (:class:`~bootguard.errors.BootguardError`: an
    unreadable manifest, a bad setting, an interpreter that cannot be inspected) are
    ``bootguard:config`` findings; any other exception is a bug of bootguard's own and
    becomes a ``bootguard:internal`` finding (logged with its traceback, see
    :func:`internal_finding`).
    """
    from bootguard.errors import BootguardError, ManifestError

    status: Status = "fail" if settings.mode == "enforce" else "warn"
    extra = [config_finding(status, problem) for problem in problems]
    extra.extend(internal)
    report: Report | None = None
    try:
        from bootguard.api import check_with, log_internal
        from bootguard.manifest.resolve import resolve_paths

        resolution = resolve_paths(settings.manifest_paths(), settings.root)
        if resolution.note is not None:
            extra.append(no_manifest_finding(settings))
        options = check_options(settings, resolution.paths)
        try:
            report = check_with(options)
        except ManifestError as err:
            extra.append(config_finding(status, f"manifest: {err}"))
            report = check_with(replace(options, manifests=()))  # still catch what pip check would
        log_internal(report)
    except BootguardError as err:
        extra.append(config_finding(status, str(err)))
    except Exception as err:
        extra.append(internal_finding("the environment check", err))
    base = report if report is not None else Report(findings=())
    return with_probes(replace(base, findings=(*base.findings, *extra)), settings, started, None)


def with_probes(report: Report, settings: Settings, since: float, python: str | None) -> Report:
    """``report`` with the critical imports and smoke callables the settings name added;
    never raises (a bug of the probes is a ``bootguard:internal`` finding).

    The timings then add up: the check's own ``total`` becomes ``check``, ``probes`` is
    added, and ``total`` is the whole, from ``since`` (so no part is larger than it).
    ``python`` runs the probes in that interpreter (a child process) instead of this one.
    """
    findings: list[Finding] = []
    mark = time.perf_counter()
    try:
        if settings.imports or settings.smoke:
            from bootguard.checks.probes import run_probes

            findings.extend(
                run_probes(
                    settings.imports,
                    settings.smoke,
                    isolated=settings.isolated,
                    import_timeout=settings.import_timeout,
                    smoke_timeout=settings.smoke_timeout,
                    python=python,
                )
            )
    except Exception as err:
        findings.append(internal_finding("the probes", err))
    timings = (
        *((("check" if name == "total" else name), ms) for name, ms in report.timings),
        ("probes", (time.perf_counter() - mark) * 1000.0),
        ("total", (time.perf_counter() - since) * 1000.0),
    )
    merged = sorted((*report.findings, *findings), key=lambda f: (f.subject, f.aspect))
    return replace(report, findings=tuple(merged), timings=timings)


def recheck_error(err: Exception) -> Finding | None:
    """What a re-check's exception becomes: bootguard's bug is ``bootguard:internal``
    (readiness then follows ``on_internal_error``); an error bootguard raises on purpose
    (a manifest removed or half-written while it is replaced) keeps the last verdict."""
    from bootguard.errors import BootguardError

    if isinstance(err, BootguardError):
        return None
    return internal_finding("the re-check", err)


def internal_finding(stage: str, err: BaseException) -> Finding:
    """A ``bootguard:internal`` finding for a bug in ``stage``, logged with its traceback.

    Always status ``fail`` (something was not checked); what it does to readiness is the
    ``on_internal_error`` policy (the gate's policy (:mod:`bootguard.gate`)).  The finding
    is :func:`bootguard.report.internal_finding`'s, the one the check builds for its stages.
    """
    from bootguard.report import internal_finding as build

    _logger().error("bootguard: internal error in %s", stage, exc_info=err)
    return build(stage, err)


def check_options(
    settings: Settings, manifests: Sequence[str | os.PathLike[str]] | None = None
) -> CheckOptions:
    """The check the settings ask for, as one :class:`~bootguard.options.CheckOptions`.

    ``manifests`` are the ones already resolved; ``None`` resolves them now (the configured
    ones, else the one discovered in the root, maybe none: ``manifest = []`` configures "no
    manifest" on purpose) to absolute paths, so a later ``chdir`` does not change them.
    """
    from bootguard.options import CheckOptions

    if manifests is None:
        from bootguard.manifest.resolve import resolve_paths

        manifests = resolve_paths(settings.manifest_paths(), settings.root, absolute=True).paths
    return CheckOptions(
        manifests=tuple(manifests),
        strict=settings.strict,
        ignore=settings.ignore,
        extras=settings.extras,
        groups=settings.groups,
        use_seal=settings.seal,
        integrity=settings.integrity,
        quick_integrity=settings.quick_integrity,
        allow_empty=settings.allow_empty_manifest,
        pyprojects=(os.path.join(settings.root, "pyproject.toml"),),
    )


def no_manifest_finding(settings: Settings) -> Finding:
    """Discovery found nothing: only consistency is checked, and the operator must know."""
    from bootguard.api import no_manifest_message

    return config_finding("warn", f"{no_manifest_message(settings.root)}; set manifest")


def config_finding(status: Status, problem: str) -> Finding:
    # ``observed`` feeds the drift signature (Sentry grouping): without directories, so
    # nodes deployed under different paths still group together.
    stable = " ".join(os.path.basename(t) if os.sep in t else t for t in problem.split(" "))
    return Finding(
        "bootguard",
        "config",
        status,
        f"bootguard configuration: {problem}",
        expected="valid configuration",
        observed=stable[:200],
    )
