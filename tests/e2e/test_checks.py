"""The individual checks on real venvs: extraneous, duplicate, python, seal behaviour, CLI.

Each test builds the smallest real environment that shows one behaviour an operator relies
on, and runs the real command.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.support.cli import bootguard_in, bootguard_outside, json_report, snapshot_in
from tests.support.venvs import VenvFactory

LOCK = "taskq==5.0.0\nmsgbus==4.1.0\n"


def _checks(result_stdout_json: dict[str, object]) -> dict[str, list[dict[str, object]]]:
    checks = result_stdout_json["checks"]
    assert isinstance(checks, dict)
    return checks


def test_extraneous_warns_strict_fails_ignore_hides(
    venv_factory: VenvFactory, tmp_path: Path
) -> None:
    venv = venv_factory(install=["taskq==5.0.0", "msgbus==4.1.0", "zope.interface==6.0"])
    lock = tmp_path / "requirements.txt"
    lock.write_text(LOCK)
    base = ("check", "-m", lock, "--python", venv.python, "--json")

    warned = bootguard_outside(*base)
    assert warned.returncode == 0
    checks = _checks(json_report(warned))
    assert set(checks) == {"zope-interface:extraneous"}
    assert checks["zope-interface:extraneous"][0]["status"] == "warn"

    strict = bootguard_outside(*base, "--strict")
    assert strict.returncode == 1
    assert _checks(json_report(strict))["zope-interface:extraneous"][0]["status"] == "fail"

    ignored = bootguard_outside(*base, "--strict", "--ignore", "Zope.Interface")
    assert ignored.returncode == 0
    assert _checks(json_report(ignored)) == {}


@pytest.mark.parametrize(
    ("name", "line"),
    [("requirements.in", "taskq>=5\n"), ("requirements.txt", "taskq==5.0.0\n")],
    ids=["specifier", "pinned"],
)
def test_top_level_requirements_account_for_transitive_dependencies(
    venv_factory: VenvFactory, tmp_path: Path, name: str, line: str
) -> None:
    """A file of top-level requirements (not a lock) lists only what the app asks for directly:
    a specifier (``taskq>=5``), or a pin (``taskq==5.0.0`` alone, no msgbus line: a common
    requirements file).  No false alarm either way."""
    venv = venv_factory(install=["taskq==5.0.0", "msgbus==4.1.0", "zope.interface==6.0"])
    top = tmp_path / name
    top.write_text(line)
    checks = _checks(
        json_report(bootguard_outside("check", "-m", top, "--python", venv.python, "--json"))
    )
    assert set(checks) == {"zope-interface:extraneous"}  # msgbus is required by taskq: fine


def test_missing_distribution_and_python_requirements(
    venv_factory: VenvFactory, tmp_path: Path
) -> None:
    venv = venv_factory(install=["taskq==5.0.0", "msgbus==4.1.0"])
    venv.install("py4only==1.0", extra_args=["--ignore-requires-python"])  # a copied-in env
    lock = tmp_path / "pylock.toml"

    def wheel(name: str, version: str) -> str:
        return (
            f'wheels = [{{ name = "{name}-{version}-py3-none-any.whl", '
            'url = "https://e.invalid/w", hashes = { sha256 = "00" } }]'
        )

    lock.write_text(
        'lock-version = "1.0"\ncreated-by = "test"\nrequires-python = ">=3.99"\n'
        + "".join(
            f'[[packages]]\nname = "{n}"\nversion = "{v}"\n{wheel(n, v)}\n'
            for n, v in [
                ("taskq", "5.0.0"),
                ("msgbus", "4.1.0"),
                ("py4only", "1.0"),
                ("absent", "2.0"),
            ]
        )
    )
    result = bootguard_outside("check", "-m", lock, "--python", venv.python, "--json")
    assert result.returncode == 1
    checks = _checks(json_report(result))
    assert set(checks) == {"python:python", "py4only:python", "absent:version"}
    assert checks["absent:version"][0]["observedValue"] == "missing"
    assert checks["python:python"][0]["expectedValue"] == ">=3.99"


def test_duplicates_shadowed_warn_and_half_installed_fail(
    venv_factory: VenvFactory, tmp_path: Path, bootguard_pythonpath: Path
) -> None:
    venv = venv_factory(install=["taskq==5.0.0", "msgbus==4.1.0"])
    other = venv_factory("other", install=["msgbus==4.2.0"])
    shadow_dir = tmp_path / "extra-path"
    shadow_dir.mkdir()
    shutil.copytree(
        other.site_packages / "msgbus-4.2.0.dist-info", shadow_dir / "msgbus-4.2.0.dist-info"
    )
    pythonpath = f"{bootguard_pythonpath}:{shadow_dir}"

    import subprocess

    def run() -> dict[str, list[dict[str, object]]]:
        result = subprocess.run(
            [str(venv.python), "-m", "bootguard", "check", "--no-manifest", "--json"],
            capture_output=True, text=True, cwd=venv.path,
            env=venv.env({"PYTHONPATH": pythonpath}), check=False,
        )  # fmt: skip
        return _checks(json_report(result))

    # PYTHONPATH comes before site-packages: 4.2.0 shadows the venv's 4.1.0, and taskq still fits
    shadowed = run()
    assert set(shadowed) == {"msgbus:duplicate"}
    assert shadowed["msgbus:duplicate"][0]["status"] == "warn"
    assert shadowed["msgbus:duplicate"][0]["expectedValue"] == "4.2.0"  # the winner

    # two versions' metadata in one site-packages: a half-finished upgrade
    shutil.move(
        shadow_dir / "msgbus-4.2.0.dist-info", venv.site_packages / "msgbus-4.2.0.dist-info"
    )
    broken = run()
    assert broken["msgbus:duplicate"][0]["status"] == "fail"


def test_seal_mismatch_falls_back_to_the_full_check(
    venv_factory: VenvFactory, tmp_path: Path, bootguard_pythonpath: Path
) -> None:
    venv = venv_factory(install=["taskq==5.0.0", "msgbus==4.1.0"])
    snapshot = snapshot_in(venv, bootguard_pythonpath, tmp_path / "snapshot.txt")
    fast = bootguard_in(venv, bootguard_pythonpath, "check", "-m", snapshot)
    assert fast.returncode == 0 and "sealed snapshot" in fast.stdout

    # an edit to the file breaks the seal but not the verdict
    snapshot.write_text(snapshot.read_text() + "# reviewed by ops\n")
    edited = json_report(
        bootguard_in(venv, bootguard_pythonpath, "check", "-m", snapshot, "--json")
    )
    assert (edited["status"], edited["verifiedBy"]) == ("pass", "full")

    # a drifted node: same file, other version installed -> the full check explains it
    venv.install("msgbus==4.2.0")
    drifted = bootguard_in(venv, bootguard_pythonpath, "check", "-m", snapshot)
    assert drifted.returncode == 1
    assert "msgbus:version" in drifted.stdout and "sealed" not in drifted.stdout


def test_snapshot_of_a_broken_environment_is_not_sealed(
    venv_factory: VenvFactory, tmp_path: Path, bootguard_pythonpath: Path
) -> None:
    venv = venv_factory(install=["taskq==5.0.0", "msgbus==3.6.0"])
    snapshot = tmp_path / "snapshot.txt"
    made = bootguard_in(venv, bootguard_pythonpath, "snapshot", "-o", snapshot)
    assert made.returncode == 0
    assert "without a seal" in made.stderr and "taskq:requires" in made.stderr
    assert "bootguard-seal" not in snapshot.read_text()
    assert bootguard_in(venv, bootguard_pythonpath, "check", "-m", snapshot).returncode == 1


def test_discovery_in_the_current_directory_and_exit_codes(
    venv_factory: VenvFactory, tmp_path: Path
) -> None:
    venv = venv_factory(install=["taskq==5.0.0", "msgbus==4.2.0"])
    project = tmp_path / "project"
    project.mkdir()
    # no manifest at all: consistency only, like pip check
    alone = bootguard_outside("check", "--python", venv.python, cwd=project)
    assert alone.returncode == 0 and "no manifest" in alone.stdout
    (project / "requirements.txt").write_text(LOCK)
    found = bootguard_outside("check", "--python", venv.python, cwd=project)
    assert found.returncode == 1 and "requirements.txt:2" in found.stdout

    (project / "requirements.txt").write_text("taskq==5.0.0\nnot a requirement\n")
    bad = bootguard_outside("check", "--python", venv.python, cwd=project)
    assert bad.returncode == 2
    assert bad.stderr.strip().splitlines() == [
        "bootguard: error: requirements.txt:2: invalid requirement 'not a requirement': "
        + bad.stderr.split("invalid requirement 'not a requirement': ", 1)[1].strip()
    ]
    assert "Traceback" not in bad.stderr

    usage = bootguard_outside("check", "--bogus")
    assert usage.returncode == 2 and "Traceback" not in usage.stderr
    missing = bootguard_outside("check", "-m", tmp_path / "nope.txt", "--python", venv.python)
    assert missing.returncode == 2 and "nope.txt: no such file" in missing.stderr
    no_python = bootguard_outside("check", "--python", tmp_path / "nope" / "python")
    assert no_python.returncode == 2 and "Traceback" not in no_python.stderr
