"""Real, throwaway virtual environments driven by the test runner's own pip.

Why: bootguard inspects what is really installed in an interpreter's environment, so
tests build environments with real pip rather than faking ``.dist-info`` trees.

How it stays fast: venvs are made without pip (``venv --without-pip``, a few
milliseconds in-process) and the *outer* pip installs into them through its
``--python`` option (pip >= 22.3), which re-runs this very pip under the venv's
interpreter.  Batch targets into one :meth:`Venv.install` call: each pip call costs
roughly a third of a second.

How it stays offline and hermetic: every pip call runs with ``--no-index``, with the
outer process's ``PIP_*`` variables removed and ``PIP_CONFIG_FILE`` set to
``os.devnull`` (which makes pip skip *all* its configuration files).  ``--no-index``
alone is not enough: it drops index URLs but pip still honours ``find-links`` from
the environment or a config file.  Names are resolved only against the venv's own
``find_links`` (the test wheelhouse).  ``PYTHONPATH``, ``PYTHONHOME``,
``VIRTUAL_ENV`` and ``BOOTGUARD_*`` are removed from every child process too.
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv as _venv
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

__all__ = [
    "CommandFailed",
    "Venv",
    "VenvFactory",
    "clean_env",
    "make_venv",
]

# Variables that change what a child interpreter imports or what pip does.
_DROPPED_PREFIXES = ("PIP_", "BOOTGUARD_", "UV_")
_DROPPED_NAMES = frozenset(
    {
        "PYTHONPATH",
        "PYTHONHOME",
        "PYTHONSTARTUP",
        "PYTHONUSERBASE",
        "PYTHONSAFEPATH",
        "PYTHONNOUSERSITE",
        "PYTHONINSPECT",
        "VIRTUAL_ENV",
        "CONDA_PREFIX",
        "__PYVENV_LAUNCHER__",
    }
)
# pip options every call gets: offline, quiet, no cache shared between tests.
_PIP_COMMON = ("--disable-pip-version-check", "--no-input", "--no-cache-dir")


class CommandFailed(subprocess.CalledProcessError):
    """A helper's child process failed; the message carries its output for the report."""

    def __str__(self) -> str:
        return (
            f"{super().__str__()}\n"
            f"--- stdout ---\n{self.stdout or ''}\n"
            f"--- stderr ---\n{self.stderr or ''}"
        )


def clean_env(
    extra: Mapping[str, str] | None = None, *, pythonpath: Sequence[Path] = ()
) -> dict[str, str]:
    """Return the environment every child process gets.

    The outer environment minus anything that would leak configuration into the child
    (pip settings, import paths, bootguard settings), plus ``PIP_CONFIG_FILE=os.devnull``
    so no pip config file is read, plus ``PYTHONPATH`` set to ``pythonpath`` if given,
    plus ``extra``.
    """
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in _DROPPED_NAMES and not key.startswith(_DROPPED_PREFIXES)
    }
    env["PIP_CONFIG_FILE"] = os.devnull
    # No __pycache__ in editable checkouts or symlinked source trees (pip still
    # byte-compiles what it installs, as in production).
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    if pythonpath:
        env["PYTHONPATH"] = os.pathsep.join(str(path) for path in pythonpath)
    env.update(extra or {})
    return env


def _run(
    args: Sequence[str | Path],
    *,
    env: Mapping[str, str],
    cwd: Path,
    check: bool,
    timeout: float,
) -> subprocess.CompletedProcess[str]:
    command = [str(arg) for arg in args]
    result = subprocess.run(
        command,
        env=dict(env),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if check and result.returncode != 0:
        raise CommandFailed(result.returncode, command, result.stdout, result.stderr)
    return result


def _site_packages(path: Path) -> Path:
    if os.name == "nt":
        return path / "Lib" / "site-packages"
    found = sorted(path.glob("lib/python*/site-packages"))
    if len(found) != 1:
        msg = f"expected one site-packages under {path}, found {found}"
        raise RuntimeError(msg)
    return found[0]


@dataclass(frozen=True)
class Venv:
    """A virtual environment without pip of its own, managed by the outer pip.

    ``find_links`` are the only places names are resolved from (always with
    ``--no-index``); paths to wheels or project directories install directly.
    """

    path: Path
    python: Path
    site_packages: Path
    find_links: tuple[Path, ...] = field(default=())

    def env(
        self, extra: Mapping[str, str] | None = None, *, pythonpath: Sequence[Path] = ()
    ) -> dict[str, str]:
        """Return the clean environment used for this venv's child processes."""
        return clean_env(extra, pythonpath=pythonpath)

    def pip(
        self, *args: str | Path, check: bool = False, timeout: float = 120.0
    ) -> subprocess.CompletedProcess[str]:
        """Run the outer pip against this venv, e.g. ``venv.pip("check")``.

        Does not raise on a non-zero exit unless ``check`` is true: ``pip check``
        exiting 1 is a result, not an error.
        """
        command = [sys.executable, "-m", "pip", "--python", self.python, *_PIP_COMMON, *args]
        return _run(command, env=self.env(), cwd=self.path, check=check, timeout=timeout)

    def install(
        self,
        *targets: str | Path,
        editable: bool = False,
        deps: bool = False,
        extra_args: Iterable[str] = (),
    ) -> None:
        """Install ``targets`` in one pip call; raise :class:`CommandFailed` on failure.

        Targets are requirement strings resolved against ``find_links``
        (``"msgbus==4.1.0"``), wheel files, or project directories.  With ``editable``
        every target is installed with ``-e``.  ``--no-deps`` is passed unless ``deps``
        is true, so tests get exactly the (possibly broken) set they ask for.
        """
        if not targets:
            msg = "install() needs at least one target"
            raise ValueError(msg)
        args: list[str | Path] = ["install", "--no-index", "-q"]
        if not deps:
            args.append("--no-deps")
        for link in self.find_links:
            args += ["--find-links", link]
        args += list(extra_args)
        for target in targets:
            args += ["-e", target] if editable else [target]
        self.pip(*args, check=True)

    def uninstall(self, *names: str) -> None:
        """Uninstall distributions by name; raise :class:`CommandFailed` on failure."""
        self.pip("uninstall", "-y", "-q", *names, check=True)

    def run(
        self,
        code: str,
        *,
        check: bool = False,
        pythonpath: Sequence[Path] = (),
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
        timeout: float = 60.0,
    ) -> subprocess.CompletedProcess[str]:
        """Run ``python -c code`` with this venv's interpreter and return the result.

        The working directory defaults to the venv itself, so the repository checkout
        is *not* importable by accident; pass ``pythonpath`` to make something
        importable on purpose.
        """
        return _run(
            [self.python, "-c", code],
            env=self.env(env, pythonpath=pythonpath),
            cwd=cwd or self.path,
            check=check,
            timeout=timeout,
        )


class VenvFactory(Protocol):
    """The ``venv_factory`` fixture: make a venv under the test's ``tmp_path``."""

    def __call__(self, name: str = "venv", *, install: Sequence[str | Path] = ()) -> Venv:
        """Create venv ``name``; install ``install`` into it in one pip call if given."""
        ...


def make_venv(path: Path, *, find_links: Sequence[Path] = ()) -> Venv:
    """Create a virtual environment without pip at ``path`` (which must not exist yet).

    Made in-process with :class:`venv.EnvBuilder`, based on the interpreter running the
    tests, so the venv's Python version matches the outer pip's.
    """
    if path.exists():
        msg = f"{path} already exists"
        raise FileExistsError(msg)
    builder = _venv.EnvBuilder(with_pip=False, symlinks=os.name != "nt")
    builder.create(path)
    scripts = "Scripts" if os.name == "nt" else "bin"
    python = path / scripts / ("python.exe" if os.name == "nt" else "python")
    return Venv(
        path=path,
        python=python,
        site_packages=_site_packages(path),
        find_links=tuple(find_links),
    )
