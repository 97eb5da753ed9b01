"""Sentry reporting end to end: real sentry-sdk, real Bugsink, real drifted venvs.

A fleet is simulated by booting the same drifted environment in several processes, each
with its own ``server_name`` (what the SDK reports as the node).  Bugsink groups events by
bootguard's fingerprint exactly like Sentry, and we read the outcome through its API.
Bugsink is installed into its own cached venv on first use (see
:mod:`tests.support.bugsink`); if it cannot start, these tests fail, they never skip.
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator

import pytest

from tests.support.bugsink import Bugsink, free_port, running_bugsink
from tests.support.gate import App, ShopFactory
from tests.support.venvs import Venv

WSGI_APP = """
def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"shop"]
"""

# The application configures Sentry, then wraps its app: bootguard uses that client.
APP_CLIENT = (
    """
import sys, sentry_sdk, bootguard
integrations = []
if "integration" in sys.argv[3:]:  # listed explicitly (else installed when bootguard reports)
    from bootguard.integrations.sentry import BootguardIntegration
    integrations.append(BootguardIntegration())
sentry_sdk.init(dsn=sys.argv[1], server_name=sys.argv[2], integrations=integrations)
"""
    + WSGI_APP
    + """
application = bootguard.guard(app)
if "raise-later" in sys.argv[3:]:  # a later application error carries the boot verdict
    try:
        raise RuntimeError("payment backend timed out")
    except RuntimeError:
        sentry_sdk.capture_exception()
sentry_sdk.flush(5)
"""
)

# `import bootguard.auto` runs before Sentry is configured: the event waits for the client.
AUTO_FIRST = """
import sys, time
import bootguard.auto
import sentry_sdk
sentry_sdk.init(dsn=sys.argv[1], server_name=sys.argv[2])
from bootguard.integrations import sentry_relay
deadline = time.monotonic() + 10
while sentry_relay.pending() and time.monotonic() < deadline:
    time.sleep(0.05)
sentry_sdk.flush(5)
print("pending" if sentry_relay.pending() else "sent")
"""

# No Sentry in the application: bootguard is given a DSN and uses a client of its own.
OWN_CLIENT = (
    """
import sys, time, json, bootguard
"""
    + WSGI_APP
    + """
started = time.perf_counter()
application = bootguard.guard(app, sentry_dsn=sys.argv[1])
print(json.dumps({"guard_s": time.perf_counter() - started,
                  "sentry_sdk_global_client": __import__("sentry_sdk").get_client().is_active()}))
"""
)


@pytest.fixture(scope="module")
def bugsink(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bugsink]:
    """Bugsink on 127.0.0.1 (installed and seeded on first use, cached across sessions)."""
    with running_bugsink(tmp_path_factory.mktemp("bugsink")) as instance:
        yield instance


@pytest.fixture
def app(shop: ShopFactory) -> App:
    return shop(
        files={
            "app_client.py": APP_CLIENT,
            "auto_first.py": AUTO_FIRST,
            "own_client.py": OWN_CLIENT,
        },
    )


def _boot(app: App, venv: Venv, script: str, *args: str) -> str:
    result = app.python(venv, script, *args)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    return result.stdout


def test_one_issue_per_drift_across_the_fleet(
    bugsink: Bugsink, app: App, gate_venvs: dict[str, Venv]
) -> None:
    project, dsn = bugsink.new_project("fleet")
    drift, other, clean = gate_venvs["drift"], gate_venvs["other"], gate_venvs["clean"]

    _boot(app, drift, "app_client.py", dsn, "node-1", "raise-later")
    _boot(app, drift, "app_client.py", dsn, "node-2", "integration")
    assert _boot(app, drift, "auto_first.py", dsn, "node-3").strip() == "sent"
    _boot(app, clean, "app_client.py", dsn, "clean-node")  # a clean boot sends nothing
    _boot(app, other, "app_client.py", dsn, "node-4")  # a different drift

    issues = bugsink.issues(project)
    events = {issue["id"]: bugsink.events(issue["id"]) for issue in issues}
    boot_issues = {
        issue_id: found
        for issue_id, found in events.items()
        if found[0]["data"].get("fingerprint", [""])[0] == "bootguard"
    }
    assert len(boot_issues) == 2, json.dumps(issues, indent=1)
    by_size = sorted(boot_issues.values(), key=len, reverse=True)
    fleet, single = by_size
    assert len(fleet) == 3
    assert len(single) == 1

    nodes = {event["data"]["server_name"] for event in fleet}
    assert nodes == {"node-1", "node-2", "node-3"}
    for event in fleet:
        data = event["data"]
        assert data["level"] == "error"
        assert data["tags"]["bootguard.status"] == "fail"
        assert data["tags"]["dist.msgbus"] == "4.2.0"
        assert data["message"] == "bootguard: environment check fail: msgbus:version"
        findings = data["contexts"]["bootguard"]["findings"]
        assert [f["key"] for f in findings] == ["msgbus:version"]
        assert findings[0]["expected"] == "4.1.0"
        assert findings[0]["observed"] == "4.2.0"
    # the fleet runs one environment: one environment fingerprint tag; node-4's differs
    env_prints = {event["data"]["tags"]["bootguard.fingerprint"] for event in fleet}
    assert len(env_prints) == 1
    assert len(next(iter(env_prints))) == 16
    fingerprints = {tuple(event["data"]["fingerprint"]) for event in fleet}
    assert len(fingerprints) == 1
    (fleet_print,) = fingerprints

    (lone,) = single
    assert lone["data"]["server_name"] == "node-4"
    assert lone["data"]["tags"]["dist.msgbus"] == "3.6.0"
    assert lone["data"]["tags"]["bootguard.fingerprint"] not in env_prints
    assert lone["data"]["fingerprint"][1] == fleet_print[1]  # same manifest ...
    assert lone["data"]["fingerprint"][2] != fleet_print[2]  # ... another drift

    manifest = fleet[0]["data"]["tags"]["bootguard.manifest"]
    assert fleet_print[1] == manifest
    # node-1's later application error is tied to the drift by BootguardIntegration
    app_errors = [found for issue_id, found in events.items() if issue_id not in boot_issues]
    assert len(app_errors) == 1
    (error,) = app_errors[0]
    assert error["data"]["server_name"] == "node-1"
    assert error["data"]["tags"]["bootguard.status"] == "fail"
    assert error["data"]["tags"]["bootguard.manifest"] == manifest
    assert error["data"]["contexts"]["bootguard"]["problems"] == ["msgbus:version"]

    everything = [event for found in events.values() for event in found]
    assert len(everything) == 5
    assert "clean-node" not in {event["data"]["server_name"] for event in everything}


def test_a_dsn_given_to_bootguard_uses_a_client_of_its_own(
    bugsink: Bugsink, app: App, gate_venvs: dict[str, Venv]
) -> None:
    project, dsn = bugsink.new_project("own-client")
    out = json.loads(_boot(app, gate_venvs["other"], "own_client.py", dsn))
    assert out["sentry_sdk_global_client"] is False  # never sentry_sdk.init

    (issue,) = bugsink.issues(project)
    (event,) = bugsink.events(issue["id"])
    data = event["data"]
    assert data["tags"]["bootguard.status"] == "fail"
    assert data["tags"]["dist.msgbus"] == "3.6.0"
    assert {f["key"] for f in data["contexts"]["bootguard"]["findings"]} == {
        "msgbus:version",
        "taskq:requires",
    }
    assert data["server_name"]  # left to the SDK: this host


@pytest.mark.parametrize("sink", ["closed-port", "never-answers"])
def test_an_unreachable_sentry_delays_boot_by_at_most_the_flush_timeout(
    app: App, gate_venvs: dict[str, Venv], sink: str
) -> None:
    if sink == "closed-port":
        port = free_port()  # nothing listens there: connection refused
        listener = None
    else:  # accepts connections (kernel backlog) but never reads or answers
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        port = listener.getsockname()[1]
    try:
        started = time.monotonic()
        out = json.loads(
            _boot(
                app, gate_venvs["drift"], "own_client.py", f"http://{'a' * 32}@127.0.0.1:{port}/1"
            )
        )
        elapsed = time.monotonic() - started
    finally:
        if listener is not None:
            listener.close()
    assert out["guard_s"] < 5  # the default flush timeout is 2 s
    assert elapsed < 10
