"""The user story of issue 2, end to end: a dependency drifts inside its sibling's range.

Celery requires ``kombu>=4.0.2,<5.0``; the lock pins kombu 4.1.0; a freshly autoscaled node
resolves kombu 4.2.0.  ``pip check`` is happy; bootguard must not be.  Here ``taskq`` plays
celery and ``msgbus`` plays kombu, installed with real pip into a real venv.
"""

from __future__ import annotations

from pathlib import Path

from tests.support.cli import bootguard_in, bootguard_outside, json_report
from tests.support.venvs import VenvFactory

LOCK = "taskq==5.0.0\nmsgbus==4.1.0\n"


def test_pip_check_passes_but_bootguard_catches_the_drift(
    venv_factory: VenvFactory, tmp_path: Path
) -> None:
    venv = venv_factory(install=["taskq==5.0.0", "msgbus==4.2.0"])
    lock = tmp_path / "requirements.txt"
    lock.write_text(LOCK)

    pip_check = venv.pip("check")
    assert pip_check.returncode == 0, pip_check.stdout + pip_check.stderr
    assert "No broken requirements found" in pip_check.stdout

    result = bootguard_outside(
        "check", "--manifest", lock, "--python", venv.python, "--color", "never"
    )
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    drift = next(line for line in lines if "msgbus:version" in line)
    assert drift.startswith("FAIL")
    assert "msgbus is 4.2.0" in drift
    assert f"{lock}:2 locks 4.1.0" in drift
    # the explanation: which installed distributions accept the installed version
    assert any("taskq 5.0.0 requires msgbus<5.0,>=4.0.2: accepts 4.2.0" in line for line in lines)
    assert len(lines) <= 24, "the story must fit on one screen"
    assert lines[-1].startswith("bootguard: fail")


def test_the_same_story_from_inside_the_environment_as_json(
    venv_factory: VenvFactory, tmp_path: Path, bootguard_pythonpath: Path
) -> None:
    venv = venv_factory(install=["taskq==5.0.0", "msgbus==4.2.0"])
    lock = tmp_path / "requirements.txt"
    lock.write_text(LOCK)

    result = bootguard_in(venv, bootguard_pythonpath, "check", "--manifest", lock, "--json")
    assert result.returncode == 1, result.stderr
    report = json_report(result)
    assert report["status"] == "fail"
    checks = report["checks"]
    assert isinstance(checks, dict)
    assert set(checks) == {"msgbus:version"}
    (item,) = checks["msgbus:version"]
    assert item["status"] == "fail"
    assert item["observedValue"] == "4.2.0"
    assert item["expectedValue"] == "4.1.0"
    assert item["componentType"] == "distribution"


def test_a_node_that_matches_the_lock_passes(venv_factory: VenvFactory, tmp_path: Path) -> None:
    venv = venv_factory(install=["taskq==5.0.0", "msgbus==4.1.0"])
    lock = tmp_path / "requirements.txt"
    lock.write_text(LOCK)
    result = bootguard_outside("check", "--manifest", lock, "--python", venv.python)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[-1].startswith("bootguard: pass")
