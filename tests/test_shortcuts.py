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

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from packaging.markers import Marker, default_environment
from packaging.utils import canonicalize_name

from bootguard.checks.graph import Evaluator as _Evaluator
from bootguard.environment._scan import _canonical
from bootguard.names import canonical_name
from tests.support.cli import REPO_ROOT, bootguard_in
from tests.support.venvs import VenvFactory

NAME = st.from_regex(r"[A-Za-z0-9]([A-Za-z0-9._-]{0,20}[A-Za-z0-9])?", fullmatch=True)


@given(NAME)
def test_canonical_name_equals_packaging(name: str) -> None:
    assert canonical_name(name) == canonicalize_name(name) == _canonical(name)


_COMPARISONS = st.sampled_from(
    [
        'extra == "test"',
        "extra == 'docs'",
        'extra != "test"',
        'extra == ""',
        '"test" == extra',
        'python_version < "3.8"',
        'python_version >= "3.8"',
        'sys_platform == "win32"',
        'sys_platform == "linux"',
        'platform_machine == "extra"',
        '"x" in extra',
        '"x" not in extra',
        'implementation_name == "cpython"',
    ]
)


@st.composite
def markers(draw: st.DrawFn, depth: int = 2) -> str:
    if depth == 0 or draw(st.booleans()):
        return draw(_COMPARISONS)
    left = draw(markers(depth=depth - 1))
    right = draw(markers(depth=depth - 1))
    op = draw(st.sampled_from([" and ", " or ", "and", " and("]))
    if op == "and":
        return f"({left})and({right})"
    if op == " and(":
        return f"{left} and ({right})"
    return f"{left}{op}{right}"


ENV = {k: str(v) for k, v in default_environment().items()}


@settings(max_examples=400)
@given(markers())
def test_skipping_extras_only_lines_never_drops_an_applicable_one(marker: str) -> None:
    line = f"dep>=1; {marker}"
    if _Evaluator.skip_without_parsing(line, ""):
        assert not Marker(marker).evaluate({**ENV, "extra": ""}), marker


def test_the_usual_extras_only_lines_are_skipped() -> None:
    assert _Evaluator.skip_without_parsing('pytest>=7; extra == "test"', "")
    assert _Evaluator.skip_without_parsing(
        "sphinx; python_version >= '3.9' and extra == 'docs'", ""
    )
    assert not _Evaluator.skip_without_parsing('pytest>=7; extra == "test"', "test")
    assert not _Evaluator.skip_without_parsing('x; python_version < "3" or extra == "a"', "")


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


def test_metadata_field_search_equals_the_general_header_parser() -> None:
    """The fast METADATA reader agrees with a full header parse on every real METADATA here."""
    from glob import glob

    from bootguard.environment.metadata import parse_headers as _parse_headers
    from bootguard.environment.metadata import read_headers as _read_headers

    files = [p for entry in sys.path for p in glob(f"{entry}/*.dist-info/METADATA")]
    assert len(files) > 20  # the test environment's own real distributions
    for path in files:
        fast = _read_headers(path)
        assert fast is not None
        with open(path, "rb") as handle:
            raw = handle.read()
        end = raw.find(b"\n\n")
        full = _parse_headers((raw if end < 0 else raw[:end]).decode("utf-8", "surrogateescape"))
        for key in ("name", "version", "requires-dist", "requires-python", "provides-extra"):
            assert fast.get(key) == full.get(key), (path, key)


@given(st.binary(max_size=5000))
def test_builtin_sha256_equals_hashlib(data: bytes) -> None:
    import hashlib

    from bootguard.environment._scan import sha256_hex

    assert sha256_hex(data) == hashlib.sha256(data).hexdigest()
