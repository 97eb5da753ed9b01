"""The full ``check`` without argparse prints what the argparse path prints, byte for byte.

``check -m FILE [--no-seal] [-q] [--strict] ...`` with nothing sealed runs the full check
straight from the hand parser (``bootguard.cli.direct``).  Each command line here is run
twice in a real venv with really installed wheels: as it is (the direct path), and with
``--color auto`` added.  ``--color auto`` is argparse's default for that option, so the
options the command receives are the same, but the hand parser does not read ``--color``
(``tests/unit/cli/test_fast.py`` proves it refuses it), so that run goes through argparse.
stdout, stderr and the exit status must be equal, with the milliseconds of the timing
lines made equal first (the only part two runs of one check may differ in).
"""

from __future__ import annotations

import os
import pty
import re
import subprocess
from pathlib import Path

import pytest

from tests.support.venvs import Venv, VenvFactory

_FILES = {
    "full.txt": "msgbus==4.1.0\ntaskq==5.0.0\nfastjson==2.1\n",
    "partial.txt": "taskq==5.0.0\n",  # fastjson extraneous: a warning; --strict: a failure
    "drift.txt": "msgbus==4.2.0\ntaskq==5.0.0\nfastjson==2.1\n",
    "broken.txt": "taskq===\n",
    "empty.txt": "# nothing selected here\n",
    "discover/requirements.txt": "taskq==5.0.0\nmsgbus==4.1.0\n",
}

#: (cwd below the venv, arguments after ``check``, the exit status both paths give)
CASES = [
    ("", ["-m", "full.txt"], 0),
    ("", ["-m", "full.txt", "--no-seal"], 0),
    ("", ["-m", "partial.txt"], 0),
    ("", ["-m", "partial.txt", "--strict"], 1),
    ("", ["-m", "partial.txt", "--ignore", "fastjson", "--strict"], 0),
    ("", ["-m", "partial.txt", "--ignore", "fastjson,msgbus", "-q", "--no-seal"], 0),
    ("", ["-m", "drift.txt"], 1),
    ("", ["-m", "drift.txt", "-q"], 1),
    ("", ["-m", "broken.txt"], 2),
    ("", ["-m", "broken.txt", "-q"], 2),
    ("", ["-m", "empty.txt"], 2),
    ("", ["-m", "empty.txt", "--allow-empty"], 0),
    ("", ["-m", "missing.txt"], 2),
    ("", ["-m", "missing.txt", "-q"], 2),
    ("", ["--manifest=partial.txt", "-m", "full.txt"], 0),
    ("", ["-m", "full.txt", "--extra", "speedups", "--group", "dev", "--no-default-groups"], 0),
    ("discover", [], 0),
    ("", [], 0),  # no manifest here: the stderr note, exit 0
]


@pytest.fixture
def venv(venv_factory: VenvFactory) -> Venv:
    venv = venv_factory(install=["taskq==5.0.0", "msgbus==4.1.0", "fastjson==2.1"])
    for name, text in _FILES.items():
        (venv.path / name).parent.mkdir(exist_ok=True)
        (venv.path / name).write_text(text)
    return venv


def _same_timings(text: str) -> str:
    return re.sub(r"\d+\.\d+ ms", "N ms", text)


def _both(venv: Venv, cwd: str, args: list[str], env: dict[str, str]) -> list[tuple[str, str, int]]:
    """``check ARGS`` by the direct path, then by argparse: (stdout, stderr, exit status)."""
    results = []
    for extra in ([], ["--color", "auto"]):
        done = subprocess.run(
            [str(venv.python), "-m", "bootguard", "check", *args, *extra],
            capture_output=True, text=True, cwd=venv.path / cwd, env=env, timeout=120,
            check=False,
        )  # fmt: skip
        results.append((_same_timings(done.stdout), _same_timings(done.stderr), done.returncode))
    return results


@pytest.mark.parametrize(("cwd", "args", "status"), CASES)
def test_the_direct_full_check_prints_what_argparse_does(
    venv: Venv, bootguard_pythonpath: Path, cwd: str, args: list[str], status: int
) -> None:
    for extra in ({}, {"NO_COLOR": "1"}):
        env = venv.env(extra, pythonpath=[bootguard_pythonpath])
        direct, parsed = _both(venv, cwd, args, env)
        assert direct == parsed, args
        assert direct[2] == status, direct
        if args == ["-m", "partial.txt"]:
            assert "1 warning" in direct[0], direct  # the warn verdict, exit 0
        assert direct[0] or direct[1] or "-q" in args  # something was said, or asked not to
        if direct[2] == 2:
            assert direct[1].startswith("bootguard: error: ") and direct[1].count("\n") == 1


def _on_a_terminal(venv: Venv, args: list[str], env: dict[str, str]) -> tuple[bytes, int]:
    """What ``check ARGS`` writes to a terminal (a pty), and its exit status."""
    master, slave = pty.openpty()
    with subprocess.Popen(
        [str(venv.python), "-m", "bootguard", "check", *args],
        stdout=slave, stderr=slave, cwd=venv.path, env=env,
    ) as process:  # fmt: skip
        os.close(slave)
        out = b""
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            out += chunk
        status = process.wait(timeout=120)
    os.close(master)
    return re.sub(rb"\d+\.\d+ ms", b"N ms", out), status


@pytest.mark.parametrize("manifest", ["full.txt", "partial.txt", "drift.txt", "broken.txt"])
def test_on_a_terminal_both_paths_colour_alike(
    venv: Venv, bootguard_pythonpath: Path, manifest: str
) -> None:
    """``--color auto`` colours a terminal unless NO_COLOR is set: the same on both paths."""
    for extra, coloured in (({}, manifest != "broken.txt"), ({"NO_COLOR": "1"}, False)):
        env = venv.env(extra, pythonpath=[bootguard_pythonpath])
        direct = _on_a_terminal(venv, ["-m", manifest], env)
        parsed = _on_a_terminal(venv, ["-m", manifest, "--color", "auto"], env)
        assert direct == parsed, manifest
        assert (b"\x1b[" in direct[0]) == coloured, direct


@pytest.mark.parametrize("sealed", [False, True])
def test_the_boot_forms_skip_the_interpreter_teardown(
    venv: Venv, bootguard_pythonpath: Path, tmp_path: Path, sealed: bool
) -> None:
    """A check answered by the sealed fast path or run directly ends with ``os._exit`` once
    its output is flushed: no atexit handler runs (a ``sitecustomize`` registers one that
    says so), and the output is whole, as the argparse path prints it.  Any other command
    line exits normally, so the atexit handlers of code it loads still run."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(
        "import atexit, sys\natexit.register(lambda: sys.stderr.write('atexit ran\\n'))\n"
    )
    env = venv.env(pythonpath=[site, bootguard_pythonpath])
    if sealed:
        made = subprocess.run(
            [str(venv.python), "-m", "bootguard", "check", "-m", "full.txt", "--seal"],
            capture_output=True, text=True, cwd=venv.path, env=env, timeout=120, check=False,
        )  # fmt: skip
        assert made.returncode == 0 and "verdict sealed" in made.stderr, made.stderr
    direct, parsed = _both(venv, "", ["-m", "full.txt"], env)
    assert direct[2] == parsed[2] == 0
    assert direct[1] == "" and parsed[1] == "atexit ran\n"  # teardown skipped, then not
    assert direct[0] == parsed[0] and "checked against full.txt" in direct[0]
