"""bootguard on every other CPython this machine offers, 3.10 and up: a smoke test per version.

The whole suite runs on one interpreter (the one running pytest, 3.11 in CI).  Each other
CPython found (in pyenv's versions and as ``python3.X`` on ``PATH``) gets the release wheel
installed into a fresh venv of its own, dependencies from PyPI (``tomli`` on 3.10 only),
then the kombu story for real: a lock pins msgbus 4.1.0, 4.2.0 is installed, ``bootguard
check`` exits 1 with the ``msgbus:version`` finding and a gate boot answers 503 (or exits 3
in ``enforce`` mode); msgbus 4.1.0 installed, the check exits 0 and the gate answers 200.
A searched-for version the machine does not have is a skip that names where it was looked
for.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.release import Dists, build_dists, install_from_index, python_venv
from tests.support.venvs import clean_env

LOCK = "taskq==5.0.0\nmsgbus==4.1.0\n"
SEARCHED = [(3, minor) for minor in range(10, 16)]  # 3.10 up to the newest release
SUITE = sys.version_info[:2]  # the interpreter that runs everything else
PYENV_ROOT = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))

# Boots a WSGI app behind bootguard.guard() and asks it /readyz, as a load balancer would.
GATE = """
import json, sys
import bootguard

def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"shop: open"]

wrapped = bootguard.guard(app, manifest=sys.argv[1])
seen = []
environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/readyz", "QUERY_STRING": "",
           "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1",
           "REMOTE_ADDR": "127.0.0.1", "HTTP_HOST": "127.0.0.1", "wsgi.url_scheme": "http"}
body = b"".join(wrapped(environ, lambda status, headers, exc_info=None: seen.append(status)))
print(seen[0], json.loads(body)["status"])
"""

# The venv's Python version and bootguard's dependencies as pip installed them.
PROBE = """
import sys, importlib.metadata as m
print(*sys.version_info[:2])
for name in ("packaging", "tomli"):
    try:
        print(f"{name}=={m.version(name)}")
    except m.PackageNotFoundError:
        pass
"""


@dataclass(frozen=True)
class Interpreter:
    """A CPython found on this machine: its version, its real executable, where it was found."""

    version: tuple[int, int]
    executable: Path
    found_as: str


def _probe(candidate: str) -> Interpreter | None:
    """Ask a candidate what it is; ``None`` if it does not run or is not CPython."""
    code = "import sys; print(sys.implementation.name, *sys.version_info[:2], sys.executable)"
    try:
        result = subprocess.run(
            [candidate, "-c", code],
            env=clean_env(),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    fields = result.stdout.strip().split(maxsplit=3)
    if result.returncode != 0 or len(fields) != 4 or fields[0] != "cpython":
        return None
    return Interpreter((int(fields[1]), int(fields[2])), Path(fields[3]), candidate)


def _pyenv_versions() -> list[str]:
    """pyenv's installed versions (``pyenv versions --bare``, else its versions directory)."""
    names: list[str] = []
    pyenv = shutil.which("pyenv")
    if pyenv:
        listed = subprocess.run(
            [pyenv, "versions", "--bare"], capture_output=True, text=True, timeout=60, check=False
        )
        names = listed.stdout.split() if listed.returncode == 0 else []
    if (PYENV_ROOT / "versions").is_dir():
        names += [path.name for path in (PYENV_ROOT / "versions").iterdir()]
    return sorted(set(names))


def looked_for() -> list[str]:
    """Where interpreters are searched, for the report."""
    on_path = ", ".join(f"python{major}.{minor}" for major, minor in SEARCHED)
    return [f"{PYENV_ROOT / 'versions'}/3.X.Y/bin/python3 (pyenv)", f"on PATH: {on_path}"]


def discover() -> dict[tuple[int, int], Interpreter]:
    """One CPython per searched version other than the suite's: pyenv's newest patch
    release first, then ``python3.X`` on ``PATH``."""
    releases: list[tuple[tuple[int, ...], str]] = []
    for name in _pyenv_versions():
        if re.fullmatch(r"\d+\.\d+\.\d+", name):  # CPython releases only
            release = tuple(int(part) for part in name.split("."))
            releases.append((release, str(PYENV_ROOT / "versions" / name / "bin" / "python3")))
    releases.sort(reverse=True)  # newest patch release first
    candidates = [((release[0], release[1]), path) for release, path in releases]
    for major, minor in SEARCHED:
        found = shutil.which(f"python{major}.{minor}")
        if found:
            candidates.append(((major, minor), found))
    interpreters: dict[tuple[int, int], Interpreter] = {}
    for version, candidate in candidates:
        if version == SUITE or version not in SEARCHED or version in interpreters:
            continue
        interpreter = _probe(candidate)
        if interpreter is not None and interpreter.version == version:
            interpreters[version] = interpreter
    return interpreters


FOUND = discover()


def _params() -> list[object]:
    params: list[object] = []
    for version in SEARCHED:
        label = f"{version[0]}.{version[1]}"
        if version == SUITE:
            continue
        if version in FOUND:
            params.append(pytest.param(FOUND[version], id=label))
        else:
            places = f"{PYENV_ROOT / 'versions'}/{label}.*, python{label} on PATH"
            reason = f"no CPython {label} on this machine (looked for {places})"
            params.append(pytest.param(None, id=label, marks=pytest.mark.skip(reason=reason)))
    return params


@pytest.fixture(scope="module")
def dists(tmp_path_factory: pytest.TempPathFactory) -> Dists:
    """The session's sdist and wheel (built once, shared with tests/e2e/test_release.py)."""
    return build_dists(tmp_path_factory)


def test_the_search_for_other_pythons(capsys: pytest.CaptureFixture[str]) -> None:
    """Says which Pythons were looked for and found; each found one is the version it was
    filed under and a real CPython executable, never the suite's own version."""
    with capsys.disabled():
        print(f"\nsuite: CPython {SUITE[0]}.{SUITE[1]} ({sys.executable})")
        print(f"looked for CPython {', '.join(f'{a}.{b}' for a, b in SEARCHED)} in:")
        for place in looked_for():
            print(f"  {place}")
        for version in SEARCHED:
            if version != SUITE:
                where = FOUND.get(version)
                print(f"  {version[0]}.{version[1]}: {where.executable if where else 'absent'}")
    for version, interpreter in FOUND.items():
        assert version != SUITE and version in SEARCHED
        assert interpreter.executable.is_file() and os.access(interpreter.executable, os.X_OK)
        assert _probe(str(interpreter.executable)) == Interpreter(
            version, interpreter.executable, str(interpreter.executable)
        )


def _run(
    cwd: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*args],
        cwd=cwd,
        env=clean_env({"NO_COLOR": "1", **(env or {})}),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("interpreter", _params())
def test_the_wheel_checks_and_gates_on_this_python(
    interpreter: Interpreter, tmp_path: Path, dists: Dists, wheelhouse: Path
) -> None:
    venv = python_venv(interpreter.executable, tmp_path / "venv", find_links=(wheelhouse,))
    install_from_index(venv, dists.wheel)
    bootguard_cmd = str(venv.python.parent / "bootguard")
    python = str(venv.python)
    probe = _run(tmp_path, python, "-c", PROBE)
    major, minor, *installed = probe.stdout.split()
    assert (int(major), int(minor)) == interpreter.version, probe.stderr
    names = [line.split("==")[0] for line in installed]
    # tomli only where tomllib is missing: the marker, honoured by pip
    assert names == (["packaging", "tomli"] if interpreter.version < (3, 11) else ["packaging"])
    lock = tmp_path / "requirements.lock"
    lock.write_text(LOCK + "".join(f"{line}\n" for line in installed))  # bootguard's own deps too

    venv.install("taskq==5.0.0", "msgbus==4.2.0")  # the node that resolved msgbus 4.2.0
    drift = _run(tmp_path, bootguard_cmd, "check", "-m", "requirements.lock")
    assert drift.returncode == 1, drift.stdout + drift.stderr
    assert re.search(
        r"^FAIL  msgbus:version +msgbus is 4.2.0, requirements.lock:2 locks 4.1.0$",
        drift.stdout,
        re.M,
    ), drift.stdout
    assert "1 failed, 0 warnings" in drift.stdout
    gate = _run(tmp_path, python, "-c", GATE, str(lock))
    verdict = (gate.returncode, gate.stdout.strip())
    assert verdict == (0, "503 Service Unavailable fail"), gate.stdout + gate.stderr
    assert "msgbus:version" in gate.stderr  # the gate logs the finding
    enforced = _run(tmp_path, python, "-c", GATE, str(lock), env={"BOOTGUARD_MODE": "enforce"})
    assert enforced.returncode == 3, enforced.stdout + enforced.stderr

    venv.install("msgbus==4.1.0")  # fixed: the version the lock pins
    fixed = _run(tmp_path, bootguard_cmd, "check", "-m", "requirements.lock")
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert "bootguard: pass" in fixed.stdout and "0 failed, 0 warnings" in fixed.stdout
    gate = _run(tmp_path, python, "-c", GATE, str(lock))
    verdict = (gate.returncode, gate.stdout.strip())
    assert verdict == (0, "200 OK pass"), gate.stdout + gate.stderr
