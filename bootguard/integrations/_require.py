"""An integration refuses to import, with one clear line, when its framework is missing.

Like sentry-python's integrations: the failure is at the integration's import, naming the
missing module and the install command, instead of a bare ``No module named ...`` from
deep inside the integration or a half-working integration.
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
