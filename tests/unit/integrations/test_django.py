"""Django: ``manage.py check --deploy`` lists the environment's problems; settings come from BOOTGUARD."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.core import checks
from django.test import override_settings

from bootguard import gate
from bootguard.integrations.django import BootguardConfig, deploy_check

if not settings.configured:
    settings.configure(INSTALLED_APPS=[], USE_TZ=True)


@pytest.mark.usefixtures("fresh_gate")
def test_deploy_check_reports_each_problem_with_its_level(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("absent-dist-u==1.0\n")
    options = {"manifest": [str(tmp_path / "requirements.txt")], "mode": "warn", "sentry": False}
    with override_settings(BOOTGUARD=options, BASE_DIR=tmp_path):
        messages = deploy_check()
        outcome = gate.outcome()
    assert outcome is not None and outcome.settings.mode == "warn"
    errors = [m for m in messages if m.id == "bootguard.E001"]
    assert [m.msg.split(":")[0] for m in errors][:1] == ["absent-dist-u"]
    assert all(isinstance(m, checks.Error) for m in errors)


def test_the_app_config_names_the_app() -> None:
    assert (BootguardConfig.name, BootguardConfig.label) == (
        "bootguard.integrations.django",
        "bootguard",
    )
