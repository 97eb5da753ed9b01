"""The recorded route of the check: a build-time seal record that still holds.

``bootguard check --seal`` records the verdict of a full check inside the environment
(:mod:`bootguard.environment.seal_record`); a later check with the same manifests and
options, in the same environment, answers from that record: the same findings, notes,
fingerprint and manifest details, without reading any metadata or parsing any lock.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Sequence

from bootguard.environment._scan import metadata_dirs
from bootguard.report import Finding, ManifestInfo, Report

TYPE_CHECKING = False
if TYPE_CHECKING:
    from bootguard.options import CheckOptions

__all__ = ["RECORDED_NOTE", "decode_findings", "encode_findings", "recorded_report"]

RECORDED_NOTE = "environment matches the verdict sealed at build time: metadata not re-read"
_FIELDS = ("subject", "aspect", "status", "message", "expected", "observed")


def options_key(options: CheckOptions) -> str:
    """The canonical options line of :func:`~bootguard.environment.seal_record.options_text`."""
    from bootguard.environment.seal_record import options_text

    o = options
    return options_text(o.strict, o.ignore, o.extras, o.groups, o.allow_empty)


def recorded_report(
    manifest_paths: Sequence[str | os.PathLike[str]],
    options: CheckOptions,
    search: tuple[str, ...],
    ikey: str,
    started: float,
) -> Report | None:
    """The Report a matching seal record vouches for; None to run the full check."""
    from bootguard.environment.seal_record import find_record

    dirs = metadata_dirs(search)
    record = find_record(manifest_paths, options_key(options), dirs, ikey)
    if record is None or len(record.manifests) != len(manifest_paths):
        return None
    from bootguard.checks.sealed import installed_from_names
    from bootguard.environment.seal_record import extra_pyprojects, record_tools

    fields = record.fields
    try:  # a record that matched but does not decode is no record
        infos = []
        for path, text in zip(manifest_paths, record.manifests, strict=True):
            kind, digest, entries = text.split(" ")
            infos.append(ManifestInfo(str(path), kind, digest, int(entries)))
        findings = decode_findings(fields["findings"])  # a missing line: no record
        notes = (RECORDED_NOTE, *_strings(fields["notes"]))
        pyprojects = fields["pyprojects"]
        distributions = int(fields["distributions"])
        tools = record_tools(fields["tools"])
        origins = _pairs(fields["origins"])
    except (ValueError, KeyError, TypeError):
        return None
    if pyprojects != extra_pyprojects(options.pyprojects, manifest_paths) and any(
        f.aspect == "extraneous" for f in findings
    ):
        return None  # another project file might account for what the record found extraneous
    fingerprint = fields.get("fingerprint", "-")
    return Report(
        findings=findings,
        manifests=tuple(infos),
        python=ikey.split(maxsplit=1)[0].partition("=")[2],
        executable=sys.executable,
        distributions=distributions,
        verified_by="seal",
        timings=(("total", (time.perf_counter() - started) * 1000.0),),
        fingerprint=None if fingerprint == "-" else fingerprint,
        notes=notes,
        installed=installed_from_names(dirs),
        tools=tools,
        origins=origins,
    )


def _pairs(text: str) -> tuple[tuple[str, str], ...]:
    import json

    value = json.loads(text)
    if not isinstance(value, list) or not all(
        isinstance(p, list) and len(p) == 2 and all(isinstance(v, str) for v in p) for p in value
    ):
        raise ValueError("origins are not a list of name/origin pairs")
    return tuple((name, origin) for name, origin in value)


def encode_findings(findings: Sequence[Finding]) -> str:
    """The findings as one JSON line (``cause`` and timing left out: never compared)."""
    import json

    return json.dumps(
        [[*(getattr(f, name) for name in _FIELDS), list(f.details)] for f in findings],
        ensure_ascii=True,
    )


def decode_findings(text: str) -> tuple[Finding, ...]:
    """The findings :func:`encode_findings` wrote (``ValueError`` if malformed)."""
    if text == "[]":
        return ()
    import json

    from bootguard.report import ASPECTS, STATUSES

    items = json.loads(text)
    if not isinstance(items, list):
        raise ValueError("findings are not a list")
    found = []
    for item in items:
        if not isinstance(item, list) or len(item) != 7:
            raise ValueError(f"not a finding: {item!r}")
        subject, aspect, status, message, expected, observed, details = item
        if aspect not in ASPECTS or status not in STATUSES:
            raise ValueError(f"not a finding: {aspect!r} {status!r}")
        texts = (subject, message, *(v for v in (expected, observed) if v is not None))
        if not all(isinstance(v, str) for v in texts) or not (
            isinstance(details, list) and all(isinstance(d, str) for d in details)
        ):
            raise ValueError(f"not a finding: {item!r}")
        found.append(Finding(subject, aspect, status, message, expected, observed, tuple(details)))
    return tuple(found)


def _strings(text: str) -> tuple[str, ...]:
    if text == "[]":
        return ()
    import json

    value = json.loads(text)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError("notes are not a list of strings")
    return tuple(value)
