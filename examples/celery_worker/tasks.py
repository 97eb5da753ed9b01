"""A Celery worker checked by bootguard at ``worker_init``, with health endpoints.

``celery -A tasks worker --pool=solo --loglevel=INFO`` (see README.md).  The broker is
Celery's in-memory transport unless ``CELERY_BROKER_URL`` names a real one, so the example
runs without Redis or RabbitMQ.  A worker has no HTTP server: ``serve_health`` answers
``/livez``, ``/readyz`` and ``/healthz`` from a daemon thread on ``HEALTH_PORT``, from
the verdict the check published.
"""

from __future__ import annotations

import os
from typing import Any

from celery import Celery, signals

import bootguard
import bootguard.integrations.celery

__all__ = ["add", "app", "health_endpoints"]

app = Celery("tasks", broker=os.environ.get("CELERY_BROKER_URL", "memory://"))

bootguard.integrations.celery.connect()  # the check, at worker_init (BOOTGUARD_MODE=enforce: exit 3)


def health_endpoints(**kwargs: Any) -> None:
    """``worker_init``: serve the health endpoints (the kubelet probes the pod IP: set
    ``HEALTH_HOST=0.0.0.0`` in a pod)."""
    port = int(os.environ.get("HEALTH_PORT", "8081"))
    bootguard.serve_health(port, host=os.environ.get("HEALTH_HOST", "127.0.0.1"))


signals.worker_init.connect(health_endpoints, weak=False)


@app.task
def add(x: int, y: int) -> int:
    """A task, so the worker has something to consume."""
    return x + y
