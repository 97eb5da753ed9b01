"""The tools bootguard's users really run (uv, pip-tools, pipenv, Poetry), from PyPI, once.

Why: a lock written by hand can agree with bootguard's reading of it and still differ from
what the tool writes and installs.  These tests run the real tools, pinned, each in a venv
of its own under the cache dir (``$XDG_CACHE_HOME/bootguard-tests``), built under a file
lock so parallel sessions share one copy.  A tool that cannot be installed fails the test
loudly with pip's output: nothing is skipped.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import venv
from collections.abc import Callable, Iterator
from pathlib import Path

from tests.support.venvs import clean_env

__all__ = [
    "TOOL_VERSIONS",
    "built_once",
    "cache_dir",
    "cache_root",
    "run_tool",
    "tool",
    "tool_env",
]

#: Pinned so the locks they write do not change under the tests.
TOOL_VERSIONS = {"uv": "0.13.9", "pip-tools": "7.6.2", "pipenv": "2026.10.3", "poetry": "2.5.1"}
_COMMANDS = {"uv": "uv", "pip-tools": "pip-compile", "pipenv": "pipenv", "poetry": "poetry"}


def cache_root() -> Path:
    """Where tools built once live: ``$XDG_CACHE_HOME/bootguard-tests`` or ``~/.cache/...``."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "bootguard-tests"


def tool(name: str) -> Path:
    """The path of the command of tool ``name`` (``uv``, ``pip-compile``, ``pipenv``, ``poetry``)."""
    version = TOOL_VERSIONS[name]
    home = cache_root() / f"tool-{name}-{version}-py{sys.version_info[0]}{sys.version_info[1]}"
    built_once(home, lambda built: _install(built, f"{name}=={version}"), version)
    return home / "venv" / "bin" / _COMMANDS[name]


def built_once(home: Path, build: Callable[[Path], None], version: str) -> Path:
    """``home``, built by ``build(home)`` unless a finished build is there already.

    Why a lock and a ``ready`` file: parallel sessions share the cache, and a build that was
    interrupted leaves a directory without ``ready``, which the next one starts over.
    """
    if (home / "ready").is_file():
        return home
    home.parent.mkdir(parents=True, exist_ok=True)
    with _locked(home.parent / f"{home.name}.lock"):
        if (home / "ready").is_file():
            return home
        shutil.rmtree(home, ignore_errors=True)  # an interrupted build
        home.mkdir()
        build(home)
        (home / "ready").write_text(version)
    return home


def _install(home: Path, requirement: str) -> None:
    """A venv at ``home/venv`` with ``requirement`` installed from PyPI by its own pip."""
    venv.EnvBuilder(with_pip=True, symlinks=os.name != "nt").create(home / "venv")
    result = subprocess.run(
        [str(home / "venv" / "bin" / "python"), "-m", "pip", "install", "-q",
         "--disable-pip-version-check", requirement],
        capture_output=True, text=True, timeout=600, check=False,
        env=_install_env(),
    )  # fmt: skip
    if result.returncode != 0:
        msg = f"pip install {requirement} failed:\n{result.stdout}\n{result.stderr}"
        raise RuntimeError(msg)


def _install_env() -> dict[str, str]:
    """The outer environment (its pip settings reach PyPI) without import-path leaks."""
    dropped = ("PYTHON", "VIRTUAL_ENV", "BOOTGUARD_", "UV_")
    return {k: v for k, v in os.environ.items() if not k.startswith(dropped)}


def tool_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment a tool runs with: clean (see :func:`clean_env`), plus ``extra``."""
    return clean_env(extra)


def cache_dir(name: str) -> Path:
    """A persistent download cache for a tool (uv's wheel cache survives between sessions)."""
    path = cache_root() / f"cache-{name}"
    path.mkdir(parents=True, exist_ok=True)
    return path


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    import fcntl

    with path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def run_tool(
    command: list[str | Path], cwd: Path, env: dict[str, str], timeout: float = 600
) -> None:
    """Run a tool's command (``uv lock``, ``poetry lock``, ``pip lock``...); it must succeed,
    else the test fails with everything the tool printed."""
    result = subprocess.run(
        [str(part) for part in command], cwd=cwd, env=env, capture_output=True, text=True,
        timeout=timeout, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
