"""A minimal FastAPI application, checked by bootguard when the server starts it.

``uvicorn main:app --port 8000`` (see README.md).  ``guard_lifespan`` runs the check on the
ASGI ``lifespan.startup`` event, not at import: importing ``main`` (tests, tooling, an app
factory) has no side effect.  It answers ``/livez``, ``/readyz`` and ``/healthz`` in front
of FastAPI; with ``BOOTGUARD_MODE=enforce`` a failed check is a failed startup (exit 3).
"""

from __future__ import annotations

from fastapi import FastAPI

from bootguard.integrations.lifespan import guard_lifespan

__all__ = ["api", "app"]

api = FastAPI()


@api.get("/")
def index() -> dict[str, str]:
    """The application itself."""
    return {"shop": "open"}


app = guard_lifespan(api)  # last: the server runs `main:app`
