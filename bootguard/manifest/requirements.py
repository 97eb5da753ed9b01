"""Requirements files as pip writes and reads them.

Covers ``pip freeze`` output, ``pip-compile`` / ``uv pip compile`` output with ``--hash``,
``==``/``===`` pins, ranges, markers, extras, ``-r``/``-c`` includes (relative to the including
file), line continuations, comments, ``-e`` and direct-URL lines.  Index and install options
(``--index-url``, ``--find-links``, ...) are accepted and ignored, as they say nothing about
what must be installed; an option pip itself would not accept is an error.
"""

from __future__ import annotations

import hashlib
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from bootguard.errors import ManifestError
from bootguard.manifest._lock import read_bytes
from bootguard.manifest.model import Manifest, ManifestEntry, Selection
from bootguard.names import canonical_name

__all__ = ["read_requirements"]

# Options that take a value and say nothing about what must be installed.
_IGNORED_WITH_VALUE = frozenset(
    {
        "-i", "--index-url", "--extra-index-url", "-f", "--find-links", "--trusted-host",
        "--no-binary", "--only-binary", "--use-feature", "--config-settings",
        "--global-option", "--install-option", "--progress-bar",
    }
)  # fmt: skip
_IGNORED_FLAGS = frozenset(
    {
        "--no-index",
        "--pre",
        "--prefer-binary",
        "--require-hashes",
        "--use-pep517",
        "--no-use-pep517",
    }
)
_INCLUDE = {"-r": False, "--requirement": False, "-c": True, "--constraint": True}
_EDITABLE = frozenset({"-e", "--editable"})
_FREEZE_EDITABLE_COMMENT = "# Editable install with no version control ("


@dataclass
class _State:
    selection: Selection
    entries: list[ManifestEntry] = field(default_factory=list)
    digest: hashlib._Hash = field(default_factory=hashlib.sha256)
    notes: list[str] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)


def read_requirements(path: Path, selection: Selection, *, data: bytes | None = None) -> Manifest:
    """Read a requirements file (and its includes) into a Manifest.

    ``data`` reads that text as if it were the content of ``path`` (used by
    ``bootguard snapshot`` to verify what it is about to write).
    """
    state = _State(selection)
    _read_file(path, state, constraint=False, display=str(path), data=data)
    return Manifest(
        path=str(path),
        format="requirements",
        entries=tuple(state.entries),
        digest=state.digest.hexdigest(),
        # A requirements file may be a full ``pip freeze`` or only the pinned top level
        # (``Django==4.2.0`` alone is common): what the listed distributions require is
        # accounted for either way, so only what nothing asks for is extraneous.  For real
        # freeze output the two readings agree.
        complete=False,
        notes=tuple(state.notes),
    )


def _read_file(
    path: Path, state: _State, *, constraint: bool, display: str, data: bytes | None = None
) -> None:
    key = os.path.realpath(path)
    if key in state.seen:
        return  # pip reads a file included twice once; a cycle must not loop forever
    state.seen.add(key)
    if data is None:
        data = read_bytes(path, display)
    state.digest.update(data)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        bad_line = data[: err.start].count(b"\n") + 1
        raise ManifestError(display, "not UTF-8 text", line=bad_line) from err
    if text.startswith("# bootguard-snapshot: "):  # a snapshot that records its length
        from bootguard.snapshot import check_entry_count

        check_entry_count(text, display)
    last_comment = ""
    for lineno, line, comment in _logical_lines(text):
        if not line:
            last_comment = comment
            continue
        _read_line(path, display, lineno, line, last_comment, state, constraint=constraint)
        last_comment = ""


def _logical_lines(text: str) -> list[tuple[int, str, str]]:
    """(first line number, content without comment, comment) with continuations joined."""
    result: list[tuple[int, str, str]] = []
    buffer: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        if not buffer:
            start = number
        if raw.endswith("\\") and not _comment_start(raw) >= 0:
            buffer.append(raw[:-1])
            continue
        buffer.append(raw)
        joined = "".join(buffer)
        buffer = []
        cut = _comment_start(joined)
        content, comment = (joined, "") if cut < 0 else (joined[:cut], joined[cut:].strip())
        result.append((start, content.strip(), comment))
    if buffer:
        result.append((start, "".join(buffer).strip(), ""))
    return result


def _comment_start(line: str) -> int:
    """Index of a ``#`` that starts a comment (at line start or after whitespace), or -1."""
    index = line.find("#")
    while index >= 0:
        if index == 0 or line[index - 1] in " \t":
            return index
        index = line.find("#", index + 1)
    return -1


def _read_line(
    path: Path,
    display: str,
    lineno: int,
    line: str,
    last_comment: str,
    state: _State,
    *,
    constraint: bool,
) -> None:
    if line.startswith("-"):
        option, value = _split_option(line)
        if option in _INCLUDE:
            if not value:
                raise ManifestError(display, f"{option} needs a file name", line=lineno)
            target = Path(value) if os.path.isabs(value) else path.parent / value
            if not _is_file(target):
                raise ManifestError(display, f"{option} {value}: no such file", line=lineno)
            shown = value if os.path.isabs(value) else os.path.join(os.path.dirname(display), value)
            _read_file(target, state, constraint=constraint or _INCLUDE[option], display=shown)
            return
        if option in _EDITABLE:
            _read_editable(display, lineno, value, last_comment, state, constraint=constraint)
            return
        if option in _IGNORED_WITH_VALUE or option in _IGNORED_FLAGS:
            return
        raise ManifestError(display, f"unknown option {option!r}", line=lineno)
    requirement, hashes = _split_hashes(display, lineno, line)
    entry = _entry(display, lineno, requirement, hashes, state.selection, constraint=constraint)
    if entry is not None:
        state.entries.append(entry)


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except ValueError:  # e.g. an embedded NUL byte: not a file anyone can have
        return False


def _split_option(line: str) -> tuple[str, str]:
    """``("--requirement", "x.txt")`` from ``--requirement=x.txt``, ``-r x.txt`` or ``-rx.txt``."""
    head, _, rest = line.partition(" ")
    if "=" in head and head.startswith("--"):
        option, _, value = head.partition("=")
        return option, (value + " " + rest).strip()
    if not head.startswith("--") and len(head) > 2:
        return head[:2], (head[2:] + " " + rest).strip()
    return head, rest.strip()


def _split_hashes(display: str, lineno: int, line: str) -> tuple[str, tuple[str, ...]]:
    """Separate per-requirement options (``--hash``) from the requirement text, as pip does."""
    tokens = line.split()
    for index, token in enumerate(tokens):
        if token.startswith("-"):
            requirement = " ".join(tokens[:index])
            options = tokens[index:]
            break
    else:
        return line, ()
    hashes: list[str] = []
    position = 0
    while position < len(options):
        token = options[position]
        if token.startswith("--hash="):
            hashes.append(token[7:])
        elif token == "--hash" and position + 1 < len(options):  # noqa: S105 - an option name
            position += 1
            hashes.append(options[position])
        elif token.startswith("--config-settings") or token.startswith("--global-option"):
            pass
        else:
            raise ManifestError(display, f"unknown per-requirement option {token!r}", line=lineno)
        position += 1
    for value in hashes:
        algorithm, sep, digest = value.partition(":")
        if not sep or not algorithm or not digest:
            raise ManifestError(display, f"malformed --hash {value!r} (want algo:hex)", line=lineno)
    return requirement, tuple(hashes)


def _entry(
    display: str,
    lineno: int,
    text: str,
    hashes: tuple[str, ...],
    selection: Selection,
    *,
    constraint: bool,
) -> ManifestEntry | None:
    from packaging.requirements import InvalidRequirement, Requirement  # deferred: ~35 ms

    origin = f"{display}:{lineno}"
    try:
        req = Requirement(text)
    except InvalidRequirement as err:
        archive = _archive_entry(text, origin, hashes, constraint)
        if archive is not None:
            return archive
        reason = str(err).splitlines()[0]  # packaging adds the text and a caret on more lines
        raise ManifestError(
            display, f"invalid requirement {text!r}: {reason}", line=lineno
        ) from err
    if req.marker is not None and not req.marker.evaluate(dict(selection.marker_env)):
        return None
    return ManifestEntry(
        name=canonical_name(req.name),
        specifier=str(req.specifier),
        extras=frozenset(canonical_name(e) for e in req.extras),
        marker=str(req.marker) if req.marker is not None else None,
        url=req.url,
        hashes=hashes,
        origin=origin,
        constraint=constraint,
    )


def _archive_entry(
    text: str, origin: str, hashes: tuple[str, ...], constraint: bool
) -> ManifestEntry | None:
    """A bare path or URL to a wheel or sdist: the name (and version) come from the file name."""
    from packaging.utils import (
        InvalidSdistFilename,
        InvalidWheelFilename,
        parse_sdist_filename,
        parse_wheel_filename,
    )

    filename = text.split("#", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    try:
        if filename.endswith(".whl"):
            name, version, _, _ = parse_wheel_filename(filename)
        else:
            name, version = parse_sdist_filename(filename)
    except (InvalidWheelFilename, InvalidSdistFilename):
        return None
    return ManifestEntry(
        name=str(name),
        specifier=f"=={version}",
        url=text,
        hashes=hashes,
        origin=origin,
        constraint=constraint,
    )


def _read_editable(
    display: str, lineno: int, value: str, last_comment: str, state: _State, *, constraint: bool
) -> None:
    if not value:
        raise ManifestError(display, "-e needs a path or URL", line=lineno)
    name, version = _editable_name(value, last_comment)
    if name is None:
        state.notes.append(
            f"{display}:{lineno}: cannot tell which distribution the editable {value!r} is; "
            "add '#egg=NAME' to check it"
        )
        return
    state.entries.append(
        ManifestEntry(
            name=canonical_name(name),
            specifier=f"=={version}" if version else "",
            url=value,
            editable=True,
            origin=f"{display}:{lineno}",
            constraint=constraint,
        )
    )


def _editable_name(value: str, last_comment: str) -> tuple[str | None, str | None]:
    """Name (and version) of an editable: ``#egg=``, pip freeze's comment, or the project file."""
    _, _, fragment = value.partition("#")
    for part in fragment.split("&"):
        key, _, val = part.partition("=")
        if key == "egg" and val:
            return val.split("[", 1)[0], None
    if last_comment.startswith(_FREEZE_EDITABLE_COMMENT) and last_comment.endswith(")"):
        pinned = last_comment[len(_FREEZE_EDITABLE_COMMENT) : -1]
        name, sep, version = pinned.partition("==")
        if sep:
            return name.strip(), version.strip()
    project = Path(value[7:] if value.startswith("file://") else value)
    return _project_name(project), None


def _project_name(directory: Path) -> str | None:
    from bootguard._files import MANIFEST_MAX_BYTES, read_regular

    try:  # bounded and non-blocking: a FIFO named pyproject.toml must not hang the check
        data = read_regular(directory / "pyproject.toml", MANIFEST_MAX_BYTES)
    except (OSError, ValueError):  # ValueError: an embedded NUL byte in the path
        return None
    if sys.version_info >= (3, 11):
        import tomllib  # deferred for import cost
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    try:
        name = tomllib.loads(data.decode("utf-8")).get("project", {}).get("name")
    except (ValueError, UnicodeDecodeError):
        return None
    return name if isinstance(name, str) else None
