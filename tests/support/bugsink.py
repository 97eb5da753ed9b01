"""A real Sentry-protocol server for the tests: Bugsink, on 127.0.0.1, once per session.

Why Bugsink: it ingests the Sentry protocol from the real ``sentry-sdk``, groups events by
their fingerprint like Sentry does, and answers a small REST API, all from one PyPI
package with SQLite.  It is source-available (PolyForm Shield): we install it from PyPI as
a test service and never copy its code.

How it stays fast:

* **cold** (a fresh machine): a venv of its own under the cache dir (its pins clash with
  ours), ``pip install bugsink==VERSION``, ``migrate`` both databases, a team and a
  full-access API token; the migrated databases are kept as a *seed*;
* **warm**: copy the seed databases into the session's temporary directory, write a
  settings module with the session's port, start gunicorn from Bugsink's venv.

Settings: SQLite, ``PHONEHOME = False`` (no traffic anywhere), eager ingestion
(``SNAPPEA = {"TASK_ALWAYS_EAGER": True}``: an event is an issue when the ingest request
returns), single user/team.  The cache is keyed by Bugsink version and Python version and
built under a file lock, so parallel test sessions share one build.  Nothing here is
skipped: if Bugsink cannot be installed or started, the caller fails loudly with its log.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import venv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.support.tools import built_once, cache_root

__all__ = ["BUGSINK_VERSION", "Bugsink", "cache_dir", "free_port", "running_bugsink"]

BUGSINK_VERSION = "2.6.2"

_SETTINGS = """\
from bugsink.settings.default import *  # noqa: F403

SECRET_KEY = "bootguard-tests-only-" + "x" * 40
DATABASES["default"]["NAME"] = {db!r}
DATABASES["snappea"]["NAME"] = {snappea!r}
SNAPPEA = {{"TASK_ALWAYS_EAGER": True}}
EMAIL_BACKEND = "bugsink.email_backends.QuietConsoleEmailBackend"
TIME_ZONE = "UTC"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
BUGSINK = {{
    "BASE_URL": "http://127.0.0.1:{port}",
    "SINGLE_USER": True,
    "SINGLE_TEAM": True,
    "PHONEHOME": False,
    "INGEST_STORE_BASE_DIR": {ingest!r},
}}
"""

_SEED_SCRIPT = """\
import json
from bsmain.models import AuthToken
from teams.models import Team
team = Team.objects.create(name="bootguard-tests")
print("SEED " + json.dumps({"token": AuthToken.create_full_access().token, "team": str(team.id)}))
"""


def cache_dir() -> Path:
    """Where the Bugsink venv and seed live: ``$XDG_CACHE_HOME/bootguard-tests`` or ``~/.cache``."""
    return cache_root() / f"bugsink-{BUGSINK_VERSION}-py{sys.version_info[0]}{sys.version_info[1]}"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass(frozen=True)
class Bugsink:
    """A running Bugsink: its base URL, API token and the team new projects go into."""

    url: str
    token: str
    team: str
    log: Path

    def api(self, path: str, data: dict[str, Any] | None = None) -> Any:
        """GET (or POST ``data`` as JSON) ``/api/canonical/0/<path>`` and return the JSON."""
        request = urllib.request.Request(
            f"{self.url}/api/canonical/0/{path}",
            data=json.dumps(data).encode() if data is not None else None,
            headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())

    def new_project(self, name: str) -> tuple[int, str]:
        """Create a project; return its id and DSN."""
        created = self.api("projects/", {"name": name, "team": self.team})
        project = self.api(f"projects/{created['id']}/")
        return int(project["id"]), str(project["dsn"])

    def issues(self, project: int) -> list[dict[str, Any]]:
        """Every issue of a project."""
        return list(self._all(f"issues/?project={project}"))

    def events(self, issue: str) -> list[dict[str, Any]]:
        """Every event of an issue, with its full ``data`` (tags, contexts, server_name)."""
        return [self.api(f"events/{event['id']}/") for event in self._all(f"events/?issue={issue}")]

    def _all(self, path: str) -> Iterator[dict[str, Any]]:
        page = self.api(path)
        while True:
            yield from page["results"]
            if not page.get("next"):
                return
            with urllib.request.urlopen(
                urllib.request.Request(
                    page["next"], headers={"Authorization": f"Bearer {self.token}"}
                ),
                timeout=30,
            ) as response:
                page = json.loads(response.read())


@contextlib.contextmanager
def running_bugsink(workdir: Path) -> Iterator[Bugsink]:
    """Start Bugsink (installing and seeding it first if the cache is cold); stop it after."""
    home = ensure_installed()
    seed = json.loads((home / "seed" / "seed.json").read_text())
    workdir.mkdir(parents=True, exist_ok=True)
    for name in ("db.sqlite3", "snappea.sqlite3"):
        shutil.copyfile(home / "seed" / name, workdir / name)
    port = free_port()
    _write_settings(workdir, port)
    log = workdir / "bugsink.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [
                str(_bin(home, "gunicorn")),
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                "--threads",
                "4",
                "--no-control-socket",
                "bugsink.wsgi",
            ],
            cwd=workdir,
            env=_env(workdir),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    instance = Bugsink(f"http://127.0.0.1:{port}", seed["token"], seed["team"], log)
    try:
        _wait_until_up(instance, server)
        yield instance
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def ensure_installed() -> Path:
    """The cache dir with Bugsink's venv and a migrated seed database (built if missing)."""
    return built_once(cache_dir(), _build, BUGSINK_VERSION)


def _build(home: Path) -> None:
    venv.EnvBuilder(with_pip=True, symlinks=os.name != "nt").create(home / "venv")
    _run(
        [
            str(_bin(home, "python")),
            "-m",
            "pip",
            "install",
            "-q",
            "--disable-pip-version-check",
            f"bugsink=={BUGSINK_VERSION}",
        ],
        cwd=home,
        what="pip install bugsink",
    )
    seed = home / "seed"
    seed.mkdir()
    _write_settings(seed, 8000)
    manage = str(_bin(home, "bugsink-manage"))
    _run([manage, "migrate", "-v0"], cwd=seed, what="bugsink-manage migrate")
    _run(
        [manage, "migrate", "snappea", "--database=snappea", "-v0"],
        cwd=seed,
        what="bugsink-manage migrate snappea",
    )
    output = _run([manage, "shell", "-c", _SEED_SCRIPT], cwd=seed, what="seeding Bugsink")
    line = next(line for line in output.splitlines() if line.startswith("SEED "))
    (seed / "seed.json").write_text(line[len("SEED ") :])
    (seed / "bugsink_conf.py").unlink()


def _write_settings(directory: Path, port: int) -> None:
    (directory / "ingest").mkdir(exist_ok=True)
    (directory / "bugsink_conf.py").write_text(
        _SETTINGS.format(
            db=str(directory / "db.sqlite3"),
            snappea=str(directory / "snappea.sqlite3"),
            ingest=str(directory / "ingest"),
            port=port,
        )
    )


def _env(directory: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTHON", "VIRTUAL_ENV", "DJANGO_", "SENTRY_", "BOOTGUARD_"))
    }
    env["DJANGO_SETTINGS_MODULE"] = "bugsink_conf"
    env["PYTHONPATH"] = str(directory)
    return env


def _bin(home: Path, name: str) -> Path:
    return home / "venv" / ("Scripts" if os.name == "nt" else "bin") / name


def _run(command: list[str], *, cwd: Path, what: str) -> str:
    result = subprocess.run(
        command,
        cwd=cwd,
        env=_env(cwd),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if result.returncode != 0:
        msg = (
            f"{what} failed (exit {result.returncode}):\n"
            f"{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
        )
        raise RuntimeError(msg)
    return result.stdout


def _wait_until_up(instance: Bugsink, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            msg = f"Bugsink exited with {server.returncode}:\n{instance.log.read_text()[-4000:]}"
            raise RuntimeError(msg)
        try:
            instance.api("")
            return
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.1)
    msg = f"Bugsink did not answer within 60 s:\n{instance.log.read_text()[-4000:]}"
    raise RuntimeError(msg)
