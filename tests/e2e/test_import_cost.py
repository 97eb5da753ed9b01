"""Import cost, checked by what a real process imports (never by a clock): ``import
bootguard``, the sealed route and the full check each load only what they need."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.cli import REPO_ROOT, bootguard_in
from tests.support.venvs import Venv, VenvFactory, clean_env


def test_import_bootguard_loads_nothing_heavy() -> None:
    """Import cost is checked by what gets imported, not by a clock (see benchmarks/)."""
    code = "import sys; before = set(sys.modules); import bootguard; print(sorted(set(sys.modules) - before))"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO_ROOT, check=True
    )
    assert set(ast.literal_eval(result.stdout)) <= {"bootguard", "__future__"}, result.stdout


@pytest.mark.parametrize("route", ["snapshot", "seal record"])
def test_sealed_check_loads_nothing_heavy(
    venv_factory: VenvFactory, tmp_path: Path, bootguard_pythonpath: Path, route: str
) -> None:
    """The boot-time fast path must not import packaging, argparse, dataclasses, json or re:
    a sealed snapshot, or a lock whose verdict ``check --seal`` recorded at build time."""
    venv = venv_factory(install=["taskq==5.0.0", "msgbus==4.1.0"])
    manifest = tmp_path / ("snapshot.txt" if route == "snapshot" else "requirements.txt")
    if route == "snapshot":
        made = bootguard_in(venv, bootguard_pythonpath, "snapshot", "-o", manifest)
        printed, module = "sealed snapshot", "bootguard.environment.seal"
    else:
        manifest.write_text("taskq==5.0.0\nmsgbus==4.1.0\n")
        made = bootguard_in(venv, bootguard_pythonpath, "check", "-m", manifest, "--seal")
        printed, module = "checked against", "bootguard.environment.seal_record"
    assert made.returncode == 0, made.stderr
    result = subprocess.run(
        [str(venv.python), "-X", "importtime", "-m", "bootguard", "check", "-m", str(manifest)],
        capture_output=True, text=True, cwd=venv.path,
        env=venv.env(pythonpath=[bootguard_pythonpath]), check=False,
    )  # fmt: skip
    assert result.returncode == 0 and printed in result.stdout, result.stdout
    imported = {
        line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines() if "|" in line
    }
    assert module in imported  # the measurement works
    heavy = {
        "packaging", "argparse", "dataclasses", "json", "re", "typing", "tomllib", "email",
        "_hashlib",  # OpenSSL: the seal and the stat witness use the built-in sha256
    }  # fmt: skip
    assert not heavy & imported, sorted(heavy & imported)


def test_full_check_of_common_forms_loads_no_packaging(
    venv_factory: VenvFactory, tmp_path: Path, bootguard_pythonpath: Path
) -> None:
    """The full path (nothing sealed) decides pins, ranges, extras and markers by itself.

    Requires-Dist with a range, an extra and a platform marker, a pinned requirements file
    with an extra: ``packaging`` is imported only for forms outside the common subset
    (``tests/unit/test_pep508.py`` proves the subset's answers equal to packaging's), and
    neither ``dataclasses`` (with ``inspect``), ``typing`` nor ``platform`` is imported.
    """
    venv = venv_factory(
        install=["taskq==5.0.0", "msgbus==4.1.0", "webapp==1.0", "webkit==1.0", "fastjson==2.1",
                 "platdep==1.0"],
    )  # fmt: skip
    pins = tmp_path / "requirements.txt"
    pins.write_text(
        "taskq==5.0.0\nmsgbus==4.1.0\nwebapp==1.0\nwebkit[speedups]==1.0\nfastjson==2.1\n"
        "platdep==1.0\n"
    )
    imported = _full_check_imports(venv, pins, bootguard_pythonpath)
    assert "bootguard.checks.graph" in imported  # the full check ran
    assert not {m for m in imported if m.startswith("packaging")}, sorted(imported)
    # The records are not dataclasses (dataclasses imports inspect, ast, dis, tokenize),
    # typing is only for type checkers, and the marker environment reads os.uname.
    heavy = {"dataclasses", "inspect", "ast", "dis", "tokenize", "typing", "platform"}
    assert not heavy & imported, sorted(heavy & imported)


def test_full_check_of_a_pip_lock_pylock_loads_no_packaging(
    venv_factory: VenvFactory, wheelhouse: Path, tmp_path: Path, bootguard_pythonpath: Path
) -> None:
    """A pylock.toml written by ``pip lock`` is parsed without tomllib, and validated and
    selected without packaging (``tests/unit/manifest/test_pylock_toml.py`` and
    ``test_pylock_fast.py`` prove the answers equal to theirs)."""
    pins = ["taskq==5.0.0", "msgbus==4.1.0", "webapp==1.0", "webkit==1.0", "fastjson==2.1"]
    venv = venv_factory(install=pins)
    pylock = tmp_path / "pylock.toml"
    made = subprocess.run(
        [sys.executable, "-m", "pip", "lock", "-q", "--no-index", "--find-links",
         str(wheelhouse), "-o", str(pylock), *pins],
        capture_output=True, text=True, env=clean_env(), cwd=tmp_path, check=False,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    imported = _full_check_imports(venv, pylock, bootguard_pythonpath)
    assert "bootguard.manifest._pylock_fast" in imported  # the pylock was read
    assert not {m for m in imported if m.startswith("packaging")}, sorted(imported)
    assert "tomllib" not in imported  # pip's TOML shape is parsed by bootguard


def _full_check_imports(venv: Venv, manifest: Path, bootguard_pythonpath: Path) -> set[str]:
    """The modules ``bootguard check -m MANIFEST --no-seal`` imports; the check must pass."""
    result = subprocess.run(
        [str(venv.python), "-X", "importtime", "-m", "bootguard", "check", "-m", str(manifest),
         "--no-seal"],
        capture_output=True, text=True, cwd=venv.path,
        env=venv.env(pythonpath=[bootguard_pythonpath]), check=False,
    )  # fmt: skip
    assert result.returncode == 0 and "pass" in result.stdout, result.stdout + result.stderr
    return {line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines() if "|" in line}
