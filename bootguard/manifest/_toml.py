"""TOML loading shared by the TOML-based readers, with errors that name the file.

The parser is the compiled ``tomli`` when it is installed (its mypyc-built wheels parse a
lock file several times faster than the pure-Python ``tomllib``, which is the same code), else
the standard library's ``tomllib``.  Both implement TOML 1.0 and return equal documents for
every valid file (a differential test holds them equal on real locks and generated ones);
a pure-Python ``tomli`` gains nothing, so ``tomllib`` is kept then.
"""

from __future__ import annotations

import sys

from bootguard.errors import ManifestError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any  # annotations only: importing typing costs a cold boot

__all__ = ["compiled_tomli", "load_toml", "toml_parser"]

_parser: Any = None
_compiled_tomli: bool | None = None


def toml_parser() -> Any:
    """The TOML module to use: compiled ``tomli`` if installed, else ``tomllib``."""
    global _parser
    if _parser is None:
        _parser = sys.modules["tomli"] if compiled_tomli() else _reference()
    return _parser


def compiled_tomli() -> bool:
    """Whether the compiled ``tomli`` is installed (it is imported if so, never ``tomllib``).

    The lock readers ask before reading a lock with their own subset reader, which is
    faster than ``tomllib`` but not than the compiled ``tomli``.
    """
    global _compiled_tomli
    if _compiled_tomli is None:
        try:
            __import__("tomli")  # optional, never required
        except ImportError:
            _compiled_tomli = False
        else:
            _compiled_tomli = _compiled(sys.modules.get("tomli._parser"))
    return _compiled_tomli


def _compiled(module: object) -> bool:
    """Whether a module was loaded from a compiled extension rather than a ``.py`` file."""
    location = getattr(module, "__file__", None) or ""
    return location.endswith((".so", ".pyd"))


def load_toml(data: bytes, display: str) -> dict[str, Any]:
    """Parse TOML bytes; a syntax error becomes a ManifestError with the line and column."""
    tomllib = toml_parser()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        bad_line = data[: err.start].count(b"\n") + 1
        raise ManifestError(display, "not UTF-8 text", line=bad_line) from err
    try:
        document: dict[str, Any] = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, RecursionError):
        # The reference parser says what is wrong and where, in the same words whichever
        # parser is installed (the compiled tomli words its errors differently).
        return _reference_load(text, display)
    return document


def _reference() -> Any:
    """The reference parser whose error messages bootguard prints: ``tomllib`` (3.11+)."""
    # deferred for import cost; Python 3.10 has no tomllib: tomli is a dependency there
    return __import__("tomllib" if sys.version_info >= (3, 11) else "tomli")


def _reference_load(text: str, display: str) -> dict[str, Any]:
    tomllib = _reference()
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
