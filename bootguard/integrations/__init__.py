"""Where bootguard meets a framework or a server: Django, gunicorn, Celery, ASGI lifespan, Sentry.

Each module here is imported by the application (``INSTALLED_APPS``, ``gunicorn.conf.py``,
the Celery app module, ``asgi.py``, ``sentry_sdk.init``) and calls the gate
(:mod:`bootguard.gate`) or, for Sentry, is called by it.  A module whose framework is not
installed refuses to import with one line saying what is missing (:func:`require`), instead
of failing later, half-installed, inside the framework's own start-up.
"""

from __future__ import annotations

__all__ = ["require"]


def require(module: str, integration: str, install: str) -> None:
    """Import ``module`` or raise ``ImportError`` naming the integration and the fix.

    The framework is already imported by the application that loads the integration, so
    this costs nothing there; where it is missing the message replaces a bare
    ``No module named ...`` raised from deep inside the integration.
    """
    import importlib

    try:
        importlib.import_module(module)
    except ImportError as err:
        raise ImportError(
            f"bootguard.integrations.{integration} needs {module}, which is not installed"
            f" ({install})",
            name=module,
        ) from err
