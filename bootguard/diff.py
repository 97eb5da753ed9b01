"""``bootguard diff A B``: what differs between two manifests or two nodes' reports.

It answers "why is node 7 different from node 3": each side is either a manifest of any
format (its entries, selected for *this* interpreter with the extras / groups given) or a
JSON report written by ``bootguard check --json`` (its ``installed`` map).  Sides of
different kinds can be compared (a lock against what a node reported).  The result lists
distributions added (only in B), removed (only in A) and changed (both, another version or
specifier), plus the Python version when both sides know it.
"""

from __future__ import annotations

from pathlib import Path

from bootguard._record import Record
from bootguard._text import one_line
from bootguard.errors import DiffError
from bootguard.manifest.model import Selection

__all__ = ["Diff", "DiffError", "Side", "diff", "load_side"]

_ANY = "any version"
_OPERATORS = frozenset("<>=!~")


class Side(Record):
    """One side: where it came from, what kind, name -> version (or specifier), Python."""

    label: str
    kind: str
    versions: dict[str, str]
    python: str | None = None


class Diff(Record):
    """The differences from ``a`` to ``b``; empty when they agree."""

    a: Side
    b: Side
    added: tuple[tuple[str, str], ...]
    removed: tuple[tuple[str, str], ...]
    changed: tuple[tuple[str, str, str], ...]
    python: tuple[str, str] | None = None

    @property
    def identical(self) -> bool:
        """True when nothing differs."""
        return not (self.added or self.removed or self.changed or self.python)

    def to_text(self) -> str:
        """One line per difference, then a summary line."""
        lines = [
            f"--- {one_line(self.a.label)} ({self.a.kind})",
            f"+++ {one_line(self.b.label)} ({self.b.kind})",
        ]
        rows: list[tuple[str, str, str]] = []
        rows += [("removed", name, version) for name, version in self.removed]
        rows += [("added", name, version) for name, version in self.added]
        rows += [("changed", name, f"{old} -> {new}") for name, old, new in self.changed]
        if self.python:
            rows.append(("python", "python", f"{self.python[0]} -> {self.python[1]}"))
        rows.sort(key=lambda row: (row[1], row[0]))
        rows = [(what, one_line(name), one_line(value)) for what, name, value in rows]
        width = max((len(name) for _, name, _ in rows), default=0)
        lines += [f"{what:<8} {name:<{width}}  {value}" for what, name, value in rows]
        if self.identical:
            lines.append(f"identical: {len(self.a.versions)} distributions")
        else:
            lines.append(
                f"{len(rows)} difference{'' if len(rows) == 1 else 's'}: "
                f"{len(self.added)} added, {len(self.removed)} removed, "
                f"{len(self.changed)} changed" + (", python changed" if self.python else "")
            )
        return "\n".join(lines)

    def to_json(self) -> dict[str, object]:
        """The differences as a JSON-ready dict."""
        return {
            "a": {"path": self.a.label, "kind": self.a.kind},
            "b": {"path": self.b.label, "kind": self.b.kind},
            "identical": self.identical,
            "added": dict(self.added),
            "removed": dict(self.removed),
            "changed": {name: {"a": old, "b": new} for name, old, new in self.changed},
            "python": {"a": self.python[0], "b": self.python[1]} if self.python else None,
        }


def diff(a: Side, b: Side) -> Diff:
    """Compare two sides."""
    added = tuple(sorted((n, v) for n, v in b.versions.items() if n not in a.versions))
    removed = tuple(sorted((n, v) for n, v in a.versions.items() if n not in b.versions))
    changed = tuple(
        sorted(
            (n, a.versions[n], b.versions[n])
            for n in a.versions.keys() & b.versions.keys()
            if not _agree(a.versions[n], b.versions[n])
        )
    )
    python = None
    if a.python and b.python and a.python != b.python:
        python = (a.python, b.python)
    return Diff(a, b, added, removed, changed, python)


def _agree(one: str, other: str) -> bool:
    """Equal, or a specifier (``>=2.8``, any version) that the other side's version satisfies."""
    if one == other:
        return True
    from bootguard.checks.specifiers import satisfies

    for spec, version in ((one, other), (other, one)):
        if spec == _ANY:
            return True
        if spec[:1] in _OPERATORS and version[:1] not in _OPERATORS:
            return satisfies(version, spec) is True
    return False


def load_side(path: str | Path, selection: Selection) -> Side:
    """A JSON report (``bootguard check --json``) or any manifest, as name -> version.

    Each side is read once, as a regular file of bounded size (a FIFO or ``/dev/zero``
    given as a side is refused, never waited on or read without end).
    """
    from bootguard._files import MANIFEST_MAX_BYTES, read_regular
    from bootguard.manifest._lock import reason

    path = Path(path)
    try:
        data = read_regular(path, MANIFEST_MAX_BYTES)
    except (OSError, ValueError) as err:  # ValueError: a NUL byte in the path
        raise DiffError(f"{one_line(str(path))}: cannot read: {reason(err)}") from err
    if data.lstrip()[:1] == b"{":
        side = _report_side(path, data)
        if side is not None:
            return side
    from bootguard.manifest import read_manifest

    manifest = read_manifest(path, selection)
    versions: dict[str, str] = {}
    for entry in manifest.entries:
        if entry.constraint:
            continue
        shown = entry.pinned_version or entry.specifier or entry.url or _ANY
        previous = versions.get(entry.name)
        versions[entry.name] = shown if previous is None else f"{previous}; {shown}"
    return Side(str(path), manifest.format, versions)


def _report_side(path: Path, data: bytes) -> Side | None:
    """The installed versions of a JSON report; None if the JSON is not a report."""
    import json  # deferred for import cost

    try:
        document = json.loads(data)
    except (ValueError, RecursionError):
        return None  # not JSON after all: let the manifest readers say what is wrong
    if not isinstance(document, dict) or "checks" not in document:
        return None
    installed = document.get("installed")
    if not isinstance(installed, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in installed.items()
    ):
        raise DiffError(
            f"{path}: this report has no 'installed' map (written by an older bootguard); "
            "run `bootguard check --json` again on that node"
        )
    python = document.get("python")
    return Side(str(path), "report", dict(installed), python if isinstance(python, str) else None)
