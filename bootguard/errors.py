"""Exceptions raised by bootguard.

Every exception bootguard raises on purpose derives from :class:`BootguardError`, so a
host application can catch exactly ours.  A manifest problem is also a ``ValueError``
(the input is wrong), following pypa/packaging's ``InvalidVersion(ValueError)``.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from bootguard.report import Report

__all__ = ["BootFailed", "BootguardError", "ConfigError", "ManifestError"]


class BootguardError(Exception):
    """Base class of every error bootguard raises on purpose."""


class ManifestError(BootguardError, ValueError):
    """A manifest could not be read: names the file, the line or key, and what is wrong."""

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
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.path
        if self.line is not None:
            where = f"{where}:{self.line}"
        if self.key is not None:
            where = f"{where}: key {self.key!r}"
        return f"{where}: {self.message}"


class ConfigError(BootguardError, ValueError):
    """A setting is unknown or has a bad value."""


class BootFailed(BootguardError):
    """Raised (as a request to stop) when the gate fails in ``enforce`` mode."""

    def __init__(self, report: Report) -> None:
        self.report = report
        super().__init__(f"bootguard: environment check failed ({len(report.problems)} problems)")
