"""The lines of a requirements file, prepared exactly as pip prepares them.

Decoding comes first (a byte-order mark, then a PEP 263 ``coding:`` comment, then UTF-8),
then pip's ``preprocess``: continuations are joined, comments stripped, and ``${NAME}``
variables expanded last, so a ``#`` inside a variable's value survives.  Kept apart from
what the lines mean so the grammar of a line and the text it comes from change separately.
"""

from __future__ import annotations

import os

from bootguard.errors import ManifestError

# pip's BOM table: a UTF-32 BOM starts like a UTF-16 one, so it is tested first.
_BOMS = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\xfe\xff", "utf-16-be"),
    (b"\xff\xfe", "utf-16-le"),
)


class _Line:
    """Where a logical line comes from: for messages, and to resolve relative paths.

    A plain slotted class: one is made per line, and a frozen dataclass costs several
    times more to construct.
    """

    __slots__ = ("display", "number", "path")

    def __init__(self, path: str | os.PathLike[str], display: str, number: int) -> None:
        self.path = path
        self.display = display
        self.number = number

    @property
    def origin(self) -> str:
        return f"{self.display}:{self.number}"

    def error(self, message: str) -> ManifestError:
        return ManifestError(self.display, message, line=self.number)


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
