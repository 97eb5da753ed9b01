"""TOML loading shared by the TOML-based readers, with errors that name the file."""

from __future__ import annotations

import sys
from typing import Any

from bootguard.errors import ManifestError

__all__ = ["load_toml"]


def load_toml(data: bytes, display: str) -> dict[str, Any]:
    """Parse TOML bytes; a syntax error becomes a ManifestError with the line and column."""
    if sys.version_info >= (3, 11):
        import tomllib  # deferred: import cost (docs/design.md)
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        bad_line = data[: err.start].count(b"\n") + 1
        raise ManifestError(display, "not UTF-8 text", line=bad_line) from err
    try:
        document: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        line, message = _position(err)
        raise ManifestError(display, f"invalid TOML: {message}", line=line) from err
    except RecursionError as err:  # tomllib recurses into nested arrays and inline tables
        raise ManifestError(display, "invalid TOML: nested too deeply") from err
    return document


def _position(err: Exception) -> tuple[int | None, str]:
    """(line, message) of a TOML error; tomllib before 3.14 only puts them in the text."""
    line: int | None = getattr(err, "lineno", None)
    message: str = getattr(err, "msg", None) or str(err)
    head, sep, tail = message.partition(" (at line ")
    if sep:
        number = tail.partition(",")[0].partition(")")[0]
        if number.isdigit():
            line = line or int(number)
            column = tail.partition("column ")[2].rstrip(")")
            message = f"{head} (column {column})" if column.isdigit() else head
    elif " (at end of document)" in message:
        message = message.replace(" (at end of document)", " at the end of the file")
    return line, message
