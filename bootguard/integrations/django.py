"""Django: check at startup (``AppConfig.ready``) and in ``manage.py check --deploy``.

::

    INSTALLED_APPS = [..., "bootguard.integrations.django.BootguardConfig"]
    BOOTGUARD = {"mode": "report", "imports": ["myapp.tasks"]}   # optional, like guard(**kwargs)

``ready()`` runs the gate once per process (the ``BOOTGUARD`` dict is the keyword-argument
layer; ``BASE_DIR`` is where ``pyproject.toml`` is searched first).  In ``enforce`` mode a
failed check stops every process that loads Django with exit status 3 (the web server,
``manage.py migrate``, a shell), except ``manage.py check``, which reports through the
system check instead: ``bootguard.E001`` per failed finding, ``bootguard.W001`` per
warning, only with ``--deploy``.  ``bootguard.guard(get_wsgi_application())`` in
``wsgi.py`` adds the health endpoints and reuses the same verdict.
"""

from __future__ import annotations

import sys
from typing import Any

from bootguard.integrations._require import require

require("django", "django", "pip install django")

from django.apps import AppConfig

__all__ = ["BootguardConfig", "deploy_check"]


class BootguardConfig(AppConfig):  # type: ignore[misc]
    """The bootguard Django app: runs the gate when Django is ready."""

    name = "bootguard.integrations.django"
    label = "bootguard"
    verbose_name = "bootguard"
    default_auto_field = "django.db.models.AutoField"

    def ready(self) -> None:
        from django.core import checks

        checks.register(deploy_check, "bootguard", deploy=True)
        from bootguard import gate

        gate.run(_options(), start=_base_dir(), exit=not _running_check_command())


def deploy_check(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    """``manage.py check --deploy``: one message per problem of the environment check."""
    from django.core import checks

    from bootguard import gate

    result = gate.run(_options(), start=_base_dir(), exit=False)
    messages: list[Any] = []
    for finding in result.report.problems:
        kind = checks.Error if finding.status == "fail" else checks.Warning
        code = "bootguard.E001" if finding.status == "fail" else "bootguard.W001"
        messages.append(
            kind(
                f"{finding.key}: {finding.message}",
                hint="; ".join(finding.details) or None,
                id=code,
            )
        )
    return messages


def _options() -> dict[str, object]:
    from django.conf import settings

    value = getattr(settings, "BOOTGUARD", None)
    return dict(value) if isinstance(value, dict) else {}


def _base_dir() -> str | None:
    from django.conf import settings

    base = getattr(settings, "BASE_DIR", None)
    return str(base) if base else None


def _running_check_command() -> bool:
    return len(sys.argv) > 1 and sys.argv[1] == "check"
