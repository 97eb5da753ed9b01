"""Run the real ``bootguard`` command, from outside a venv or inside it.

Outside: ``python -m bootguard ... --python VENV`` from the test interpreter (the way an
operator checks another interpreter).  Inside: the venv's own interpreter runs
``python -m bootguard`` with bootguard importable through a dist-info-free path, the way
bootguard runs at boot inside an application's environment.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from tests.support.venvs import Venv, clean_env

__all__ = ["REPO_ROOT", "bootguard_in", "bootguard_outside", "json_report", "snapshot_in"]

REPO_ROOT = Path(__file__).resolve().parents[2]


def bootguard_outside(
    *args: str | Path, cwd: Path | None = None, environ: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``python -m bootguard ARGS`` with the test interpreter (bootguard from this checkout);
    ``environ`` adds variables (``BOOTGUARD_*`` settings) to the clean environment."""
    return subprocess.run(
        [sys.executable, "-m", "bootguard", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd or REPO_ROOT,
        env=clean_env(environ, pythonpath=[REPO_ROOT]),
        timeout=120,
        check=False,
    )


def bootguard_in(
    venv: Venv, bootguard_path: Path, *args: str | Path, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """``python -m bootguard ARGS`` run by the venv's own interpreter."""
    return subprocess.run(
        [str(venv.python), "-m", "bootguard", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd or venv.path,
        env=venv.env(pythonpath=[bootguard_path]),
        timeout=120,
        check=False,
    )


def json_report(result: subprocess.CompletedProcess[str]) -> dict[str, object]:
    """The ``--json`` report printed by a check (fails loudly with stderr if it is not JSON)."""
    try:
        data: dict[str, object] = json.loads(result.stdout)
    except ValueError as err:
        raise AssertionError(f"not JSON: {result.stdout!r}\nstderr: {result.stderr}") from err
    return data


def snapshot_in(venv: Venv, bootguard_path: Path, target: Path) -> Path:
    """``bootguard snapshot -o TARGET`` run by the venv's own interpreter; fails if it fails."""
    made = bootguard_in(venv, bootguard_path, "snapshot", "-o", target)
    assert made.returncode == 0, made.stdout + made.stderr
    return target
