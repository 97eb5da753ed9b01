"""gunicorn server hooks: check once in the master, before any worker is forked.

In ``gunicorn.conf.py``::

    from bootguard.integrations.gunicorn import on_starting, when_ready

``on_starting`` runs the gate in the master (settings from ``BOOTGUARD_*`` and
``[tool.bootguard]``).  Workers are forked from the master, so they inherit its verdict:
``bootguard.guard(app)`` in a worker reuses it instead of checking again, and the node
sends one Sentry event, not one per worker.  Sentry needs a client in the master for that:
``preload_app = True`` (the application, and its ``sentry_sdk.init``, load in the master)
or a DSN given to bootguard (``BOOTGUARD_SENTRY_DSN``).  With ``preload_app`` the
application's own ``guard()`` call has already run the gate when ``on_starting`` fires.

``enforce`` + fail: ``on_starting`` raises ``SystemExit(3)`` and the master exits with
status 3 before it binds a socket.  A worker that stops with ``SystemExit(3)`` (the gate in
``wsgi.py`` without these hooks) is gunicorn's "worker failed to boot": the master halts
with exit status 3 instead of respawning the worker forever.
"""

from __future__ import annotations

from typing import Any

from bootguard import gate
from bootguard.integrations._require import require

require("gunicorn", "gunicorn", "pip install gunicorn")

__all__ = ["on_starting", "when_ready"]


def on_starting(server: Any) -> None:
    """gunicorn hook (master, before binding): run the gate; stop in ``enforce`` on fail."""
    import os

    gate.run(start=os.getcwd())


def when_ready(server: Any) -> None:
    """gunicorn hook (master, sockets bound): log the verdict the workers will inherit."""
    result = gate.outcome() or gate.run()
    server.log.info(
        "bootguard: %s (mode %s, %s)",
        result.report.status,
        result.settings.mode,
        "ready" if result.ready else "not ready: readiness answers 503",
    )
