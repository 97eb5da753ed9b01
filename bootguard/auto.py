"""``import bootguard.auto``: run the boot gate for applications that cannot wrap their app.

Settings come from ``BOOTGUARD_*`` and ``[tool.bootguard]`` (searched from the directory of
the main script, then the current directory).  The check runs once, the verdict is
published for the health endpoints and the report kept; on warn/fail the Sentry event is
sent now if Sentry is configured, otherwise as soon as the application configures it (for
``sentry_wait`` seconds, or at once via ``BootguardIntegration``).  ``enforce`` applies
immediately: a failed check raises ``SystemExit(3)`` from this import.
"""

from __future__ import annotations

import os
import sys

from bootguard import gate

__all__ = ["outcome"]


def _start_dir() -> str | None:
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    return os.path.dirname(os.path.abspath(path)) if path else None


outcome = gate.run(start=_start_dir())
