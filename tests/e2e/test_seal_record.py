"""``check --seal`` at build time, the recorded verdict at boot: fast when nothing changed,
the full check the moment anything the verdict depends on did.

Real venvs with really installed wheels; the record is found, trusted or refused exactly as
a node would (``python -m bootguard`` run by the venv's own interpreter).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.support.cli import bootguard_in
from tests.support.locks import (
    DRIFTED_TZDATA,
    LOCKS,
    VENV_PYTHON_OK,
    LockEnvs,
    build_lock_wheelhouse,
)
from tests.support.venvs import Venv, VenvFactory

REQS = "msgbus==4.1.0\ntaskq==5.0.0\n"


def _seals(venv: Venv) -> list[Path]:
    directory = venv.path / "share" / "bootguard" / "seals"
    return sorted(directory.iterdir()) if directory.is_dir() else []


def _verified_by(venv: Venv, path: Path, *args: str) -> tuple[str, int, str]:
    result = bootguard_in(venv, path, "check", *args, "-v")
    by = next((line.split()[2].rstrip(";") for line in result.stdout.splitlines()
               if line.startswith("verified by")), "?")  # fmt: skip
    return by, result.returncode, result.stdout


@pytest.fixture
def sealed(venv_factory: VenvFactory, bootguard_pythonpath: Path) -> tuple[Venv, Path]:
    venv = venv_factory(install=["taskq==5.0.0", "msgbus==4.1.0"])
    (venv.path / "requirements.txt").write_text(REQS)
    built = bootguard_in(venv, bootguard_pythonpath, "check", "-m", "requirements.txt", "--seal")
    assert built.returncode == 0, built.stderr
    assert "verdict sealed in" in built.stderr and len(_seals(venv)) == 1
    return venv, bootguard_pythonpath


def test_a_sealed_verdict_is_used_and_prints_what_the_full_check_prints(
    sealed: tuple[Venv, Path],
) -> None:
    venv, path = sealed
    assert _verified_by(venv, path, "-m", "requirements.txt")[:2] == ("seal", 0)
    for args in (
        ["check", "-m", "requirements.txt"],
        ["check", "--manifest=requirements.txt", "-q"],
        ["check", "-m", "requirements.txt", "--color", "always"],
        ["check", "-m", "./requirements.txt"],
        ["check", "-m", "requirements.txt", "--strict"],
        ["check", "-m", "requirements.txt", "--ignore"],
        ["check", "-m"],
        ["check", "-m", "requirements.txt", "--bogus"],
        ["check", "-m", "missing.txt"],
    ):
        fast = bootguard_in(venv, path, *args)
        full = bootguard_in(venv, path, *args, "--no-seal")
        assert (fast.stdout, fast.stderr, fast.returncode) == (
            full.stdout, full.stderr, full.returncode,
        ), args  # fmt: skip


@pytest.mark.parametrize(
    "change",
    ["upgrade", "remove", "install", "edit-manifest", "edit-include", "strict", "pip"],
)
def test_any_change_after_sealing_runs_the_full_check_and_finds_it(
    sealed: tuple[Venv, Path], change: str
) -> None:
    venv, path = sealed
    args = ["-m", "requirements.txt"]
    if change == "upgrade":
        venv.install("msgbus==4.2.0")
    elif change == "remove":
        venv.uninstall("taskq")
    elif change == "install":
        venv.install("msgbus==3.6.0")  # a downgrade that breaks taskq's requirement
    elif change == "edit-manifest":
        (venv.path / "requirements.txt").write_text(REQS.replace("4.1.0", "4.2.0"))
    elif change == "edit-include":  # sealed with an include, then the include changes
        (venv.path / "base.txt").write_text("msgbus==4.1.0\n")
        (venv.path / "requirements.txt").write_text("-r base.txt\ntaskq==5.0.0\n")
        built = bootguard_in(venv, path, "check", *args, "--seal")
        assert built.returncode == 0 and _verified_by(venv, path, *args)[0] == "seal"
        (venv.path / "base.txt").write_text("msgbus==4.2.0\n")
    elif change == "strict":
        args.append("--strict")
    elif change == "pip":  # not ignored by the seal: a manifest may pin it
        venv.install("msgbus==4.1.0", extra_args=["--force-reinstall"])
    by, code, out = _verified_by(venv, path, *args)
    assert by == "full", out
    if change in ("upgrade", "edit-manifest", "edit-include"):
        assert code == 1 and "msgbus:version" in out
    if change in ("remove", "install"):
        assert code == 1


def test_a_failing_environment_is_never_sealed(
    venv_factory: VenvFactory, bootguard_pythonpath: Path
) -> None:
    venv = venv_factory(install=["taskq==5.0.0", "msgbus==3.6.0"])
    (venv.path / "requirements.txt").write_text("msgbus==3.6.0\ntaskq==5.0.0\n")
    built = bootguard_in(venv, bootguard_pythonpath, "check", "-m", "requirements.txt", "--seal")
    assert built.returncode == 1 and "not sealed: the check failed" in built.stderr
    assert _seals(venv) == []


@pytest.mark.parametrize("kind", ["garbage", "fifo", "huge", "directory", "truncated"])
def test_a_hostile_record_means_the_full_check(sealed: tuple[Venv, Path], kind: str) -> None:
    venv, path = sealed
    (record,) = _seals(venv)
    original = record.read_bytes()
    record.unlink()
    if kind == "garbage":
        record.write_bytes(b"\x00\xff" * 1000)
    elif kind == "fifo":
        os.mkfifo(record)
    elif kind == "huge":
        with record.open("wb") as handle:
            handle.truncate(64 * 1024 * 1024)
    elif kind == "directory":
        record.mkdir()
    else:
        record.write_bytes(original[: len(original) // 2].replace(b"findings", b"x"))
    by, code, out = _verified_by(venv, path, "-m", "requirements.txt")
    assert (by, code) == ("full", 0), out


def test_a_record_lives_in_its_own_environment(
    sealed: tuple[Venv, Path], venv_factory: VenvFactory
) -> None:
    """One checkout shared by two venvs: the other venv's check is not answered by it."""
    venv, path = sealed
    other = venv_factory("other", install=["taskq==5.0.0", "msgbus==4.1.0"])
    manifest = venv.path / "requirements.txt"
    assert _verified_by(other, path, "-m", str(manifest))[:2] == ("full", 0)
    assert _verified_by(venv, path, "-m", str(manifest))[:2] == ("seal", 0)


def test_another_interpreter_or_integrity_is_refused_with_seal(sealed: tuple[Venv, Path]) -> None:
    venv, path = sealed
    for extra in (["--python", str(venv.python)], ["--integrity"]):
        result = bootguard_in(venv, path, "check", "-m", "requirements.txt", "--seal", *extra)
        assert result.returncode == 2 and result.stderr.startswith(
            "bootguard: error: argument --seal"
        )


def test_another_interpreter_key_never_matches(sealed: tuple[Venv, Path]) -> None:
    venv, path = sealed
    code = (
        "from bootguard.environment._scan import import_paths, interpreter_key, metadata_dirs\n"
        "from bootguard.environment.seal_record import find_record, options_text\n"
        "key = options_text(strict=False, ignore=(), extras=(), groups=None,"
        " allow_empty=False)\n"
        "dirs = metadata_dirs(import_paths())\n"
        "same = find_record(['requirements.txt'], key, dirs, interpreter_key())\n"
        "other = interpreter_key().replace('python=', 'python=9.')\n"
        "print(same is not None, find_record(['requirements.txt'], key, dirs, other) is None)\n"
    )
    result = venv.run(code, pythonpath=[path])
    assert result.stdout.split() == ["True", "True"], result.stderr


@pytest.mark.skipif(not VENV_PYTHON_OK, reason="the fixture locks were resolved on 3.11")
@pytest.mark.parametrize("manifest", ["uv/uv.lock", "poetry-2/poetry.lock", "pipenv/Pipfile.lock"])
def test_a_lock_sealed_at_build_is_the_gate_fast_path(
    tmp_path: Path, bootguard_pythonpath: Path, manifest: str
) -> None:
    """The gate configured with the lock itself (no second manifest) boots on the seal."""
    shape = "poetry" if "poetry" in manifest else "uv"
    envs = LockEnvs(tmp_path / "envs", build_lock_wheelhouse(tmp_path / "wheels"))
    venv = envs.get(shape)
    checkout = tmp_path / "app"
    shutil.copytree((LOCKS / manifest).parent, checkout)
    lock = checkout / Path(manifest).name
    selection = ["--group", "develop"] if "Pipfile" in manifest else ["--extra", "speedups"]
    args = ["check", "-m", str(lock), *selection]
    built = bootguard_in(venv, bootguard_pythonpath, *args, "--seal", cwd=checkout)
    assert built.returncode == 0 and "verdict sealed" in built.stderr, built.stdout + built.stderr
    fast = bootguard_in(venv, bootguard_pythonpath, *args, cwd=checkout)
    full = bootguard_in(venv, bootguard_pythonpath, *args, "--no-seal", cwd=checkout)
    assert (fast.stdout, fast.returncode) == (full.stdout, full.returncode)
    option = "groups" if "Pipfile" in manifest else "extras"
    value = selection[1]
    gate = (
        "from bootguard.gate import run\n"
        f"o = run({{'manifest': {str(lock)!r}, {option!r}: [{value!r}],"
        " 'sentry': False})\n"
        "print(o.report.verified_by, o.report.status, o.ready)\n"
    )
    result = venv.run(gate, pythonpath=[bootguard_pythonpath], cwd=checkout)
    assert result.stdout.split() == ["seal", "pass", "True"], result.stdout + result.stderr
    venv.install(f"tzdata=={DRIFTED_TZDATA}")  # drift after sealing: the gate's full check sees it
    result = venv.run(gate, pythonpath=[bootguard_pythonpath], cwd=checkout)
    assert result.stdout.split()[:2] == ["full", "fail"], result.stdout + result.stderr


def test_recorded_warnings_are_replayed_and_another_project_file_is_respected(
    venv_factory: VenvFactory, bootguard_pythonpath: Path
) -> None:
    """A sealed warning is reported at boot as the full check reports it; a pyproject.toml
    the gate adds (its root's) that could account for the extraneous one means the full check."""
    venv = venv_factory(install=["taskq==5.0.0", "msgbus==4.1.0", "fastjson==2.1"])
    locks = venv.path / "locks"
    locks.mkdir()
    (locks / "requirements.txt").write_text(REQS)
    args = ["check", "-m", "locks/requirements.txt"]
    built = bootguard_in(venv, bootguard_pythonpath, *args, "--seal")
    assert built.returncode == 0 and "verdict sealed" in built.stderr, built.stderr
    fast = bootguard_in(venv, bootguard_pythonpath, *args, "--json")
    full = bootguard_in(venv, bootguard_pythonpath, *args, "--json", "--no-seal")
    assert '"verifiedBy": "seal"' in fast.stdout and '"verifiedBy": "full"' in full.stdout
    assert fast.returncode == full.returncode == 0
    fast_text = bootguard_in(venv, bootguard_pythonpath, *args)
    full_text = bootguard_in(venv, bootguard_pythonpath, *args, "--no-seal")
    assert fast_text.stdout == full_text.stdout and "fastjson:extraneous" in fast_text.stdout
    gate = (
        "from bootguard.gate import run\n"
        "o = run({'manifest': 'locks/requirements.txt', 'sentry': False})\n"
        "print(o.report.verified_by, sorted(f.key for f in o.report.problems))\n"
    )
    seen = venv.run(gate, pythonpath=[bootguard_pythonpath], cwd=venv.path)
    assert seen.stdout.startswith("seal ['fastjson:extraneous'"), seen.stdout + seen.stderr
    (venv.path / "pyproject.toml").write_text('[project]\nname = "fastjson"\nversion = "2.1"\n')
    seen = venv.run(gate, pythonpath=[bootguard_pythonpath], cwd=venv.path)
    assert seen.stdout.startswith("full []"), seen.stdout + seen.stderr


def test_sealing_again_after_an_edit_replaces_the_record(sealed: tuple[Venv, Path]) -> None:
    venv, path = sealed
    (old,) = _seals(venv)
    (venv.path / "requirements.txt").write_text(REQS + "# reviewed\n")
    again = bootguard_in(venv, path, "check", "-m", "requirements.txt", "--seal")
    assert again.returncode == 0 and "verdict sealed" in again.stderr
    (new,) = _seals(venv)  # one record per check: the one for the old contents is gone
    assert new != old and new.name.split("-")[0] == old.name.split("-")[0]
    other = bootguard_in(venv, path, "check", "-m", "requirements.txt", "--seal", "--strict")
    assert other.returncode == 0 and len(_seals(venv)) == 2  # another check, its own record
    assert _verified_by(venv, path, "-m", "requirements.txt")[:2] == ("seal", 0)
