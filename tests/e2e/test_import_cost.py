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
    neither ``dataclasses`` (with ``inspect``), ``typing``, ``platform`` nor ``argparse``
    is imported.
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
    imported = _passing_check_imports(venv, bootguard_pythonpath, "-m", pins, "--no-seal")
    assert "bootguard.checks.graph" in imported  # the full check ran
    assert not {m for m in imported if m.startswith("packaging")}, sorted(imported)
    # The records are not dataclasses (dataclasses imports inspect, ast, dis, tokenize),
    # typing is only for type checkers, and the marker environment reads os.uname.  The
    # command line is read without argparse (and its gettext, locale and shutil).
    heavy = {
        "dataclasses", "inspect", "ast", "dis", "tokenize", "typing", "platform",
        "argparse", "gettext", "locale", "shutil", "bz2", "lzma",
    }  # fmt: skip
    assert not heavy & imported, sorted(heavy & imported)
    assert "bootguard.cli.direct" in imported  # the full check without argparse ran


def test_argparse_help_formatting_loads_no_shutil(
    venv_factory: VenvFactory, tmp_path: Path, bootguard_pythonpath: Path
) -> None:
    """Where argparse still runs, its help formatter is given the terminal's width, so that
    shutil (with bz2, lzma and zlib) is not imported to find it."""
    venv = venv_factory(install=["msgbus==4.1.0"])
    pins = tmp_path / "requirements.txt"
    pins.write_text("msgbus==4.1.0\n")
    imported = _passing_check_imports(
        venv, bootguard_pythonpath, "-m", pins, "--no-seal", "--color", "never"
    )
    assert "argparse" in imported  # the measurement works: this form takes argparse
    assert not {"shutil", "bz2", "lzma"} & imported, sorted(imported)


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
    imported = _passing_check_imports(venv, bootguard_pythonpath, "-m", pylock, "--no-seal")
    assert "bootguard.manifest._pylock_fast" in imported  # the pylock was read
    assert not {m for m in imported if m.startswith("packaging")}, sorted(imported)
    assert "tomllib" not in imported  # pip's TOML shape is parsed by bootguard
    assert not {"pathlib", "urllib.parse", "ipaddress"} & imported, sorted(imported)


def _passing_check_imports(venv: Venv, bootguard_path: Path, *args: str | Path) -> set[str]:
    """The modules ``python -X importtime -m bootguard check ARGS`` imports; it must pass."""
    result = subprocess.run(
        [str(venv.python), "-X", "importtime", "-m", "bootguard", "check", *map(str, args)],
        capture_output=True, text=True, cwd=venv.path,
        env=venv.env(pythonpath=[bootguard_path]), check=False,
    )  # fmt: skip
    assert result.returncode == 0 and "pass" in result.stdout, result.stdout + result.stderr
    return {line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines() if "|" in line}


#: taskq 5.0.0 (requires msgbus>=4.0.2,<5.0) and msgbus 4.1.0, as each tool locks them (uv
#: locks them for a virtual project, which is never installed).
_LOCKS = {
    "requirements.txt": "taskq==5.0.0\nmsgbus==4.1.0\n",
    "uv.lock": (
        'version = 1\nrevision = 2\nrequires-python = ">=3.10"\n\n'
        '[[package]]\nname = "app"\nversion = "0.1.0"\nsource = { virtual = "." }\n'
        'dependencies = [\n    { name = "taskq" },\n]\n\n'
        '[[package]]\nname = "msgbus"\nversion = "4.1.0"\n'
        'source = { registry = "https://pypi.org/simple" }\n\n'
        '[[package]]\nname = "taskq"\nversion = "5.0.0"\n'
        'source = { registry = "https://pypi.org/simple" }\n'
        'dependencies = [\n    { name = "msgbus" },\n]\n'
    ),
    "poetry.lock": (
        "# This file is automatically @generated by Poetry 2.1.3 and should not be changed by "
        "hand.\n\n"
        '[[package]]\nname = "msgbus"\nversion = "4.1.0"\ndescription = ""\noptional = false\n'
        'python-versions = ">=3.8"\ngroups = ["main"]\nfiles = []\n\n'
        '[[package]]\nname = "taskq"\nversion = "5.0.0"\ndescription = ""\noptional = false\n'
        'python-versions = ">=3.8"\ngroups = ["main"]\nfiles = []\n\n'
        '[package.dependencies]\nmsgbus = ">=4.0.2,<5.0"\n\n'
        '[metadata]\nlock-version = "2.1"\npython-versions = ">=3.10"\ncontent-hash = "0"\n'
    ),
    "Pipfile.lock": (
        '{"_meta": {"hash": {"sha256": "0"}, "pipfile-spec": 6, "requires": {},\n'
        '  "sources": [{"name": "pypi", "url": "https://pypi.org/simple", "verify_ssl": true}]},\n'
        ' "default": {"msgbus": {"version": "==4.1.0"}, "taskq": {"version": "==5.0.0"}},\n'
        ' "develop": {}}\n'
    ),
}


@pytest.mark.parametrize("route", ["check()", "bootguard check"])
@pytest.mark.parametrize("name", sorted(_LOCKS))
def test_full_check_imports_no_pathlib(
    venv_factory: VenvFactory, tmp_path: Path, bootguard_pythonpath: Path, name: str, route: str
) -> None:
    """Nothing sealed: the full check keeps its paths as ``str`` (``bootguard._paths``), so
    neither ``pathlib`` nor what it brings (``urllib.parse``, ``ipaddress``, ``ntpath``) is
    imported, in-process or from the CLI, whatever the manifest format."""
    venv = venv_factory(install=["taskq==5.0.0", "msgbus==4.1.0"])
    manifest = tmp_path / "project" / name
    manifest.parent.mkdir()
    manifest.write_text(_LOCKS[name])
    if name == "uv.lock":  # read for [tool.uv] default-groups, parsed only if it may set them
        (manifest.parent / "pyproject.toml").write_text(
            '[project]\nname = "app"\nversion = "0.1.0"\ndependencies = ["taskq"]\n'
        )
    relative = f"./project//{name}"  # spelled in the report as pathlib spells it
    if route == "check()":
        code = (
            f"import bootguard; report = bootguard.check(manifests=[{relative!r}]); "
            "print(report.status, report.verified_by, report.manifests[0].path)"
        )
        command = [str(venv.python), "-X", "importtime", "-c", code]
        expected = f"pass full project/{name}"
    else:
        command = [str(venv.python), "-X", "importtime", "-m", "bootguard", "check", "-m",
                   relative, "--no-seal"]  # fmt: skip
        expected = f"checked against project/{name}; 0 failed, 0 warnings"
    result = subprocess.run(
        command, capture_output=True, text=True, cwd=tmp_path,
        env=venv.env(pythonpath=[bootguard_pythonpath]), check=False,
    )  # fmt: skip
    assert result.returncode == 0 and expected in result.stdout, result.stdout + result.stderr
    imported = {
        line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines() if "|" in line
    }
    assert "bootguard.checks.graph" in imported  # the full check ran
    heavy = {"pathlib", "urllib.parse", "ipaddress", "ntpath", "fnmatch"}
    assert not heavy & imported, sorted(heavy & imported)
    if name != "poetry.lock":  # Poetry's selection needs the pyproject beside the lock parsed
        # uv's and Poetry's own TOML is read by bootguard.manifest._lock_subset, JSON by json
        assert not {"tomllib", "typing", "datetime"} & imported, sorted(imported)
