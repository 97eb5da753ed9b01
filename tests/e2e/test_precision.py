"""Precision: a clean environment checked against every supported format reports nothing.

False positives are the worst bug a boot-time checker can have (it gets ripped out), so
this environment is deliberately awkward: names that need normalization
(``zope.interface``, ``typing_extensions``, ``PyGreet``), a requirement whose marker is
false on Linux, an extra pulled in by another distribution, an editable install of the
project itself and a direct-URL install.  Each manifest is produced the way users produce
it: real ``pip freeze``, real ``pip lock`` (PEP 751), a hand-kept hashed requirements file
with includes, and ``bootguard snapshot``.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.cli import bootguard_in, bootguard_outside, json_report
from tests.support.venvs import Venv, VenvFactory, clean_env
from tests.support.wheels import build_editable_project

PINS = {
    "webapp": "1.0",
    "taskq": "5.0.0",
    "msgbus": "4.1.0",
    "webkit": "1.0",
    "fastjson": "2.1",
    "zope.interface": "6.0",
    "typing_extensions": "4.12.2",
    "platdep": "1.0",
}


@dataclass(frozen=True)
class Rich:
    venv: Venv
    project: Path
    wheel: Path
    root: Path


@pytest.fixture
def rich(venv_factory: VenvFactory, wheelhouse: Path, tmp_path: Path) -> Rich:
    venv = venv_factory(install=[f"{name}=={version}" for name, version in PINS.items()])
    wheel = wheelhouse / "pygreet-2.0.1-py3-none-any.whl"
    venv.install(wheel)  # a direct-URL install (PEP 610 archive_info)
    project = build_editable_project(tmp_path, "my_proj", "0.1.0", requires=["msgbus>=4"])
    venv.install(project, editable=True)
    return Rich(venv, project, wheel, tmp_path)


def _assert_clean(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == 0, result.stdout + result.stderr
    report = json_report(result)
    assert report["status"] == "pass", report
    assert report["checks"] == {}, report["checks"]
    assert report["distributions"] == 10


def test_pip_freeze_output(rich: Rich) -> None:
    freeze = rich.venv.pip("freeze")
    assert freeze.returncode == 0
    assert "-e " in freeze.stdout and "PyGreet @ file://" in freeze.stdout  # the awkward lines
    manifest = rich.root / "freeze.txt"
    manifest.write_text(freeze.stdout)
    _assert_clean(
        bootguard_outside("check", "-m", manifest, "--python", rich.venv.python, "--json")
    )


def test_pip_lock_pylock_toml(rich: Rich, wheelhouse: Path) -> None:
    top = rich.root / "top.txt"
    top.write_text(
        "webapp==1.0\nmsgbus==4.1.0\nfastjson==2.1\nzope.interface==6.0\n"
        f"typing_extensions==4.12.2\nplatdep==1.0\n{rich.wheel}\n-e {rich.project}\n"
    )
    pylock = rich.root / "pylock.toml"
    made = subprocess.run(
        [sys.executable, "-m", "pip", "lock", "-q", "-r", str(top), "--no-index",
         "--find-links", str(wheelhouse), "-o", str(pylock)],
        capture_output=True, text=True, env=clean_env(), cwd=rich.root, check=False,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert 'created-by = "pip"' in pylock.read_text()
    _assert_clean(bootguard_outside("check", "-m", pylock, "--python", rich.venv.python, "--json"))


def test_hand_kept_requirements_with_hashes_includes_markers_and_options(rich: Rich) -> None:
    (rich.root / "base.txt").write_text(
        "# base dependencies, as pip-compile writes them\n"
        "msgbus==4.1.0 \\\n"
        "    --hash=sha256:0000000000000000000000000000000000000000000000000000000000000000\n"
        "taskq==5.0.0  # via webapp\n"
        "Zope.Interface==6.0.0\n"  # name and version both need normalizing
    )
    (rich.root / "constraints.txt").write_text("fastjson>=2,<3\nnever-installed==1.0\n")
    manifest = rich.root / "requirements.txt"
    manifest.write_text(
        "--index-url https://example.invalid/simple\n"
        "--extra-index-url=https://example.invalid/extra\n"
        "-r base.txt\n"
        "-c constraints.txt\n"
        "webapp==1.0\n"
        "webkit[speedups]==1.0\n"
        "fastjson===2.1\n"
        "typing-extensions==4.12.2\n"
        "platdep==1.0\n"
        'winonly==9.9 ; sys_platform == "win32"\n'
        f"PyGreet @ {rich.wheel.as_uri()}\n"
        f"-e {rich.project}\n"
    )
    _assert_clean(
        bootguard_outside("check", "-m", manifest, "--python", rich.venv.python, "--json")
    )


def test_bootguard_snapshot_round_trip(rich: Rich, bootguard_pythonpath: Path) -> None:
    snapshot = rich.root / "snapshot.txt"
    made = bootguard_in(rich.venv, bootguard_pythonpath, "snapshot", "-o", snapshot)
    assert made.returncode == 0, made.stderr
    text = snapshot.read_text()
    assert "# bootguard-seal: sha256=" in text
    assert "-e file://" in text and "PyGreet @ file://" in text
    sealed = bootguard_in(rich.venv, bootguard_pythonpath, "check", "-m", snapshot, "--json")
    _assert_clean(sealed)
    assert json_report(sealed)["verifiedBy"] == "seal"
    full = bootguard_in(
        rich.venv, bootguard_pythonpath, "check", "-m", snapshot, "--json", "--no-seal"
    )
    _assert_clean(full)
    assert json_report(full)["verifiedBy"] == "full"


def test_pylock_selection_markers_extras_and_groups(rich: Rich) -> None:
    """A hand-written PEP 751 file exercising selection: markers, extras, dependency groups."""
    pylock = rich.root / "pylock.toml"
    packages = "".join(
        f'[[packages]]\nname = "{name}"\nversion = "{version}"\n{marker}'
        f'[[packages.wheels]]\nname = "{wheel}-{version}-py3-none-any.whl"\n'
        f'url = "https://files.example.invalid/{wheel}-{version}-py3-none-any.whl"\n'
        'hashes = { sha256 = "00" }\n\n'
        for name, version, wheel, marker in [
            ("webapp", "1.0", "webapp", ""),
            ("taskq", "5.0.0", "taskq", ""),
            ("msgbus", "4.1.0", "msgbus", ""),
            ("webkit", "1.0", "webkit", ""),
            ("fastjson", "2.1", "fastjson", "marker = \"'speedups' in extras\"\n"),
            ("fastjson", "1.9", "fastjson", "marker = \"'speedups' not in extras\"\n"),
            ("zope-interface", "6.0", "zope_interface", ""),
            ("typing-extensions", "4.12.2", "typing_extensions", ""),
            ("platdep", "1.0", "platdep", ""),
            ("winonly", "9.9", "winonly", "marker = \"sys_platform == 'win32'\"\n"),
            ("devtool", "1.0", "devtool", "marker = \"'dev' in dependency_groups\"\n"),
        ]
    )
    pylock.write_text(
        'lock-version = "1.0"\ncreated-by = "hand"\nrequires-python = ">=3.10"\n'
        'extras = ["speedups"]\ndependency-groups = ["dev"]\ndefault-groups = []\n\n'
        + packages
        + f'[[packages]]\nname = "pygreet"\n[packages.archive]\nurl = "{rich.wheel.as_uri()}"\n'
        # the real hash: the source check compares it with what pip recorded at install
        f'hashes = {{ sha256 = "{hashlib.sha256(rich.wheel.read_bytes()).hexdigest()}" }}\n\n'
        '[[packages]]\nname = "my-proj"\nversion = "0.1.0"\n'
        f'[packages.directory]\npath = "{rich.project}"\neditable = true\n'
    )
    args = ("check", "-m", pylock, "--python", rich.venv.python, "--json")
    _assert_clean(bootguard_outside(*args, "--extra", "speedups"))
    # without the extra, the lock wants fastjson 1.9: a real difference, reported as such
    without = json_report(bootguard_outside(*args))["checks"]
    assert isinstance(without, dict)
    assert set(without) == {"fastjson:version"}
    # asking for the dev group makes devtool expected, and it is not installed
    dev = json_report(bootguard_outside(*args, "--extra", "speedups", "--group", "dev"))["checks"]
    assert isinstance(dev, dict)
    assert set(dev) == {"devtool:version"}
