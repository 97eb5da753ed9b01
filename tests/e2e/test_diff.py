"""``bootguard diff``: "why is node 7 different from node 3", from locks or from JSON reports.

End to end through the command: two nodes write ``bootguard check --json`` reports (real
venvs, one with a drifted transitive dependency), and ``bootguard diff`` names exactly what
differs; the same command compares two locks of different formats, or a lock with a node.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.locks import DRIFTED_TZDATA, LOCKS, VENV_PYTHON_OK, LockEnvs
from tests.support.venvs import clean_env

REPO_ROOT = Path(__file__).resolve().parents[2]


def _bootguard(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bootguard", *map(str, args)],
        cwd=cwd or REPO_ROOT,
        env=clean_env(pythonpath=[REPO_ROOT]),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_two_locks_of_different_formats() -> None:
    result = _bootguard(
        "diff", LOCKS / "uv/uv.lock", LOCKS / "poetry-2/poetry.lock", "--extra", "speedups"
    )
    assert result.returncode == 1, result.stderr
    rows = [line.split() for line in result.stdout.splitlines()[2:-1]]
    assert rows == [
        ["removed", "demo-app", "0.1.0"],  # poetry.lock does not lock the project itself
        ["removed", "iniconfig", "2.3.1"],  # uv selects its default dev group
        ["changed", "python-dateutil", "4.0.0", "->", "3.0.0"],
        ["added", "six", "1.17.0"],
    ]
    assert result.stdout.splitlines()[-1] == "4 differences: 1 added, 2 removed, 1 changed"

    same = _bootguard(
        "diff", LOCKS / "poetry-1.1/poetry.lock", LOCKS / "poetry-2/poetry.lock", "--json"
    )
    assert same.returncode == 0, same.stderr
    document = json.loads(same.stdout)
    assert document["identical"] is True
    assert document["added"] == document["removed"] == document["changed"] == {}


@pytest.mark.skipif(
    not VENV_PYTHON_OK, reason="the fixture locks were resolved for CPython >= 3.11"
)
def test_two_nodes_json_reports_and_a_lock_against_a_node(
    tmp_path: Path, lock_envs: LockEnvs
) -> None:
    reports = {}
    for node, venv in (("node3", lock_envs.get("uv")), ("node7", lock_envs.drifted("uv"))):
        result = _bootguard(
            "check", "--json", "--python", venv.python, "--extra", "speedups",
            "--manifest", LOCKS / "uv/uv.lock",
        )  # fmt: skip
        assert result.returncode in (0, 1), result.stderr
        reports[node] = tmp_path / f"{node}.json"
        reports[node].write_text(result.stdout)
        installed = json.loads(result.stdout)["installed"]
        assert installed["demo-app"] == "0.1.0"

    result = _bootguard("diff", reports["node3"], reports["node7"])
    assert result.returncode == 1, result.stderr
    assert result.stdout.splitlines()[2].split() == [
        "changed",
        "tzdata",
        "2026.6",
        "->",
        DRIFTED_TZDATA,
    ]
    assert result.stdout.splitlines()[-1] == "1 difference: 0 added, 0 removed, 1 changed"

    # a node verified by its snapshot seal (no metadata read) reports the same inventory
    snapshot = tmp_path / "snapshot.txt"
    venv = lock_envs.get("uv")
    assert _bootguard("snapshot", "--python", venv.python, "-o", snapshot).returncode == 0
    sealed = _bootguard("check", "--json", "--python", venv.python, "--manifest", snapshot)
    assert json.loads(sealed.stdout)["verifiedBy"] == "seal"
    (tmp_path / "sealed.json").write_text(sealed.stdout)
    result = _bootguard("diff", reports["node3"], tmp_path / "sealed.json")
    assert result.returncode == 0, result.stdout + result.stderr

    # the lock against what node 3 reported: nothing differs
    result = _bootguard("diff", LOCKS / "uv/uv.lock", reports["node3"], "--extra", "speedups")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[-1] == "identical: 6 distributions"

    # a specifier-mode manifest agrees with any version it allows
    result = _bootguard(
        "diff", LOCKS / "uv/pyproject.toml", reports["node7"], "--json", "--extra", "speedups"
    )
    document = json.loads(result.stdout)
    assert document["changed"] == {}
    assert set(document["added"]) == {"demo-app", "iniconfig", "tzdata"}


def test_bad_input_exits_2(tmp_path: Path) -> None:
    old_report = tmp_path / "old.json"
    old_report.write_text(json.dumps({"status": "pass", "checks": {}}))
    broken = tmp_path / "uv.lock"
    broken.write_text("version = 1\n[[package]\n")
    for a, b, message in (
        (tmp_path / "missing.lock", LOCKS / "uv/uv.lock", "missing.lock: cannot read"),
        (old_report, LOCKS / "uv/uv.lock", "no 'installed' map"),
        (LOCKS / "uv/uv.lock", broken, f"{broken}:2: invalid TOML"),
    ):
        result = _bootguard("diff", a, b)
        assert result.returncode == 2, result.stdout
        assert message in result.stderr
