"""Hand-written shortcuts taken for speed are proven equal to packaging's answers.

``canonical_name`` replaces ``packaging.utils.canonicalize_name`` (whose import costs ~20 ms)
and ``skip_without_parsing`` decides that an extras-only Requires-Dist line cannot apply
without parsing it.  Hypothesis generates names and markers; packaging is the oracle.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from tests.support.cli import REPO_ROOT, snapshot_in
from tests.support.venvs import VenvFactory


def test_import_bootguard_loads_nothing_heavy() -> None:
    """Import cost is checked by what gets imported, not by a clock (see benchmarks/)."""
    code = "import sys; before = set(sys.modules); import bootguard; print(sorted(set(sys.modules) - before))"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO_ROOT, check=True
    )
    assert set(ast.literal_eval(result.stdout)) <= {"bootguard", "__future__"}, result.stdout


def test_sealed_check_loads_nothing_heavy(
    venv_factory: VenvFactory, tmp_path: Path, bootguard_pythonpath: Path
) -> None:
    """The boot-time fast path must not import packaging, argparse, dataclasses, json or re."""
    venv = venv_factory(install=["taskq==5.0.0", "msgbus==4.1.0"])
    snapshot = snapshot_in(venv, bootguard_pythonpath, tmp_path / "snapshot.txt")
    result = subprocess.run(
        [str(venv.python), "-X", "importtime", "-m", "bootguard", "check", "-m", str(snapshot)],
        capture_output=True, text=True, cwd=venv.path,
        env=venv.env(pythonpath=[bootguard_pythonpath]), check=False,
    )  # fmt: skip
    assert result.returncode == 0 and "sealed snapshot" in result.stdout, result.stdout
    imported = {
        line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines() if "|" in line
    }
    assert "bootguard.environment.seal" in imported  # the measurement works
    heavy = {
        "packaging", "argparse", "dataclasses", "json", "re", "typing", "tomllib", "email",
        "_hashlib",  # OpenSSL: the seal and the stat witness use the built-in sha256
    }  # fmt: skip
    assert not heavy & imported, sorted(heavy & imported)
