"""The gate's ``recheck_interval`` setting, end to end: a ``pip install`` in a running
process's environment flips its readiness.

A real process in a real venv runs ``bootguard.guard(app, recheck_interval=...)``; the test
installs another version into that venv while the process runs and waits for the process
to report that it is no longer ready.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

from tests.support.gate import GUARDED_WSGI, ShopFactory, no_control_socket
from tests.support.health import fetch, free_port
from tests.support.venvs import VenvFactory

TOKEN = "recheck-token"

APP = """
import sys, time
import bootguard
from bootguard import state

def app(environ, start_response):
    return []

bootguard.guard(app, manifest=sys.argv[1], recheck_interval=0.2, sentry=False)
print("ready" if state.current().ready else "not ready", flush=True)
sys.stdin.readline()  # the test changes the environment now
deadline = time.monotonic() + 20
while time.monotonic() < deadline and state.current().ready:
    time.sleep(0.05)
verdict = state.current()
print("ready" if verdict.ready else "not ready", verdict.report.status, flush=True)
"""


def test_recheck_setting_flips_readiness_after_a_pip_install(
    venv_factory: VenvFactory, tmp_path: Path, bootguard_pythonpath: Path
) -> None:
    venv = venv_factory(install=["taskq==5.0.0", "msgbus==4.1.0"])
    lock = tmp_path / "requirements.txt"
    lock.write_text("taskq==5.0.0\nmsgbus==4.1.0\n")
    script = tmp_path / "app.py"
    script.write_text(APP)
    process = subprocess.Popen(
        [str(venv.python), str(script), str(lock)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        cwd=tmp_path, env=venv.env(pythonpath=[bootguard_pythonpath]),
    )  # fmt: skip
    try:
        assert process.stdout is not None and process.stdin is not None
        assert process.stdout.readline().strip() == "ready"
        venv.install("msgbus==4.2.0")
        process.stdin.write("go\n")
        process.stdin.flush()
        assert process.stdout.readline().strip() == "not ready fail"
    finally:
        process.kill()
        _, stderr = process.communicate(timeout=10)
    assert "Traceback" not in stderr, stderr


WSGI = "import bootguard\n" + GUARDED_WSGI


def test_what_a_pip_install_in_the_running_server_does_to_readiness(
    venv_factory: VenvFactory, shop: ShopFactory
) -> None:
    """gunicorn, the gate with ``recheck_interval``, real ``pip`` into the server's venv.

    A new package the lock does not list is a warning (ready, status ``warn``); a locked
    distribution at another version, or missing, is a failure (503); putting the locked
    version back makes the node ready again.
    """
    interval = 0.3
    venv = venv_factory(install=["taskq==5.0.0", "msgbus==4.1.0"])
    app = shop(
        tool_bootguard=f'manifest = "requirements.lock"\nrecheck_interval = {interval}\n',
        files={"wsgi.py": WSGI},
    )
    port = free_port()
    argv = ["-m", "gunicorn", "--workers", "1", "--bind", f"127.0.0.1:{port}"]
    server = app.start(
        venv, [*argv, *no_control_socket(), "wsgi:application"], env={"BOOTGUARD_TOKEN": TOKEN}
    )

    def readiness() -> tuple[int, str, dict[str, str]]:
        reply = fetch(port, "/readyz", headers={"Authorization": f"Bearer {TOKEN}"})
        doc = reply.json()
        assert isinstance(doc, dict)
        checks = {key: items[0]["status"] for key, items in doc.get("checks", {}).items()}
        return reply.status, doc["status"], checks

    def settles(expected: int, key: str | None = None) -> tuple[int, str, dict[str, str]]:
        """Wait for ``expected`` (and ``key`` in the report), then hold it for 3 intervals."""
        deadline = time.monotonic() + interval + 15
        since: float | None = None
        while since is None or time.monotonic() - since < 3 * interval:
            assert time.monotonic() < deadline, server.output()
            status, _, checks = readiness()
            if status == expected and (key is None or key in checks):
                since = time.monotonic() if since is None else since
            else:
                since = None
            time.sleep(0.05)
        return readiness()

    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                fetch(port, "/livez", timeout=2)
                break
            except OSError:
                assert time.monotonic() < deadline, server.output()
                assert server.process.poll() is None, server.output()
                time.sleep(0.1)
        assert readiness()[:2] == (200, "pass")

        venv.install("PyGreet==2.0.1")  # not in the lock: extraneous, a warning
        status, body, checks = settles(200, "pygreet:extraneous")
        assert (status, body, checks["pygreet:extraneous"]) == (200, "warn", "warn")

        venv.install("msgbus==4.2.0")  # the locked distribution drifted: a failure
        status, body, checks = settles(503, "msgbus:version")
        assert (status, body, checks["msgbus:version"]) == (503, "fail", "fail")

        venv.install("msgbus==4.1.0")  # back to the lock: ready again
        status, body, checks = settles(200)
        assert "msgbus:version" not in checks
        assert (status, body) == (200, "warn")  # pygreet is still there

        venv.uninstall("msgbus")  # a locked distribution missing: a failure
        status, body, checks = settles(503, "msgbus:version")
        assert checks["msgbus:version"] == "fail"
        assert checks["taskq:requires"] == "fail"
    finally:
        server.stop()
    assert "Traceback" not in server.output()
