"""The gate's ``recheck_interval`` setting, end to end: a ``pip install`` in a running
process's environment flips its readiness.

A real process in a real venv runs ``bootguard.guard(app, recheck_interval=...)``; the test
installs another version into that venv while the process runs and waits for the process
to report that it is no longer ready.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.support.venvs import VenvFactory

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
