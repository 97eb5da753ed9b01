"""Unit tests of the integrations' imports: each imports when its framework is installed."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("integration", ["django", "gunicorn", "celery", "sentry", "lifespan"])
def test_installed_framework_imports(integration: str) -> None:
    """In the test environment every framework is installed: the integrations import."""
    import importlib

    module = importlib.import_module(f"bootguard.integrations.{integration}")
    assert module.__all__
    for name in module.__all__:
        assert hasattr(module, name), name
