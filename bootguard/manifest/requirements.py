"""Requirements files as pip writes and reads them.

Covers every line kind pip accepts: ``pip freeze`` output, ``pip-compile`` / ``uv pip
compile`` output with ``--hash``, ``==``/``===`` pins, ranges, markers, extras, ``-r``/``-c``
includes (relative to the including file), line continuations, comments, ``${VAR}``
environment variables, ``-e`` lines, ``name @ url`` lines, bare VCS URLs (``git+``, ``hg+``,
``svn+``, ``bzr+``), archive URLs and paths, and local project directories.  Index and
install options (``--index-url``, ``--find-links``, ...) are accepted and ignored, as they
say nothing about what must be installed; an option pip itself would not accept is an error.

Lines are prepared exactly as pip prepares them (its ``preprocess``): continuations are
joined first, comments stripped next, ``${NAME}`` variables expanded last.  A relative path
on a requirement line is resolved by pip against the *current directory*, not the file
(only ``-r``/``-c`` are relative to the including file); bootguard looks there first and
then beside the requirements file, because at boot the current directory may not be the one
the install ran in.  A line whose distribution name cannot be derived (a bare VCS URL
without ``#egg=``, an archive with an unusual file name, a directory that is not there) is
kept in :attr:`Manifest.unnamed`; the source check ties it to the installed distribution
whose ``direct_url.json`` records the same source, or reports why it cannot.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from bootguard.errors import ManifestError
from bootguard.manifest._lock import read_bytes
from bootguard.manifest.model import Manifest, ManifestEntry, Selection, Source
from bootguard.names import canonical_name

__all__ = ["MAX_INCLUDE_DEPTH", "read_requirements"]

#: How deep ``-r``/``-c`` includes may nest.  pip sets no limit, but a chain that deep is
#: generated garbage, and the reader must refuse it with a clear message, not a RecursionError.
MAX_INCLUDE_DEPTH = 100

# Options that take a value and say nothing about what must be installed (``--hash`` on a
# line of its own: pip warns that it applies to nothing and goes on).
_IGNORED_WITH_VALUE = frozenset(
    {
        "-i", "--index-url", "--pypi-url", "--extra-index-url", "-f", "--find-links",
        "--trusted-host", "--no-binary", "--only-binary", "--use-feature", "--config-settings",
        "-C", "--global-option", "--install-option", "--progress-bar", "--all-releases",
        "--only-final", "--hash",
    }
)  # fmt: skip
_IGNORED_FLAGS = frozenset(
    {
        "--no-index",
        "--pre",
        "--prefer-binary",
        "--require-hashes",
        "--no-require-hashes",
        "--use-pep517",
        "--no-use-pep517",
    }
)
_INCLUDE = {"-r": False, "--requirement": False, "-c": True, "--constraint": True}
_EDITABLE = frozenset({"-e", "--editable"})
_PER_REQUIREMENT_WITH_VALUE = frozenset({"--config-settings", "-C", "--global-option"})
_KNOWN = _IGNORED_WITH_VALUE | _IGNORED_FLAGS | _EDITABLE | _INCLUDE.keys()
_FREEZE_EDITABLE_COMMENT = "# Editable install with no version control ("
# pip's BOM table: a UTF-32 BOM starts like a UTF-16 one, so it is tested first.
_BOMS = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\xfe\xff", "utf-16-be"),
    (b"\xff\xfe", "utf-16-le"),
)


@dataclass
class _State:
    selection: Selection
    entries: list[ManifestEntry] = field(default_factory=list)
    unnamed: list[ManifestEntry] = field(default_factory=list)
    digest: hashlib._Hash = field(default_factory=hashlib.sha256)
    notes: list[str] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)


class _Line:
    """Where a logical line comes from: for messages, and to resolve relative paths.

    A plain slotted class: one is made per line, and a frozen dataclass costs several
    times more to construct.
    """

    __slots__ = ("display", "number", "path")

    def __init__(self, path: Path, display: str, number: int) -> None:
        self.path = path
        self.display = display
        self.number = number

    @property
    def origin(self) -> str:
        return f"{self.display}:{self.number}"

    def error(self, message: str) -> ManifestError:
        return ManifestError(self.display, message, line=self.number)


def read_requirements(path: Path, selection: Selection, *, data: bytes | None = None) -> Manifest:
    """Read a requirements file (and its includes) into a Manifest.

    ``data`` reads that text as if it were the content of ``path`` (used by
    ``bootguard snapshot`` to verify what it is about to write).
    """
    state = _State(selection)
    _read_file(path, state, constraint=False, display=str(path), data=data, depth=0)
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
        unnamed=tuple(state.unnamed),
    )


def _read_file(
    path: Path,
    state: _State,
    *,
    constraint: bool,
    display: str,
    data: bytes | None = None,
    depth: int,
) -> None:
    key = os.path.realpath(path)
    if key in state.seen:
        return  # pip reads a file included twice once; a cycle must not loop forever
    state.seen.add(key)
    if data is None:
        data = read_bytes(path, display)
    state.digest.update(data)
    text = _decode(data, display)
    if text.startswith("# bootguard-snapshot: "):  # a snapshot that records its length
        from bootguard.manifest.snapshot_header import check_entry_count

        check_entry_count(text, display)
    last_comment = ""
    for lineno, line, comment in _logical_lines(text):
        if not line:
            last_comment = comment
            continue
        where = _Line(path, display, lineno)
        _read_line(where, line, last_comment, state, constraint=constraint, depth=depth)
        last_comment = ""


def _decode(data: bytes, display: str) -> str:
    """The text of a requirements file, decoded as pip decodes it.

    A byte-order mark wins, then a PEP 263 ``coding:`` comment on one of the first two lines,
    then UTF-8.  (pip then falls back to the locale's encoding; a file that is not UTF-8 and
    does not say what it is reads differently on every host, so bootguard refuses it.)
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _decode_as(data[len(bom) :], encoding, display)
    for first in data.split(b"\n", 2)[:2]:
        if first[:1] == b"#" and b"coding" in first:
            declared = _declared_encoding(first)
            if declared:
                return _decode_as(data, declared, display)
    return _decode_as(data, "utf-8", display)


def _declared_encoding(line: bytes) -> str | None:
    """The encoding a PEP 263 comment names (``coding[:=]\\s*([-\\w.]+)``), else None."""
    index = line.find(b"coding")
    while index >= 0:
        rest = line[index + 6 :]
        if rest[:1] in (b":", b"="):
            name = rest[1:].lstrip(b" \t\f")
            end = 0
            while end < len(name) and (chr(name[end]).isalnum() or name[end] in b"-_."):
                end += 1
            if end:
                return name[:end].decode("ascii", "replace")
        index = line.find(b"coding", index + 1)
    return None


def _decode_as(data: bytes, encoding: str, display: str) -> str:
    try:
        return data.decode(encoding)
    except LookupError as err:  # no such codec, or not a text encoding (``rot13``)
        raise ManifestError(display, f"unknown encoding {encoding!r}", line=1) from err
    except ValueError as err:  # UnicodeDecodeError, or a codec's own UnicodeError
        start = err.start if isinstance(err, UnicodeDecodeError) else 0
        bad_line = data[:start].count(b"\n") + 1
        what = "UTF-8" if encoding == "utf-8" else encoding
        raise ManifestError(display, f"not {what} text", line=bad_line) from err


def _logical_lines(text: str) -> list[tuple[int, str, str]]:
    """(first line number, content without comment, comment), prepared as pip prepares lines.

    A line ending in ``\\`` continues on the next one unless it is itself a comment line;
    a comment line ends a continuation.  Comments are stripped from the joined line, and
    ``${NAME}`` variables expanded after that (so a ``#`` in a variable's value is kept).
    """
    result: list[tuple[int, str, str]] = []
    buffer: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        if raw[-1:] == "\\" and raw.lstrip()[:1] != "#":
            if not buffer:
                start = number
            buffer.append(raw.strip("\\"))
            continue
        if buffer:
            buffer.append(" " + raw if raw.lstrip()[:1] == "#" else raw)
            joined, first = "".join(buffer), start
            buffer = []
        else:
            joined, first = raw, number
        result.append((first, *_strip_comment(joined)))
    if buffer:
        result.append((start, *_strip_comment("".join(buffer))))
    return result


def _strip_comment(line: str) -> tuple[str, str]:
    cut = _comment_start(line)
    content, comment = (line, "") if cut < 0 else (line[:cut], line[cut:].strip())
    content = content.strip()
    if "${" in content:
        content = _expand_variables(content)
    return content, comment


def _comment_start(line: str) -> int:
    """Index of a ``#`` that starts a comment (at line start or after whitespace), or -1."""
    index = line.find("#")
    while index >= 0:
        if index == 0 or line[index - 1].isspace():
            return index
        index = line.find("#", index + 1)
    return -1


def _expand_variables(line: str) -> str:
    """pip's expansion: ``${NAME}`` (uppercase, digits, ``_``) from the environment.

    A variable that is unset or empty is left as written, as pip leaves it; ``$NAME`` and
    ``%NAME%`` are never expanded.
    """
    result: list[str] = []
    position = 0
    while True:
        start = line.find("${", position)
        end = line.find("}", start + 2) if start >= 0 else -1
        if start < 0 or end < 0:
            result.append(line[position:])
            return "".join(result)
        name = line[start + 2 : end]
        value = os.environ.get(name) if name and all(_env_char(c) for c in name) else None
        if value:
            result.append(line[position:start] + value)
        else:
            result.append(line[position : start + 2])
            end = start + 1
        position = end + 1


def _env_char(char: str) -> bool:
    return char == "_" or char.isdigit() or ("A" <= char <= "Z")


def _tokens(where: _Line, text: str) -> list[str]:
    """Options split the way pip splits them (shlex, but only when quoting is used)."""
    if not any(c in text for c in "'\"\\"):
        return text.split()
    import shlex  # deferred: only quoted option lines need it

    try:
        return shlex.split(text)
    except ValueError as err:
        raise where.error(f"cannot split options: {err}") from err


def _read_line(
    where: _Line,
    line: str,
    last_comment: str,
    state: _State,
    *,
    constraint: bool,
    depth: int,
) -> None:
    if line.startswith("-"):
        option, value_text = _first_option(line)
        option = _long_option(option)
        if option == "-":
            return  # a lone "-" is a positional argument to pip's option parser: ignored
        if option in _EDITABLE:
            _read_editable(where, value_text, last_comment, state, constraint=constraint)
            return
        if option not in _INCLUDE and option not in _IGNORED_WITH_VALUE:
            if option not in _IGNORED_FLAGS:
                raise where.error(f"unknown option {option!r}")
            _check_options(where, _tokens(where, value_text))
            return
        tokens = _tokens(where, value_text)
        if not tokens:
            raise where.error(
                f"{option} needs a file name" if option in _INCLUDE else f"{option} needs a value"
            )
        if option in _INCLUDE:
            _include(where, option, tokens[0], state, constraint=constraint, depth=depth)
        else:
            _check_options(where, tokens[1:])
        return
    requirement, hashes = _split_hashes(where, line)
    _requirement(where, requirement, hashes, state, constraint=constraint)


def _first_option(line: str) -> tuple[str, str]:
    """(option, the text after it) from an option line.

    ``--requirement=x.txt``, ``-r x.txt`` and ``-rx.txt`` all give the option and
    ``x.txt``.  The value of ``-e`` is everything after the option (a ``name @ url``
    form has spaces).
    """
    head, _, tail = line.partition(" ")
    tail = tail.strip()
    if head.startswith("--") and "=" in head:
        option, _, attached = head.partition("=")
        return option, (attached + " " + tail).strip()
    if not head.startswith("--") and len(head) > 2:
        return head[:2], (head[2:] + " " + tail).strip()
    return head, tail


def _long_option(option: str) -> str:
    """An unambiguous prefix of a long option stands for it, as in pip's option parser."""
    if not option.startswith("--") or option in _KNOWN:
        return option
    matches = [known for known in _KNOWN if known.startswith(option) and known.startswith("--")]
    return matches[0] if len(matches) == 1 else option


def _check_options(where: _Line, tokens: list[str]) -> None:
    """Further options on an option line (pip accepts several): each must be one pip knows."""
    position = 0
    while position < len(tokens):
        token = tokens[position]
        if token[:1] != "-" or len(token) == 1:
            position += 1  # a positional argument: pip's option parser ignores it
            continue
        option = _long_option(token.split("=", 1)[0]) if token.startswith("--") else token[:2]
        if option in _INCLUDE or option in _EDITABLE:
            raise where.error(f"{option} must be on a line of its own")
        if option not in _IGNORED_WITH_VALUE and option not in _IGNORED_FLAGS:
            raise where.error(f"unknown option {option!r}")
        attached = "=" in token if token.startswith("--") else len(token) > 2
        position += 1 if attached or option in _IGNORED_FLAGS else 2


def _include(
    where: _Line, option: str, value: str, state: _State, *, constraint: bool, depth: int
) -> None:
    if depth >= MAX_INCLUDE_DEPTH:
        raise where.error(f"{option} {value}: includes nest deeper than {MAX_INCLUDE_DEPTH} files")
    target = Path(value) if os.path.isabs(value) else where.path.parent / value
    if not _is_file(target):
        raise where.error(f"{option} {value}: no such file")
    shown = value if os.path.isabs(value) else os.path.join(os.path.dirname(where.display), value)
    _read_file(
        target,
        state,
        constraint=constraint or _INCLUDE[option],
        display=shown,
        depth=depth + 1,
    )


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except (OSError, ValueError):  # e.g. an embedded NUL byte: not a file anyone can have
        return False


def _split_hashes(where: _Line, line: str) -> tuple[str, tuple[str, ...]]:
    """Separate per-requirement options (``--hash``) from the requirement text, as pip does."""
    if " -" not in line and "\t-" not in line:
        return line, ()
    tokens = line.split()
    for index, token in enumerate(tokens):
        if token[:1] == "-":
            requirement = " ".join(tokens[:index])
            options = tokens[index:]
            if "'" in line or '"' in line or "\\" in line:
                options = _tokens(where, " ".join(options))
            break
    else:
        return line, ()
    hashes: list[str] = []
    position = 0
    while position < len(options):
        token = options[position]
        name, eq, _ = token.partition("=")
        if token.startswith("--hash="):
            hashes.append(token[7:])
        elif token == "--hash" and position + 1 < len(options):  # noqa: S105 - an option name
            position += 1
            hashes.append(options[position])
        elif token[:1] != "-" or len(token) == 1:
            pass  # a positional leftover: pip's option parser ignores it
        else:
            # pip parses every option it knows here and ignores all but --hash and
            # --config-settings on a requirement line (``pkg==1 --pre`` is accepted)
            option = _long_option(name) if token.startswith("--") else token[:2]
            if option not in _KNOWN and option not in _PER_REQUIREMENT_WITH_VALUE:
                raise where.error(f"unknown per-requirement option {token!r}")
            attached = bool(eq) if token.startswith("--") else len(token) > 2
            if option == "--hash":  # an abbreviation, ``--has=...``
                following = options[position + 1] if position + 1 < len(options) else ""
                hashes.append(token.partition("=")[2] if attached else following)
            if not attached and option not in _IGNORED_FLAGS:
                position += 1  # the value is the next token
        position += 1
    for value in hashes:
        algorithm, sep, digest = value.partition(":")
        if not sep or not algorithm or not digest:
            raise where.error(f"malformed --hash {value!r} (want algo:hex)")
    return requirement, tuple(hashes)


# --- requirement lines ---------------------------------------------------------------------


def _requirement(
    where: _Line, text: str, hashes: tuple[str, ...], state: _State, *, constraint: bool
) -> None:
    """One requirement line: a PEP 508 requirement, a URL, or a local path, as pip decides."""
    if _maybe_direct(text):
        from bootguard.manifest import _urls  # deferred: plain ``name==1.0`` lines skip it

        url_line = _urls.is_url(text)
        name_part, marker = _split_marker(text, "; " if url_line else ";")
        if url_line or _is_path_line(name_part):
            if marker is not None and not _marker_holds(where, marker, state):
                return
            _direct_line(where, name_part, marker, hashes, state, constraint=constraint)
            return
    entry = _pep508_entry(where, text, hashes, state.selection, constraint=constraint)
    if entry is not None:
        state.entries.append(entry)


def _maybe_direct(text: str) -> bool:
    """A cheap first test: could this line be a URL or a path rather than ``name==1.0``?"""
    if ":" in text or "/" in text or "\\" in text or text[:1] == ".":
        return True
    lowered = text.lower()
    return (
        ".whl" in lowered
        or ".zip" in lowered
        or ".tar" in lowered
        or ".tgz" in lowered
        or ".tbz" in lowered
        or ".txz" in lowered
        or ".tlz" in lowered
    )


def _split_marker(text: str, separator: str) -> tuple[str, str | None]:
    name, sep, marker = text.partition(separator)
    marker = marker.strip()
    return name.strip(), (marker or None) if sep else None


def _is_path_line(name: str) -> bool:
    """pip's rule: a path-looking line or an archive file name is a path, not a name.

    ``foo @ https://host/foo.whl`` ends like an archive but is a requirement: an ``@`` whose
    left side does not look like a path makes it one.
    """
    from bootguard.manifest import _urls

    path, _ = _strip_extras(name)
    return (_urls.looks_like_path(path) or _urls.is_archive(path)) and not _is_named_url(name)


def _is_named_url(text: str) -> bool:
    from bootguard.manifest import _urls

    left, at, _ = text.partition("@")
    return bool(at) and not _urls.looks_like_path(left.strip())


def _marker_holds(where: _Line, marker: str, state: _State) -> bool:
    from packaging.markers import InvalidMarker, Marker

    try:
        return bool(Marker(marker).evaluate(dict(state.selection.marker_env)))
    except InvalidMarker as err:
        reason = str(err).splitlines()[0]
        raise where.error(f"invalid marker {_shown(marker)}: {reason}") from err


def _strip_extras(path: str) -> tuple[str, frozenset[str]]:
    """``("./proj", {"x"})`` from ``./proj[x]``, as pip strips extras from paths."""
    if path.endswith("]") and "[" in path:
        head, _, extras = path[:-1].rpartition("[")
        if head:
            return head.rstrip(), frozenset(
                canonical_name(e.strip()) for e in extras.split(",") if e.strip()
            )
    return path, frozenset()


def _pep508_entry(
    where: _Line,
    text: str,
    hashes: tuple[str, ...],
    selection: Selection,
    *,
    constraint: bool,
) -> ManifestEntry | None:
    from packaging.requirements import InvalidRequirement, Requirement  # deferred: ~35 ms

    try:
        req = Requirement(text)
    except InvalidRequirement as err:
        reason = str(err).splitlines()[0]  # packaging adds the text and a caret on more lines
        raise where.error(f"invalid requirement {_shown(text)}: {reason}") from err
    if req.marker is not None and not req.marker.evaluate(dict(selection.marker_env)):
        return None
    source = None
    if req.url:
        from bootguard.manifest._urls import source_from_url

        source = source_from_url(req.url, base=_base(where))
    return ManifestEntry(
        name=canonical_name(req.name),
        specifier=str(req.specifier),
        extras=frozenset(canonical_name(e) for e in req.extras),
        marker=str(req.marker) if req.marker is not None else None,
        url=req.url,
        hashes=hashes,
        origin=where.origin,
        constraint=constraint,
        source=source,
    )


def _shown(text: str) -> str:
    """``text`` quoted for a one-line message, shortened when it is long."""
    return repr(text if len(text) <= 120 else text[:100] + "...")


def _base(where: _Line) -> str:
    """The directory a relative path on this line is resolved against besides the cwd."""
    return os.path.dirname(os.path.abspath(where.path))


def _direct_line(
    where: _Line,
    text: str,
    marker: str | None,
    hashes: tuple[str, ...],
    state: _State,
    *,
    constraint: bool,
    editable: bool = False,
    last_comment: str = "",
) -> None:
    """A bare URL or path line (or ``-e`` value): its name from ``#egg=``, file or project."""
    from bootguard.manifest import _urls

    if _urls.is_url(text):
        location, extras = text, frozenset[str]()
        source = _urls.source_from_url(text, editable=editable, hashes=hashes, base=_base(where))
    else:
        location, extras = _strip_extras(text)
        source = _urls.local_source(location, editable=editable, hashes=hashes, base=_base(where))
    name, version = _name_of(where, location, source, last_comment)
    entry = ManifestEntry(
        name=canonical_name(name) if name else "",
        specifier=f"=={version}" if version else "",
        extras=extras,
        marker=marker,
        url=text,
        editable=editable,
        hashes=hashes,
        origin=where.origin,
        constraint=constraint,
        source=source,
        name_guessed=bool(name)
        and source.kind == "archive"
        and not _egg(location)
        and not (source.url.lower().endswith(".whl")),
    )
    if name:
        state.entries.append(entry)
        return
    state.unnamed.append(entry)
    state.notes.append(
        f"{where.origin}: cannot tell which distribution {text!r} is from the line; it is "
        "matched by the source direct_url.json records (add '#egg=NAME' or 'NAME @ ' to name it)"
    )


def _name_of(
    where: _Line, location: str, source: Source, last_comment: str
) -> tuple[str | None, str | None]:
    """(name, version) of a direct reference: ``#egg=``, freeze comment, file or project."""
    from bootguard.manifest import _urls

    if source.kind == "archive" and source.url.lower().endswith(".whl"):
        wheel = _urls.name_from_filename(source.url)  # a wheel's file name wins, as in pip
        if wheel[0]:
            return wheel
    egg = _egg(location)
    if egg:
        return egg, None
    if last_comment.startswith(_FREEZE_EDITABLE_COMMENT) and last_comment.endswith(")"):
        pinned = last_comment[len(_FREEZE_EDITABLE_COMMENT) : -1]
        name, sep, version = pinned.partition("==")
        if sep and name.strip():
            return name.strip(), version.strip()
    if source.kind == "archive":
        return _urls.name_from_filename(source.url)
    if source.kind == "directory":
        directory = _locate(source.url, _base(where))
        if directory is not None:
            return _project_name(os.path.join(directory, source.subdirectory or "")), None
    return None, None


def _egg(location: str) -> str:
    from bootguard.manifest._urls import fragment

    value = fragment(location)[1].get("egg", "").strip()
    end = 0  # pip parses the value as a requirement: its name is the leading name part
    while end < len(value) and (value[end].isalnum() or value[end] in "._-"):
        end += 1
    return value[:end]


def _locate(path: str, base: str) -> str | None:
    """The local directory a path or ``file:`` URL names: from the cwd (pip), else ``base``."""
    if path.lower().startswith("file:"):
        path = _file_url_path(path)
    candidates = (
        [path] if os.path.isabs(path) else [os.path.abspath(path), os.path.join(base, path)]
    )
    for candidate in candidates:
        try:
            if os.path.isdir(candidate):
                return candidate
        except ValueError:  # an embedded NUL byte
            return None
    return None


def _file_url_path(url: str) -> str:
    """The local path of a ``file:`` URL (``file:///abs``, ``file://localhost/abs``, ``file:rel``)."""
    from urllib.parse import unquote

    rest = url[5:]
    if rest.startswith("//"):
        rest = rest[2:]
        host, slash, tail = rest.partition("/")
        rest = slash + tail if host in ("", "localhost") else "//" + rest
    return unquote(rest)


def _project_name(directory: str) -> str | None:
    """The name a project directory declares: pyproject ``[project].name``, setup.cfg."""
    from bootguard._files import MANIFEST_MAX_BYTES, read_regular

    try:
        data = read_regular(os.path.join(directory, "pyproject.toml"), MANIFEST_MAX_BYTES)
    except (OSError, ValueError):  # ValueError: an embedded NUL byte in the path
        data = None
    if data is not None:
        from bootguard.manifest._toml import load_toml

        try:
            project = load_toml(data, directory).get("project", {})
        except ManifestError:
            project = {}
        name = project.get("name") if isinstance(project, dict) else None
        if isinstance(name, str) and name.strip():
            return name.strip()
    return _setup_cfg_name(directory)


def _setup_cfg_name(directory: str) -> str | None:
    from bootguard._files import MANIFEST_MAX_BYTES, read_regular

    try:
        data = read_regular(os.path.join(directory, "setup.cfg"), MANIFEST_MAX_BYTES)
    except (OSError, ValueError):
        return None
    import configparser  # deferred: only local projects without [project].name need it

    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(data.decode("utf-8"))
        name = parser.get("metadata", "name", fallback=None)
    except (configparser.Error, UnicodeDecodeError):
        return None
    return name.strip() if name and name.strip() else None


# --- editable lines ------------------------------------------------------------------------


def _read_editable(
    where: _Line, value: str, last_comment: str, state: _State, *, constraint: bool
) -> None:
    """``-e`` value: ``name @ url``, a VCS URL, a ``file:`` URL or a local directory."""
    value, _ = _split_hashes(where, value)  # --config-settings may follow
    if not value:
        raise where.error("-e needs a path or URL")
    if "@" in value and _is_named_url(value):
        from packaging.requirements import InvalidRequirement, Requirement

        try:
            req = Requirement(value)
        except InvalidRequirement:
            req = None
        if req is not None and req.url:
            _named_editable(where, req, state, constraint=constraint)
            return
    from bootguard.manifest import _urls

    words = _tokens(where, value)  # pip's option parser takes one word (quotes removed)
    if not words:
        raise where.error("-e needs a path or URL")
    value = words[0]
    if _urls.url_scheme(value) not in (None, "file") and not _urls.is_url(value):
        # pip turns ``git:...`` into ``git+git:...``; anything else it cannot install
        state.notes.append(f"{where.origin}: the editable {value!r} is not a path or VCS URL")
        return
    _direct_line(
        where,
        value,
        None,
        (),
        state,
        constraint=constraint,
        editable=True,
        last_comment=last_comment,
    )


def _named_editable(where: _Line, req: object, state: _State, *, constraint: bool) -> None:
    from packaging.requirements import Requirement

    from bootguard.manifest._urls import source_from_url

    assert isinstance(req, Requirement) and req.url
    if req.marker is not None and not req.marker.evaluate(dict(state.selection.marker_env)):
        return
    state.entries.append(
        ManifestEntry(
            name=canonical_name(req.name),
            extras=frozenset(canonical_name(e) for e in req.extras),
            marker=str(req.marker) if req.marker is not None else None,
            url=req.url,
            editable=True,
            origin=where.origin,
            constraint=constraint,
            source=source_from_url(req.url, editable=True, base=_base(where)),
        )
    )
