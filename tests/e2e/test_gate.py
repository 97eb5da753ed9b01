"""The boot gate in real processes: modes, configuration errors, and each server's hook.

Every test boots an application with a venv's own interpreter (see :mod:`tests.support.gate`):
the drift is real (``msgbus 4.2.0`` installed where the lock pins ``4.1.0``), the servers are
the real gunicorn, uvicorn, Django and Celery, on 127.0.0.1 with free ports.
"""

from __future__ import annotations

import json
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.support.bugsink import free_port
from tests.support.gate import App, gate_venvs, make_app, no_control_socket, server_path
from tests.support.venvs import Venv

__all__ = ["gate_venvs", "server_path"]  # fixtures used here

BOOT = """
import json, bootguard
from bootguard import state

def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"shop"]

application = bootguard.guard(app)
verdict = state.current()
report = verdict.report
print(json.dumps({
    "ready": verdict.ready,
    "status": report.status,
    "problems": {f.key: [f.status, f.expected, f.observed] for f in report.problems},
    "wrapped": type(application).__name__,
}))
"""

WSGI = """
import bootguard

def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"shop"]

application = bootguard.guard(app)
"""


def _verdict(result: subprocess.CompletedProcess[str]) -> dict[str, object]:
    try:
        data: dict[str, object] = json.loads(result.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError) as err:
        raise AssertionError(f"no verdict printed:\n{result.stdout}\n{result.stderr}") from err
    return data


@pytest.fixture
def app(tmp_path: Path, server_path: list[Path]) -> App:
    return make_app(tmp_path / "shop", server_path, files={"wsgi.py": WSGI})


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
    verdict = _verdict(result)
    assert verdict["ready"] is ready
    assert verdict["status"] == "fail"
    assert verdict["problems"] == {"msgbus:version": ["fail", "4.1.0", "4.2.0"]}
    assert verdict["wrapped"] == "WSGIHealthMiddleware"


def test_a_clean_boot_is_ready_and_quiet(app: App, gate_venvs: dict[str, Venv]) -> None:
    result = app.run(gate_venvs["clean"], BOOT, env={"BOOTGUARD_MODE": "enforce"})
    assert result.returncode == 0, result.stderr
    assert _verdict(result) == {
        "ready": True,
        "status": "pass",
        "problems": {},
        "wrapped": "WSGIHealthMiddleware",
    }
    assert result.stderr == ""  # info is not printed without logging configured


def test_configuration_errors_are_reported_not_raised(
    tmp_path: Path, server_path: list[Path], gate_venvs: dict[str, Venv]
) -> None:
    app = make_app(
        tmp_path / "shop",
        server_path,
        tool_bootguard='manifest = "requirements.lock"\nmdoe = "enforce"\nimport_timeout = "soon"\n',
    )
    result = app.run(gate_venvs["clean"], BOOT)

    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "unknown setting 'mdoe' (did you mean 'mode'?)" in result.stderr
    assert "import_timeout: expected a number of seconds" in result.stderr
    verdict = _verdict(result)
    assert verdict["ready"] is True  # bootguard's own configuration never takes a node down
    assert verdict["status"] == "warn"
    assert list(verdict["problems"]) == ["bootguard:config"]  # type: ignore[call-overload]

    # ... unless the user asked for enforce: then a configuration error stops the boot
    enforced = app.run(gate_venvs["clean"], BOOT, env={"BOOTGUARD_MODE": "enforce"})
    assert enforced.returncode == 3, enforced.stderr
    assert "unknown setting 'mdoe'" in enforced.stderr
    assert "Traceback" not in enforced.stderr


def test_critical_imports_and_smoke_checks_become_findings(
    tmp_path: Path, server_path: list[Path], gate_venvs: dict[str, Venv]
) -> None:
    app = make_app(
        tmp_path / "shop",
        server_path,
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
    verdict = _verdict(result)
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
    server = app.start(
        gate_venvs["drift"], [*argv, *no_control_socket()], env={"BOOTGUARD_MODE": "enforce"}
    )
    try:
        status = server.wait_exit(30)
    finally:
        server.stop()
    log = server.output()
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
    drifted = app.start(
        gate_venvs["drift"], argv + no_control_socket(), env={"BOOTGUARD_MODE": "enforce"}
    )
    try:
        status = drifted.wait_exit(30)
    finally:
        drifted.stop()
    assert status == 3, drifted.output()
    assert "Booting worker" not in drifted.output()  # stopped before any worker existed
    assert drifted.output().count("FAIL  msgbus:version") == 1

    clean = app.start(gate_venvs["clean"], argv + no_control_socket() + ["--log-level", "info"])
    try:
        clean.wait_for("bootguard: pass (mode report, ready)")
        assert _get(port, "/") == (200, b"shop")
        assert _get(port, "/readyz")[0] == 200
    finally:
        clean.stop()


LIFESPAN = """
from bootguard.integrations.lifespan import guard_lifespan

async def raw(scope, receive, send):
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            await send({"type": message["type"] + ".complete"})
            if message["type"] == "lifespan.shutdown":
                return
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"shop"})

app = guard_lifespan(raw)
"""


def test_uvicorn_lifespan_startup_fails_in_enforce_mode(
    tmp_path: Path, server_path: list[Path], gate_venvs: dict[str, Venv]
) -> None:
    app = make_app(tmp_path / "shop", server_path, files={"asgi.py": LIFESPAN})
    port = free_port()
    argv = ["-m", "uvicorn", "--host", "127.0.0.1", "--port", str(port), "asgi:app"]
    # importing the module has no side effect: the check waits for the server's startup
    imported = app.run(
        gate_venvs["drift"],
        "import asgi; from bootguard import gate; print(gate.outcome())",
        env={"BOOTGUARD_MODE": "enforce"},
    )
    assert imported.stdout.strip() == "None", imported.stderr

    drifted = app.start(gate_venvs["drift"], argv, env={"BOOTGUARD_MODE": "enforce"})
    try:
        status = drifted.wait_exit(30)
    finally:
        drifted.stop()
    assert status == 3, drifted.output()
    assert "bootguard: environment check failed (msgbus:version)" in drifted.output()
    assert "Application startup failed" in drifted.output()

    clean = app.start(gate_venvs["clean"], argv, env={"BOOTGUARD_MODE": "enforce"})
    try:
        clean.wait_for("Application startup complete")
        assert _get(port, "/") == (200, b"shop")
        assert _get(port, "/readyz")[0] == 200
    finally:
        clean.stop()


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
    check = _manage(app, drift, "check", "--deploy")
    assert check.returncode == 1, check.stdout + check.stderr
    assert "(bootguard.E001) msgbus:version: msgbus is 4.2.0" in check.stderr
    assert "stopping this process" not in check.stderr  # `check` reports instead

    # any other process loading Django stops in enforce mode: AppConfig.ready()
    booted = _manage(app, drift, "shell", "-c", "print('served')")
    assert booted.returncode == 3, booted.stderr
    assert "served" not in booted.stdout

    clean = _manage(app, gate_venvs["clean"], "shell", "-c", "print('served')")
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
    drifted = app.start(gate_venvs["drift"], argv)
    try:
        status = drifted.wait_exit(60)
    finally:
        drifted.stop()
    assert status == 3, drifted.output()
    assert "FAIL  msgbus:version" in drifted.output()
    assert "ready." not in drifted.output()  # never consumed a task

    clean = app.start(gate_venvs["clean"], argv)
    try:
        clean.wait_for("ready.", timeout=60)
    finally:
        clean.stop()


def _manage(app: App, venv: Venv, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(venv.python), "manage.py", *args],
        cwd=app.root,
        env=app.env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _get(port: int, path: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()
