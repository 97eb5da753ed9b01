"""The installers bootguard's users really run (uv, pip-tools, pipenv), from PyPI, once.

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
from collections.abc import Iterator
from pathlib import Path

from tests.support.venvs import clean_env

__all__ = ["TOOL_VERSIONS", "cache_dir", "tool", "tool_env"]

#: Pinned so the locks they write do not change under the tests.
TOOL_VERSIONS = {"uv": "0.13.9", "pip-tools": "7.6.2", "pipenv": "2026.10.3"}
_COMMANDS = {"uv": "uv", "pip-tools": "pip-compile", "pipenv": "pipenv"}


def _cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "bootguard-tests"


def tool(name: str) -> Path:
    """The path of the command of tool ``name`` (``uv``, ``pip-compile``, ``pipenv``)."""
    version = TOOL_VERSIONS[name]
    home = _cache_root() / f"tool-{name}-{version}-py{sys.version_info[0]}{sys.version_info[1]}"
    command = home / "venv" / "bin" / _COMMANDS[name]
    if (home / "ready").is_file():
        return command
    home.parent.mkdir(parents=True, exist_ok=True)
    with _locked(home.parent / f"{home.name}.lock"):
        if (home / "ready").is_file():
            return command
        shutil.rmtree(home, ignore_errors=True)  # an interrupted build
        home.mkdir()
        venv.EnvBuilder(with_pip=True, symlinks=os.name != "nt").create(home / "venv")
        result = subprocess.run(
            [str(home / "venv" / "bin" / "python"), "-m", "pip", "install", "-q",
             "--disable-pip-version-check", f"{name}=={version}"],
            capture_output=True, text=True, timeout=600, check=False,
            env=_install_env(),
        )  # fmt: skip
        if result.returncode != 0:
            msg = f"pip install {name}=={version} failed:\n{result.stdout}\n{result.stderr}"
            raise RuntimeError(msg)
        (home / "ready").write_text(version)
    return command


def _install_env() -> dict[str, str]:
    """The outer environment (its pip settings reach PyPI) without import-path leaks."""
    dropped = ("PYTHON", "VIRTUAL_ENV", "BOOTGUARD_", "UV_")
    return {k: v for k, v in os.environ.items() if not k.startswith(dropped)}


def tool_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment a tool runs with: clean (see :func:`clean_env`), plus ``extra``."""
    return clean_env(extra)


def cache_dir(name: str) -> Path:
    """A persistent download cache for a tool (uv's wheel cache survives between sessions)."""
    path = _cache_root() / f"cache-{name}"
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
