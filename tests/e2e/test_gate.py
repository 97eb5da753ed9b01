"""The boot gate in real processes: modes, configuration errors, and each server's hook.

Every test boots an application with a venv's own interpreter (see :mod:`tests.support.gate`):
the drift is real (``msgbus 4.2.0`` installed where the lock pins ``4.1.0``), the servers are
the real gunicorn, uvicorn, Django and Celery, on 127.0.0.1 with free ports.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.support.bugsink import free_port
from tests.support.gate import (
    GUARDED_WSGI,
    RAW_LIFESPAN,
    App,
    Server,
    ShopFactory,
    make_app,
    no_control_socket,
    verdict_of,
)
from tests.support.venvs import Venv

BOOT = (
    """
import json, bootguard
from bootguard import state
"""
    + GUARDED_WSGI
    + """verdict = state.current()
report = verdict.report
print(json.dumps({
    "ready": verdict.ready,
    "status": report.status,
    "problems": {f.key: [f.status, f.expected, f.observed] for f in report.problems},
    "wrapped": type(application).__name__,
}))
"""
)

WSGI = "import bootguard\n" + GUARDED_WSGI


@pytest.fixture
def app(shop: ShopFactory) -> App:
    return shop(files={"wsgi.py": WSGI})


@pytest.mark.parametrize(
    ("mode", "ready", "exit_status"),
    [("report", False, 0), ("warn", True, 0), ("enforce", None, 3)],
)
def test_modes_on_drift(
    app: App, gate_venvs: dict[str, Venv], mode: str, ready: bool | None, exit_status: int
) -> None:
    # pyproject.toml says nothing about the mode; the environment variable sets it
    result = app.run(gate_venvs["drift"], BOOT, env={"BOOTGUARD_MODE": mode})

    assert result.returncode == exit_status, result.stderr
    assert "Traceback" not in result.stderr
    assert "FAIL  msgbus:version" in result.stderr  # logged whatever the mode
    if exit_status:
        assert "mode enforce: stopping this process (exit status 3)" in result.stderr
        assert result.stdout == ""  # nothing after guard() ran
        return
    verdict = verdict_of(result)
    assert verdict["ready"] is ready
    assert verdict["status"] == "fail"
    assert verdict["problems"] == {"msgbus:version": ["fail", "4.1.0", "4.2.0"]}
    assert verdict["wrapped"] == "WSGIHealthMiddleware"


def test_a_clean_boot_is_ready_and_quiet(app: App, gate_venvs: dict[str, Venv]) -> None:
    result = app.run(gate_venvs["clean"], BOOT, env={"BOOTGUARD_MODE": "enforce"})
    assert result.returncode == 0, result.stderr
    assert verdict_of(result) == {
        "ready": True,
        "status": "pass",
        "problems": {},
        "wrapped": "WSGIHealthMiddleware",
    }
    assert result.stderr == ""  # info is not printed without logging configured


def test_configuration_errors_are_reported_not_raised(
    shop: ShopFactory, gate_venvs: dict[str, Venv]
) -> None:
    app = shop(
        tool_bootguard='manifest = "requirements.lock"\nmdoe = "enforce"\nimport_timeout = "soon"\n',
    )
    result = app.run(gate_venvs["clean"], BOOT)

    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "unknown setting 'mdoe' (did you mean 'mode'?)" in result.stderr
    assert "import_timeout: expected a number of seconds" in result.stderr
    verdict = verdict_of(result)
    assert verdict["ready"] is True  # bootguard's own configuration never takes a node down
    assert verdict["status"] == "warn"
    assert list(verdict["problems"]) == ["bootguard:config"]  # type: ignore[call-overload]

    # ... unless the user asked for enforce: then a configuration error stops the boot
    enforced = app.run(gate_venvs["clean"], BOOT, env={"BOOTGUARD_MODE": "enforce"})
    assert enforced.returncode == 3, enforced.stderr
    assert "unknown setting 'mdoe'" in enforced.stderr
    assert "Traceback" not in enforced.stderr


def test_critical_imports_and_smoke_checks_become_findings(
    shop: ShopFactory, gate_venvs: dict[str, Venv]
) -> None:
    app = shop(
        tool_bootguard=(
            'manifest = "requirements.lock"\n'
            'imports = ["taskq", "msgbus", "shop.hangs"]\n'
            'smoke = ["shop.health:broker"]\n'
            "isolated = true\nimport_timeout = 1\n"
        ),
        files={
            "shop/__init__.py": "",
            "shop/hangs.py": "import time\ntime.sleep(600)\n",
            "shop/health.py": "def broker():\n    return False\n",
        },
    )
    result = app.run(gate_venvs["clean"], BOOT, env={"BOOTGUARD_MODE": "report"})
    assert result.returncode == 0, result.stderr
    verdict = verdict_of(result)
    assert verdict["problems"] == {
        "shop.hangs:import": ["fail", "finishes", "timeout"],
        "shop.health.broker:smoke": ["fail", "true", "False"],
    }
    assert verdict["ready"] is False


def test_gunicorn_enforce_halts_instead_of_respawning(
    app: App, gate_venvs: dict[str, Venv]
) -> None:
    port = free_port()
    argv = ["-m", "gunicorn", "--workers", "2", "--bind", f"127.0.0.1:{port}", "wsgi:application"]
    status, log = app.run_to_exit(
        gate_venvs["drift"], [*argv, *no_control_socket()], env={"BOOTGUARD_MODE": "enforce"}
    )
    # The worker exits 3 (WORKER_BOOT_ERROR) and the master halts with status 3; when both
    # workers fail at once, gunicorn 27 re-raises its HaltServer while stopping and exits 1.
    assert status in (1, 3), log
    assert "Worker failed to boot" in log
    assert "FAIL  msgbus:version" in log
    assert log.count("Booting worker") <= 2  # no respawn loop


def test_gunicorn_hooks_check_once_in_the_master(app: App, gate_venvs: dict[str, Venv]) -> None:
    (app.root / "gunicorn.conf.py").write_text(
        "from bootguard.integrations.gunicorn import on_starting, when_ready\npreload_app = True\n"
    )
    port = free_port()
    argv = ["-m", "gunicorn", "--workers", "2", "--bind", f"127.0.0.1:{port}", "wsgi:application"]
    status, drifted_log = app.run_to_exit(
        gate_venvs["drift"], argv + no_control_socket(), env={"BOOTGUARD_MODE": "enforce"}
    )
    assert status == 3, drifted_log
    assert "Booting worker" not in drifted_log  # stopped before any worker existed
    assert drifted_log.count("FAIL  msgbus:version") == 1

    clean = app.start(gate_venvs["clean"], argv + no_control_socket() + ["--log-level", "info"])
    _assert_serves_the_shop(clean, "bootguard: pass (mode report, ready)", port)


LIFESPAN = (
    "from bootguard.integrations.lifespan import guard_lifespan\n"
    + RAW_LIFESPAN
    + "\napp = guard_lifespan(raw)\n"
)


def test_uvicorn_lifespan_startup_fails_in_enforce_mode(
    shop: ShopFactory, gate_venvs: dict[str, Venv]
) -> None:
    app = shop(files={"asgi.py": LIFESPAN})
    port = free_port()
    argv = ["-m", "uvicorn", "--host", "127.0.0.1", "--port", str(port), "asgi:app"]
    # importing the module has no side effect: the check waits for the server's startup
    imported = app.run(
        gate_venvs["drift"],
        "import asgi; from bootguard import gate; print(gate.outcome())",
        env={"BOOTGUARD_MODE": "enforce"},
    )
    assert imported.stdout.strip() == "None", imported.stderr

    status, drifted_log = app.run_to_exit(
        gate_venvs["drift"], argv, env={"BOOTGUARD_MODE": "enforce"}
    )
    assert status == 3, drifted_log
    assert "bootguard: environment check failed (msgbus:version)" in drifted_log
    assert "Application startup failed" in drifted_log

    clean = app.start(gate_venvs["clean"], argv, env={"BOOTGUARD_MODE": "enforce"})
    _assert_serves_the_shop(clean, "Application startup complete", port)


DJANGO_SETTINGS = """
BASE_DIR = __import__("pathlib").Path(__file__).resolve().parent
SECRET_KEY = "test-only-" + "k" * 50
INSTALLED_APPS = ["bootguard.integrations.django.BootguardConfig"]
DATABASES = {}
BOOTGUARD = {"mode": "enforce"}
"""

MANAGE = """
import os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")
from django.core.management import execute_from_command_line
execute_from_command_line(sys.argv)
"""


def test_django_app_config_and_deploy_check(
    tmp_path: Path, server_path: list[Path], gate_venvs: dict[str, Venv]
) -> None:
    app = make_app(
        tmp_path / "site",
        server_path,
        files={"settings.py": DJANGO_SETTINGS, "manage.py": MANAGE},
    )
    drift = gate_venvs["drift"]
    check = app.python(drift, "manage.py", "check", "--deploy")
    assert check.returncode == 1, check.stdout + check.stderr
    assert "(bootguard.E001) msgbus:version: msgbus is 4.2.0" in check.stderr
    assert "stopping this process" not in check.stderr  # `check` reports instead

    # any other process loading Django stops in enforce mode: AppConfig.ready()
    booted = app.python(drift, "manage.py", "shell", "-c", "print('served')")
    assert booted.returncode == 3, booted.stderr
    assert "served" not in booted.stdout

    clean = app.python(gate_venvs["clean"], "manage.py", "shell", "-c", "print('served')")
    assert clean.returncode == 0, clean.stderr
    assert clean.stdout.strip().endswith("served")


CELERY_APP = """
import bootguard.integrations.celery
from celery import Celery

bootguard.integrations.celery.connect(mode="enforce")
app = Celery("tasks", broker="memory://")
"""


def test_celery_worker_shuts_down_in_enforce_mode(
    tmp_path: Path, server_path: list[Path], gate_venvs: dict[str, Venv]
) -> None:
    app = make_app(tmp_path / "worker", server_path, files={"tasks.py": CELERY_APP})
    argv = ["-m", "celery", "-A", "tasks", "worker", "--pool=solo", "--without-gossip"]
    argv += ["--without-mingle", "--without-heartbeat", "--loglevel=INFO"]
    status, drifted_log = app.run_to_exit(gate_venvs["drift"], argv, timeout=60)
    assert status == 3, drifted_log
    assert "FAIL  msgbus:version" in drifted_log
    assert "ready." not in drifted_log  # never consumed a task

    clean = app.start(gate_venvs["clean"], argv)
    try:
        clean.wait_for("ready.", timeout=60)
    finally:
        clean.stop()


def _assert_serves_the_shop(server: Server, started: str, port: int) -> None:
    """Once ``started`` is logged the app answers and /readyz is 200; the server is stopped."""
    try:
        server.wait_for(started)
        assert _get(port, "/") == (200, b"shop")
        assert _get(port, "/readyz")[0] == 200
    finally:
        server.stop()


def _get(port: int, path: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()
