"""``Pipfile.lock``, as pipenv writes it (``pipfile-spec`` 6).

A Pipfile.lock is already flat: each section (``default``, ``develop``, and any custom
category) maps a name to its pin (``"version": "==1.2.3"``), ``markers``, ``hashes``,
``extras``, or a source (``path`` / ``file`` / ``git``, possibly ``editable``).  Selection is
the sections asked for (``default`` always; ``develop`` with ``--group develop`` or its
alias ``dev``; a custom category by its name) and the markers evaluated for the target
interpreter.  Extras were resolved when the lock was written, so ``--extra`` has nothing to
select here.

``_meta.requires.python_version`` ("3.11") becomes ``requires-python ==3.11.*``;
``python_full_version`` is read at the same minor-version precision, because a patch update
of the interpreter (3.11.7 -> 3.11.9) is routine and pipenv itself only warns about it.
"""

from __future__ import annotations

import hashlib
import os

from bootguard.errors import ManifestError
from bootguard.manifest._lock import (
    Markers,
    array,
    optional_string,
    read_bytes,
    string,
    table,
    valid_version,
)
from bootguard.manifest._urls import lock_base, pipfile_source
from bootguard.manifest.model import Manifest, ManifestEntry, Selection
from bootguard.names import canonical_name

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any  # annotations only: importing typing costs a cold boot

__all__ = ["SUPPORTED_SPECS", "read_pipfile"]

#: ``_meta.pipfile-spec`` values this module reads.
SUPPORTED_SPECS = (6,)
_ALIASES = {"dev": "develop", "develop": "develop", "default": "default", "packages": "default"}


def read_pipfile(path: str | os.PathLike[str], selection: Selection) -> Manifest:
    """Read a Pipfile.lock and select the sections and markers that apply here."""
    display = str(path)
    data = read_bytes(path, display)
    document = _load_json(data, display)
    meta = table(document.get("_meta"), display, "_meta")
    spec = meta.get("pipfile-spec")
    if isinstance(spec, bool) or spec not in SUPPORTED_SPECS:
        raise ManifestError(
            display,
            f"unsupported pipfile-spec {spec!r} (this bootguard reads "
            f"{', '.join(map(str, SUPPORTED_SPECS))}); upgrade bootguard",
            key="_meta.pipfile-spec",
        )
    sections = _sections(document, selection, display)
    markers = Markers(selection.marker_env, display)
    entries: list[ManifestEntry] = []
    for section in sections:
        packages = table(document.get(section, {}), display, section)
        for name, raw in packages.items():
            entry = _entry(name, raw, section, display, markers)
            if entry is not None:
                entries.append(entry)
    notes: tuple[str, ...] = ()
    if selection.extras:
        notes = (f"{display}: extras were resolved when the lock was written; --extra is ignored",)
    return Manifest(
        path=display,
        format="pipfile",
        entries=tuple(entries),
        digest=hashlib.sha256(data).hexdigest(),
        requires_python=_requires_python(meta, display),
        complete=True,
        notes=notes,
    )


def _load_json(data: bytes, display: str) -> dict[str, Any]:
    import json  # deferred for import cost

    try:
        document = json.loads(data)
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise ManifestError(display, "not UTF-8 text", line=line) from err
    except json.JSONDecodeError as err:
        raise ManifestError(display, f"invalid JSON: {err.msg}", line=err.lineno) from err
    except RecursionError as err:
        raise ManifestError(display, "invalid JSON: nested too deeply") from err
    except ValueError as err:
        raise ManifestError(display, f"invalid JSON: {err}") from err
    return table(document, display, "(document)")


def _sections(document: dict[str, Any], selection: Selection, display: str) -> list[str]:
    wanted = ["default"]
    available = [k for k in document if k != "_meta"]
    for group in sorted(selection.groups or ()):
        section = _ALIASES.get(group.lower(), group)
        if section not in document:
            matches = [k for k in available if canonical_name(k) == canonical_name(group)]
            if not matches:
                raise ManifestError(
                    display,
                    f"no section {group!r} (sections: {', '.join(available) or 'none'})",
                )
            section = matches[0]
        if section not in wanted:
            wanted.append(section)
    return wanted


def _entry(
    name: str, raw: object, section: str, display: str, markers: Markers
) -> ManifestEntry | None:
    key = f"{section}.{name}"
    package = table(raw, display, key)
    marker = optional_string(package.get("markers"), display, f"{key}.markers")
    if not markers.holds(marker, f"{key}.markers"):
        return None
    version = optional_string(package.get("version"), display, f"{key}.version")
    if version and not version.startswith(("==", "===")):
        if version == "*":
            version = None
        else:
            raise ManifestError(
                display,
                f"expected an exact pin ('==1.2.3'), found {version!r}",
                key=f"{key}.version",
            )
    if version and not version.startswith("==="):  # ``===`` compares strings, not versions
        valid_version(version[2:].strip(), display, f"{key}.version")
    editable = package.get("editable", False)
    if not isinstance(editable, bool):
        raise ManifestError(display, "expected true or false", key=f"{key}.editable")
    extras = array(package.get("extras", []), display, f"{key}.extras")
    hashes = array(package.get("hashes", []), display, f"{key}.hashes")
    return ManifestEntry(
        name=canonical_name(name),
        specifier=version or "",
        extras=frozenset(canonical_name(string(e, display, f"{key}.extras")) for e in extras),
        marker=marker,
        url=_url(package, display, key),
        editable=editable,
        hashes=tuple(string(h, display, f"{key}.hashes") for h in hashes),
        origin=f"{display}: {key}",
        source=pipfile_source(package, lock_base(display), editable=editable),
    )


def _url(package: dict[str, Any], display: str, key: str) -> str | None:
    for field in ("path", "file"):
        value = optional_string(package.get(field), display, f"{key}.{field}")
        if value:
            return value
    git = optional_string(package.get("git"), display, f"{key}.git")
    if git:
        ref = optional_string(package.get("ref"), display, f"{key}.ref")
        return f"git+{git}@{ref}" if ref else f"git+{git}"
    return None


def _requires_python(meta: dict[str, Any], display: str) -> str | None:
    requires = table(meta.get("requires", {}), display, "_meta.requires")
    for field in ("python_version", "python_full_version"):
        value = optional_string(requires.get(field), display, f"_meta.requires.{field}")
        if value:
            parts = value.strip().split(".")
            if len(parts) < 2 or not all(p.isdigit() for p in parts[:2]):
                raise ManifestError(
                    display, f"malformed Python version {value!r}", key=f"_meta.requires.{field}"
                )
            return f"=={parts[0]}.{parts[1]}.*"
    return None
