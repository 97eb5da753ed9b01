"""A reader for the TOML that uv and Poetry write, which gives up on anything else.

``tomllib`` is pure Python and reads a lock character by character; uv and Poetry write a
small, regular subset of TOML, one statement per line: ``[table]`` and ``[[array]]``
headers with bare or plain quoted keys, ``key = value`` lines, and values that are basic
strings, integers, booleans, inline tables and arrays.  :func:`read_subset` reads exactly
that, a line at a time with string methods, skipping what the reader's
:class:`~bootguard.manifest._lock_skip.Layout` blanks without building it.

It returns the document ``tomllib`` returns for the same blanked text (same keys, order,
values and types) or ``None``: for anything it is not sure of (an escape other than ``\\"``
and ``\\\\``, literal or multi-line strings, dotted keys, comments after a statement,
floats, dates, implicit tables, a carriage return, a character that is not printable...)
and for all invalid TOML, so ``tomllib`` reads those and words every error as before.
"""

from __future__ import annotations

from bootguard.manifest._lock_shapes import build, split, template
from bootguard.manifest._lock_skip import Layout

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any  # annotations only: importing typing costs a cold boot

__all__ = ["read_subset"]

_DELIMITERS = frozenset(" ,]}")
_DIGITS = frozenset("0123456789")
_MAX_DEPTH = 16  # nested arrays and inline tables; locks use two
_WALK_TABLES = ("[package.dependencies]", "[package.extras]")
_UNSEEN: Any = object()  # a shape not met yet


class _Decline(Exception):
    """The text is outside the subset: the caller parses it with ``tomllib``."""


def read_subset(text: str, layout: Layout) -> dict[str, Any] | None:
    """The document ``tomllib`` reads from ``text`` once ``layout``'s lines are blanked,
    or ``None`` when the text is outside the subset this reader is sure of."""
    if "\r" in text:
        return None
    try:
        return _Reader(text, layout).document()
    except _Decline:
        return None


class _Reader:
    """One pass over the text; ``self.end`` is where the line being read ends."""

    __slots__ = ("arrays", "elements", "end", "keys", "layout", "lines", "tables", "text")

    def __init__(self, text: str, layout: Layout) -> None:
        self.text = text
        self.layout = layout
        self.end = 0
        self.tables: set[int] = set()  # ids of tables made by a header (extendable)
        self.arrays: set[int] = set()  # ids of arrays made by ``[[...]]`` headers
        self.keys: dict[str, str] = {}  # key text -> key, for the keys already checked
        self.lines: dict[tuple[str, ...], Any] = {}  # shape -> (key, template) or None
        self.elements: dict[tuple[str, ...], Any] = {}  # shape -> (template, tail) or None

    def document(self) -> dict[str, Any]:
        root: dict[str, Any] = {}
        self.tables.add(id(root))
        current = root
        text = self.text
        size = len(text)
        layout = self.layout
        prefixes = layout.prefixes
        pos = 0
        while pos <= size:
            end = text.find("\n", pos)
            if end < 0:
                end = size
            self.end = end
            line = text[pos:end]
            if not line or (line.startswith(prefixes) and layout.skips(line)):
                pass
            elif not line.isprintable():  # control characters, tabs, odd Unicode
                raise _Decline
            elif line[0] == "#":
                pass
            elif line[0] == "[":
                if layout.block == "walk-tables" and line in _WALK_TABLES:
                    self._skip_table()
                else:
                    current = self._header(root, line)
            elif line == "requires-dist = [" and layout.block == "requires-dist":
                if not self._skip_requires_dist():
                    self._key_value(current, line)
            else:
                self._key_value(current, line)
            pos = self.end + 1
        return root

    def _key(self, text: str) -> str:
        key = self.keys.get(text)
        if key is None:
            key = self.keys[text] = _key(text)
        return key

    def _skip_table(self) -> None:
        """A Poetry 2.1 walk table: its header and every following line that does not
        start with ``[`` and ends with a newline (the last line of the text does not)."""
        text = self.text
        if self.end == len(text):
            raise _Decline  # the header is the last line: no block, and a rare case
        following = text.find("\n[", self.end)
        if following >= 0:
            self.end = following
        elif text.endswith("\n"):
            self.end = len(text) - 1
        else:
            raise _Decline  # the last line would be kept, outside any table

    def _skip_requires_dist(self) -> bool:
        """A uv ``requires-dist`` block: lines indented by four spaces, then ``]``.

        False when the expression would not match (the array is then read); declines
        when a line inside could be blanked first, which would decide the match.
        """
        text = self.text
        start = self.end  # the newline ending ``requires-dist = [``
        close = text.find("\n]", start)
        if close < 0:
            return False
        lines = text.count("\n", start, close)
        if text.count("\n    ", start, close) != lines:
            return False
        after = close + 2
        if after != len(text) and text[after] != "\n":
            return False
        if any(text.count("\n" + prefix, start, close) for prefix in self.layout.prefixes):
            raise _Decline
        self.end = after
        return True

    def _header(self, root: dict[str, Any], line: str) -> dict[str, Any]:
        """The table a ``[a.b]`` or ``[[a]]`` header opens, as tomllib would make it."""
        if not line.endswith("]"):
            raise _Decline
        table: dict[str, Any] = {}
        if line.startswith("[["):
            if not line.endswith("]]"):
                raise _Decline
            name = self._key(line[2:-2])
            existing = root.get(name)
            if existing is None:
                existing = root[name] = []
                self.arrays.add(id(existing))
            elif id(existing) not in self.arrays:
                raise _Decline
            existing.append(table)
            return table
        *path, name = (self._key(part) for part in line[1:-1].split("."))
        parent = root
        for part in path:
            child: Any = parent.get(part)
            if id(child) in self.arrays:
                parent = child[-1]
            elif id(child) in self.tables:
                parent = child
            else:  # missing (an implicit table), or a value
                raise _Decline
        if name in parent:
            raise _Decline
        parent[name] = table
        self.tables.add(id(table))
        return table

    def _key_value(self, table: dict[str, Any], line: str) -> None:
        """A ``key = value`` line: by its shape's template when there is one (see
        :mod:`bootguard.manifest._lock_shapes`), else parsed, learning the template."""
        parts = split(line)
        known = _UNSEEN if parts is None else self.lines.get(parts[1], _UNSEEN)
        if known is not _UNSEEN and known is not None:
            key, shape = known
            if key in table:
                raise _Decline
            table[key] = build(shape, parts[0])  # type: ignore[index]
            return
        end = self.end
        key = self._parse_key_value(table, line)
        if parts is not None and known is _UNSEEN:
            made = template(table[key], parts[0]) if self.end == end else None
            self.lines[parts[1]] = None if made is None else (key, made[0])

    def _parse_key_value(self, table: dict[str, Any], line: str) -> str:
        equals = line.find(" = ")
        if equals < 0:
            raise _Decline
        key = self._key(line[:equals])
        if key in table:
            raise _Decline
        start = equals + 3
        value: Any
        if line.startswith('"', start) and line.find('"', start + 1) == len(line) - 1:
            value = line[start + 1 : -1]  # the common ``key = "text"``
            if "\\" in value:
                value = _string(line, start)[0]  # ends at the last quote, or declines
        else:
            value, line, end = self._value(line, start, 0, False)
            if end != len(line):  # trailing text or a comment
                raise _Decline
        table[key] = value
        return key

    def _value(self, line: str, pos: int, depth: int, inline: bool) -> tuple[Any, str, int]:
        """(value, the line it ends on, the position after it).  Inside an inline table
        (``inline``) arrays must stay on one line here (tomllib is less strict)."""
        if pos >= len(line):
            raise _Decline
        first = line[pos]
        if first == '"':
            if line.startswith('"""', pos):
                raise _Decline
            text, end = _string(line, pos)
            return text, line, end
        if depth >= _MAX_DEPTH:
            raise _Decline
        if first == "[":
            return self._array(line, pos + 1, depth + 1, inline)
        if first == "{":
            table, end = self._table(line, pos + 1, depth + 1)
            return table, line, end
        end = pos
        if first in _DIGITS:
            while end < len(line) and line[end] in _DIGITS:
                end += 1
            if end < len(line) and line[end] not in _DELIMITERS:
                raise _Decline  # a float, a date, a 0x..., an underscore
            if (first == "0" and end - pos > 1) or end - pos > 18:
                raise _Decline  # a leading zero (invalid), or beyond 64 bits
            return int(line[pos:end]), line, end
        for word, boolean in (("true", True), ("false", False)):
            if line.startswith(word, pos):
                end = pos + len(word)
                if end < len(line) and line[end] not in _DELIMITERS:
                    raise _Decline
                return boolean, line, end
        raise _Decline

    def _array(self, line: str, pos: int, depth: int, inline: bool) -> tuple[Any, str, int]:
        """An array after its ``[``; it may span lines unless inside an inline table."""
        items: list[Any] = []
        while True:  # a value or the end
            while line.startswith(" ", pos):
                pos += 1
            if pos >= len(line):
                if inline:
                    raise _Decline
                line = self._next_line()
                fresh = self._fresh_element(line, depth)
                if fresh is None:
                    pos = 0
                    continue
                value, pos = fresh
            elif line.startswith("]", pos):
                return items, line, pos + 1
            elif line.startswith('"', pos) and not line.startswith('"""', pos):
                value, pos = _string(line, pos)
            else:
                value, line, pos = self._value(line, pos, depth, inline)
            items.append(value)
            while True:  # then a comma or the end
                while line.startswith(" ", pos):
                    pos += 1
                if pos < len(line):
                    break
                if inline:
                    raise _Decline
                line, pos = self._next_line(), 0
            if line.startswith("]", pos):
                return items, line, pos + 1
            if not line.startswith(",", pos):
                raise _Decline  # a comment, or a missing comma
            pos += 1

    def _fresh_element(self, line: str, depth: int) -> tuple[Any, int] | None:
        """The first element of a new line of an array, by its shape's template or parsed
        (learning the template); None when the line holds no string or starts otherwise."""
        parts = split(line)
        if parts is None or not parts[0]:
            return None
        strings, shape = parts
        known = self.elements.get(shape, _UNSEEN)
        if known is None:
            return None
        if known is not _UNSEEN:
            made, tail = known
            return build(made, strings), len(line) - tail
        start = len(shape[0]) - len(shape[0].lstrip(" "))
        if not line.startswith(('"', "{"), start) or line.startswith('"""', start):
            self.elements[shape] = None
            return None
        value, _, end = self._value(line, start, depth, True)
        made = template(value, strings)
        self.elements[shape] = None if made is None else (made[0], len(line) - end)
        return value, end

    def _next_line(self) -> str:
        """The next line inside a multi-line array ("" when blanked: whitespace there),
        past a whole run of blanked archive lines at once."""
        text = self.text
        start = self.end + 1
        if start > len(text):
            raise _Decline  # unterminated
        layout = self.layout
        if text.startswith(layout.prefixes, start):
            run_end = layout.run_end(text, start)
            if run_end >= 0:
                start = run_end
        end = text.find("\n", start)
        if end < 0:
            end = len(text)
        self.end = end
        line = text[start:end]
        if line.startswith(layout.prefixes) and layout.skips(line):
            return ""
        if not line.isprintable():
            raise _Decline
        return line

    def _table(self, line: str, pos: int, depth: int) -> tuple[dict[str, Any], int]:
        """An inline table after its ``{``: one line, no trailing comma."""
        table: dict[str, Any] = {}
        probe = pos
        while line.startswith(" ", probe):
            probe += 1
        if line.startswith("}", probe):
            return table, probe + 1
        keys = self.keys
        while True:
            equals = line.find("=", pos)
            if equals < 0:
                raise _Decline
            raw = line[pos:equals]
            key = keys.get(raw)
            if key is None:
                key = keys[raw] = _key(raw)
            if key in table:
                raise _Decline
            pos = equals + 1
            while line.startswith(" ", pos):
                pos += 1
            if line.startswith('"', pos) and not line.startswith('"""', pos):
                table[key], pos = _string(line, pos)
            else:
                table[key], line, pos = self._value(line, pos, depth, True)
            while line.startswith(" ", pos):
                pos += 1
            if line.startswith("}", pos):
                return table, pos + 1
            if not line.startswith(",", pos):
                raise _Decline
            pos += 1


def _key(raw: str) -> str:
    """A bare key, or a quoted one without escapes, between spaces (which TOML ignores
    around keys); anything else (a dotted key, a literal one...) declines."""
    text = raw.strip(" ")
    if text.startswith('"'):
        inner = text[1:-1]
        if len(text) < 2 or not text.endswith('"') or '"' in inner or "\\" in inner:
            raise _Decline
        return inner
    if text and text.isascii() and text.replace("-", "a").replace("_", "a").isalnum():
        return text
    raise _Decline


def _string(line: str, pos: int) -> tuple[str, int]:
    """A basic string at ``pos`` (its opening quote): (value, position after it)."""
    start = pos + 1
    close = line.find('"', start)
    if close < 0:
        raise _Decline
    if line.find("\\", start, close) < 0:
        return line[start:close], close + 1
    parts: list[str] = []
    while True:
        close = line.find('"', start)
        backslash = line.find("\\", start)
        if close < 0:
            raise _Decline
        if backslash < 0 or close < backslash:
            parts.append(line[start:close])
            return "".join(parts), close + 1
        escaped = line[backslash + 1 : backslash + 2]
        if escaped not in ('"', "\\"):
            raise _Decline  # \n, \t, \u..., or an invalid escape: tomllib decides
        parts.append(line[start:backslash])
        parts.append(escaped)
        start = backslash + 2
