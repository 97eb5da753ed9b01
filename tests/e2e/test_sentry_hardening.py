"""Sentry and the gate's hardening: forked workers, and bootguard's own errors.

Forked gunicorn workers and the master's boot event: one event, no shutdown wait.

With ``preload_app`` the master loads the application, its ``sentry_sdk.init`` and
``guard()``: the boot event is sent from the master.  Each worker is a ``fork`` of it and
inherits the SDK's in-memory state; it must neither send the master's event again nor wait
at its shutdown for an event that is not its own (the SDK's wait is its 2 s shutdown
timeout, per worker).  A bug in bootguard (``bootguard:internal``) reaches Sentry at
level ``error``.  Real gunicorn, real sentry-sdk, real Bugsink (see
:mod:`tests.test_sentry_bugsink`).
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator

import pytest

from tests.support.bugsink import Bugsink, running_bugsink
from tests.support.gate import (
    GUARDED_WSGI,
    App,
    ShopFactory,
    no_control_socket,
)
from tests.support.health import fetch, free_port
from tests.support.venvs import Venv

WSGI = (
    """
import os, sentry_sdk, bootguard
if os.environ["SHOP_DSN"]:
    sentry_sdk.init(dsn=os.environ["SHOP_DSN"], server_name="fork-node")
"""
    + GUARDED_WSGI
)

# gunicorn calls worker_exit in each worker as it stops: time the SDK's flush there, which
# is where a worker waits for an event stuck in the queue it inherited.
CONF = """
import sys, time
import sentry_sdk

def worker_exit(server, worker):
    started = time.monotonic()
    sentry_sdk.flush()  # the SDK's shutdown_timeout: 2 s
    print(f"worker flush took {time.monotonic() - started:.3f} s", file=sys.stderr, flush=True)
"""


@pytest.fixture(scope="module")
def bugsink(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bugsink]:
    with running_bugsink(tmp_path_factory.mktemp("bugsink")) as instance:
        yield instance


def _serve_then_stop(app: App, venv: Venv, dsn: str) -> tuple[int | None, float, str]:
    """Boot gunicorn --preload with three workers, use every worker, SIGTERM the master.

    Returns the exit status, the seconds from SIGTERM to the master's exit, and the log.
    """
    port = free_port()
    argv = ["-m", "gunicorn", "--preload", "--workers", "3", "--bind", f"127.0.0.1:{port}"]
    argv += ["--graceful-timeout", "20", *no_control_socket(), "wsgi:application"]
    server = app.start(
        venv,
        argv,
        env={"SHOP_DSN": dsn, "SHOP_DEBUG": __import__("os").environ.get("SHOP_DEBUG", "")},
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if fetch(port, "/readyz", timeout=2).status == 503:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, server.output()
            assert server.process.poll() is None, server.output()
            time.sleep(0.1)
        for _ in range(9):  # every worker serves something
            assert fetch(port, "/").body == b"shop"
        time.sleep(1.0)  # give a worker that would re-send the master's event the time to
        stopping = time.monotonic()
        server.process.terminate()  # SIGTERM to the master: the workers exit gracefully
        status = server.wait_exit(30)
        return status, time.monotonic() - stopping, server.output()
    finally:
        server.stop()


def test_forked_workers_neither_resend_nor_wait_for_the_masters_boot_event(
    bugsink: Bugsink, shop: ShopFactory, gate_venvs: dict[str, Venv]
) -> None:
    project, dsn = bugsink.new_project("fork")
    app = shop(files={"wsgi.py": WSGI, "gunicorn.conf.py": CONF})
    drift = gate_venvs["drift"]

    baseline_status, baseline_s, _ = _serve_then_stop(app, drift, "")  # no Sentry at all
    status, shutdown_s, log = _serve_then_stop(app, drift, dsn)

    assert (baseline_status, status) == (0, 0), log
    assert log.count("Booting worker") == 3
    assert "pending event" not in log  # no worker waits for the master's event
    flushes = [float(line.split()[3]) for line in log.splitlines() if "worker flush took" in line]
    assert len(flushes) == 3, log
    # stuck on the inherited queue, each flush took its whole 2 s timeout
    assert max(flushes) < 1.0, flushes
    # the whole shutdown, against the same server without Sentry (a loose bound: the
    # machine is shared; without the fork hook it was the baseline + 3 to 4 s)
    assert shutdown_s < baseline_s + 2.5, (shutdown_s, baseline_s, log)

    (issue,) = bugsink.issues(project)
    events = bugsink.events(issue["id"])
    assert len(events) == 1, [e["data"].get("server_name") for e in events]  # the master's
    assert events[0]["data"]["tags"]["dist.msgbus"] == "4.2.0"


BUGGY = """
import json, sys
import bootguard.api

def check(*args, **kwargs):  # the simulated bug: bootguard's own check raises
    raise RuntimeError("simulated bug in bootguard's check")

bootguard.api.check = bootguard.api.check_with = check
from bootguard import state

def app(environ, start_response):
    return []

bootguard.guard(app, sentry_dsn=sys.argv[1])
print(json.dumps({"ready": state.current().ready}))
"""


def test_an_internal_error_reaches_sentry_at_level_error(
    bugsink: Bugsink, shop: ShopFactory, gate_venvs: dict[str, Venv]
) -> None:
    project, dsn = bugsink.new_project("internal")
    app = shop(files={"buggy.py": BUGGY})
    result = subprocess.run(
        [str(gate_venvs["clean"].python), "buggy.py", dsn],
        cwd=app.root, env=app.env(), capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == '{"ready": true}'  # report mode: the bug does not count

    (issue,) = bugsink.issues(project)
    (event,) = bugsink.events(issue["id"])
    data = event["data"]
    assert data["level"] == "error"
    assert data["tags"]["bootguard.status"] == "fail"
    (finding,) = data["contexts"]["bootguard"]["findings"]
    assert finding["key"] == "bootguard:internal"
    assert finding["observed"] == "the environment check: RuntimeError"
    assert finding["message"].endswith("RuntimeError: simulated bug in bootguard's check")
