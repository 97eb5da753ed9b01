"""Health endpoints under real gunicorn, uvicorn and Django, over real HTTP on 127.0.0.1.

Each server process checks a real venv (built from the test wheelhouse) against a pinned
manifest at import, publishes the verdict and serves the app wrapped in bootguard's
middleware (:mod:`tests.support.health_apps`).  Servers are started once per session per kind
and stopped by PID at the end; the tests that mutate an environment start their own.
"""

from __future__ import annotations

import hashlib
import signal
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from packaging.version import Version

from tests.support.health import ServerProcess, fetch, free_port, gunicorn, run_load, uvicorn
from tests.support.venvs import Venv, VenvFactory, clean_env, make_venv

TOKEN = "s3cret-health-token"
PINS = "taskq==5.0.0\nmsgbus==4.1.0\n"
# What an anonymous caller must never learn about the drifted environment.
PRIVATE = (b"msgbus", b"taskq", b"3.6.0", b"4.1.0", b"5.0.0", b"requirements")
WRONG_AUTHORIZATION = (
    f"Bearer {TOKEN[:-1]}x",  # same length, last byte differs
    f"Bearer {TOKEN}x",  # right prefix, longer
    f"Bearer {TOKEN[:4]}",  # right prefix, shorter
    "Bearer ",
    f"Basic {TOKEN}",
    TOKEN,
)


@dataclass(frozen=True)
class AppEnv:
    """A manifest and a venv the server checks against it."""

    manifest: Path
    venv: Venv

    def variables(self, **extra: str) -> dict[str, str]:
        """The ``BG_APP_*`` variables :mod:`tests.support.health_apps` reads, plus the token."""
        return {
            "BG_APP_MANIFEST": str(self.manifest),
            "BG_APP_PATHS": str(self.venv.site_packages),
            "BOOTGUARD_TOKEN": TOKEN,
            **extra,
        }


@pytest.fixture(scope="session")
def health_envs(
    tmp_path_factory: pytest.TempPathFactory, wheelhouse: Path, outer_pip_version: Version
) -> dict[str, AppEnv]:
    """A clean and a drifted (msgbus 3.6.0 instead of the locked 4.1.0) environment."""
    base = tmp_path_factory.mktemp("health-envs")
    manifest = base / "requirements.txt"
    manifest.write_text(PINS)
    envs = {}
    for name, msgbus in (("clean", "4.1.0"), ("drifted", "3.6.0")):
        venv = make_venv(base / name, find_links=(wheelhouse,))
        venv.install("taskq==5.0.0", f"msgbus=={msgbus}")
        envs[name] = AppEnv(manifest, venv)
    return envs


ServerPool = Callable[[str, str], ServerProcess]


@pytest.fixture(scope="session")
def servers(
    tmp_path_factory: pytest.TempPathFactory, health_envs: dict[str, AppEnv]
) -> Iterator[ServerPool]:
    """``servers(kind, env)``: a running server, started on first use, stopped at the end.

    ``gunicorn``: two sync workers, Prometheus multiprocess mode, re-check every 0.2 s.
    ``uvicorn``: one process, plain Prometheus registry, re-check every 0.2 s.
    ``django``: gunicorn serving a Django project with ``ALLOWED_HOSTS = ["example.com"]``.
    """
    base = tmp_path_factory.mktemp("health-servers")
    started: dict[tuple[str, str], ServerProcess] = {}

    def get(kind: str, env_name: str) -> ServerProcess:
        key = (kind, env_name)
        if key in started:
            return started[key]
        app_env = health_envs[env_name]
        log = base / f"{kind}-{env_name}.log"
        if kind == "gunicorn":
            multiproc = base / f"prometheus-{env_name}"
            multiproc.mkdir()
            variables = app_env.variables(
                BG_APP_RECHECK="0.2", PROMETHEUS_MULTIPROC_DIR=str(multiproc)
            )
            server = gunicorn("tests.support.health_apps:wsgi", log=log, env=variables)
        elif kind == "uvicorn":
            variables = app_env.variables(BG_APP_RECHECK="0.2", BG_APP_METRICS="1")
            server = uvicorn("tests.support.health_apps:asgi", log=log, env=variables)
        else:
            server = gunicorn(
                "tests.support.health_django:application",
                log=log,
                env=app_env.variables(),
                workers=1,
            )
        started[key] = server.wait_ready()
        return server

    yield get
    for server in started.values():
        server.stop()


KINDS = ("gunicorn", "uvicorn")


@pytest.mark.parametrize("kind", KINDS)
def test_clean_environment_is_ready(servers: ServerPool, kind: str) -> None:
    port = servers(kind, "clean").port

    for path in ("/readyz", "/healthz", "/livez"):
        reply = fetch(port, path)
        assert (reply.status, reply.json()) == (200, {"status": "pass"}), path
        assert reply.headers["content-type"] == "application/health+json"
        assert reply.headers["cache-control"] == "no-store"

    head = fetch(port, "/readyz", method="HEAD")
    assert (head.status, head.body) == (200, b"")
    assert head.headers["content-length"] == str(len(fetch(port, "/readyz").body))

    for method in ("POST", "PUT", "DELETE"):
        refused = fetch(port, "/readyz", method=method)
        assert refused.status == 405
        assert refused.headers["allow"] == "GET, HEAD"

    app = fetch(port, "/")
    assert (app.status, app.body) == (200, b"ok\n")
    assert "cache-control" not in app.headers  # the app's own responses are untouched
    assert fetch(port, "/readyz/").status == 404  # only the exact path is ours

    verbose = fetch(port, "/readyz?verbose")
    assert verbose.status == 200
    assert verbose.body.decode().splitlines() == ["[+]environment ok", "readyz check passed"]


@pytest.mark.parametrize("kind", KINDS)
def test_drifted_environment_is_not_ready_and_anonymous_callers_learn_nothing(
    servers: ServerPool, kind: str
) -> None:
    port = servers(kind, "drifted").port

    anonymous = fetch(port, "/readyz")
    assert anonymous.status == 503
    assert anonymous.body == b'{"status":"fail"}'
    assert fetch(port, "/healthz").body == anonymous.body
    live = fetch(port, "/livez")
    assert (live.status, live.json()) == (200, {"status": "pass"})  # alive, just not ready

    # A wrong token, another scheme, or the token in the query string: the anonymous answer.
    for header in WRONG_AUTHORIZATION:
        reply = fetch(port, "/readyz", headers={"Authorization": header})
        assert (reply.status, reply.body) == (503, anonymous.body), header
    for query in (f"?token={TOKEN}", f"?access_token={TOKEN}", f"?authorization=Bearer%20{TOKEN}"):
        reply = fetch(port, "/readyz" + query)
        assert (reply.status, reply.body) == (503, anonymous.body), query

    verbose = fetch(port, "/readyz?verbose")
    assert verbose.status == 503
    assert verbose.headers["content-type"] == "text/plain; charset=utf-8"
    # one line per check family: the finding names would be the node's package inventory
    assert verbose.body.decode().splitlines() == [
        "[-]environment failed: 2 failed",
        "readyz check failed",
    ]
    for private in PRIVATE:
        assert private not in verbose.body
    for private in PRIVATE:
        assert private not in anonymous.body


@pytest.mark.parametrize("kind", KINDS)
def test_the_token_shows_the_full_report(
    servers: ServerPool, kind: str, health_envs: dict[str, AppEnv]
) -> None:
    port = servers(kind, "drifted").port

    for scheme in ("Bearer", "bearer"):
        reply = fetch(port, "/readyz", headers={"Authorization": f"{scheme} {TOKEN}"})
        assert reply.status == 503
        doc = reply.json()
        assert isinstance(doc, dict)
        assert doc["status"] == "fail"
        (drift,) = doc["checks"]["msgbus:version"]
        assert (drift["expectedValue"], drift["observedValue"]) == ("4.1.0", "3.6.0")
        assert doc["checks"]["taskq:requires"][0]["status"] == "fail"
        digest = hashlib.sha256(health_envs["drifted"].manifest.read_bytes()).hexdigest()
        assert doc["manifestDigest"] == digest[:12]
        assert doc["manifests"][0]["sha256"] == digest
        assert doc["timings_ms"]["total"] > 0

    verbose = fetch(port, "/readyz?verbose=1", headers={"Authorization": f"Bearer {TOKEN}"})
    lines = verbose.body.decode().splitlines()
    assert lines[0].startswith("[-]msgbus:version failed: msgbus is 3.6.0")
    assert lines[-1] == "readyz check failed"


def _fingerprint_series(samples: dict[str, float]) -> str:
    """Pop the one ``bootguard_environment_info{fingerprint=...}`` series; return its label."""
    (name,) = [n for n in samples if n.startswith("bootguard_environment_info{")]
    assert samples.pop(name) == 1.0
    label = name.partition('fingerprint="')[2].rstrip('"}')
    assert len(label) == 16 and all(c in "0123456789abcdef" for c in label), name
    return label


def _samples(text: str) -> dict[str, float]:
    """``name{labels}`` -> value, for the bootguard series of a Prometheus exposition."""
    samples = {}
    for line in text.splitlines():
        if line.startswith("bootguard_"):
            name, _, value = line.rpartition(" ")
            samples[name] = float(value)
    return samples


@pytest.mark.parametrize("kind", KINDS)
def test_prometheus_gauges(servers: ServerPool, kind: str, health_envs: dict[str, AppEnv]) -> None:
    digest = hashlib.sha256(health_envs["drifted"].manifest.read_bytes()).hexdigest()
    manifest_series = f'bootguard_manifest_info{{manifest_sha256="{digest}"}}'

    drifted = _samples(fetch(servers(kind, "drifted").port, "/metrics").body.decode())
    duration = drifted.pop("bootguard_check_duration_seconds")
    assert 0 < duration < 60
    drifted_fingerprint = _fingerprint_series(drifted)
    assert drifted == {
        "bootguard_ready": 0.0,
        "bootguard_drifted_distributions": 1.0,
        'bootguard_distribution_drift_info{distribution="msgbus",'
        'expected_version="4.1.0",installed_version="3.6.0"}': 1.0,
        manifest_series: 1.0,
    }

    clean = _samples(fetch(servers(kind, "clean").port, "/metrics").body.decode())
    clean.pop("bootguard_check_duration_seconds")
    assert _fingerprint_series(clean) != drifted_fingerprint  # msgbus 3.6.0 vs 4.1.0
    assert clean == {
        "bootguard_ready": 1.0,
        "bootguard_drifted_distributions": 0.0,
        manifest_series: 1.0,
    }


@pytest.mark.parametrize("env_name", ["clean", "drifted"])
def test_django_probe_with_the_pod_ip_as_host(servers: ServerPool, env_name: str) -> None:
    port = servers("django", env_name).port
    pod_ip = {"Host": "10.1.2.3"}

    assert fetch(port, "/", headers=pod_ip).status == 400  # Django's ALLOWED_HOSTS at work
    page = fetch(port, "/", headers={"Host": "example.com"})
    assert (page.status, page.body) == (200, b"django ok\n")

    probe = fetch(port, "/readyz", headers=pod_ip)
    expected = (200, {"status": "pass"}) if env_name == "clean" else (503, {"status": "fail"})
    assert (probe.status, probe.json()) == expected
    assert probe.headers["content-type"] == "application/health+json"
    assert fetch(port, "/livez", headers=pod_ip).status == 200


def test_bounded_mixed_load_under_gunicorn_never_flaps(servers: ServerPool) -> None:
    """2000 requests from 8 threads while the re-check thread runs every 0.2 s."""
    port = servers("gunicorn", "clean").port
    paths = ("/", "/readyz", "/", "/livez", "/healthz?verbose")

    result = run_load(port, paths, total=2000, concurrency=8)

    assert result.errors == []
    assert result.total == 2000
    assert result.statuses == {
        "/": Counter({200: 800}),
        "/readyz": Counter({200: 400}),
        "/livez": Counter({200: 400}),
        "/healthz?verbose": Counter({200: 400}),
    }


def test_pip_install_into_the_running_venv_flips_readiness(
    venv_factory: VenvFactory, tmp_path: Path
) -> None:
    """gunicorn --preload, two workers, re-check every 0.3 s: both workers turn 503."""
    interval = 0.3
    venv = venv_factory("live", install=["taskq==5.0.0", "msgbus==4.1.0"])
    manifest = tmp_path / "requirements.txt"
    manifest.write_text(PINS)
    app_env = AppEnv(manifest, venv)
    server = gunicorn(
        "tests.support.health_apps:wsgi",
        log=tmp_path / "gunicorn.log",
        env=app_env.variables(BG_APP_RECHECK=str(interval)),
        preload=True,  # the re-check starts in the master and must restart in each worker
    ).wait_ready()
    try:
        assert {fetch(server.port, "/readyz").status for _ in range(10)} == {200}

        venv.install("msgbus==4.2.0")  # a different version than the lock's 4.1.0
        installed = time.monotonic()
        # Each worker re-checks on its own clock, and one sync worker may take a long run of
        # requests: wait until every answer has been 503 for three whole intervals (by then
        # both workers have re-checked), not for a count of answers.
        since: float | None = None
        while since is None or time.monotonic() - since < 3 * interval:
            assert time.monotonic() - installed < interval + 10, server.output()
            if fetch(server.port, "/readyz").status == 503:
                since = time.monotonic() if since is None else since
            else:
                since = None
        flipped_after = time.monotonic() - installed

        # And it stays 503; the report names the new version.
        assert {fetch(server.port, "/readyz").status for _ in range(30)} == {503}
        doc = fetch(server.port, "/readyz", headers={"Authorization": f"Bearer {TOKEN}"}).json()
        assert isinstance(doc, dict)
        assert doc["checks"]["msgbus:version"][0]["observedValue"] == "4.2.0"
        assert flipped_after < interval + 10
    finally:
        server.stop()


def test_bootguard_serve_answers_and_drains_on_sigterm(
    health_envs: dict[str, AppEnv], tmp_path: Path
) -> None:
    """The Celery-worker recipe: ``bootguard serve`` checks another interpreter's venv."""
    app_env = health_envs["clean"]
    port = free_port()
    argv = [
        sys.executable, "-m", "bootguard", "serve",
        "--port", str(port),
        "--manifest", str(app_env.manifest),
        "--python", str(app_env.venv.python),
        "--grace", "3",
    ]  # fmt: skip
    server = ServerProcess(
        argv, port=port, env=clean_env({"BOOTGUARD_TOKEN": TOKEN}), log=tmp_path / "serve.log"
    ).wait_ready()
    try:
        ready = fetch(port, "/readyz")
        assert (ready.status, ready.json()) == (200, {"status": "pass"})
        assert fetch(port, "/elsewhere").status == 404
        detailed = fetch(port, "/readyz", headers={"Authorization": f"Bearer {TOKEN}"}).json()
        assert isinstance(detailed, dict)
        assert detailed["distributions"] == 2

        server.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 3
        while (reply := fetch(port, "/readyz")).status != 503:
            assert time.monotonic() < deadline, server.output()
            time.sleep(0.02)
        assert reply.json() == {"status": "fail"}
        assert fetch(port, "/livez").status == 200  # still alive while draining
        assert server.process.wait(15) == 0, server.output()
        assert "draining" in server.output()
    finally:
        server.stop()
