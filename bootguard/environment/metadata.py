"""METADATA / PKG-INFO header parsing: the five fields bootguard needs, read by hand.

Metadata is read by hand (the header section only) rather than through
``importlib.metadata``, whose import and ``email`` parsing cost several times the whole
inventory; the few fields needed here (Name, Version, Requires-Dist, Requires-Python,
Provides-Extra) are read with ``email``'s rules (a differential test holds the two equal).
Metadata files are untrusted: they are read without blocking and with a size cap.
"""

from __future__ import annotations

from bootguard._files import METADATA_MAX_BYTES, read_regular

TYPE_CHECKING = False
if TYPE_CHECKING:
    import re

__all__ = ["egg_requires", "header_block", "headers_of", "parse_headers", "read_headers"]

_WANTED = tuple(
    (key, key.decode().lower())
    for key in (b"Name", b"Version", b"Requires-Dist", b"Requires-Python", b"Provides-Extra")
)
#: METADATA bytes read first: the header block of real files ends well inside them.
_HEAD = 16384
#: Where ``email`` ends the header section: at a blank line, or at the first line that is
#: neither a header (``name:`` with printable name characters), a continuation (leading
#: space or tab) nor a ``From `` envelope line (``email.feedparser.headerRE``).  Only
#: complete lines count, so a truncated read never ends the headers early.
_HEADER_END = rb"\n(?:\n|(?![\x21-\x39\x3b-\x7e]*:|[ \t]|From )[^\n]*\n)"
_header_end: re.Pattern[bytes] | None = None
#: The five fields in any case: more of these than canonical ones sends a block to the
#: general parser.
_ANY_CASE = rb"\n(?i:name|version|requires-dist|requires-python|provides-extra):"
_any_case: re.Pattern[bytes] | None = None
_STRIP = " \t\n\r\x0b\x0c"  # what bytes.strip() strips, for the str parser


def read_headers(path: str) -> dict[str, list[str]]:
    """The five header fields bootguard needs from a METADATA/PKG-INFO file, keys lowercased.

    Parsed as ``importlib.metadata`` (``email``) parses them: CR, LF and CRLF line ends,
    folded lines (joined with one space; values stripped), the header section ending at the
    first blank or non-header line, names matched in any case, undecodable bytes kept as
    surrogate escapes.  This runs for every installed distribution, so instead of splitting
    every header line (a header block can hold hundreds of classifier and license lines) it
    finds the block's end with one regular-expression search and the five fields with
    ``bytes.find``, about twice as fast as a line parser; only a block that also writes one
    of the five in another case than the canonical one (one more search counts them) goes
    to the general parser.

    Reads through :func:`bootguard._files.read_regular`: raises ``OSError`` (a FIFO, a
    device, a file over ``METADATA_MAX_BYTES`` whose headers do not end in the first
    16 KiB, an unreadable or missing file) and never blocks.
    """
    data = read_regular(path, METADATA_MAX_BYTES, head=_HEAD)
    block = header_block(data, complete=len(data) < _HEAD)
    if block is None:  # the headers go on past the first read: read it all (capped)
        block = header_block(read_regular(path, METADATA_MAX_BYTES), complete=True)
    assert block is not None
    return headers_of(block)


def headers_of(block: bytes) -> dict[str, list[str]]:
    """The five fields of a header section as :func:`header_block` returns it."""
    headers: dict[str, list[str]] = {}
    found = 0
    for key, name in _WANTED:
        values = _field(block, key)
        if values:
            headers[name] = values
            found += len(values)
    assert _any_case is not None  # compiled with _header_end
    if len(_any_case.findall(block)) != found:  # one of the five written in another case
        return parse_headers(block[1:].decode("utf-8", "surrogateescape"))
    return headers


def header_block(data: bytes, *, complete: bool) -> bytes | None:
    """The header section of ``data`` as ``email`` delimits it, LF line ends, starting with
    a newline; None when ``data`` is a prefix (not ``complete``) that does not reach its end."""
    global _header_end, _any_case
    if _header_end is None:
        import re  # deferred: loaded by packaging on every path that reads metadata anyway

        _header_end = re.compile(_HEADER_END)
        _any_case = re.compile(_ANY_CASE)
    if b"\r" in data:  # rare: only then is every line end rewritten
        data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    text = b"\n" + data + b"\n" if complete else b"\n" + data[: data.rfind(b"\n") + 1]
    match = _header_end.search(text)
    if match is None:
        return text[:-1] if complete else None
    return text[: match.start()]


def _field(block: bytes, key: bytes) -> list[str]:
    """Every value of header ``key`` in ``block`` (LF line ends, starts with a newline)."""
    needle = b"\n" + key + b":"
    values: list[str] = []
    position = block.find(needle)
    while position >= 0:
        start = position + len(needle)
        stop = block.find(b"\n", start)
        stop = len(block) if stop < 0 else stop
        value = block[start:stop].strip()
        while block[stop + 1 : stop + 2] in (b" ", b"\t"):  # folded continuation lines
            after = block.find(b"\n", stop + 1)
            after = len(block) if after < 0 else after
            piece = block[stop + 1 : after].strip()
            if piece:
                value = value + b" " + piece if value else piece
            stop = after
        values.append(value.decode("utf-8", "surrogateescape"))
        position = block.find(needle, stop)
    return values


def parse_headers(text: str) -> dict[str, list[str]]:
    """The general header parser (any field, any case), with ``email``'s rules.

    Lines end at CR, LF or CRLF; the header section ends at the first blank line or the
    first line that is not a header, a continuation or a ``From `` envelope line; a
    continuation with no header before it is dropped, as are ``From `` lines and lines
    with an empty name.  Values are stripped and folded lines joined with one space.
    """
    import re  # deferred: the general parser is the rare path

    header_line = re.compile(r"From |[\x21-\x39\x3b-\x7e]*:|[ \t]")
    headers: dict[str, list[str]] = {}
    last: list[str] | None = None
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if not header_line.match(line):
            break
        if line[:1] in (" ", "\t"):
            piece = line.strip(_STRIP)
            if last is not None and piece:  # folded continuation of the previous header
                last[-1] = f"{last[-1]} {piece}" if last[-1] else piece
            continue
        last = None
        key, _, value = line.partition(":")
        if not key or line.startswith("From "):
            continue
        last = headers.setdefault(key.lower(), [])
        last.append(value.strip(_STRIP))
    return headers


def egg_requires(path: str) -> tuple[str, ...]:
    """Requires-Dist equivalents of an egg-info ``requires.txt`` (as importlib.metadata does).

    No file: no requirements.  Raises ``OSError`` for a file that cannot be read (a FIFO,
    a device, too large) and ``UnicodeDecodeError`` for one that is not UTF-8, which
    ``importlib.metadata`` refuses too.
    """
    try:
        data = read_regular(path, METADATA_MAX_BYTES)
    except FileNotFoundError:
        return ()
    text = data.decode("utf-8")
    result: list[str] = []
    extra, marker = "", ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            extra, _, marker = line[1:-1].partition(":")
            continue
        conditions = []
        if marker:
            conditions.append(f"({marker})" if extra else marker)
        if extra:
            conditions.append(f'extra == "{extra}"')
        result.append(f"{line}; {' and '.join(conditions)}" if conditions else line)
    return tuple(result)
