"""Build bootguard's sdist and wheel the way a release does, once per test session.

Why a copy: ``python -m build`` writes ``bootguard.egg-info`` into the tree it builds, so it
builds a copy of the checkout (the files git would commit: tracked plus untracked-but-not-
ignored), never the checkout itself.  Why once: the release tests and the other-Pythons smoke
tests install the same wheel, and a build takes seconds.  The wheel is built from the sdist
(``build``'s default), which proves the sdist holds what building the wheel needs.

Installs that need PyPI (``packaging``, ``tomli`` on 3.10, setuptools for the build) go
through :func:`index_env`: the test suite's hermetic environment, with pip's cache allowed.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
import zipfile
from dataclasses import dataclass
from email.message import Message
from email.parser import HeaderParser
from pathlib import Path

import pytest

from tests.support.venvs import CommandFailed, Venv, clean_env

__all__ = [
    "REPO_ROOT",
    "Dists",
    "build_dists",
    "checkout_files",
    "index_env",
    "install_from_index",
    "python_venv",
    "wheel_metadata",
]

REPO_ROOT = Path(__file__).resolve().parents[2]
_COPY_IGNORED = shutil.ignore_patterns(
    ".git", ".venv", "__pycache__", "*.py[cod]", "*_cache", ".hypothesis", "build", "dist",
    "*.egg-info", ".bootguard-try", ".cache",
)  # fmt: skip
_BUILT: dict[Path, Dists] = {}


@dataclass(frozen=True)
class Dists:
    """The built release: the source copy it came from and its two archives."""

    source: Path
    files: tuple[str, ...]  # the copied files, relative, POSIX separators
    sdist: Path
    wheel: Path

    def sdist_names(self) -> list[str]:
        """Member names of the sdist, without the leading ``bootguard-X.Y.Z/``."""
        with tarfile.open(self.sdist) as archive:
            return [m.name.split("/", 1)[1] for m in archive.getmembers() if m.isfile()]

    def wheel_names(self) -> list[str]:
        """Member names of the wheel."""
        with zipfile.ZipFile(self.wheel) as archive:
            return archive.namelist()


def checkout_files(root: Path = REPO_ROOT) -> list[str]:
    """The files a commit of ``root`` would hold: git's tracked plus untracked, not ignored
    (a walk with the usual caches left out where ``root`` is not a git checkout)."""
    listed = subprocess.run(
        ["git", "-C", str(root), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        capture_output=True,
        text=True,
        check=False,
    )
    if listed.returncode == 0:
        return sorted(name for name in listed.stdout.split("\0") if (root / name).is_file())
    found = []
    for path in root.rglob("*"):
        relative = path.relative_to(root)
        if path.is_file() and not _COPY_IGNORED("", list(relative.parts)):
            found.append(relative.as_posix())
    return sorted(found)


def index_env() -> dict[str, str]:
    """The suite's hermetic environment for pip calls that must reach PyPI."""
    return clean_env({"PIP_DISABLE_PIP_VERSION_CHECK": "1"})


def install_from_index(venv: Venv, *targets: str | Path) -> None:
    """Install ``targets`` into ``venv`` with their dependencies from PyPI (pip's cache
    allowed); raise :class:`CommandFailed` with pip's output on failure."""
    command = [sys.executable, "-m", "pip", "--python", str(venv.python), "install", "-q"]
    command += [str(target) for target in targets]
    _run_or_raise(command, env=index_env(), cwd=venv.path, timeout=600)


def _run_or_raise(
    command: list[str], *, env: dict[str, str], timeout: float, cwd: Path | None = None
) -> None:
    """Run ``command``, output captured; raise :class:`CommandFailed` with it on failure."""
    result = subprocess.run(
        command, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False
    )
    if result.returncode != 0:
        raise CommandFailed(result.returncode, command, result.stdout, result.stderr)


def python_venv(python: str | Path, path: Path, find_links: tuple[Path, ...] = ()) -> Venv:
    """A pip-less venv of another interpreter (``python -m venv --without-pip``), driven by
    the outer pip like :func:`tests.support.venvs.make_venv`'s."""
    _run_or_raise(
        [str(python), "-m", "venv", "--without-pip", str(path)], env=clean_env(), timeout=120
    )
    site = sorted(path.glob("lib/python*/site-packages"))
    return Venv(
        path=path, python=path / "bin" / "python", site_packages=site[0], find_links=find_links
    )


def build_dists(tmp_path_factory: pytest.TempPathFactory) -> Dists:
    """Copy the checkout, ``python -m build`` it (sdist, then the wheel from the sdist) and
    return the result; the same one for every caller in this test session."""
    key = tmp_path_factory.getbasetemp()
    if key not in _BUILT:
        root = tmp_path_factory.mktemp("release")
        source = root / "bootguard"
        files = checkout_files()
        for name in files:
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO_ROOT / name, source / name)
        _run_or_raise(
            [sys.executable, "-m", "build", "--outdir", str(root / "dist"), str(source)],
            env=index_env(),
            cwd=root,
            timeout=600,
        )
        (sdist,) = (root / "dist").glob("*.tar.gz")
        (wheel,) = (root / "dist").glob("*.whl")
        _BUILT[key] = Dists(source=source, files=tuple(files), sdist=sdist, wheel=wheel)
    return _BUILT[key]


def wheel_metadata(wheel: Path) -> Message:
    """The wheel's ``METADATA``, parsed (an email header block, as the spec says)."""
    with zipfile.ZipFile(wheel) as archive:
        (name,) = (n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        return HeaderParser().parsestr(archive.read(name).decode())
