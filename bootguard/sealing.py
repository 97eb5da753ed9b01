"""``bootguard check --seal``: verify at build time, and let every boot take the fast path.

The full check runs (never a seal: a seal must not vouch for itself); when it passes
(warnings allowed) its verdict is recorded inside the checked environment
(:mod:`bootguard.environment.seal_record`), atomically.  Later checks of the same
manifests with the same options in the same environment (the gate at every boot, the
re-check, ``bootguard check``) answer from the record until anything it depends on changes.

Nothing is recorded when the check fails, when a stage of bootguard's own broke
(``bootguard:internal``), when the environment changed while it was being checked, or when
a requirement or manifest uses kernel-version markers (``platform_release``,
``platform_version``: they change with every host patch and the record leaves them out).
"""

from __future__ import annotations

import os
from pathlib import Path

from bootguard._record import Record, replace
from bootguard.environment._scan import import_paths, interpreter_key, metadata_dirs
from bootguard.options import CheckOptions
from bootguard.report import Report

__all__ = ["SealOutcome", "seal_check"]

_KERNEL_MARKERS = (b"platform_release", b"platform_version")
_METADATA_SUFFIXES = (".dist-info", ".egg-info")


class SealOutcome(Record):
    """The full check's report, and where its verdict was recorded (or why it was not)."""

    report: Report
    path: str | None
    reason: str = ""


def seal_check(options: CheckOptions, prefix: str | None = None) -> SealOutcome:
    """Run the full check of ``options`` and record its verdict if it passed.

    ``prefix`` is the environment's ``sys.prefix`` (this interpreter's by default); another
    interpreter (``options.python``) is refused with ``ValueError``: run bootguard with it.
    Raises what :func:`bootguard.api.check_with` raises, and
    :class:`~bootguard.snapshot.SnapshotError` when the record cannot be written.
    """
    from bootguard._files import recording
    from bootguard.api import check_with
    from bootguard.environment.seal_record import environment_state

    if options.python is not None:
        raise ValueError("--seal records this interpreter's environment; run it with that one")
    from bootguard.manifest.resolve import resolve

    search = tuple(import_paths() if options.paths is None else options.paths)
    ikey = interpreter_key()
    before = environment_state(metadata_dirs(search), ikey)
    manifest_paths = list(resolve(options.manifests).paths)
    keyed = _keyed(manifest_paths)
    with recording() as read:
        report = check_with(replace(options, use_seal=False))
    reason = _unsealable(report, options)
    if reason:
        return SealOutcome(report, None, reason)
    dirs = metadata_dirs(search)
    state = environment_state(dirs, ikey)
    if state != before:
        return SealOutcome(report, None, "the environment changed while it was checked")
    checked = [Path(m.path) for m in report.manifests]
    if keyed is None or checked != manifest_paths or _keyed(manifest_paths) != keyed:
        return SealOutcome(report, None, "a manifest changed while it was checked")
    inputs = _inputs(read, manifest_paths, options)
    if _uses_kernel_markers([*map(str, manifest_paths), *inputs], dirs):
        return SealOutcome(report, None, "a requirement uses kernel-version markers")
    path = _write(report, options, keyed, state, inputs, prefix)
    return SealOutcome(report, path)


def _keyed(manifests: list[Path]) -> list[tuple[str, str]] | None:
    """(absolute path, content digest) of each manifest; None if one cannot be read."""
    from bootguard._files import MANIFEST_MAX_BYTES, read_regular
    from bootguard.environment.seal_record import content_digest

    try:
        return [
            (os.path.abspath(m), content_digest(read_regular(m, MANIFEST_MAX_BYTES)))
            for m in manifests
        ]
    except (OSError, ValueError):
        return None


def _unsealable(report: Report, options: CheckOptions) -> str:
    """Why this check's verdict must not be recorded ("" when it may)."""
    if options.integrity or options.quick_integrity:
        return "--integrity is verified at every check, never sealed"
    if any(f.aspect == "internal" for f in report.findings):
        return "a stage of the check broke (bootguard:internal)"
    if report.status == "fail":
        return "the check failed"
    return ""


def _inputs(read: set[str], manifests: list[Path], options: CheckOptions) -> dict[str, str]:
    """Every file besides the manifests and the installed metadata that the verdict depends
    on (read, or looked for), with its content digest (``-``: absent)."""
    from bootguard.environment.seal_record import file_state

    keyed = {os.path.abspath(m) for m in manifests}
    wanted = set(read)
    wanted.update(os.path.join(os.path.dirname(p), "pyproject.toml") for p in keyed)
    wanted.update(os.path.abspath(p) for p in options.pyprojects)
    return {
        path: file_state(path)
        for path in sorted(wanted - keyed)
        if not any(
            part.endswith(_METADATA_SUFFIXES) or part == "EGG-INFO" for part in Path(path).parts
        )
    }


def _uses_kernel_markers(files: list[str], dirs: list[tuple[str, str]]) -> bool:
    from bootguard._files import MANIFEST_MAX_BYTES, METADATA_MAX_BYTES, read_regular

    paths = [(f, MANIFEST_MAX_BYTES) for f in files]
    for entry, name in dirs:
        meta = os.path.join(entry or ".", name)
        inner = "METADATA" if name.endswith(".dist-info") else "PKG-INFO"
        paths.append(
            (os.path.join(meta, inner) if os.path.isdir(meta) else meta, METADATA_MAX_BYTES)
        )
    for path, limit in paths:
        try:
            data = read_regular(path, limit)
        except (OSError, ValueError):
            continue
        if any(marker in data for marker in _KERNEL_MARKERS):
            return True
    return False


def _write(
    report: Report,
    options: CheckOptions,
    keyed: list[tuple[str, str]],
    state: str,
    inputs: dict[str, str],
    prefix: str | None,
) -> str:
    import contextlib
    import json

    from bootguard.checks.recorded import RECORDED_NOTE, encode_findings, options_key
    from bootguard.environment.seal_record import (
        extra_pyprojects,
        format_record,
        record_path,
        stale_records,
    )
    from bootguard.snapshot import SnapshotError, write_snapshot

    target = record_path(keyed, options_key(options), prefix)
    fields = {
        "distributions": str(report.distributions),
        "fingerprint": report.fingerprint or "-",
        "findings": encode_findings(report.findings),
        "pyprojects": extra_pyprojects(options.pyprojects, [path for path, _ in keyed]),
        "notes": json.dumps([n for n in report.notes if n != RECORDED_NOTE], ensure_ascii=True),
        "tools": ",".join(report.tools) or "-",
        "origins": json.dumps([list(pair) for pair in report.origins], ensure_ascii=True),
    }
    lines = [f"{m.format} {m.digest} {m.entries}" for m in report.manifests]
    try:
        data = format_record(state, inputs, lines, fields)
        os.makedirs(os.path.dirname(target), exist_ok=True)
    except (OSError, ValueError) as err:
        raise SnapshotError(f"cannot record the seal in {target}: {err}") from err
    write_snapshot(target, data)
    for stale in stale_records(target):  # the same check sealed before an edit
        with contextlib.suppress(OSError):
            os.unlink(stale)
    return target
