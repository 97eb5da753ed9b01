"""Every lock format against a real environment: zero findings, and drift reported alike.

The user story: a team adopts bootguard with the lock its tool already writes (uv, Poetry 1
or 2, pipenv, pip-tools, ``pip lock``, or just pyproject.toml).  On an environment that
matches, the check must say nothing at all (a false alarm is the worst bug); when one
transitive dependency drifts, every format must report the very same finding, so a fleet
mixing tools groups into one Sentry issue.

The environments are real venvs filled by pip with tiny wheels carrying the real
distributions' names, versions and Requires-Dist (see :mod:`tests.support.locks`).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bootguard.api import check
from bootguard.manifest import DISCOVERY_ORDER, discover
from bootguard.report import Report
from tests.support.locks import CASES, DRIFTED_TZDATA, LOCKS, VENV_PYTHON_OK, Case, LockEnvs
from tests.support.venvs import clean_env

pytestmark = pytest.mark.skipif(
    not VENV_PYTHON_OK, reason="the fixture locks were resolved for CPython >= 3.11"
)

REPO_ROOT = Path(__file__).resolve().parents[2]


def _check(case: Case, python: Path) -> Report:
    return check(
        [case.path],
        python=str(python),
        extras=case.extras,
        groups=case.groups,
        use_seal=False,
    )


def _summary(report: Report) -> list[tuple[str, str, str | None, str | None]]:
    return [(f.key, f.status, f.expected, f.observed) for f in report.findings]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_matching_environment_has_zero_findings(case: Case, lock_envs: LockEnvs) -> None:
    venv = lock_envs.get(case.shape)
    report = _check(case, venv.python)
    assert _summary(report) == [], report.to_text(verbose=True)
    assert report.status == "pass"
    assert report.manifests[0].path == str(case.path)
    # the selection was not empty by accident: every installed distribution was accounted for
    assert report.manifests[0].entries >= 3


def test_transitive_drift_is_reported_identically_by_every_lock_format(
    lock_envs: LockEnvs,
) -> None:
    locks = [c for c in CASES if c.pins_transitive]
    assert {c.path.name for c in locks} == {
        "uv.lock",
        "poetry.lock",
        "Pipfile.lock",
        "pylock.toml",
        "requirements.txt",
    }
    expected = [("tzdata:version", "fail", "2026.6", DRIFTED_TZDATA)]
    signatures = set()
    for case in locks:
        report = _check(case, lock_envs.drifted(case.shape).python)
        assert _summary(report) == expected, (case.id, report.to_text())
        (finding,) = report.findings
        assert str(case.path) in finding.message  # points at the lock that pins it
        assert "python-dateutil" in "\n".join(finding.details)  # who requires it
        signatures.add(report.drift_signature())
    assert len(signatures) == 1


def test_specifier_mode_accepts_the_drift_but_not_a_violation(lock_envs: LockEnvs) -> None:
    """pyproject.toml pins nothing transitive: tzdata may move; python-dateutil<2.8 may not."""
    case = next(c for c in CASES if c.id == "pyproject")
    assert _summary(_check(case, lock_envs.drifted("uv").python)) == []
    report = _check(case, lock_envs.get("poetry").python)  # python-dateutil 3.0.0: fine too
    assert [f.key for f in report.findings] == ["iniconfig:version"]  # the dev group is missing
    assert report.findings[0].observed == "missing"


def test_discovery_order_and_the_cli_names_the_chosen_file(
    tmp_path: Path, lock_envs: LockEnvs
) -> None:
    project = tmp_path / "project"
    project.mkdir()
    sources = {
        "uv.lock": LOCKS / "uv/uv.lock",
        "poetry.lock": LOCKS / "poetry-2/poetry.lock",
        "Pipfile.lock": LOCKS / "pipenv/Pipfile.lock",
        "requirements.txt": LOCKS / "pip-tools/requirements.txt",
        "pyproject.toml": LOCKS / "poetry-2/pyproject.toml",
    }
    for name, source in sources.items():
        shutil.copyfile(source, project / name)
    found = []
    while (chosen := discover(project)) is not None:
        found.append(chosen.name)
        if chosen.name == "pyproject.toml":
            break
        chosen.unlink()
    # the documented order, restricted to the files present
    assert found == [n for n in DISCOVERY_ORDER if n in sources]

    shutil.copyfile(LOCKS / "uv/uv.lock", project / "uv.lock")
    result = _cli(
        project, "check", "--python", str(lock_envs.get("uv").python), "--extra", "speedups"
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "uv.lock" in result.stdout.splitlines()[-1]
    assert "0 failed, 0 warnings" in result.stdout

    drifted = lock_envs.drifted("uv")
    result = _cli(project, "check", "--python", str(drifted.python), "--extra", "speedups")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "FAIL  tzdata:version" in result.stdout
    assert "uv.lock: package[9] (tzdata) locks 2026.6" in result.stdout


def _cli(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bootguard", *args],
        cwd=cwd,
        env=clean_env(pythonpath=[REPO_ROOT]),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_bad_lock_exits_2_naming_file_and_key(tmp_path: Path) -> None:
    lock = tmp_path / "uv.lock"
    lock.write_text((LOCKS / "uv/uv.lock").read_text().replace("version = 1\n", "version = 9\n", 1))
    result = _cli(tmp_path, "check", "--manifest", str(lock), "--no-seal")
    assert result.returncode == 2
    assert f"{lock}: key 'version': unsupported uv.lock version 9" in result.stderr
