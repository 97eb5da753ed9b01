"""No command line makes ``bootguard`` print a traceback, hang, or exit outside {0, 1, 2}.

Hypothesis builds argument lists from the real subcommands, their flags, good and bad
values, and paths that exist, do not, are directories, FIFOs or devices; each runs as
``python -m bootguard ...`` in a subprocess with a hard timeout.  An exit 2 must be exactly
one ``bootguard: error:`` line.  ``serve`` with valid options really serves: it gets
SIGTERM once it says so and must then exit 0.  The known cases that used to fail have
their own tests below, so a regression is named even if the search does not find it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.cli import REPO_ROOT
from tests.support.venvs import clean_env

_TIMEOUT = 60  # seconds: a run that takes longer is a hang

_PATHS = [
    "req.txt",  # a valid requirements file (a snapshot may overwrite it: still valid)
    "fifo",
    "a-dir",
    "missing.txt",
    "/dev/zero",
    "/dev/full",
    "/nonexistent/dir/x.txt",
    "",
]
_VALUES = ["", "x", "-1", "0", "5", "99999", "1e400", "nan", "0.5", "packaging", "--json"]
_NAMES = ["packaging", "nosuchdist", "", "Pack_Aging"]
_MODULES = ["json", "this", "nosuchmod", "1bad", "", "a,b", "os.path"]
_CALLABLES = ["os:getcwd", "json:dumps", "nosuchmod:f", "os.path", "a:b:c", "", "os:sep"]

_path = st.sampled_from(_PATHS)
_value = st.sampled_from(_VALUES)


def _check_args() -> st.SearchStrategy[list[str]]:
    option = st.one_of(
        st.tuples(st.sampled_from(["-m", "--manifest", "--python", "-o"]), _path),
        st.tuples(st.sampled_from(["--ignore", "--extra", "--group", "--integrity-only"]), st.sampled_from(_NAMES)),
        st.tuples(st.just("--color"), st.sampled_from(["auto", "never", "always", "rainbow"])),
        st.tuples(
            st.sampled_from(
                [
                    "--json", "-q", "--quiet", "--strict", "--no-default-groups",
                    "--no-manifest", "--no-seal", "--quick-integrity", "-v", "--bogus",
                    "--no-strict", "--isolated", "--allow-empty", "--integrity",
                ]
            )
        ),
        st.tuples(st.builds(lambda p: f"--manifest={p}", _path)),
        *_probe_options(),
    )  # fmt: skip
    return st.lists(option, max_size=4).map(lambda opts: ["check", *(a for o in opts for a in o)])


def _probe_options() -> list[st.SearchStrategy[tuple[str, ...]]]:
    """The critical imports and smoke callables, their timeouts: check and serve share them."""
    return [
        st.tuples(st.just("--import"), st.sampled_from(_MODULES)),
        st.tuples(st.just("--smoke"), st.sampled_from(_CALLABLES)),
        st.tuples(st.sampled_from(["--import-timeout", "--smoke-timeout"]), _value),
    ]


def _snapshot_args() -> st.SearchStrategy[list[str]]:
    option = st.one_of(
        st.tuples(st.sampled_from(["-o", "--output", "--python"]), _path),
        st.tuples(st.sampled_from(["--json", "-q"])),
    )
    return st.lists(option, max_size=2).map(
        lambda opts: ["snapshot", *(a for o in opts for a in o)]
    )


def _serve_args() -> st.SearchStrategy[list[str]]:
    port = st.sampled_from(["0", "-1", "99999", "x", "", "1e3"])
    option = st.one_of(
        st.tuples(st.sampled_from(["--recheck", "--grace"]), _value),
        st.tuples(st.just("--host"), st.sampled_from(["127.0.0.1", "::1"])),
        st.tuples(st.sampled_from(["-m", "--python"]), _path),
        st.tuples(st.sampled_from(["--ignore", "--extra", "--group"]), st.sampled_from(_NAMES)),
        st.tuples(st.sampled_from(["--strict", "--no-manifest", "--no-seal", "--isolated"])),
        *_probe_options(),
    )
    return st.tuples(st.booleans(), port, st.lists(option, max_size=3)).map(
        lambda t: ["serve", *(["--port", t[1]] if t[0] else []), *(a for o in t[2] for a in o)]
    )


def _diff_args() -> st.SearchStrategy[list[str]]:
    extra = st.lists(
        st.one_of(
            st.tuples(st.sampled_from(["--extra", "--group"]), st.sampled_from(_NAMES)),
            st.tuples(st.just("--json")),
        ),
        max_size=2,
    )
    return st.tuples(st.lists(_path, max_size=3), extra).map(
        lambda t: ["diff", *t[0], *(a for o in t[1] for a in o)]
    )


_ARGS = st.one_of(
    _check_args(),
    _snapshot_args(),
    _serve_args(),
    _diff_args(),
    st.lists(st.sampled_from(["--version", "nosuch", "-h", "--bogus", "check"]), max_size=2),
)


@pytest.fixture(scope="module")
def playground(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A working directory holding each kind of path the arguments name."""
    root = tmp_path_factory.mktemp("cli-args")
    (root / "req.txt").write_text("packaging\n")
    os.mkfifo(root / "fifo")
    (root / "a-dir").mkdir()
    return root


def _run(args: list[str], cwd: Path) -> tuple[int, str, str]:
    """Run bootguard; a ``serve`` that starts serving gets SIGTERM and must exit 0."""
    child = subprocess.Popen(
        [sys.executable, "-m", "bootguard", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=cwd,
        env=clean_env(pythonpath=[REPO_ROOT]),
        start_new_session=True,
    )
    try:
        if args[:1] == ["serve"]:
            deadline = time.monotonic() + _TIMEOUT
            while child.poll() is None and time.monotonic() < deadline:
                time.sleep(0.2)
                if _serving(child):
                    child.send_signal(signal.SIGTERM)
                    break
        out, err = child.communicate(timeout=_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(child.pid, signal.SIGKILL)
        child.communicate()
        pytest.fail(f"bootguard {args} did not finish in {_TIMEOUT} s")
    return child.returncode, out, err


def _serving(child: subprocess.Popen[str]) -> bool:
    """Whether the server process is up (its port is listening: /proc names its socket)."""
    try:
        fds = os.listdir(f"/proc/{child.pid}/fd")
    except OSError:
        return False
    for fd in fds:
        try:
            if os.readlink(f"/proc/{child.pid}/fd/{fd}").startswith("socket:"):
                return True
        except OSError:
            continue
    return False


def _assert_well_behaved(args: list[str], code: int, err: str) -> None:
    assert code in (0, 1, 2), (args, code, err)
    assert "Traceback" not in err, (args, err)
    assert "internal error" not in err, (args, err)
    if code == 2:
        lines = err.splitlines()
        assert len(lines) <= 1, (args, err)
        assert not lines or lines[0].startswith("bootguard: error: "), (args, err)


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(args=_ARGS)
def test_no_argument_list_gives_a_traceback(playground: Path, args: list[str]) -> None:
    code, _, err = _run(args, playground)
    _assert_well_behaved(args, code, err)
    if args[:1] == ["serve"] and code == 0:
        assert "bootguard: serving" in err, (args, err)


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["snapshot", "-o", "/nonexistent/dir/x.txt"], "no such directory"),
        (["snapshot", "-o", "a-dir"], "a directory"),
        (["serve", "--port", "99999"], "--port"),
        (["serve", "--port", "0", "--recheck", "-5"], "--recheck"),
        (["serve", "--port", "0", "--grace", "-1"], "--grace"),
        (["serve", "--port", "0", "--recheck", "nan"], "--recheck"),
        (["check", "-q", "--json"], "not allowed with"),
        (["check", "--no-manifest", "--integrity-only", "nosuchdist"], "nosuchdist"),
        (["check", "-m", "fifo"], "FIFO"),
        (["diff", "fifo", "req.txt"], "FIFO"),
        (["check", "--bogus"], "--bogus"),
        (["check", "--import", "1bad"], "--import"),
        (["check", "--smoke", "os.path"], "--smoke"),
        (["check", "--import-timeout", "nan"], "--import-timeout"),
        (["serve", "--port", "0", "--smoke-timeout", "0"], "--smoke-timeout"),
        (["serve", "--port", "0", "--ignore", "x", "-m", "fifo"], "FIFO"),
    ],
)
def test_known_bad_command_lines_are_one_line_errors(
    playground: Path, args: list[str], needle: str
) -> None:
    code, out, err = _run(args, playground)
    assert code == 2 and "serving" not in err, (code, err)
    assert err.count("\n") == 1 and err.startswith("bootguard: error: ") and needle in err, err
    assert out == ""
