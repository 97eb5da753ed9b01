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

import os

from bootguard._paths import FilePath
from bootguard.environment._scan import sha256_hex
from bootguard.manifest._lock import read_bytes
from bootguard.manifest._req_entries import _read_editable, _requirement, _State
from bootguard.manifest._req_lines import _decode, _Line, _logical_lines
from bootguard.manifest._req_options import (
    _EDITABLE,
    _IGNORED_FLAGS,
    _IGNORED_WITH_VALUE,
    _INCLUDE,
    _check_options,
    _first_option,
    _long_option,
    _split_hashes,
    _tokens,
)
from bootguard.manifest.model import Manifest, Selection

__all__ = ["MAX_INCLUDE_DEPTH", "read_requirements"]


#: How deep ``-r``/``-c`` includes may nest.  pip sets no limit, but a chain that deep is
#: generated garbage, and the reader must refuse it with a clear message, not a RecursionError.
MAX_INCLUDE_DEPTH = 100


def read_requirements(
    path: str | os.PathLike[str], selection: Selection, *, data: bytes | None = None
) -> Manifest:
    """Read a requirements file (and its includes) into a Manifest.

    ``data`` reads that text as if it were the content of ``path`` (used by
    ``bootguard snapshot`` to verify what it is about to write).
    """
    path = FilePath(path)  # named in the report as ``str(Path(path))`` spells it
    state = _State(selection)
    _read_file(path, state, constraint=False, display=str(path), data=data, depth=0)
    return Manifest(
        path=str(path),
        format="requirements",
        entries=tuple(state.entries),
        digest=sha256_hex(b"".join(state.read)),
        # A requirements file may be a full ``pip freeze`` or only the pinned top level
        # (``Django==4.2.0`` alone is common): what the listed distributions require is
        # accounted for either way, so only what nothing asks for is extraneous.  For real
        # freeze output the two readings agree.
        complete=False,
        notes=tuple(state.notes),
        unnamed=tuple(state.unnamed),
    )


def _read_file(
    path: FilePath,
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
    state.read.append(data)
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


def _include(
    where: _Line, option: str, value: str, state: _State, *, constraint: bool, depth: int
) -> None:
    if depth >= MAX_INCLUDE_DEPTH:
        raise where.error(f"{option} {value}: includes nest deeper than {MAX_INCLUDE_DEPTH} files")
    target = FilePath(value) if os.path.isabs(value) else FilePath(where.path).parent / value
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


def _is_file(path: FilePath) -> bool:
    try:
        return path.is_file()
    except (OSError, ValueError):  # e.g. an embedded NUL byte: not a file anyone can have
        return False
