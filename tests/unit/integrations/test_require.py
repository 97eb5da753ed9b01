"""Unit tests of the integrations' imports: each imports when its framework is installed.

A missing framework fails closed with the integration's name and the fix.
"""

from __future__ import annotations

import pytest

from bootguard.integrations._require import require


@pytest.mark.parametrize("integration", ["django", "gunicorn", "celery", "sentry", "lifespan"])
def test_installed_framework_imports(integration: str) -> None:
    """In the test environment every framework is installed: the integrations import."""
    import importlib

    module = importlib.import_module(f"bootguard.integrations.{integration}")
    assert module.__all__
    for name in module.__all__:
        assert hasattr(module, name), name


def test_a_present_module_is_imported() -> None:
    require("json", "sentry", "pip install x")


def test_a_missing_module_names_the_integration_and_the_fix() -> None:
    with pytest.raises(
        ImportError,
        match=r"^bootguard\.integrations\.celery needs no_such_framework_u, which is not installed \(pip install celery\)$",
    ) as caught:
        require("no_such_framework_u", "celery", "pip install celery")
    assert caught.value.name == "no_such_framework_u"
