"""Line shapes: read a lock line like the last one of the same shape, in a few C calls.

A lock repeats a handful of line forms thousands of times (``name = "..."``, ``source = {
registry = "..." }``, ``    { name = "...", marker = "..." },``).  Split on ``"``, a line
without a backslash alternates text outside strings (its *shape*) and string contents.
Two such lines with the same shape (and an even number of quotes, so the same number of
strings) parse alike whatever their strings hold: the reader finds a string's end by the
next quote, and printable contents change nothing else.  So the subset reader parses the
first line of each shape itself and, when the value is a string, a table of strings or an
array of strings made of exactly the line's strings in order (or an integer or boolean, on
a line without strings), keeps a ``Template`` that builds the next ones from their strings.
A quoted key is one string more than the value holds, so such a line never gets a template.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any  # annotations only: importing typing costs a cold boot

    #: How to build a value from a line's strings: :data:`STRING` (the only string), the
    #: keys of a table of strings, ``None`` (an array of strings), or the value itself
    #: (an integer or a boolean, on a line without strings: immutable, so it can be shared).
    Template = tuple[str, ...] | str | None | int

__all__ = ["STRING", "build", "split", "template"]

STRING = "string"


def split(line: str) -> tuple[list[str], tuple[str, ...]] | None:
    """(the line's strings, its shape), or None when a backslash makes quotes ambiguous or
    a quote is unpaired (the shape would then not tell how many strings the line holds)."""
    if "\\" in line:
        return None
    parts = line.split('"')
    if not len(parts) % 2:
        return None
    return parts[1::2], tuple(parts[0::2])


def template(value: object, strings: list[str]) -> tuple[Template] | None:
    """The template rebuilding ``value`` from ``strings``, if ``value`` is made of exactly
    those strings, in order; else None.  (A 1-tuple, since None is a template.)"""
    if isinstance(value, str):
        return (STRING,) if strings == [value] else None
    if isinstance(value, dict):
        return (tuple(value),) if list(value.values()) == strings else None
    if isinstance(value, list):
        return (None,) if value == strings else None
    if isinstance(value, int) and not strings:  # bool is an int
        return (value,)
    return None


def build(shape: Template, strings: list[str]) -> Any:
    """A fresh value from a line's strings (tables and arrays are never shared)."""
    if shape is STRING:
        return strings[0]
    if shape is None:
        return strings
    if isinstance(shape, tuple):
        return dict(zip(shape, strings, strict=True))
    return shape
