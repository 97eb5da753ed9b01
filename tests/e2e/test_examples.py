"""Every example under ``examples/`` run as its README says: booted, probed over HTTP, stopped.

The apps run in a copy of ``examples/`` with the gate tests' venvs (:mod:`tests.support.gate`):
``clean`` matches the lock (``taskq 5.0.0``, ``msgbus 4.1.0``), ``drift`` has msgbus 4.2.0,
still inside taskq's range.  The frameworks come through dist-info-free symlinks, so the
inventory bootguard checks is exactly the venv's.  Each server is booted once per state, the
clean and the drifted one side by side, on 127.0.0.1 with free ports, and stopped by PID.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Protocol
from venv import EnvBuilder

import pytest

from tests.support.bugsink import free_port
from tests.support.cli import REPO_ROOT
from tests.support.examples import (
    EXAMPLES,
    Dockerfile,
    console_script,
    copy_examples,
    get,
    parse_yaml,
    recording_sentry,
    wait_http,
)
from tests.support.gate import LOCK, App, Server, no_control_socket
from tests.support.toolpath import tool_path
from tests.support.venvs import Venv, VenvFactory, clean_env

TOKEN = "example-token"
DRIFT = "FAIL  msgbus:version  msgbus is 4.2.0, requirements.lock:2 locks 4.1.0"
LOGGED = "FAIL  msgbus:version  msgbus is 4.2.0"  # apps log the lock's absolute path


@pytest.fixture(scope="module")
def examples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of ``examples/`` whose apps have the gate tests' lock as requirements.lock."""
    return copy_examples(tmp_path_factory.mktemp("run") / "examples")


@pytest.fixture(scope="module")
def paths(tmp_path_factory: pytest.TempPathFactory, server_path: list[Path]) -> list[Path]:
    """bootguard, the servers and Sentry (the gate tests' path), plus Flask and FastAPI."""
    return [*server_path, tool_path(tmp_path_factory.mktemp("web"), ("flask", "fastapi"))]


@pytest.fixture
def boot(paths: list[Path], gate_venvs: dict[str, Venv]) -> Iterator[_Boot]:
    """``boot(directory, venv_name, args, env)``: start a server; all stopped at the end, by
    PID (the servers run in process groups of their own)."""
    started: list[Server] = []

    def start(root: Path, venv: str, args: list[str], env: dict[str, str] | None = None) -> Server:
        server = App(root, tuple(paths)).start(gate_venvs[venv], args, env=env)
        started.append(server)
        return server

    yield start
    for server in started:  # SIGTERM all first: they shut down side by side
        if server.process.poll() is None:
            server.process.send_signal(signal.SIGTERM)
    for server in started:
        server.wait_exit(15)
        server.stop()  # SIGKILLs its process group if it is still running


class _Boot(Protocol):
    def __call__(
        self, root: Path, venv: str, args: list[str], env: dict[str, str] | None = None
    ) -> Server: ...


def _clean_and_drift(
    boot: _Boot,
    root: Path,
    args: Callable[[int], list[str]],
    env: Callable[[int], dict[str, str]],
) -> tuple[dict[str, int], dict[str, Server]]:
    """Start the app from the clean venv and from the drifted one, each with a free port."""
    ports = {"clean": free_port(), "drift": free_port()}
    return ports, {name: boot(root, name, args(port), env(port)) for name, port in ports.items()}


def _anonymous(port: int, path: str = "/readyz") -> tuple[int, object]:
    reply = get(port, path)
    return reply.status, reply.json()


def _detailed(port: int) -> dict[str, Any]:
    data = get(port, "/readyz", Authorization=f"Bearer {TOKEN}").json()
    assert isinstance(data, dict)
    return data


# --- drift_demo -------------------------------------------------------------------------------


def test_drift_demo_shows_pip_check_passing_and_bootguard_failing(tmp_path: Path) -> None:
    """Run as the READMEs print it, by a newcomer's ``python3``: a fresh venv (with pip, as a
    system Python has) where bootguard is not installed; the demo installs it itself."""
    demo = EXAMPLES / "drift_demo" / "demo.py"
    imported = set()
    for node in ast.walk(ast.parse(demo.read_text())):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add((node.module or ".").split(".")[0])
    assert imported <= sys.stdlib_module_names | {"__future__"}, imported  # self-contained

    printed = [
        match
        for readme in (REPO_ROOT / "README.md", EXAMPLES / "drift_demo" / "README.md")
        for match in re.findall(r"\bpython3? examples/drift_demo/demo\.py\b", readme.read_text())
    ]
    assert len(printed) >= 3 and set(printed) == {"python3 examples/drift_demo/demo.py"}, printed
    newcomer = tmp_path / "newcomer"
    EnvBuilder(with_pip=True, symlinks=True).create(newcomer)
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = clean_env(
        {"TMPDIR": str(scratch), "PATH": f"{newcomer / 'bin'}{os.pathsep}{os.environ['PATH']}"}
    )
    assert shutil.which("python3", path=env["PATH"]) == str(newcomer / "bin" / "python3")
    lacks = subprocess.run(
        ["python3", "-c", "import importlib.util as u; print(u.find_spec('bootguard'))"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert lacks.stdout == "None\n", lacks.stdout + lacks.stderr
    before = {path: sorted(os.listdir(path)) for path in (REPO_ROOT, demo.parent)}

    result = subprocess.run(
        shlex.split(printed[0]),
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    out = result.stdout
    assert result.returncode == 0, out + result.stderr
    assert f"Installing bootguard from {REPO_ROOT} into a throw-away venv" in out
    pip_part, guard_part = out.split("$ bootguard check", 1)
    assert "$ pip check\nNo broken requirements found.\n(exit status 0)" in pip_part
    assert DRIFT in guard_part
    assert "taskq 5.0.0 requires msgbus<5.0,>=4.0.2: accepts 4.2.0" in guard_part
    assert "(exit status 1)" in guard_part
    assert list(scratch.iterdir()) == []  # the throw-away venvs, wheels and sources are gone
    assert {path: sorted(os.listdir(path)) for path in before} == before  # no build/, egg-info


# --- flask_app --------------------------------------------------------------------------------


def test_flask_app(examples: Path, boot: _Boot) -> None:
    root = examples / "flask_app"
    ports, servers = _clean_and_drift(
        boot,
        root,
        lambda port: [
            "-m",
            "gunicorn",
            "--bind",
            f"127.0.0.1:{port}",
            *no_control_socket(),
            "app:app",
        ],
        lambda port: {"BOOTGUARD_TOKEN": TOKEN},
    )
    for name, server in servers.items():
        wait_http(server, ports[name])

    clean, drift = ports["clean"], ports["drift"]
    assert _anonymous(clean) == (200, {"status": "pass"})
    assert get(clean, "/").body == b"shop: open\n"

    assert _anonymous(drift) == (503, {"status": "fail"})
    assert _anonymous(drift, "/livez") == (200, {"status": "pass"})  # alive, not ready
    assert get(drift, "/").status == 200  # report mode: out of rotation, still serving
    report = _detailed(drift)
    (item,) = report["checks"]["msgbus:version"]
    assert (item["status"], item["observedValue"]) == ("fail", "4.2.0")
    assert LOGGED in servers["drift"].output()  # logged at boot


# --- fastapi_app ------------------------------------------------------------------------------


def test_fastapi_app_lifespan(examples: Path, boot: _Boot) -> None:
    root = examples / "fastapi_app"
    runs = {
        "clean": ("clean", "report"),
        "drift": ("drift", "report"),
        "stop": ("drift", "enforce"),
    }
    ports = {name: free_port() for name in runs}
    servers = {
        name: boot(
            root,
            venv,
            ["-m", "uvicorn", "main:app", "--host", "127.0.0.1", "--port", str(ports[name])],
            {"BOOTGUARD_MODE": mode},
        )
        for name, (venv, mode) in runs.items()
    }
    wait_http(servers["clean"], ports["clean"])
    wait_http(servers["drift"], ports["drift"])

    assert _anonymous(ports["clean"]) == (200, {"status": "pass"})
    assert get(ports["clean"], "/").json() == {"shop": "open"}
    assert _anonymous(ports["drift"]) == (503, {"status": "fail"})
    assert get(ports["drift"], "/").json() == {"shop": "open"}

    stopped = servers["stop"]
    assert stopped.wait_exit(60) == 3, stopped.output()
    assert "bootguard: environment check failed (msgbus:version)" in stopped.output()
    assert "Application startup failed" in stopped.output()


# --- django_app + gunicorn/gunicorn.conf.py ---------------------------------------------------


def test_django_app_under_gunicorn_conf(examples: Path, boot: _Boot) -> None:
    root = examples / "django_app"
    ports = {"clean": free_port(), "drift": free_port()}

    def argv(port: int) -> list[str]:
        conf = ["-c", "../gunicorn/gunicorn.conf.py", "--bind", f"127.0.0.1:{port}"]
        return ["-m", "gunicorn", *conf, *no_control_socket(), "mysite.wsgi"]

    with recording_sentry() as sentry:
        clean = boot(root, "clean", argv(ports["clean"]))
        drift = boot(root, "drift", argv(ports["drift"]), {"SENTRY_DSN": sentry.dsn})
        wait_http(clean, ports["clean"])
        wait_http(drift, ports["drift"])
        events = sentry.events()

    clean.wait_for("bootguard: pass (mode report, ready)")  # when_ready, in the master
    assert _anonymous(ports["clean"]) == (200, {"status": "pass"})
    assert get(ports["clean"], "/").body == b"shop: open\n"
    # a kubelet probes the pod IP: answered before Django's ALLOWED_HOSTS rejects the host
    assert get(ports["clean"], "/readyz", Host="10.1.2.3:8000").status == 200
    assert get(ports["clean"], "/", Host="10.1.2.3:8000").status == 400

    drift.wait_for("not ready: readiness answers 503")
    assert _anonymous(ports["drift"]) == (503, {"status": "fail"})
    log = drift.output()
    assert log.count(LOGGED) == 1, log  # checked once, in the master, not once per worker
    assert log.count("Booting worker") == 2
    # settings.py configured Sentry from SENTRY_DSN; bootguard reported through that client
    (event,) = events
    assert event["fingerprint"][0] == "bootguard"
    assert event["tags"]["dist.msgbus"] == "4.2.0"
    assert event["contexts"]["bootguard"]


# --- celery_worker ----------------------------------------------------------------------------


def test_celery_worker_with_health_endpoints(examples: Path, boot: _Boot) -> None:
    root = examples / "celery_worker"
    ports, workers = _clean_and_drift(
        boot,
        root,
        lambda port: ["-m", "celery", "-A", "tasks", "worker", "--pool=solo", "--loglevel=INFO"],
        lambda port: {"HEALTH_PORT": str(port)},
    )
    for name, worker in workers.items():
        worker.wait_for("ready.", timeout=60)  # the real worker is consuming
        wait_http(worker, ports[name])

    assert "tasks.add" in workers["clean"].output()  # the task is registered
    assert _anonymous(ports["clean"]) == (200, {"status": "pass"})
    assert _anonymous(ports["drift"]) == (503, {"status": "fail"})
    assert _anonymous(ports["drift"], "/livez") == (200, {"status": "pass"})
    assert LOGGED in workers["drift"].output()


# --- docker/ and kubernetes/ ------------------------------------------------------------------


def test_dockerfile_commands_and_kubernetes_probes(
    examples: Path,
    tmp_path: Path,
    paths: list[Path],
    gate_venvs: dict[str, Venv],
    venv_factory: VenvFactory,
) -> None:
    dockerfile = Dockerfile.read(EXAMPLES / "docker" / "Dockerfile")
    workdir = dockerfile.workdir
    installs = [s.arguments for s in dockerfile.all("RUN") if s.arguments.startswith("pip ")]
    assert any("-r requirements.lock" in command for command in installs)  # installs the lock
    allowed = {
        line[1:].rstrip("/")
        for line in (EXAMPLES / "docker" / "Dockerfile.dockerignore").read_text().splitlines()
        if line.startswith("!")
    }
    for copy in dockerfile.all("COPY"):  # every source is in the (trimmed) build context
        assert set(copy.arguments.split()[:-1]) <= allowed, copy.arguments
    build = [s for s in dockerfile.all("RUN") if s.arguments.startswith("bootguard ")]
    assert [s.arguments.split()[1] for s in build] == ["check", "snapshot"]

    def image(name: str, venv: Venv) -> tuple[Path, dict[str, str]]:
        """The image's /app (the Flask example and the lock) and the PATH to run in it."""
        app = tmp_path / name
        app.mkdir()
        for file in ("app.py", "pyproject.toml"):
            (app / file).write_text((examples / "flask_app" / file).read_text())
        (app / "requirements.lock").write_text(LOCK)
        bin_dir = console_script(tmp_path / f"{name}-bin", venv.python)
        return app, {"PATH": f"{bin_dir}:{venv.python.parent}:/usr/bin:/bin"}

    def rebase(text: str, app: Path) -> str:
        """The image's WORKDIR (at the start of a path) is ``app`` here."""
        return re.sub(rf"(?<![^\s=:]){re.escape(workdir)}(?=[/\s:]|$)", str(app), text)

    def sh(
        command: str, app: Path, env: dict[str, str], path: dict[str, str]
    ) -> subprocess.CompletedProcess[str]:
        variables = {k: rebase(v, app) for k, v in env.items()}
        return subprocess.run(
            ["sh", "-c", rebase(command, app)],
            cwd=app,
            env=clean_env({**variables, **path}, pythonpath=[paths[0]]),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    # docker build, environment as locked: the check passes, the snapshot is sealed
    venv = venv_factory("image", install=["taskq==5.0.0", "msgbus==4.1.0"])
    app, path = image("app", venv)
    for step in build:
        result = sh(step.arguments, app, step.env, path)
        assert result.returncode == 0, f"{step.arguments}\n{result.stdout}{result.stderr}"
    snapshot = (app / "bootguard.snapshot").read_text()
    assert "taskq==5.0.0" in snapshot
    assert "# bootguard-seal: sha256=" in snapshot
    healthcheck = dockerfile.healthcheck
    assert sh(healthcheck, app, dockerfile.cmd.env, path).returncode == 0

    # docker build in a drifted environment: the first bootguard RUN fails the build
    drifted_app, drifted_path = image("drifted", gate_venvs["drift"])
    failed = sh(build[0].arguments, drifted_app, build[0].env, drifted_path)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "msgbus:version" in failed.stdout

    # docker run: the image's CMD, probed where the Deployment's probes point
    deployment = parse_yaml((EXAMPLES / "kubernetes" / "deployment.yaml").read_text())
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    assert "command" not in container and "args" not in container  # the image's CMD runs
    (container_port,) = [p["containerPort"] for p in container["ports"]]
    probes = {kind: container[kind]["httpGet"] for kind in ("startupProbe", "readinessProbe")}
    probes["livenessProbe"] = container["livenessProbe"]["httpGet"]
    assert {probe["port"] for probe in probes.values()} == {container_port}
    assert probes["readinessProbe"]["path"] == "/readyz"  # 503 on drift (the app tests)
    assert probes["livenessProbe"]["path"] == "/livez"  # never depends on the checks

    cmd = dockerfile.cmd
    argv = json.loads(cmd.arguments)
    bind = argv.index("--bind") + 1
    assert argv[0] == "gunicorn"
    assert argv[bind] == f"0.0.0.0:{container_port}"  # the kubelet probes the pod IP
    port = free_port()
    argv[bind] = f"127.0.0.1:{port}"  # here: loopback only
    env = {k: rebase(v, app) for k, v in cmd.env.items()}
    server = App(app, tuple(paths)).start(
        venv,
        ["-m", *argv, *no_control_socket()],
        env={**env, "BOOTGUARD_TOKEN": TOKEN},
    )
    try:
        wait_http(server, port)
        for kind, probe in probes.items():
            assert get(port, probe["path"]).status == 200, kind
        report = _detailed(port)
        assert (report["status"], report["verifiedBy"]) == ("pass", "seal")  # the fast path
    finally:
        server.stop()

    # a `pip install` inside the running container: the HEALTHCHECK turns unhealthy
    venv.install("msgbus==4.2.0")
    unhealthy = sh(healthcheck, app, dockerfile.cmd.env, path)
    assert unhealthy.returncode == 1, unhealthy.stdout + unhealthy.stderr
