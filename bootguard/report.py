"""Findings and the Report: the one value every sink (CLI, HTTP, Sentry, logs) reads.

A :class:`Report` is immutable.  Its status aggregates the findings (fail > warn > pass).
Two renderings live here because they are the contract: :meth:`Report.to_text` for people
(a short table, stable order, colour only when asked) and :meth:`Report.to_health_json`
for machines (``application/health+json``, IETF draft-inadarei-api-health-check).
"""

from __future__ import annotations

from collections.abc import Iterable

from bootguard._record import Record, field
from bootguard._text import one_line

__all__ = [
    "ASPECTS",
    "STATUSES",
    "Aspect",
    "Finding",
    "ManifestInfo",
    "Report",
    "Status",
    "internal_finding",
    "worst_status",
]

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Literal, TypeAlias

    #: How bad a finding is; a report's status is its worst finding's.
    Status: TypeAlias = Literal["pass", "warn", "fail"]
    #: What a finding is about, the part after the colon of its key (see ASPECTS).
    Aspect: TypeAlias = Literal[
        "version",
        "requires",
        "extraneous",
        "duplicate",
        "files",
        "import",
        "smoke",
        "python",
        "config",
        "metadata",
        "source",
        "internal",
    ]

STATUSES: tuple[Status, ...] = ("pass", "warn", "fail")
ASPECTS: tuple[Aspect, ...] = (
    "version",
    "requires",
    "extraneous",
    "duplicate",
    "files",
    "import",
    "smoke",
    "python",
    "config",  # bootguard:config: the gate could not check as configured
    "metadata",  # <dist>:metadata: an installed distribution's metadata cannot be read
    "source",  # <dist>:source: installed from another source than the manifest records
    "internal",  # bootguard:internal: a bug in bootguard aborted part of the check
)


def __getattr__(name: str) -> object:
    """``Status`` and ``Aspect`` at run time, built from the tuples above on first use:
    ``typing`` stays unloaded on the sealed boot path (docs/design.md)."""
    if name not in ("Status", "Aspect"):
        raise AttributeError(f"module 'bootguard.report' has no attribute {name!r}")
    from typing import Literal

    value = Literal[STATUSES if name == "Status" else ASPECTS]  # type: ignore[valid-type]
    globals()[name] = value
    return value


_RANK = {"pass": 0, "warn": 1, "fail": 2}


def worst_status(statuses: Iterable[Status]) -> Status:
    """The aggregate of several statuses: fail beats warn beats pass (empty -> pass)."""
    worst: Status = "pass"
    for status in statuses:
        if _RANK[status] > _RANK[worst]:
            worst = status
    return worst


class Finding(Record):
    """One thing that differs, keyed ``"<subject>:<aspect>"``.

    ``expected``/``observed`` are short values for tables and JSON (``"4.1.0"`` /
    ``"4.2.0"``); ``details`` are extra lines that explain the finding (for a version drift:
    which installed distributions accept or reject the installed version).
    """

    subject: str
    aspect: Aspect
    status: Status
    message: str
    expected: str | None = None
    observed: str | None = None
    details: tuple[str, ...] = ()
    time_ms: float | None = None
    #: The exception behind a ``bootguard:internal`` finding, for a caller that logs it
    #: with its traceback (:func:`bootguard.api.log_internal`); never rendered or compared.
    cause: BaseException | None = field(default=None, compare=False, repr=False)

    @property
    def key(self) -> str:
        """The finding key, ``subject:aspect``."""
        return f"{self.subject}:{self.aspect}"


class ManifestInfo(Record):
    """What the report says about one manifest it checked against."""

    path: str
    format: str
    digest: str
    entries: int


class Report(Record):
    """The immutable result of one check of one environment."""

    findings: tuple[Finding, ...]
    manifests: tuple[ManifestInfo, ...] = ()
    python: str = ""
    executable: str = ""
    distributions: int = 0
    verified_by: str = "full"
    timings: tuple[tuple[str, float], ...] = ()
    fingerprint: str | None = None
    notes: tuple[str, ...] = field(default=())
    #: (normalized name, version) of every installed distribution, sorted; what
    #: ``bootguard diff`` compares between two nodes' JSON reports.
    installed: tuple[tuple[str, str], ...] = ()
    #: The installed tools (pip, setuptools, bootguard...) no manifest lists: counted in
    #: ``distributions`` but never reported; the summary names them.
    tools: tuple[str, ...] = ()
    #: (name, where it is expected) for every installed distribution: the manifest line,
    #: or ``extraneous``, ``dependency``, ``tool``, ``ignored``; what ``check -v`` lists.
    origins: tuple[tuple[str, str], ...] = ()

    @property
    def status(self) -> Status:
        """``pass``, ``warn`` or ``fail``: the worst status of the findings."""
        return worst_status(f.status for f in self.findings)

    @property
    def problems(self) -> tuple[Finding, ...]:
        """The findings that are not ``pass``, in stable order."""
        return tuple(f for f in self.findings if f.status != "pass")

    @property
    def manifest_digest(self) -> str | None:
        """One digest for the manifest set (the first 12 hex of a sha256 over each digest)."""
        if not self.manifests:
            return None
        if len(self.manifests) == 1:
            return self.manifests[0].digest[:12]
        import hashlib  # deferred: only for multi-manifest reports

        joined = "\n".join(sorted(m.digest for m in self.manifests)).encode()
        return hashlib.sha256(joined).hexdigest()[:12]

    def drift_signature(self) -> str:
        """A stable text of what differs, independent of host, paths and timing.

        Two nodes with the same drift get the same signature (used for Sentry grouping).
        """
        parts = sorted(
            f"{f.key}={f.status}:{f.expected or ''}->{f.observed or ''}" for f in self.problems
        )
        return "\n".join(parts)

    def to_health_json(self, *, detailed: bool = True) -> dict[str, object]:
        """The ``application/health+json`` document; anonymous callers get ``detailed=False``."""
        status = self.status
        if not detailed:
            return {"status": status}
        checks: dict[str, list[dict[str, object]]] = {}
        for finding in self.findings:
            item: dict[str, object] = {
                "status": finding.status,
                "componentType": _COMPONENT_TYPE.get(finding.aspect, "component"),
                "output": finding.message,
            }
            if finding.observed is not None:
                item["observedValue"] = finding.observed
            if finding.expected is not None:
                item["expectedValue"] = finding.expected
            if finding.details:
                item["details"] = list(finding.details)
            if finding.time_ms is not None:
                item["durationMs"] = round(finding.time_ms, 3)
            checks.setdefault(finding.key, []).append(item)
        output = _summary(self)
        doc: dict[str, object] = {
            "status": status,
            "output": output,
            "checks": checks,
            "python": self.python,
            "distributions": self.distributions,
            "verifiedBy": self.verified_by,
            "manifests": [
                {"path": m.path, "format": m.format, "sha256": m.digest, "entries": m.entries}
                for m in self.manifests
            ],
            "timings_ms": {name: round(ms, 3) for name, ms in self.timings},
        }
        if self.manifest_digest:
            doc["manifestDigest"] = self.manifest_digest
        if self.fingerprint:
            doc["fingerprint"] = self.fingerprint
        if self.notes:
            doc["notes"] = list(self.notes)
        if self.installed:
            doc["installed"] = dict(self.installed)
        return doc

    def to_text(self, *, color: bool = False, verbose: bool = False) -> str:
        """A short human table: one line per problem, then a summary line.

        Every piece of text comes from untrusted files in the end (names, versions, paths,
        messages): each is one printable line here (:func:`bootguard._text.one_line`), so
        the table can neither drive the terminal nor forge log lines.
        """
        lines: list[str] = []
        problems = sorted(self.problems, key=_sort_key)
        keys = [one_line(f.key) for f in problems]
        width = max((len(key) for key in keys), default=0)
        for finding, key in zip(problems, keys, strict=True):
            label = _paint(finding.status.upper(), finding.status, color)
            lines.append(f"{label}  {key:<{width}}  {one_line(finding.message)}")
            lines.extend(
                f"{'':6}  {'':<{width}}    {one_line(detail)}" for detail in finding.details
            )
        if verbose:
            lines.extend(f"note: {one_line(note)}" for note in self.notes)
        lines.append(
            _paint(f"bootguard: {self.status}", self.status, color)
            + f" - {one_line(_summary(self))}"
        )
        return "\n".join(lines)


_COMPONENT_TYPE = {
    "version": "distribution",
    "source": "distribution",
    "requires": "distribution",
    "extraneous": "distribution",
    "duplicate": "distribution",
    "files": "distribution",
    "import": "module",
    "smoke": "component",
    "python": "system",
    "config": "system",
    "metadata": "distribution",
    "internal": "system",
}
_ASPECT_ORDER = {aspect: i for i, aspect in enumerate(ASPECTS)}
_COLORS = {"pass": "32", "warn": "33", "fail": "31"}


def _sort_key(finding: Finding) -> tuple[int, int, str]:
    return (-_RANK[finding.status], _ASPECT_ORDER.get(finding.aspect, 99), finding.key)


def _paint(text: str, status: str, color: bool) -> str:
    if not color:
        return text
    return f"\x1b[{_COLORS[status]}m{text}\x1b[0m"


def _summary(report: Report) -> str:
    fails = sum(1 for f in report.findings if f.status == "fail")
    warns = sum(1 for f in report.findings if f.status == "warn")
    where = ", ".join(m.path for m in report.manifests) or "no manifest (consistency only)"
    from bootguard.names import distribution_count

    return (
        f"{distribution_count(report.distributions, report.tools)} checked against {where}; "
        f"{fails} failed, {warns} warnings"
    )


def internal_finding(stage: str, err: BaseException) -> Finding:
    """``bootguard:internal``: a bug of bootguard's own cut ``stage`` short (``fail``).

    One printable line naming the stage and the exception, so the operator knows what was
    not checked; the innermost frame goes in the details and the exception in ``cause``
    (for the logged traceback, see :func:`bootguard.api.log_internal`).  ``observed`` (the
    drift signature, so Sentry grouping) holds the stage and the exception type, never its
    message, and no directory: those differ per node.
    """
    import os
    import traceback  # deferred: only on a bug

    frames = traceback.extract_tb(err.__traceback__)
    details: tuple[str, ...] = ()
    if frames:
        last = frames[-1]
        details = (f"raised at {os.path.basename(last.filename)}:{last.lineno} in {last.name}",)
    text = one_line(" ".join(str(err).split()))
    if len(text) > 300:
        text = text[:297] + "..."
    stage = one_line(stage)
    stable = " ".join(os.path.basename(t) if os.sep in t else t for t in stage.split(" "))
    kind = type(err).__name__
    return Finding(
        "bootguard",
        "internal",
        "fail",
        f"internal error in {stage}: {kind}: {text}",
        expected="no error",
        observed=f"{stable}: {kind}",
        details=details,
        cause=err,
    )
