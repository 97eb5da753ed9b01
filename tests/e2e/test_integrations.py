"""The framework integrations refuse to import, with one clear line, where the framework is missing.

A real venv without Django, gunicorn, Celery or sentry-sdk (``--without-pip``, nothing
installed) imports bootguard from this checkout; each integration must raise
``ImportError`` naming itself, the missing module and the install command, and leave
bootguard itself usable.
"""

from __future__ import annotations

from pathlib import Path

from tests.support.venvs import VenvFactory

CASES = [
    ("django", "django", "pip install django"),
    ("gunicorn", "gunicorn", "pip install gunicorn"),
    ("celery", "celery", "pip install celery"),
    ("sentry", "sentry_sdk", "pip install 'bootguard[sentry]'"),
]

PROBE = """
import importlib, sys
for integration in INTEGRATIONS:
    try:
        importlib.import_module("bootguard.integrations." + integration)
    except ImportError as err:
        print(integration, "|", err.name, "|", err)
    else:
        print(integration, "| imported")
import bootguard
print("check", "|", callable(bootguard.check))
"""


def test_missing_framework_is_one_clear_import_error(
    venv_factory: VenvFactory, bootguard_pythonpath: Path
) -> None:
    venv = venv_factory()
    result = venv.run(
        f"INTEGRATIONS = {[c[0] for c in CASES]!r}\n" + PROBE,
        pythonpath=[bootguard_pythonpath],
    )
    assert result.returncode == 0, result.stderr
    lines = [line.split(" | ") for line in result.stdout.splitlines()]
    expected = [
        [
            integration,
            module,
            f"bootguard.integrations.{integration} needs {module}, which is not installed"
            f" ({install})",
        ]
        for integration, module, install in CASES
    ]
    assert lines == [*expected, ["check", "True"]]
