"""Exceptions raised by bootguard.

Every exception bootguard raises on purpose derives from :class:`BootguardError`, so a
host application can catch exactly ours.  A manifest problem is also a ``ValueError``
(the input is wrong), following pypa/packaging's ``InvalidVersion(ValueError)``.
"""

from __future__ import annotations

from bootguard._text import one_line

TYPE_CHECKING = False
if TYPE_CHECKING:
    from bootguard.report import Report

__all__ = [
    "BootFailed",
    "BootguardError",
    "ConfigError",
    "DiffError",
    "EnvironmentError_",
    "ManifestError",
    "first_line",
]


class BootguardError(Exception):
    """Base class of every error bootguard raises on purpose."""


class ManifestError(BootguardError, ValueError):
    """A manifest could not be read: names the file, the line or key, and what is wrong.

    The message is always one line: the CLI prints it as ``bootguard: error: ...`` and log
    collectors split on newlines.  ``packaging`` appends the offending text and a caret on
    lines of their own (``InvalidMarker``, ``InvalidRequirement``); only its first line, the
    reason, is kept, and a newline in a path or value is shown escaped.
    """

    def __init__(
        self,
        path: str,
        message: str,
        *,
        line: int | None = None,
        key: str | None = None,
    ) -> None:
        self.path = path
        self.line = line
        self.key = key
        self.message = first_line(message)
        super().__init__(str(self))

    def __str__(self) -> str:
        where = one_line(self.path)
        if self.line is not None:
            where = f"{where}:{self.line}"
        if self.key is not None:
            where = f"{where}: key {self.key!r}"
        return f"{where}: {self.message}"


def first_line(text: str) -> str:
    """The first non-blank line of ``text``, printable (see :func:`bootguard._text.one_line`).

    Every line after a message's first is something ``packaging`` added for a terminal
    (the input again and a caret under the error), never the reason itself.
    """
    if "\n" in text or "\r" in text:
        text = next((line.rstrip() for line in text.splitlines() if line.strip()), "")
    return one_line(text)


class ConfigError(BootguardError, ValueError):
    """A setting is unknown or has a bad value."""


class EnvironmentError_(BootguardError, OSError):
    """The target interpreter could not be inspected."""


class DiffError(BootguardError, ValueError):
    """A side of the comparison could not be read."""


class BootFailed(BootguardError):
    """Raised (as a request to stop) when the gate fails in ``enforce`` mode.

    The message names the failures only: a warning never stops a boot, so naming one
    among the reasons would send the operator after the wrong thing.
    """

    def __init__(self, report: Report) -> None:
        self.report = report
        failed = sorted({f.key for f in report.findings if f.status == "fail"})
        shown = ", ".join(failed[:5]) + (f" and {len(failed) - 5} more" if len(failed) > 5 else "")
        super().__init__(f"bootguard: environment check failed ({shown})")
