"""The venvs the benchmark measures or runs tools from, built once and reused safely.

Why reuse is guarded: a cached venv that drifted from its pins would make every number a
measurement of some other environment. Each venv carries a marker (pin file digest, Python
version) and the measured ones are compared with their pins on every run; any difference
rebuilds them.
"""

from __future__ import annotations

import shutil
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from .util import (
    MARKER,
    PINS,
    REPO,
    VENV_SEED,
    inventory,
    log,
    must,
    now_iso,
    python_version,
    read_marker,
    read_pins,
    remove_venv,
    sh,
    sha256_file,
    sha256_tree,
    tool_env,
    write_json,
)


@dataclass(frozen=True, slots=True)
class BuiltVenv:
    """A venv the benchmark built (or reused) under its cache; its programs are in ``bin/``."""

    path: Path

    @property
    def python(self) -> Path:
        """The venv's interpreter."""
        return self.program("python")

    def program(self, name: str) -> Path:
        """An executable installed in the venv (``python``, ``pip``, ``uv``, ``poetry``...)."""
        return self.path / "bin" / name


@dataclass(frozen=True, slots=True)
class Venv(BuiltVenv):
    """A measured venv and what is installed in it."""

    python_version: str
    installed: dict[str, str]
    how: str  # "reused", "adopted" or "built"


def venv_problems(installed: Mapping[str, str], pins: Mapping[str, str]) -> list[str]:
    """Why an installed set is not exactly the pins plus a fresh venv's seed packages."""
    problems = [
        f"{name}=={want} is {installed.get(name, 'missing')}"
        for name, want in pins.items()
        if installed.get(name) != want
    ]
    extra = sorted(set(installed) - set(pins) - VENV_SEED)
    if extra:
        problems.append("not in pins: " + ", ".join(extra[:5]) + ("…" if len(extra) > 5 else ""))
    return problems


def ensure_venv(cache: Path, size: int, base: Path) -> Venv:
    """Reuse ``cache/v<size>`` when its marker and inventory match the pins, else rebuild."""
    pins_file = PINS / f"freeze{size}.txt"
    pins = read_pins(pins_file)
    want = {"pins_sha256": sha256_file(pins_file), "python": python_version(base)}
    path = cache / f"v{size}"
    python = BuiltVenv(path).python
    marker = read_marker(path / MARKER)
    if python.exists():
        if marker and all(marker.get(k) == v for k, v in want.items()):
            installed = inventory(python)
            problems = venv_problems(installed, pins)
            if not problems:
                return Venv(path, want["python"], installed, "reused")
            log(f"  v{size}: marker matches but the venv changed ({problems[0]}); rebuilding")
        elif marker:
            log(f"  v{size}: pins or python changed since it was built; rebuilding")
        else:
            # A venv made by hand with the same recipe: adopt it only if it is exactly the pins.
            installed = inventory(python)
            problems = venv_problems(installed, pins)
            if not problems and python_version(python) == want["python"]:
                log(f"  v{size}: no marker; inventory matches the pins, adopting it")
                must(sh([python, "-m", "compileall", "-q", path / "lib"]), "compileall")
                write_json(path / MARKER, {**want, "how": "adopted", "at": now_iso()})
                return Venv(path, want["python"], installed, "adopted")
            log(
                f"  v{size}: no marker and not the pins ({(problems or ['python'])[0]}); rebuilding"
            )
        remove_venv(path)
    elif path.exists():
        sys.exit(f"bench: {path} exists but is not a venv; move it away")
    log(f"  v{size}: building (python -m venv, pip install --no-deps, compileall) …")
    started = time.perf_counter()
    must(sh([base, "-m", "venv", path]), "python -m venv")
    must(
        sh([python, "-m", "pip", "install", "-q", "--no-deps", "-r", pins_file]),
        f"pip install -r {pins_file.name}",
    )
    must(sh([python, "-m", "compileall", "-q", path / "lib"]), "compileall")
    installed = inventory(python)
    problems = venv_problems(installed, pins)
    if problems:
        sys.exit(f"bench: v{size} does not match its pins after install: {problems[0]}")
    write_json(path / MARKER, {**want, "how": "built", "at": now_iso()})
    log(f"  v{size}: built in {time.perf_counter() - started:.0f} s")
    return Venv(path, want["python"], installed, "built")


def build_marked_venv(
    path: Path,
    base: Path,
    spec: Path,
    want: Mapping[str, str],
    pip_options: Sequence[str],
    env: Mapping[str, str] | None,
) -> None:
    """(Re)build a tool venv from ``spec`` unless its marker says it was built from ``want``.

    Only the measured venvs need their inventory compared with the pins; a tool venv is
    trusted on its marker (the spec's digest and the Python version it was built with).
    """
    python = BuiltVenv(path).python
    marker = read_marker(path / MARKER)
    if python.exists() and all(marker.get(k) == v for k, v in want.items()):
        return
    if path.exists():
        remove_venv(path)
    log(f"  {path.name}: building venv with " + ", ".join(read_pins(spec)) + " …")
    must(sh([base, "-m", "venv", path]), f"python -m venv {path.name}")
    must(
        sh([python, "-m", "pip", "install", "-q", *pip_options, "-r", spec], env=env),
        f"pip install -r {spec.name}",
    )
    write_json(path / MARKER, {**want, "at": now_iso()})


@dataclass(frozen=True, slots=True)
class AuxVenv(BuiltVenv):
    """A venv for a tool that makes inputs or drives load; never measured into."""

    versions: dict[str, str]


@dataclass(frozen=True, slots=True)
class Tools(AuxVenv):
    """The pinned peer tools (``pins/tools.txt``), outside every measured venv."""

    pip_lock_dir: Path  # the pip_lock package, copied into the shared PYTHONPATH dir
    pkg_resources_dir: Path  # setuptools<82's pkg_resources (+ its vendored deps), no dist-info

    @property
    def pip(self) -> Path:
        """The tool venv's pip (``pip lock``, ``pip check``)."""
        return self.program("pip")

    @property
    def uv(self) -> Path:
        """The tool venv's uv (``uv lock``, ``uv pip compile``, ``uv pip check``)."""
        return self.program("uv")


def ensure_tools(cache: Path, base: Path) -> Tools:
    """Build or reuse ``cache/tools`` (pip, uv, pip-lock, pip-tools, setuptools: tools.txt)."""
    spec = PINS / "tools.txt"
    path = cache / "tools"
    python = BuiltVenv(path).python
    want = {"tools_sha256": sha256_file(spec), "python": python_version(base)}
    build_marked_venv(path, base, spec, want, ("--no-deps",), env=None)
    site = Path(
        must(
            sh([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"]), "site"
        ).strip()
    )
    versions = {k: v for k, v in inventory(python).items() if k in read_pins(spec)}
    uv_version = must(sh([BuiltVenv(path).program("uv"), "--version"]), "uv --version").split()
    versions["uv"] = uv_version[1] if len(uv_version) > 1 else versions.get("uv", "?")
    # pkg_resources of setuptools<82 without its dist-info, so that it can be put on
    # PYTHONPATH for its own row without adding a distribution to the measured venv.
    pkgres = cache / "pkg_resources"
    if read_marker(pkgres / MARKER).get("tools_sha256") != want["tools_sha256"]:
        if pkgres.exists():
            shutil.rmtree(pkgres)
        pkgres.mkdir(parents=True)
        for name in ("pkg_resources", "setuptools"):
            shutil.copytree(site / name, pkgres / name, ignore=shutil.ignore_patterns("tests"))
        must(sh([python, "-m", "compileall", "-q", pkgres]), "compileall pkg_resources")
        write_json(pkgres / MARKER, want)
    return Tools(path, versions, site / "pip_lock", pkgres)


def build_pythonpath(cache: Path, tools: Tools, base: Path) -> tuple[Path, str]:
    """Fresh ``cache/pythonpath``: a byte-compiled copy of bootguard/ and of pip_lock/.

    Neither has a dist-info, so putting this directory on PYTHONPATH makes both importable
    in every measured venv without changing what importlib.metadata (or any peer) sees.
    Returns the directory and the sha256 of the bootguard sources copied.
    """
    shim = cache / "pythonpath"
    if shim.exists():
        shutil.rmtree(shim)
    shim.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(REPO / "bootguard", shim / "bootguard", ignore=ignore)
    shutil.copytree(tools.pip_lock_dir, shim / "pip_lock", ignore=ignore)
    must(sh([base, "-m", "compileall", "-q", shim]), "compileall pythonpath")
    return shim, sha256_tree(shim / "bootguard")


def ensure_aux_venv(cache: Path, name: str, spec: Path, base: Path) -> AuxVenv:
    """Build or reuse ``cache/<name>`` with ``pip install -r spec`` (dependencies resolved).

    Unlike the tool venv (``--no-deps``, every version pinned), these hold a tool with a deep
    dependency tree (Poetry) or servers (gunicorn, uvicorn): only the top-level versions are
    pinned in ``spec``; pip resolves the rest once, and the venv is reused until ``spec`` or
    the Python version changes.
    """
    path = cache / name
    python = BuiltVenv(path).python
    want = {"spec_sha256": sha256_file(spec), "python": python_version(base)}
    build_marked_venv(path, base, spec, want, (), env=tool_env())
    installed = inventory(python)
    return AuxVenv(path, {k: installed.get(k, "?") for k in read_pins(spec)})
