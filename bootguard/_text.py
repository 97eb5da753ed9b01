"""Untrusted text made safe to print: one line, no terminal control sequences.

Names, versions, paths and messages that bootguard prints come from files it does not
control (METADATA, RECORD, manifests, a probed interpreter's output).  Printed raw, an ESC
in a Version header can retitle or clear the operator's terminal, a CR can overwrite the
line it is on, and a newline can forge a second log record.  Every text rendering (the
report table, log lines, CLI error lines) passes such text through :func:`one_line`; JSON
output needs nothing more, since ``json`` escapes control characters itself.

Imports nothing, so any module can use it on any path.
"""

from __future__ import annotations

__all__ = ["one_line"]


def _table() -> dict[int, str]:
    table = {code: f"\\x{code:02x}" for code in (*range(0x20), *range(0x7F, 0xA0))}
    table.update({0x09: "\\t", 0x0A: "\\n", 0x0D: "\\r"})
    # Bidirectional overrides reorder what the reader sees; line and paragraph
    # separators end a line for some viewers.
    invisible = (0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x2028, 0x2029)
    table.update({code: f"\\u{code:04x}" for code in invisible})
    return table


_ESCAPES = _table()


def one_line(text: str) -> str:
    """``text`` with C0, DEL and C1 controls, bidi overrides and lone surrogates escaped.

    Escapes read like Python's (``\\x1b``, ``\\n``, ``\\u202e``); a lone surrogate that
    stands for an undecodable byte (``surrogateescape``) is shown as that byte, ``\\xff``.
    Printable text, the common case, is returned as it is after one C-level check.
    """
    if text.isprintable():
        return text
    text = text.translate(_ESCAPES)
    if not any(0xD800 <= ord(char) <= 0xDFFF for char in text):
        return text
    return "".join(_surrogate(char) if 0xD800 <= ord(char) <= 0xDFFF else char for char in text)


def _surrogate(char: str) -> str:
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:
        return f"\\x{code - 0xDC00:02x}"
    return f"\\u{code:04x}"
