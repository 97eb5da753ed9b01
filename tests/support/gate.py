"""Shared pieces of the boot-gate tests: real venvs, a real app directory, real servers.

Every gate test boots a small application with a *venv's own interpreter*: the venv holds
really installed wheels from the test wheelhouse (the subject of the check), and bootguard,
sentry-sdk and the servers come through dist-info-free symlink directories
(:func:`tests.support.toolpath.tool_path`), so the inventory bootguard sees is exactly the
venv's.  The lock pins ``taskq==5.0.0`` and ``msgbus==4.1.0``:

* ``clean``: exactly the lock;
* ``drift``: ``msgbus 4.2.0`` (still what taskq accepts: one ``msgbus:version`` finding);
* ``other``: ``msgbus 3.6.0`` (a different drift: ``msgbus:version`` and ``taskq:requires``).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import pytest
from packaging.version import Version

from tests.support.toolpath import tool_path
from tests.support.venvs import Venv, clean_env, make_venv

__all__ = [
    "GUARDED_WSGI",
    "LOCK",
    "RAW_LIFESPAN",
    "App",
    "Server",
    "ShopFactory",
    "gate_venvs",
    "make_app",
    "no_control_socket",
    "server_path",
    "shop",
    "verdict_of",
]

LOCK = "taskq==5.0.0\nmsgbus==4.1.0\n"
MSGBUS = {"clean": "4.1.0", "drift": "4.2.0", "other": "3.6.0"}

# The application the gate tests boot: a WSGI app wrapped by the gate (``import bootguard``
# comes first in the script that uses it), and a raw ASGI app answering its lifespan.
GUARDED_WSGI = """
def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"shop"]

application = bootguard.guard(app)
"""
RAW_LIFESPAN = """
async def raw(scope, receive, send):
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            await send({"type": message["type"] + ".complete"})
            if message["type"] == "lifespan.shutdown":
                return
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"shop"})
"""
TOOLS = ("sentry-sdk", "gunicorn", "uvicorn", "django", "celery")


@pytest.fixture(scope="session")
def server_path(tmp_path_factory: pytest.TempPathFactory, bootguard_pythonpath: Path) -> list[Path]:
    """PYTHONPATH entries making bootguard, sentry-sdk and the servers importable, invisibly."""
    tools = tool_path(tmp_path_factory.mktemp("tools"), TOOLS)
    return [bootguard_pythonpath, tools]


@pytest.fixture(scope="session")
def gate_venvs(
    tmp_path_factory: pytest.TempPathFactory, wheelhouse: Path, outer_pip_version: Version
) -> dict[str, Venv]:
    """The ``clean``, ``drift`` and ``other`` venvs (see module doc); never mutated."""
    base = tmp_path_factory.mktemp("gate-venvs")
    venvs = {}
    for name, msgbus in MSGBUS.items():
        venv = make_venv(base / name, find_links=(wheelhouse,))
        venv.install("taskq==5.0.0", f"msgbus=={msgbus}")
        venvs[name] = venv
    return venvs


@dataclass(frozen=True)
class App:
    """An application directory (lock, pyproject.toml, modules) and the paths to run it."""

    root: Path
    pythonpath: tuple[Path, ...]

    def env(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        """The clean child environment plus ``extra`` (``BOOTGUARD_*`` included)."""
        return clean_env(extra, pythonpath=[self.root, *self.pythonpath])

    def run(
        self,
        venv: Venv,
        code: str,
        *,
        env: Mapping[str, str] | None = None,
        timeout: float = 60.0,
    ) -> subprocess.CompletedProcess[str]:
        """``python -c code`` with the venv's interpreter in the app directory."""
        return self.python(venv, "-c", code, env=env, timeout=timeout)

    def python(
        self,
        venv: Venv,
        *args: str,
        env: Mapping[str, str] | None = None,
        timeout: float = 60.0,
    ) -> subprocess.CompletedProcess[str]:
        """``python ARGS`` with the venv's interpreter in the app directory, output captured."""
        return subprocess.run(
            [str(venv.python), *args],
            cwd=self.root,
            env=self.env(env),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def start(
        self, venv: Venv, args: Sequence[str], *, env: Mapping[str, str] | None = None
    ) -> Server:
        """Start ``python ARGS`` (a server) with the venv's interpreter, logging to a file."""
        return Server([str(venv.python), *args], cwd=self.root, env=self.env(env))

    def run_to_exit(
        self,
        venv: Venv,
        args: Sequence[str],
        *,
        env: Mapping[str, str] | None = None,
        timeout: float = 30.0,
    ) -> tuple[int | None, str]:
        """Start a server that should stop by itself; its exit status and its output.

        The status is ``None`` when it still ran after ``timeout`` seconds (it is stopped
        then, as it is in every case before this returns).
        """
        server = self.start(venv, args, env=env)
        try:
            status = server.wait_exit(timeout)
        finally:
            server.stop()
        return status, server.output()


def make_app(
    root: Path,
    paths: Sequence[Path],
    *,
    tool_bootguard: str = 'manifest = "requirements.lock"\n',
    files: Mapping[str, str] | None = None,
) -> App:
    """Write an app directory: the lock, ``pyproject.toml`` with ``[tool.bootguard]``, files."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "requirements.lock").write_text(LOCK)
    (root / "pyproject.toml").write_text(
        '[project]\nname = "shop"\nversion = "1.0"\n\n[tool.bootguard]\n' + tool_bootguard
    )
    for name, text in (files or {}).items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    return App(root, tuple(paths))


class ShopFactory(Protocol):
    """The ``shop`` fixture: ``shop(tool_bootguard=..., files=...)`` writes ``tmp_path/shop``."""

    def __call__(
        self,
        *,
        tool_bootguard: str = 'manifest = "requirements.lock"\n',
        files: Mapping[str, str] | None = None,
    ) -> App: ...


@pytest.fixture
def shop(tmp_path: Path, server_path: list[Path]) -> ShopFactory:
    """Make the test's app directory ``tmp_path/shop`` (see :func:`make_app`), run with the
    servers' path."""

    def make(
        *,
        tool_bootguard: str = 'manifest = "requirements.lock"\n',
        files: Mapping[str, str] | None = None,
    ) -> App:
        return make_app(tmp_path / "shop", server_path, tool_bootguard=tool_bootguard, files=files)

    return make


class Server:
    """A server subprocess we started, in its own process group; stopped by PID."""

    def __init__(self, argv: list[str], *, cwd: Path, env: Mapping[str, str]) -> None:
        self.log = cwd / f"server-{len(list(cwd.glob('server-*.log')))}.log"
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                argv,
                cwd=cwd,
                env=dict(env),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def output(self) -> str:
        """What the server printed so far."""
        return self.log.read_text(errors="replace")

    def wait_exit(self, timeout: float) -> int | None:
        """The exit status, or ``None`` if it is still running after ``timeout`` seconds."""
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def wait_for(self, text: str, timeout: float = 30.0) -> None:
        """Wait until ``text`` appears in the output; fail with the log if it exits first."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.output():
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        pytest.fail(f"{text!r} not seen (exit {self.process.poll()}):\n{self.output()}")

    def stop(self) -> None:
        """SIGTERM, then SIGKILL the process group we created (our own children only)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(15)


def no_control_socket() -> list[str]:
    """gunicorn >= 24 opens a control socket in ~/.gunicorn unless told not to."""
    import gunicorn.config

    known = {s.name for s in gunicorn.config.KNOWN_SETTINGS}
    return ["--no-control-socket"] if "control_socket_disable" in known else []


def verdict_of(result: subprocess.CompletedProcess[str]) -> dict[str, object]:
    """The JSON verdict a boot script printed on its last line; fail with its output if none."""
    try:
        data: dict[str, object] = json.loads(result.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError) as err:
        raise AssertionError(f"no verdict printed:\n{result.stdout}\n{result.stderr}") from err
    return data
