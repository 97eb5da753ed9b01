"""A minimal Flask application behind bootguard's boot check and health endpoints.

``gunicorn --bind 127.0.0.1:8000 app:app`` (see README.md).  The last line is the only bootguard
code: at import it checks this environment against ``requirements.lock`` once, and answers
``/livez``, ``/readyz`` and ``/healthz`` before Flask sees the request.
"""

from __future__ import annotations

from flask import Flask

import bootguard

__all__ = ["app"]

app = Flask(__name__)


@app.get("/")
def index() -> str:
    """The application itself."""
    return "shop: open\n"


app.wsgi_app = bootguard.guard(app.wsgi_app)  # type: ignore[method-assign]  # Flask's way
