"""Installed layouts beyond a plain venv: distribution packages, eggs, zips, ``--target``.

The rule: what ``importlib.metadata.distributions()`` sees on the path, bootguard sees, and
a layout that ``pip check`` is silent about is never a ``fail``.  Debian's own interpreter
is checked as it is on this machine (``dist-packages`` ships ``cryptography.egg-info``
beside ``cryptography-38.0.4.dist-info``); the other layouts are built in a real venv with
real pip and the files easy_install, zipapp and ``pip install --target`` leave.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.support.cli import bootguard_outside, json_report
from tests.support.venvs import Venv, VenvFactory, clean_env

SYSTEM_PYTHON = Path("/usr/bin/python3")

# Runs in the interpreter under test: its own view of the installed distributions.
_IMPORTLIB_VIEW = r"""
import importlib.metadata, json, re, sys
seen, everything = {}, []
for dist in importlib.metadata.distributions():
    name = re.sub(r"[-_.]+", "-", dist.metadata["Name"]).lower()
    everything.append([name, dist.version])
    seen.setdefault(name, dist.version)
print(json.dumps({"first": seen, "all": everything}))
"""


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _system_pip_check() -> subprocess.CompletedProcess[str]:
    """``pip check`` of the system interpreter: its own pip, else this venv's pip aimed at it."""
    env = clean_env()
    own = subprocess.run(
        [str(SYSTEM_PYTHON), "-c", "import pip"], capture_output=True, env=env, check=False
    )
    if own.returncode == 0:
        command = [str(SYSTEM_PYTHON), "-m", "pip", "check"]
    else:
        command = [sys.executable, "-m", "pip", "--python", str(SYSTEM_PYTHON), "check"]
    return subprocess.run(
        command, capture_output=True, text=True, env=env, timeout=120, check=False
    )


@pytest.mark.skipif(not SYSTEM_PYTHON.exists(), reason="no /usr/bin/python3 on this machine")
def test_system_python_fails_only_where_pip_check_does(tmp_path: Path) -> None:
    result = bootguard_outside("check", "--no-manifest", "--python", SYSTEM_PYTHON, "--json")
    assert result.returncode in (0, 1), result.stderr
    report = json_report(result)
    checks = report.get("checks", {})
    assert isinstance(checks, dict)
    failed = {
        key.split(":")[0]
        for key, items in checks.items()
        if any(item["status"] == "fail" for item in items)
    }
    pip_check = _system_pip_check()
    complained = {
        _canonical(line.split()[0]) for line in pip_check.stdout.splitlines() if line.strip()
    }
    assert failed <= complained, (failed, pip_check.stdout)
    assert not any(key.endswith(":duplicate") and "fail" in str(v) for key, v in checks.items())

    # the same inventory as importlib.metadata, and a note for each version found twice
    view = subprocess.run(
        [str(SYSTEM_PYTHON), "-I", "-c", _IMPORTLIB_VIEW],
        capture_output=True, text=True, check=True, cwd=tmp_path,
    )  # fmt: skip
    seen = json.loads(view.stdout)
    assert report.get("installed") == seen["first"]
    twice = {name for name, _ in seen["all"] if [n for n, _ in seen["all"]].count(name) > 1}
    notes = "\n".join(str(n) for n in report.get("notes", []))  # type: ignore[attr-defined]
    for name in twice:
        versions = {v for n, v in seen["all"] if n == name}
        if len(versions) == 1:
            assert f"{next(iter(versions))} has two metadata directories" in notes or (
                "shadows the same version" in notes
            ), (name, notes)


def _pkg_info(name: str, version: str, requires: tuple[str, ...] = ()) -> str:
    lines = ["Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}"]
    lines += [f"Requires-Dist: {r}" for r in requires]
    return "\n".join(lines) + "\n\n"


def _in_venv(venv: Venv, bootguard_path: Path, code: str, *, cwd: Path, more: tuple[Path, ...] = ()) -> dict[str, object]:  # fmt: skip
    result = venv.run(code, pythonpath=[bootguard_path, *more], cwd=cwd)
    assert result.returncode == 0, result.stderr
    data: dict[str, object] = json.loads(result.stdout.splitlines()[-1])
    return data


_CHECK_HERE = (
    "import bootguard, json; r = bootguard.check([]); print(json.dumps(r.to_health_json()))"
)


def test_eggs_zips_egg_info_files_and_target_dirs_are_seen_as_importlib_sees_them(
    venv_factory: VenvFactory, bootguard_pythonpath: Path, tmp_path: Path
) -> None:
    venv = venv_factory("app", install=["msgbus==4.1.0"])
    site = venv.site_packages
    # a single-file egg-info (distutils), an unzipped and a zipped egg added by a .pth file
    (site / "oldlib-1.0-py3.11.egg-info").write_text(_pkg_info("oldlib", "1.0"))
    egg_dir = tmp_path / "eggs" / "eggy-2.0-py3.11.egg"
    (egg_dir / "EGG-INFO").mkdir(parents=True)
    (egg_dir / "EGG-INFO" / "PKG-INFO").write_text(_pkg_info("eggy", "2.0"))
    (egg_dir / "EGG-INFO" / "requires.txt").write_text("msgbus>=4\n")
    zipped = tmp_path / "eggs" / "zeggy-3.0-py3.11.egg"
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.writestr("EGG-INFO/PKG-INFO", _pkg_info("zeggy", "3.0", ("nothere>=1",)))
        archive.writestr("zeggy/__init__.py", "")
    (site / "easy-install.pth").write_text(f"{egg_dir}\n{zipped}\n")
    # pip install --target, put on PYTHONPATH
    target = tmp_path / "target"
    venv.pip("install", "--no-index", "--find-links", venv.find_links[0], "--target", target,
             "--no-deps", "-q", "taskq==5.0.0", check=True)  # fmt: skip

    work = tmp_path / "work"
    work.mkdir()
    ours = _in_venv(venv, bootguard_pythonpath, _CHECK_HERE, cwd=work, more=(target,))
    theirs = _in_venv(venv, bootguard_pythonpath, _IMPORTLIB_VIEW, cwd=work, more=(target,))
    assert ours["installed"] == theirs["first"]
    for name in ("oldlib", "eggy", "zeggy"):
        assert name in ours["installed"]  # type: ignore[operator]
    # read, not just listed: the zipped egg's requirement is checked
    assert "zeggy:requires" in ours["checks"]  # type: ignore[operator]
    assert "eggy:requires" not in ours["checks"]  # type: ignore[operator]

    # any change to the installed set changes the seal's key, zipped eggs included
    key = "from bootguard.environment.seal import environment_key; import sys; print(environment_key(sys.path))"
    before = venv.run(key, pythonpath=[bootguard_pythonpath], cwd=work, check=True).stdout
    with zipfile.ZipFile(zipped, "w") as archive:  # same file name, other egg inside
        archive.writestr("EGG-INFO/PKG-INFO", _pkg_info("zeggy", "3.0"))
    shutil.move(zipped, zipped.with_name("zeggy-3.1-py3.11.egg"))
    (site / "easy-install.pth").write_text(
        f"{egg_dir}\n{zipped.with_name('zeggy-3.1-py3.11.egg')}\n"
    )
    after = venv.run(key, pythonpath=[bootguard_pythonpath], cwd=work, check=True).stdout
    assert before != after


def _stale_msgbus_egg_info(directory: Path, version: str) -> Path:
    """``directory`` with a ``msgbus.egg-info`` of ``version`` in it (as a checkout leaves)."""
    (directory / "msgbus.egg-info").mkdir(parents=True, exist_ok=True)
    (directory / "msgbus.egg-info" / "PKG-INFO").write_text(_pkg_info("msgbus", version))
    return directory


def test_a_stale_egg_info_in_the_working_directory_is_a_note(
    venv_factory: VenvFactory, bootguard_pythonpath: Path, tmp_path: Path
) -> None:
    venv = venv_factory("app", install=["msgbus==4.1.0"])
    work = _stale_msgbus_egg_info(tmp_path / "checkout", "4.1.0")
    same = _in_venv(venv, bootguard_pythonpath, _CHECK_HERE, cwd=work)
    assert "msgbus:duplicate" not in same["checks"]  # type: ignore[operator]
    notes = same.get("notes", [])
    assert any(
        f"msgbus 4.1.0 in the current directory shadows the same version in {venv.site_packages}"
        in note
        for note in notes  # type: ignore[attr-defined]
    ), notes

    _stale_msgbus_egg_info(work, "4.0.0")
    older = _in_venv(venv, bootguard_pythonpath, _CHECK_HERE, cwd=work)
    [finding] = older["checks"]["msgbus:duplicate"]  # type: ignore[index]
    assert finding["status"] == "warn"
    assert finding["output"] == (
        f"msgbus 4.0.0 in the current directory shadows msgbus 4.1.0 in {venv.site_packages}"
    )


def test_two_versions_in_one_directory_still_fail_and_name_both(
    venv_factory: VenvFactory, tmp_path: Path
) -> None:
    venv = venv_factory("app", install=["msgbus==4.1.0"])
    leftover = venv.site_packages / "msgbus-4.0.0.dist-info"
    leftover.mkdir()
    (leftover / "METADATA").write_text(_pkg_info("msgbus", "4.0.0"))
    result = bootguard_outside("check", "--no-manifest", "--python", venv.python, "--json")
    [finding] = json_report(result)["checks"]["msgbus:duplicate"]  # type: ignore[index]
    assert finding["status"] == "fail"
    assert "msgbus-4.0.0.dist-info (4.0.0)" in finding["output"]
    assert "msgbus-4.1.0.dist-info (4.1.0)" in finding["output"]
    assert str(venv.site_packages) in finding["output"]
    assert os.path.isdir(leftover)


def test_the_script_directory_is_named_as_such(
    venv_factory: VenvFactory, bootguard_pythonpath: Path, tmp_path: Path
) -> None:
    """At boot, ``sys.path[0]`` is the application's directory: a stale copy there is named."""
    venv = venv_factory("app", install=["msgbus==4.1.0"])
    app = _stale_msgbus_egg_info(tmp_path / "app", "4.0.0")
    (app / "boot.py").write_text(_CHECK_HERE.replace("; ", "\n") + "\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = subprocess.run(
        [str(venv.python), str(app / "boot.py")], capture_output=True, text=True,
        cwd=elsewhere, env=venv.env(pythonpath=[bootguard_pythonpath]), timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.splitlines()[-1])
    [finding] = report["checks"]["msgbus:duplicate"]
    assert finding["output"] == (
        f"msgbus 4.0.0 in the script directory ({app}) shadows msgbus 4.1.0 in {venv.site_packages}"
    )
