"""Fail closed, never hang: the gate's timeouts hold and its own bugs follow one policy.

Real processes only: the application boots with a venv's own interpreter (see
:mod:`tests.support.gate`), real modules on its ``sys.path`` hang at import, real gunicorn
serves the verdict on 127.0.0.1.  Every subprocess has a hard timeout, so a hang fails the
test instead of hanging the suite.

bootguard's own bug is simulated by the only means a test has to make bootguard wrong on
purpose: the application replaces ``bootguard.api.check`` (and ``check_with``) with a function that raises,
before it calls ``guard()`` (``shop/bug.py``).  Everything around it (settings, gate,
logging, middleware, server) is the real thing.
"""

from __future__ import annotations

import re
import signal
import subprocess
import time

import pytest

from tests.support.gate import (
    GUARDED_WSGI,
    RAW_LIFESPAN,
    App,
    ShopFactory,
    no_control_socket,
    verdict_of,
)
from tests.support.health import fetch, free_port
from tests.support.venvs import Venv

BOOT = (
    """
import json, sys, time
started = time.monotonic()
import bootguard
from bootguard import state
"""
    + GUARDED_WSGI
    + """verdict = state.current()
print(json.dumps({
    "ready": verdict.ready,
    "status": verdict.report.status,
    "problems": {f.key: [f.status, f.observed, f.message] for f in verdict.report.problems},
    "seconds": time.monotonic() - started,
}), flush=True)
"""
)

HANGING = {
    "shop/__init__.py": "",
    # each says where it is on stderr first, so a test can tell it is inside the import
    "shop/sleeps.py": "import sys, time\nprint('importing shop.sleeps', file=sys.stderr, flush=True)\ntime.sleep(60)\n",
    "shop/spins.py": "while True:\n    pass\n",
    "shop/health.py": "import time\ndef hangs():\n    time.sleep(60)\n",
}
# the settings that import and call them in-process (isolated = false: the default)
HANGING_PROBES = (
    'manifest = "requirements.lock"\nmode = "report"\n'
    'imports = ["shop.sleeps", "shop.spins", "taskq"]\n'
    'smoke = ["shop.health:hangs"]\n'
    "import_timeout = 1\nsmoke_timeout = 1\n"
)


def test_hanging_in_process_probes_time_out_and_the_boot_proceeds(
    shop: ShopFactory, gate_venvs: dict[str, Venv]
) -> None:
    app = shop(tool_bootguard=HANGING_PROBES, files=HANGING)
    result = app.run(gate_venvs["clean"], BOOT, timeout=30)  # a hang fails here

    assert result.returncode == 0, result.stderr
    verdict = verdict_of(result)
    problems = verdict["problems"]
    assert isinstance(problems, dict)
    assert set(problems) == {"shop.sleeps:import", "shop.spins:import", "shop.health.hangs:smoke"}
    for key in ("shop.sleeps:import", "shop.spins:import"):
        status, observed, message = problems[key]
        assert (status, observed) == ("fail", "timeout")
        # the alarm fires at 1 s; the handler runs as soon as the thread gets the GIL
        assert re.search(
            r"timed out: interrupted after 1\.[0-4] s, more than its 1 s timeout", message
        )
    assert problems["shop.health.hangs:smoke"][:2] == ["fail", "timeout"]
    assert verdict["ready"] is False  # report mode: a failed probe is not ready ...
    assert isinstance(verdict["seconds"], float)
    assert verdict["seconds"] < 15  # ... and the boot went on after three 1 s timeouts
    assert "Traceback" not in result.stderr


def test_ctrl_c_during_a_hanging_import_stops_the_boot(
    shop: ShopFactory, gate_venvs: dict[str, Venv]
) -> None:
    app = shop(
        tool_bootguard='manifest = "requirements.lock"\nimports = ["shop.sleeps"]\nimport_timeout = 120\n',
        files=HANGING,
    )
    process = subprocess.Popen(
        [str(gate_venvs["clean"].python), "-c", BOOT],
        cwd=app.root, env=app.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert process.stderr is not None
        assert process.stderr.readline().strip() == "importing shop.sleeps"
        time.sleep(0.2)  # inside time.sleep(60) now
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate(timeout=10)
    assert process.returncode in (130, -signal.SIGINT), stderr
    assert "KeyboardInterrupt" in stderr
    assert "shop.sleeps:import" not in stderr  # never reported as an import failure
    assert stdout == ""  # the boot did not carry on


BUG = """
import bootguard.api

def check(*args, **kwargs):
    raise RuntimeError("simulated bug in bootguard's check")

bootguard.api.check = bootguard.api.check_with = check
"""

WSGI = (
    """
import logging
import shop.bug  # noqa: F401 - makes bootguard's own check raise
import bootguard

logging.basicConfig(format="%(levelname)s %(name)s %(message)s")
"""
    + GUARDED_WSGI
)


@pytest.fixture
def buggy(shop: ShopFactory) -> App:
    return shop(
        files={"shop/__init__.py": "", "shop/bug.py": BUG, "wsgi.py": WSGI},
    )


@pytest.mark.parametrize(("policy", "ready"), [("ready", True), ("not-ready", False)])
def test_an_internal_error_follows_on_internal_error_under_gunicorn(
    buggy: App, gate_venvs: dict[str, Venv], policy: str, ready: bool
) -> None:
    port = free_port()
    argv = ["-m", "gunicorn", "--workers", "1", "--bind", f"127.0.0.1:{port}", "wsgi:application"]
    env = {"BOOTGUARD_ON_INTERNAL_ERROR": policy, "BOOTGUARD_TOKEN": "t0ken"}
    server = buggy.start(gate_venvs["clean"], [*argv, *no_control_socket()], env=env)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                reply = fetch(port, "/readyz", timeout=2)
                break
            except OSError:
                assert time.monotonic() < deadline, server.output()
                assert server.process.poll() is None, server.output()
                time.sleep(0.1)
        assert fetch(port, "/").body == b"shop"  # the app is served either way
        assert reply.status == (200 if ready else 503)
        assert reply.json() == {"status": "warn" if ready else "fail"}
        doc = fetch(port, "/readyz", headers={"Authorization": "Bearer t0ken"}).json()
        assert isinstance(doc, dict)
        (internal,) = doc["checks"]["bootguard:internal"]
        assert internal["status"] == "fail"
        assert internal["output"] == (
            "internal error in the environment check: "
            "RuntimeError: simulated bug in bootguard's check"
        )
        assert "bootguard:config" not in doc["checks"]
    finally:
        server.stop()
    log = server.output()
    assert "ERROR bootguard bootguard: internal error in the environment check" in log
    assert "Traceback" in log  # logged with the traceback
    assert "RuntimeError: simulated bug in bootguard's check" in log
    if ready:
        assert "does not count (on_internal_error = ready)" in log


def test_an_internal_error_stops_an_enforced_boot_unless_told_otherwise(
    buggy: App, gate_venvs: dict[str, Venv]
) -> None:
    code = "import wsgi; print('served')"
    enforced = buggy.run(gate_venvs["clean"], code, env={"BOOTGUARD_MODE": "enforce"}, timeout=60)
    assert enforced.returncode == 3, enforced.stderr  # enforce: not-ready by default, stop
    assert "served" not in enforced.stdout
    assert "bootguard:internal" in enforced.stderr

    kept = buggy.run(
        gate_venvs["clean"],
        code,
        env={"BOOTGUARD_MODE": "enforce", "BOOTGUARD_ON_INTERNAL_ERROR": "ready"},
        timeout=60,
    )
    assert kept.returncode == 0, kept.stderr
    assert kept.stdout.strip() == "served"

    reported = buggy.run(gate_venvs["clean"], code, timeout=60)  # report mode: ready
    assert reported.returncode == 0, reported.stderr
    assert "mode report: the node stays ready" in reported.stderr


def test_a_malformed_sentry_dsn_is_one_config_line_not_a_traceback(
    shop: ShopFactory, gate_venvs: dict[str, Venv]
) -> None:
    app = shop()
    dsn = "https://s3cretkey@sentry.invalid/not-a-project"  # never contacted: refused first
    result = app.run(gate_venvs["drift"], BOOT, env={"BOOTGUARD_SENTRY_DSN": dsn}, timeout=60)

    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "s3cretkey" not in result.stderr + result.stdout
    problems = verdict_of(result)["problems"]
    assert isinstance(problems, dict)
    status, _, message = problems["bootguard:config"]
    assert status == "warn"
    assert message == (
        "bootguard configuration: environment: BOOTGUARD_SENTRY_DSN: not a Sentry DSN: "
        "no numeric project id at the end of the path; "
        "expected https://<key>@<host>/<project> (got <hidden>)"
    )
    assert problems["msgbus:version"][0] == "fail"  # the check itself ran as usual


RECHECK_BUG = """
import json, time
import bootguard
import bootguard.checks
from bootguard import state

def app(environ, start_response):
    return []

bootguard.guard(app, recheck_interval=0.1, sentry=False)
boot = state.current()

def run_checks(*args, **kwargs):  # the simulated bug, from now on, in every re-check
    raise RuntimeError("simulated bug in a re-check")

bootguard.checks.run_checks = run_checks
deadline = time.monotonic() + 20
while time.monotonic() < deadline:
    report = state.current().report
    if any(f.key == "bootguard:internal" for f in report.findings):
        break
    time.sleep(0.05)
time.sleep(0.5)  # more re-checks fail the same way: nothing new is published
verdict = state.current()
print(json.dumps({
    "boot_ready": boot.ready,
    "ready": verdict.ready,
    "problems": {f.key: f.status for f in verdict.report.problems},
}))
"""


@pytest.mark.parametrize(("policy", "ready"), [("ready", True), ("not-ready", False)])
def test_a_bug_in_a_recheck_follows_on_internal_error(
    shop: ShopFactory, gate_venvs: dict[str, Venv], policy: str, ready: bool
) -> None:
    app = shop()
    result = app.run(
        gate_venvs["clean"],
        RECHECK_BUG,
        env={"BOOTGUARD_ON_INTERNAL_ERROR": policy, "BOOTGUARD_SEAL": "false"},
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    verdict = verdict_of(result)
    assert verdict["boot_ready"] is True
    assert verdict["problems"] == {"bootguard:internal": "fail"}
    assert verdict["ready"] is ready
    assert "simulated bug in a re-check" in result.stderr  # logged with its traceback
    assert result.stderr.count("Traceback") == 1  # once, not once per re-check


LATE_BUG = (
    """
import bootguard.announce

def log(*args, **kwargs):  # the simulated bug: the gate fails after it checked
    raise RuntimeError("simulated bug while logging the report")

bootguard.announce.log = log
"""
    + BOOT
)


@pytest.mark.parametrize("policy", ["ready", "not-ready"])
def test_a_late_bug_in_the_gate_keeps_what_the_check_found(
    shop: ShopFactory, gate_venvs: dict[str, Venv], policy: str
) -> None:
    app = shop()
    result = app.run(
        gate_venvs["drift"], LATE_BUG, env={"BOOTGUARD_ON_INTERNAL_ERROR": policy}, timeout=60
    )
    assert result.returncode == 0, result.stderr
    verdict = verdict_of(result)
    problems = verdict["problems"]
    assert isinstance(problems, dict)
    assert set(problems) == {"bootguard:internal", "msgbus:version"}
    assert problems["bootguard:internal"][1] == "the boot gate: RuntimeError"
    assert verdict["ready"] is False  # the drift still counts, whatever the policy
    assert "simulated bug while logging the report" in result.stderr


LIFESPAN = (
    """
import shop.bug  # noqa: F401 - makes bootguard's own check raise
from bootguard.integrations.lifespan import guard_lifespan
"""
    + RAW_LIFESPAN
    + "\napp = guard_lifespan(raw)\n"
)


def test_uvicorn_enforce_stops_on_an_internal_error_unless_ready_is_chosen(
    shop: ShopFactory, gate_venvs: dict[str, Venv]
) -> None:
    app = shop(
        files={"shop/__init__.py": "", "shop/bug.py": BUG, "asgi.py": LIFESPAN},
    )
    port = free_port()
    argv = ["-m", "uvicorn", "--host", "127.0.0.1", "--port", str(port), "asgi:app"]

    status, stopped_log = app.run_to_exit(
        gate_venvs["clean"], argv, env={"BOOTGUARD_MODE": "enforce"}
    )
    assert status == 3, stopped_log
    assert "bootguard:internal" in stopped_log
    assert "Application startup failed" in stopped_log

    env = {"BOOTGUARD_MODE": "enforce", "BOOTGUARD_ON_INTERNAL_ERROR": "ready"}
    kept = app.start(gate_venvs["clean"], argv, env=env)
    try:
        kept.wait_for("Application startup complete")
        reply = fetch(port, "/readyz")
        assert (reply.status, reply.json()) == (200, {"status": "warn"})
        assert fetch(port, "/").body == b"shop"
    finally:
        kept.stop()
