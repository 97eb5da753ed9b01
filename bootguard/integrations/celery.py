"""Celery: run the gate when a worker starts.

::

    import bootguard.integrations.celery
    bootguard.integrations.celery.connect()   # in the module that creates the Celery app

The gate runs on ``worker_init`` (settings from ``BOOTGUARD_*``/``[tool.bootguard]`` and
the keyword arguments of :func:`connect`).  In ``enforce`` mode a failed check raises
Celery's ``WorkerShutdown`` (a ``SystemExit``): Celery logs and swallows ordinary
exceptions raised by signal handlers, so nothing else would stop the worker.  The worker
then exits with a non-zero status instead of consuming tasks in a drifted environment.
A worker has no HTTP server: expose readiness with ``bootguard serve`` if you need it.
"""

from __future__ import annotations

from typing import Any

from bootguard.integrations._require import require

require("celery", "celery", "pip install celery")

__all__ = ["connect", "on_worker_init"]

_options: dict[str, object] = {}


def connect(**options: object) -> None:
    """Connect :func:`on_worker_init` to Celery's ``worker_init`` signal."""
    from celery import signals

    _options.update(options)
    signals.worker_init.connect(on_worker_init, weak=False)


def on_worker_init(sender: Any = None, **kwargs: Any) -> None:
    """``worker_init`` receiver: run the gate; ``WorkerShutdown`` in ``enforce`` on fail."""
    import os

    from bootguard import gate

    result = gate.run(_options, start=os.getcwd(), exit=False)
    if result.stop:
        from celery.exceptions import WorkerShutdown

        raise WorkerShutdown(gate.EXIT_STATUS)
