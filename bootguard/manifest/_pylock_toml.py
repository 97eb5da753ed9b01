"""The TOML of a ``pip lock`` file, parsed without ``tomllib``, or None.

``pip lock`` writes one shape of TOML: table headers (``[[packages]]``,
``[[packages.wheels]]``, ``[packages.wheels.hashes]``, ``[packages.directory]``...), and
``key = "text"`` or ``key = true`` lines, nothing else.  Importing ``tomllib`` (with
``typing``, ``datetime`` and ``string``) and running its general parser costs more than the
rest of reading such a lock.  :func:`pip_lock_document` reads exactly that shape line by
line and returns the same document ``tomllib`` returns; any other line (an inline table, an
array, a number, an escape, a quoted key, extra spaces, a comment after a value, a carriage
return), a header that would create a table implicitly, a key or table defined twice: it
returns None, and the caller parses with ``tomllib`` (which then says what is wrong, and
where).  A differential test holds it equal to ``tomllib`` on real locks and generated ones.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["pip_lock_document"]

_BARE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
_BOOLEANS = {"true": True, "false": False}


class _Decline(Exception):
    """Raised below to leave the text to tomllib."""


def pip_lock_document(data: bytes) -> dict[str, Any] | None:
    """The document ``tomllib.loads`` returns for ``data``, or None outside the shape."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if "\r" in text:
        return None
    try:
        return _parse(text)
    except _Decline:
        return None


def _parse(text: str) -> dict[str, Any]:
    root: dict[str, Any] = {}
    current = root
    for line in text.split("\n"):
        if not line:
            continue
        if line[0] == "#":
            if not line.isprintable():
                raise _Decline  # tomllib refuses control characters in comments
        elif line[0] == "[":
            current = _header(root, line)
        else:
            key, value = _key_value(line)
            if key in current:
                raise _Decline  # defined twice: tomllib's error
            current[key] = value
    return root


def _header(root: dict[str, Any], line: str) -> dict[str, Any]:
    """The table a ``[a.b]`` or ``[[a.b]]`` header opens, created as tomllib creates it."""
    array = line.startswith("[[")
    if array:
        if not line.endswith("]]"):
            raise _Decline
        path = line[2:-2].split(".")
    else:
        if not line.endswith("]") or line.endswith("]]"):
            raise _Decline
        path = line[1:-1].split(".")
    for part in path:
        if not part or not set(part) <= _BARE:
            raise _Decline
    parent = root
    for part in path[:-1]:
        found = parent.get(part)
        if type(found) is list:
            parent = found[-1]  # the last table of an array of tables
        elif type(found) is dict:
            parent = found
        else:
            raise _Decline  # an implicit table, or a value: tomllib decides
    last = path[-1]
    table: dict[str, Any] = {}
    found = parent.get(last)
    if array and type(found) is list:
        found.append(table)
    elif found is None:
        parent[last] = [table] if array else table
    else:
        raise _Decline  # a table declared twice, or over a value
    return table


def _key_value(line: str) -> tuple[str, object]:
    """``key = "text"`` (no escapes) or ``key = true``/``false``."""
    key, sep, value = line.partition(" = ")
    if not sep or not key or not set(key) <= _BARE:
        raise _Decline
    if value in _BOOLEANS:
        return key, _BOOLEANS[value]
    if len(value) < 2 or value[0] != '"' or value[-1] != '"':
        raise _Decline
    inner = value[1:-1]
    if '"' in inner or "\\" in inner or not inner.isprintable():
        raise _Decline  # escapes, a second string, control characters: tomllib's
    return key, inner
