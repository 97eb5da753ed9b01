"""A missing framework fails closed with the integration's name and the fix."""

from __future__ import annotations

import pytest

from bootguard.integrations._require import require


def test_a_present_module_is_imported() -> None:
    require("json", "sentry", "pip install x")


def test_a_missing_module_names_the_integration_and_the_fix() -> None:
    with pytest.raises(
        ImportError,
        match=r"^bootguard\.integrations\.celery needs no_such_framework_u, which is not installed \(pip install celery\)$",
    ) as caught:
        require("no_such_framework_u", "celery", "pip install celery")
    assert caught.value.name == "no_such_framework_u"
