"""Write wheel files by hand, with the standard library only.

Why by hand: tests must build distributions offline and fast, and the ``wheel`` and
``build`` packages are neither installed nor wanted.  Why stdlib only: this file is also
*copied verbatim* into the throwaway projects made by
:func:`tests.support.wheels.build_editable_project`, where it is imported by a tiny
in-tree PEP 517/660 build backend that runs inside pip's isolated build environment.
There, nothing but the standard library is importable, so this module must not import
``packaging``, ``tests.support`` or anything else outside the stdlib.

Formats follow the binary distribution format specification (wheel 1.0) and core
metadata 2.1.  Archives are reproducible: entries are sorted and carry a fixed
timestamp, so the same inputs always give the same bytes.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

__all__ = [
    "default_modules",
    "dist_info_dir",
    "escape_name",
    "expand_tag",
    "import_name",
    "metadata_text",
    "record_hash",
    "wheel_filename",
    "wheel_text",
    "write_wheel",
]

# Earliest timestamp a zip file can hold; a fixed value makes archives reproducible.
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
_SEPARATOR_RUN = re.compile(r"[-_.]+")


def escape_name(name: str) -> str:
    """Return ``name`` escaped for a wheel filename and its ``.dist-info`` directory.

    Per the binary distribution format: runs of ``-_.`` become one ``_`` and the name
    is lowercased (``zope.interface`` -> ``zope_interface``).
    """
    return _SEPARATOR_RUN.sub("_", name).lower()


def _escape_version(version: str) -> str:
    return version.replace("-", "_")


def dist_info_dir(name: str, version: str) -> str:
    """Return the ``.dist-info`` directory name a wheel of ``name`` ``version`` uses."""
    return f"{escape_name(name)}-{_escape_version(version)}.dist-info"


def wheel_filename(name: str, version: str, tag: str = "py3-none-any") -> str:
    """Return the file name of the wheel :func:`write_wheel` would build."""
    return f"{escape_name(name)}-{_escape_version(version)}-{tag}.whl"


def import_name(name: str) -> str:
    """Return the Python package name used by default for distribution ``name``."""
    return escape_name(name)


def default_modules(name: str, version: str) -> dict[str, str]:
    """Return one package named after the distribution that records its version."""
    return {f"{import_name(name)}/__init__.py": f'__version__ = "{version}"\n'}


def expand_tag(tag: str) -> list[str]:
    """Expand a compressed tag set (``py2.py3-none-any``) into single tags."""
    parts = tag.split("-")
    if len(parts) != 3:
        msg = f"a wheel tag has three dash-separated parts, got {tag!r}"
        raise ValueError(msg)
    interpreters, abis, platforms = (part.split(".") for part in parts)
    return [f"{i}-{a}-{p}" for i in interpreters for a in abis for p in platforms]


def _with_extra(requirement: str, extra: str) -> str:
    # Split at the first ';'.  PEP 508 URL requirements need whitespace before their
    # marker, and a ';' inside a URL is not supported here (tests do not need it).
    head, sep, marker = requirement.partition(";")
    head = head.strip()
    condition = f'extra == "{extra}"'
    if sep and marker.strip():
        return f"{head}; ({marker.strip()}) and {condition}"
    return f"{head}; {condition}"


def metadata_text(
    name: str,
    version: str,
    *,
    requires: Sequence[str] = (),
    requires_python: str | None = None,
    extras: Mapping[str, Sequence[str]] | None = None,
) -> str:
    """Return a core metadata 2.1 ``METADATA`` file.

    ``name`` is written as given (unnormalized), like real wheels do.  Each extra gets
    a ``Provides-Extra`` line and its requirements get ``extra == "..."`` appended to
    their marker.
    """
    lines = [
        "Metadata-Version: 2.1",
        f"Name: {name}",
        f"Version: {version}",
        f"Summary: {name}, built by the bootguard test suite",
    ]
    if requires_python is not None:
        lines.append(f"Requires-Python: {requires_python}")
    lines.extend(f"Requires-Dist: {requirement}" for requirement in requires)
    for extra, extra_requires in (extras or {}).items():
        lines.append(f"Provides-Extra: {extra}")
        lines.extend(f"Requires-Dist: {_with_extra(req, extra)}" for req in extra_requires)
    return "\n".join(lines) + "\n\n"


def wheel_text(tag: str = "py3-none-any") -> str:
    """Return a wheel 1.0 ``WHEEL`` file for ``tag`` (a compressed tag set is expanded)."""
    lines = [
        "Wheel-Version: 1.0",
        "Generator: bootguard-tests",
        "Root-Is-Purelib: true",
        *(f"Tag: {single}" for single in expand_tag(tag)),
    ]
    return "\n".join(lines) + "\n"


def record_hash(data: bytes) -> str:
    """Return a RECORD hash: ``sha256=`` and the urlsafe base64 digest without padding."""
    digest = hashlib.sha256(data).digest()
    return "sha256=" + base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _record_text(entries: Iterable[tuple[str, bytes]], record_path: str) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for path, data in entries:
        writer.writerow((path, record_hash(data), str(len(data))))
    writer.writerow((record_path, "", ""))
    return buffer.getvalue()


def write_wheel(path: Path, dist_info: str, entries: Mapping[str, bytes]) -> Path:
    """Write a wheel archive at ``path`` holding ``entries`` plus a generated RECORD.

    ``entries`` maps archive paths to contents and must already hold
    ``{dist_info}/METADATA`` and ``{dist_info}/WHEEL``.  Entries are written sorted,
    with the ``.dist-info`` directory last as the specification recommends.
    """
    for required in ("METADATA", "WHEEL"):
        if f"{dist_info}/{required}" not in entries:
            msg = f"{dist_info}/{required} is missing from the wheel entries"
            raise ValueError(msg)
    record_path = f"{dist_info}/RECORD"
    ordered = sorted(
        ((name, data) for name, data in entries.items() if name != record_path),
        key=lambda item: (item[0].startswith(f"{dist_info}/"), item[0]),
    )
    record = _record_text(ordered, record_path).encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in [*ordered, (record_path, record)]:
            info = zipfile.ZipInfo(name, date_time=_ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return path
