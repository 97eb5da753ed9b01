"""Compare bootguard with its peers on real pinned environments, in one run.

Why this exists: bootguard's promise is "verify the environment at boot for about the cost of
starting Python". That claim only means something next to the tools people already use
(pip check, uv pip check, pkg_resources.require, an importlib.metadata loop, pip-lock) measured
on the same environments, on the same machine, in the same run. This script:

1. builds (or safely reuses) one venv per pin set under ``$BOOTGUARD_BENCH_CACHE``
   (default ``benchmarks/.cache``), byte-compiled once, plus a tool venv with pinned peers,
   a Poetry venv (for ``poetry.lock``) and an app venv with gunicorn and uvicorn;
2. produces the manifests bootguard reads: a sealed ``bootguard snapshot``, the plain pin
   file, a real PEP 751 ``pylock.toml`` made by ``pip lock`` (``uv`` as fallback), and a
   ``uv.lock`` and ``poetry.lock`` of a project whose dependencies are the ``==`` pins
   (cached; checked to hold exactly the pins);
3. times whole processes, interleaved (A B C A B C ...) so drift and noise spread over all
   rows, and reports medians and ratios against ``python -c pass`` of the same venv;
4. times bootguard in-process (fresh process per sample, ``inproc.py``): ``check()`` and the
   boot gate ``guard(app)``, cold and with typical app imports; the environment fingerprint;
   RECORD hashing against a plain loop and ``sha256sum``;
5. runs ``tests/health_bench.py`` for the health middleware's cost under gunicorn and uvicorn;
6. prints tables as it goes and writes ``results/latest.md``, ``results/latest.json`` and
   (with matplotlib, the optional ``bench`` extra) ``results/chart.png``.

It is a measurement, not a test: nothing here asserts on time. Targets are evaluated and
printed as met / not met so regressions are visible.

Adding a row is one function decorated with ``@row`` that returns a :class:`Row` for a
:class:`SizeContext`; an in-process measurement is a mode of ``inproc.py``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

__all__ = ["ROW_BUILDERS", "Row", "SizeContext", "main", "row"]

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
PINS = HERE / "pins"
RESULTS = HERE / "results"
INPROC = HERE / "inproc.py"
MARKER = ".bootguard-bench.json"
DEFAULT_REPEAT = 21
QUICK_REPEAT = 5
RUN_TIMEOUT = 300.0
# Packages a fresh venv brings besides the pins (`pip freeze` omits them).
VENV_SEED = frozenset({"pip", "setuptools", "wheel"})
BUSY_LOAD = 0.75  # 1-minute load average above which the results say the machine was busy
WARM_LABEL = "app imports preloaded: logging typing re dataclasses json threading email"


# --------------------------------------------------------------------------- small helpers


def log(msg: str = "") -> None:
    """Print progress immediately (the table is printed as it goes)."""
    print(msg, flush=True)


def normalize(name: str) -> str:
    """PEP 503 name normalization."""
    return re.sub(r"[-_.]+", "-", name).lower()


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def sha256_tree(root: Path) -> str:
    """Hex sha256 over the relative paths and bytes of the .py files under root."""
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def read_pins(path: Path) -> dict[str, str]:
    """``{normalized name: version}`` of a ``name==version`` pin file."""
    pins: dict[str, str] = {}
    for raw in path.read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line or line.startswith("-"):
            continue
        name, _, version = line.partition("==")
        pins[normalize(name.split("[", 1)[0].strip())] = version.split(";", 1)[0].strip()
    return pins


def last_line(text: str, limit: int = 160) -> str:
    """The last non-empty line of some output, shortened for a table cell."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    line = lines[-1] if lines else "(no output)"
    return line if len(line) <= limit else line[: limit - 1] + "…"


def sh(
    argv: Sequence[str | Path],
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float = 1800.0,
) -> subprocess.CompletedProcess[str]:
    """Run a setup command, capturing output (never used for timing)."""
    return subprocess.run(
        [str(a) for a in argv],
        env=None if env is None else dict(env),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def must(proc: subprocess.CompletedProcess[str], what: str) -> str:
    """Return stdout, or stop the benchmark with the command's own error."""
    if proc.returncode != 0:
        sys.exit(f"bench: {what} failed (exit {proc.returncode}): {last_line(proc.stderr)}")
    return proc.stdout


def base_python() -> Path:
    """The real interpreter behind ``python3`` (resolving pyenv-style shims once)."""
    exe = shutil.which("python3") or sys.executable
    out = sh([exe, "-c", "import sys; print(sys.executable)"])
    return Path(must(out, "python3 -c sys.executable").strip())


def python_version(python: Path) -> str:
    """``platform.python_version()`` of an interpreter."""
    out = sh([python, "-c", "import platform; print(platform.python_version())"])
    return must(out, f"{python} --version").strip()


INVENTORY_CODE = (
    "import json\nfrom importlib.metadata import distributions\n"
    "print(json.dumps({d.metadata['Name']: d.version for d in distributions()}))"
)


def inventory(python: Path) -> dict[str, str]:
    """``{normalized name: version}`` installed in an interpreter's environment."""
    out = must(sh([python, "-I", "-c", INVENTORY_CODE]), f"inventory of {python}")
    return {normalize(k): v for k, v in json.loads(out).items()}


def read_marker(path: Path) -> dict[str, str]:
    """A marker file's JSON (empty when missing or unreadable)."""
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def write_json(path: Path, data: object) -> None:
    """Write JSON atomically (``*.tmp`` then rename)."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=False) + "\n")
    tmp.replace(path)


def write_text(path: Path, text: str) -> None:
    """Write text atomically (``*.tmp`` then rename)."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    tmp.replace(path)


def remove_venv(path: Path) -> None:
    """Delete a cached venv, refusing anything that does not look like one."""
    if not (path / "pyvenv.cfg").is_file():
        sys.exit(f"bench: refusing to delete {path}: no pyvenv.cfg, not a venv")
    shutil.rmtree(path)


# --------------------------------------------------------------------------- environments


@dataclass(frozen=True, slots=True)
class Venv:
    """A benchmark venv and what is installed in it."""

    path: Path
    python: Path
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
    python = path / "bin" / "python"
    marker = read_marker(path / MARKER)
    if python.exists():
        if marker and all(marker.get(k) == v for k, v in want.items()):
            installed = inventory(python)
            problems = venv_problems(installed, pins)
            if not problems:
                return Venv(path, python, want["python"], installed, "reused")
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
                return Venv(path, python, want["python"], installed, "adopted")
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
    return Venv(path, python, want["python"], installed, "built")


@dataclass(frozen=True, slots=True)
class Tools:
    """The pinned peer tools (``pins/tools.txt``), outside every measured venv."""

    python: Path
    pip: Path
    uv: Path
    versions: dict[str, str]
    pip_lock_dir: Path  # the pip_lock package, copied into the shared PYTHONPATH dir
    pkg_resources_dir: Path  # setuptools<82's pkg_resources (+ its vendored deps), no dist-info


def ensure_tools(cache: Path, base: Path) -> Tools:
    """Build or reuse ``cache/tools`` (pip, uv, pip-lock, pip-tools, setuptools: tools.txt)."""
    spec = PINS / "tools.txt"
    path = cache / "tools"
    python = path / "bin" / "python"
    want = {"tools_sha256": sha256_file(spec), "python": python_version(base)}
    marker = read_marker(path / MARKER)
    if not (python.exists() and all(marker.get(k) == v for k, v in want.items())):
        if path.exists():
            remove_venv(path)
        log("  tools: building venv with " + ", ".join(read_pins(spec)) + " …")
        must(sh([base, "-m", "venv", path]), "python -m venv tools")
        must(
            sh([python, "-m", "pip", "install", "-q", "--no-deps", "-r", spec]),
            "pip install -r tools.txt",
        )
        write_json(path / MARKER, {**want, "at": now_iso()})
    site = Path(
        must(
            sh([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"]), "site"
        ).strip()
    )
    versions = {k: v for k, v in inventory(python).items() if k in read_pins(spec)}
    uv_version = must(sh([path / "bin" / "uv", "--version"]), "uv --version").split()
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
    return Tools(
        python, path / "bin" / "pip", path / "bin" / "uv", versions, site / "pip_lock", pkgres
    )


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


def now_iso() -> str:
    """The current UTC time, ISO 8601, seconds."""
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()


# --------------------------------------------------------------------------- manifests


@dataclass(frozen=True, slots=True)
class Artifact:
    """A manifest file made for one venv, who made it, or why there is none."""

    path: Path | None
    made_by: str = ""
    reason: str = ""


def ensure_pylock(cache: Path, size: int, tools: Tools, venv: Venv) -> Artifact:
    """A real PEP 751 lock for the pins, cached as ``cache/pylock.v<size>.toml``.

    ``pip lock --no-deps -r pins`` first (pip >= 25.1); ``uv pip compile --format pylock.toml``
    as fallback. Both resolve against the package index, so the result is cached and only
    remade when the pins change.
    """
    pins_file = PINS / f"freeze{size}.txt"
    target = cache / f"pylock.v{size}.toml"  # PEP 751 names: pylock.toml or pylock.<name>.toml
    meta = cache / f"pylock.v{size}.json"
    want = sha256_file(pins_file)
    marker = read_marker(meta)
    if target.is_file() and marker.get("pins_sha256") == want:
        return Artifact(target, marker.get("made_by", "?"))
    attempts: list[tuple[str, list[str | Path]]] = [
        (
            f"pip {tools.versions.get('pip', '?')} (pip lock --no-deps -r pins)",
            [tools.pip, "lock", "--no-deps", "-r", pins_file, "-o", target],
        ),
        (
            f"uv {tools.versions.get('uv', '?')} (uv pip compile --no-deps --format pylock.toml)",
            [
                tools.uv,
                "pip",
                "compile",
                "--no-deps",
                "--format",
                "pylock.toml",
                "--python",
                venv.python,
                "-q",
                "-o",
                target,
                pins_file,
            ],
        ),
    ]
    reasons: list[str] = []
    for made_by, argv in attempts:
        log(f"  v{size}: making pylock with {made_by} …")
        proc = sh(argv, env=tool_env())
        if proc.returncode == 0 and target.is_file():
            write_json(meta, {"pins_sha256": want, "made_by": made_by, "at": now_iso()})
            return Artifact(target, made_by)
        reasons.append(f"{made_by.split(' (')[0]}: {last_line(proc.stderr)}")
    return Artifact(None, reason="; ".join(reasons))


@dataclass(frozen=True, slots=True)
class AuxVenv:
    """A venv for a tool that makes inputs or drives load; never measured into."""

    python: Path
    versions: dict[str, str]


def ensure_aux_venv(cache: Path, name: str, spec: Path, base: Path) -> AuxVenv:
    """Build or reuse ``cache/<name>`` with ``pip install -r spec`` (dependencies resolved).

    Unlike the tool venv (``--no-deps``, every version pinned), these hold a tool with a deep
    dependency tree (Poetry) or servers (gunicorn, uvicorn): only the top-level versions are
    pinned in ``spec``; pip resolves the rest once, and the venv is reused until ``spec`` or
    the Python version changes.
    """
    path = cache / name
    python = path / "bin" / "python"
    want = {"spec_sha256": sha256_file(spec), "python": python_version(base)}
    marker = read_marker(path / MARKER)
    if not (python.exists() and all(marker.get(k) == v for k, v in want.items())):
        if path.exists():
            remove_venv(path)
        log(f"  {name}: building venv with " + ", ".join(read_pins(spec)) + " …")
        must(sh([base, "-m", "venv", path]), f"python -m venv {name}")
        must(
            sh([python, "-m", "pip", "install", "-q", "-r", spec], env=tool_env()),
            f"pip install -r {spec.name}",
        )
        write_json(path / MARKER, {**want, "at": now_iso()})
    installed = inventory(python)
    return AuxVenv(python, {k: installed.get(k, "?") for k in read_pins(spec)})


def lock_project(size: int, pins: Path, python: str) -> str:
    """A ``pyproject.toml`` whose dependencies are exactly the ``==`` pins of a pin file.

    ``requires-python`` starts at the venv's full Python version: some pins need a patch
    release (pymdown-extensions 13.1.2 needs >= 3.11.5), and a universal locker (uv) refuses
    a range its pins do not support. Poetry reads the same ``[project]`` table
    (``package-mode = false``: nothing to build); its source is PyPI's simple API, the one
    Poetry can reach from a machine that reaches only that (and what the checked-in lock
    fixtures use).
    """
    deps = "\n".join(
        f'    "{line.split("#", 1)[0].strip()}",'
        for line in pins.read_text().splitlines()
        if line.split("#", 1)[0].strip() and not line.startswith("-")
    )
    return (
        "# Made by benchmarks/run.py from "
        f"pins/{pins.name}: the pins as a project, for uv lock and poetry lock.\n"
        "[project]\n"
        f'name = "bootguard-bench-v{size}"\n'
        'version = "0.0.0"\n'
        f'requires-python = ">={python},<4"\n'
        f"dependencies = [\n{deps}\n]\n\n"
        "[tool.poetry]\npackage-mode = false\n\n"
        '[[tool.poetry.source]]\nname = "pypi-simple"\nurl = "https://pypi.org/simple/"\n'
        'priority = "primary"\n'
    )


def locked_versions(path: Path) -> dict[str, str] | None:
    """``{normalized name: version}`` of a uv.lock / poetry.lock (None without tomllib)."""
    try:
        import tomllib  # deferred: Python >= 3.11 only; the check is skipped on 3.10
    except ImportError:
        return None
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    return {
        normalize(str(p["name"])): str(p["version"])
        for p in data.get("package", [])
        if isinstance(p, dict) and "name" in p and "version" in p
    }


def lock_mismatches(path: Path, pins: Mapping[str, str]) -> list[str]:
    """Pins the lock does not hold at the pinned version (empty: the lock is the pins)."""
    locked = locked_versions(path)
    if locked is None:
        return []
    return [
        f"{name}=={want} locked as {locked.get(name, 'absent')}"
        for name, want in pins.items()
        if locked.get(name) != want
    ]


def ensure_locks(
    cache: Path, size: int, tools: Tools, poetry: AuxVenv | None, venv: Venv
) -> tuple[Artifact, Artifact]:
    """``uv.lock`` and ``poetry.lock`` of the pins, made once in ``cache/locks.v<size>/``.

    Both resolve against the package index, so they are cached like the pylock files and
    remade only when the pins (or the tool versions) change. A lock that does not hold
    exactly the pins is not used (the check would not be a clean pass).
    """
    pins_file = PINS / f"freeze{size}.txt"
    pins = read_pins(pins_file)
    project = cache / f"locks.v{size}"
    meta = cache / f"locks.v{size}.json"
    marker = read_marker(meta)
    pins_sha = sha256_file(pins_file)
    project.mkdir(parents=True, exist_ok=True)
    text = lock_project(size, pins_file, venv.python_version)
    if (
        not (project / "pyproject.toml").is_file()
        or (project / "pyproject.toml").read_text() != text
    ):
        write_text(project / "pyproject.toml", text)
    uv_how = f"uv {tools.versions.get('uv', '?')} (uv lock)"
    poetry_how = f"Poetry {poetry.versions.get('poetry', '?')} (poetry lock)" if poetry else ""
    plans: list[tuple[str, str, str, list[str | Path] | None]] = [
        ("uv", "uv.lock", uv_how, [tools.uv, "lock", "--python", venv.python, "-q"]),
        (
            "poetry",
            "poetry.lock",
            poetry_how,
            [poetry.python.parent / "poetry", "lock", "-n"] if poetry else None,
        ),
    ]
    made: list[Artifact] = []
    for key, name, how, argv in plans:
        target = project / name
        fresh = marker.get(f"{key}_pins_sha256") == pins_sha and marker.get(key) == how
        if not (target.is_file() and fresh):
            if argv is None:
                made.append(Artifact(None, reason=f"{name}: no {key} venv"))
                continue
            target.unlink(missing_ok=True)
            log(f"  v{size}: making {name} with {how} …")
            proc = sh(argv, env=tool_env(), cwd=project)
            if proc.returncode != 0 or not target.is_file():
                reason = last_line(proc.stderr or proc.stdout)
                made.append(Artifact(None, reason=f"{how}: {reason}"))
                continue
            marker = {**marker, f"{key}_pins_sha256": pins_sha, key: how, f"{key}_at": now_iso()}
            write_json(meta, marker)
        wrong = lock_mismatches(target, pins)
        if wrong:
            made.append(
                Artifact(None, reason=f"{name} is not the pins: {wrong[0]} (+{len(wrong) - 1})")
            )
            continue
        made.append(Artifact(target, how))
    return made[0], made[1]


@dataclass(frozen=True, slots=True)
class HashList:
    """A ``sha256sum -c`` list of every hashed RECORD row of a venv (what all hashers cover)."""

    path: Path
    files: int
    bytes: int


def make_hash_list(cache: Path, size: int, venv: Venv) -> HashList:
    """Write ``cache/sha256sums.v<size>.txt`` from the venv's RECORD files (not timed).

    The same rows the in-process hashers verify: every RECORD row with a sha256, except files
    under ``__pycache__`` (Python may rewrite those; bootguard skips them). The byte count is
    the sum of the recorded sizes: the MB in MB/s.
    """
    import base64  # deferred: only the integrity rows need these
    import csv

    site = must(
        sh([venv.python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"]),
        "purelib",
    ).strip()
    target = cache / f"sha256sums.v{size}.txt"
    files = total = 0
    lines: list[str] = []
    for info in sorted(Path(site).glob("*.dist-info")):
        try:
            with (info / "RECORD").open(newline="", encoding="utf-8") as handle:
                rows = list(csv.reader(handle))
        except OSError:
            continue
        for row in rows:
            if len(row) < 3 or not row[1].startswith("sha256="):
                continue
            path = os.path.normpath(os.path.join(site, row[0]))
            if os.path.basename(os.path.dirname(path)) == "__pycache__":
                continue
            value = row[1][len("sha256=") :]
            digest = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).hex()
            lines.append(f"{digest}  {path}\n")
            files += 1
            total += int(row[2] or 0)
    write_text(target, "".join(lines))
    return HashList(target, files, total)


def make_snapshot(
    cache: Path, size: int, venv: Venv, env: Mapping[str, str], cwd: Path
) -> Artifact:
    """``python -m bootguard snapshot -o SNAP`` in the venv, once per venv per run."""
    target = cache / f"snapshot.v{size}.txt"
    target.unlink(missing_ok=True)
    proc = sh(
        [venv.python, "-m", "bootguard", "snapshot", "-o", target],
        env=env,
        cwd=cwd,
        timeout=RUN_TIMEOUT,
    )
    if proc.returncode != 0 or not target.is_file():
        return Artifact(None, reason=f"snapshot: {last_line(proc.stderr or proc.stdout)}")
    return Artifact(target, "python -m bootguard snapshot")


def tool_env() -> dict[str, str]:
    """The machine's environment minus anything that would redirect Python or pip."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "PYTHONPATH",
            "PYTHONHOME",
            "PYTHONSTARTUP",
            "VIRTUAL_ENV",
            "PYTHONEXECUTABLE",
            "__PYVENV_LAUNCHER__",
            "PYTHONPROFILEIMPORTTIME",
        }
    }
    # The user's own BOOTGUARD_* settings (or the benchmark's cache variable) must not change
    # what the gate rows measure.
    env = {k: v for k, v in env.items() if not k.startswith("BOOTGUARD_")}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"  # no network during timed runs
    return env


# --------------------------------------------------------------------------- rows

Kind = Literal["process", "inproc"]


@dataclass(frozen=True, slots=True)
class Verdict:
    """Whether a validation run counts, plus a short note for the table."""

    ok: bool
    note: str = ""


Accept = Callable[["subprocess.CompletedProcess[str]"], Verdict]


def exit_zero(proc: subprocess.CompletedProcess[str]) -> Verdict:
    """Default acceptance: exit status 0."""
    if proc.returncode == 0:
        return Verdict(True)
    return Verdict(False, f"exit {proc.returncode}: {last_line(proc.stderr or proc.stdout)}")


_NOT_A_CLI = ("Traceback", "No module named", "cannot be directly executed", "Error while")


def bootguard_cli(proc: subprocess.CompletedProcess[str]) -> Verdict:
    """bootguard check: 0 pass/warn and 1 fail are real results; 2 or a crash are n/a."""
    if proc.returncode == 0:
        return Verdict(True, "exit 0")
    crashed = any(s in proc.stderr for s in _NOT_A_CLI)
    if proc.returncode == 1 and not crashed:
        return Verdict(True, "exit 1 (fail): " + last_line(proc.stdout or proc.stderr, 80))
    return Verdict(False, f"exit {proc.returncode}: {last_line(proc.stderr or proc.stdout)}")


def inproc_result(proc: subprocess.CompletedProcess[str]) -> Verdict:
    """inproc.py prints one JSON line: ``{"ms", "status"}`` or ``{"error"}``."""
    try:
        data = json.loads(proc.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return Verdict(False, f"exit {proc.returncode}: {last_line(proc.stderr)}")
    if "error" in data:
        return Verdict(False, str(data["error"]))
    return Verdict(True, f"status {data.get('status', '?')}")


@dataclass(frozen=True, slots=True)
class Row:
    """One thing to time. ``unavailable`` set means: show that reason instead of a number."""

    key: str
    label: str
    argv: tuple[str, ...] = ()
    kind: Kind = "process"
    env: Mapping[str, str] | None = None  # None: the size's shared environment
    accept: Accept = exit_zero
    ok_codes: frozenset[int] = frozenset({0})  # exit codes a timed run may end with
    note: str = ""
    unavailable: str | None = None
    rounds: int | None = None  # at most this many timed runs (slow rows), None: --repeat


@dataclass(frozen=True, slots=True)
class SizeContext:
    """Everything a row builder may use for one pin set."""

    size: int
    venv: Venv
    pins: Path
    env: Mapping[str, str]  # shared by every row: PYTHONPATH = the bootguard/pip_lock copy
    cwd: Path  # an empty directory: `-c`/`-m` put the cwd on sys.path
    tools: Tools
    pylock: Artifact
    snapshot: Artifact
    bootguard_ready: str  # "" when bootguard/__init__.py exists, else the reason
    uv_lock: Artifact = Artifact(None, reason="not made")
    poetry_lock: Artifact = Artifact(None, reason="not made")
    hashes: HashList | None = None  # set for the size the integrity rows run on

    @property
    def py(self) -> str:
        """The venv's interpreter as a string."""
        return str(self.venv.python)


RowBuilder = Callable[[SizeContext], Row]
ROW_BUILDERS: list[RowBuilder] = []


def row(builder: RowBuilder) -> RowBuilder:
    """Register a row builder; rows appear in the table in registration order."""
    ROW_BUILDERS.append(builder)
    return builder


def na(key: str, label: str, reason: str) -> Row:
    """A row that cannot be measured (yet), shown with its reason."""
    return Row(key, label, unavailable=reason)


def bootguard_check_row(ctx: SizeContext, key: str, label: str, manifest: Artifact) -> Row:
    """``python -m bootguard check --manifest M`` as a whole process."""
    if ctx.bootguard_ready:
        return na(key, label, ctx.bootguard_ready)
    if manifest.path is None:
        return na(key, label, manifest.reason)
    argv = (ctx.py, "-m", "bootguard", "check", "--manifest", str(manifest.path))
    return Row(
        key, label, argv, accept=bootguard_cli, ok_codes=frozenset({0, 1}), note=manifest.made_by
    )


def bootguard_pass(proc: subprocess.CompletedProcess[str]) -> Verdict:
    """bootguard check that must report a clean pass (a lock made from the pins)."""
    verdict = bootguard_cli(proc)
    if verdict.ok and not proc.stdout.startswith("bootguard: pass"):
        return Verdict(False, "not a clean pass: " + last_line(proc.stdout, 100))
    return verdict


def inproc_pass(proc: subprocess.CompletedProcess[str]) -> Verdict:
    """inproc.py whose report must be a clean pass."""
    verdict = inproc_result(proc)
    if verdict.ok and not verdict.note.startswith("status pass"):
        return Verdict(False, f"not a clean pass: {verdict.note}")
    return verdict


def inproc_row(
    ctx: SizeContext,
    key: str,
    label: str,
    mode: str,
    manifest: Artifact,
    *,
    require_pass: bool = False,
    rounds: int | None = None,
) -> Row:
    """A fresh process running inproc.py; the sample is the time it reports."""
    if mode != "floor" and ctx.bootguard_ready:
        return na(key, label, ctx.bootguard_ready)
    if manifest.path is None:
        return na(key, label, manifest.reason)
    argv = (ctx.py, str(INPROC), mode, str(manifest.path))
    accept = inproc_pass if require_pass else inproc_result
    return Row(key, label, argv, kind="inproc", accept=accept, note=manifest.made_by, rounds=rounds)


@row
def row_pass(ctx: SizeContext) -> Row:
    """The baseline every ratio divides by."""
    return Row("pass", "python -c pass", (ctx.py, "-c", "pass"), note="baseline")


SCANDIR_CODE = (
    "import os, sys\n"
    "n = 0\n"
    "for p in sys.path:\n"
    "    try:\n"
    "        with os.scandir(p or '.') as it:\n"
    "            n += sum(e.name.endswith('.dist-info') for e in it)\n"
    "    except OSError:\n"
    "        pass\n"
)


@row
def row_scandir_floor(ctx: SizeContext) -> Row:
    """The floor a sealed check can approach: list the dist-info names, nothing else."""
    return Row("scandir", "os.scandir *.dist-info listing (floor)", (ctx.py, "-c", SCANDIR_CODE))


@row
def row_import_bootguard(ctx: SizeContext) -> Row:
    """Import cost of the facade (target: within 1.15x of pass)."""
    label = 'python -c "import bootguard"'
    if ctx.bootguard_ready:
        return na("import", label, ctx.bootguard_ready)
    return Row("import", label, (ctx.py, "-c", "import bootguard"))


@row
def row_check_snapshot(ctx: SizeContext) -> Row:
    """The boot-time fast path: a sealed snapshot confirms nothing changed."""
    return bootguard_check_row(
        ctx, "check-snapshot", "bootguard check --manifest SNAPSHOT", ctx.snapshot
    )


@row
def row_check_pins(ctx: SizeContext) -> Row:
    """The full path: plain pins, no seal, metadata parsed."""
    pins = Artifact(ctx.pins, "pins/freezeN.txt")
    return bootguard_check_row(ctx, "check-pins", "bootguard check --manifest freezeN.txt", pins)


@row
def row_check_pylock(ctx: SizeContext) -> Row:
    """A real PEP 751 lock for the same pins."""
    return bootguard_check_row(
        ctx, "check-pylock", "bootguard check --manifest pylock.toml", ctx.pylock
    )


@row
def row_check_uvlock(ctx: SizeContext) -> Row:
    """uv's own lock of the same pins (``uv lock``), as a project would commit it."""
    return lock_check_row(ctx, "check-uvlock", "bootguard check --manifest uv.lock", ctx.uv_lock)


@row
def row_check_poetrylock(ctx: SizeContext) -> Row:
    """Poetry's lock of the same pins (``poetry lock``)."""
    return lock_check_row(
        ctx, "check-poetrylock", "bootguard check --manifest poetry.lock", ctx.poetry_lock
    )


def lock_check_row(ctx: SizeContext, key: str, label: str, lock: Artifact) -> Row:
    """bootguard check of a lock made from the pins: only a clean pass counts."""
    built = bootguard_check_row(ctx, key, label, lock)
    if built.unavailable is not None:
        return built
    return Row(key, label, built.argv, accept=bootguard_pass, note=built.note)


@row
def row_pip_check_venv(ctx: SizeContext) -> Row:
    """pip check with the venv's own pip (what `python -m pip check` at boot costs)."""
    version = ctx.venv.installed.get("pip", "?")
    return Row(
        "pip-check-venv", f"pip check (venv's pip {version})", (ctx.py, "-m", "pip", "check")
    )


@row
def row_pip_check_tool(ctx: SizeContext) -> Row:
    """pip check with a current pip from the tool venv, pointed at the venv with --python."""
    version = ctx.tools.versions.get("pip", "?")
    return Row(
        "pip-check-tool",
        f"pip check (pip {version} --python V)",
        (str(ctx.tools.pip), "--python", ctx.py, "check"),
    )


@row
def row_uv_check(ctx: SizeContext) -> Row:
    """uv's Rust implementation of pip check."""
    version = ctx.tools.versions.get("uv", "?")
    return Row(
        "uv-check",
        f"uv pip check (uv {version})",
        (str(ctx.tools.uv), "pip", "check", "--python", ctx.py),
    )


PKG_RESOURCES_CODE = (
    "import sys\n"
    "import pkg_resources\n"
    "with open(sys.argv[1]) as f:\n"
    "    pins = [l.split('#', 1)[0].strip() for l in f]\n"
    "pkg_resources.require([p for p in pins if p and not p.startswith('-')])\n"
)


@row
def row_pkg_resources_venv(ctx: SizeContext) -> Row:
    """pkg_resources.require(all pins) with the setuptools a fresh venv brings."""
    version = ctx.venv.installed.get("setuptools", "?")
    argv = (ctx.py, "-c", PKG_RESOURCES_CODE, str(ctx.pins))

    def accept(proc: subprocess.CompletedProcess[str]) -> Verdict:
        verdict = exit_zero(proc)
        if verdict.ok or "DistributionNotFound" not in proc.stderr:
            return verdict
        # Old pkg_resources keys a .dist-info by its (normalized, underscored) directory
        # name, so dotted names such as zope.interface are "not found": pypa/setuptools#3146.
        found = re.search(r"The '([^']+)' distribution was not found", proc.stderr)
        what = found.group(1) if found else last_line(proc.stderr, 80)
        return Verdict(
            False,
            f"fails: DistributionNotFound {what!r} - this pkg_resources keys a .dist-info by its"
            " normalized directory name, so dotted names never match (pypa/setuptools#3146)",
        )

    return Row(
        "pkg-resources-venv",
        f"pkg_resources.require(pins) (venv's setuptools {version})",
        argv,
        accept=accept,
    )


@row
def row_pkg_resources_pinned(ctx: SizeContext) -> Row:
    """pkg_resources.require(all pins) with setuptools<82 put on PYTHONPATH, no dist-info."""
    version = ctx.tools.versions.get("setuptools", "?")
    env = dict(ctx.env)
    env["PYTHONPATH"] = os.pathsep.join([env["PYTHONPATH"], str(ctx.tools.pkg_resources_dir)])
    argv = (ctx.py, "-W", "ignore::UserWarning", "-c", PKG_RESOURCES_CODE, str(ctx.pins))
    return Row(
        "pkg-resources-pinned", f"pkg_resources.require(pins) (setuptools {version})", argv, env=env
    )


METADATA_CODE = (
    "from importlib.metadata import distributions\n"
    "for d in distributions():\n"
    "    d.metadata['Name']; d.version; d.requires\n"
)


@row
def row_importlib_metadata(ctx: SizeContext) -> Row:
    """The plain stdlib loop most hand-written checks boil down to."""
    return Row(
        "importlib-metadata",
        "importlib.metadata loop (Name, version, requires)",
        (ctx.py, "-c", METADATA_CODE),
    )


@row
def row_pip_sync(ctx: SizeContext) -> Row:
    """pip-tools' pip-sync --dry-run: what it would install or uninstall to match the pins."""
    version = ctx.tools.versions.get("pip-tools", "?")
    exe = ctx.tools.python.parent / "pip-sync"
    label = f"pip-sync --dry-run (pip-tools {version}, --python-executable V)"
    if not exe.is_file():
        return na("pip-sync", label, "pip-sync not in the tool venv")
    return Row(
        "pip-sync",
        label,
        (str(exe), "--dry-run", "--python-executable", ctx.py, str(ctx.pins)),
    )


@row
def row_pip_lock(ctx: SizeContext) -> Row:
    """pip-lock's check_requirements(pins): version equality of the pins only."""
    version = ctx.tools.versions.get("pip-lock", "?")
    code = "import sys\nfrom pip_lock import check_requirements\ncheck_requirements(sys.argv[1])\n"
    return Row(
        "pip-lock",
        f"pip-lock {version} check_requirements(pins)",
        (ctx.py, "-c", code, str(ctx.pins)),
    )


@row
def row_inproc_floor(ctx: SizeContext) -> Row:
    """In-process floor: os.scandir of sys.path for *.dist-info."""
    return inproc_row(ctx, "in-floor", "in-process: os.scandir floor", "floor", Artifact(ctx.pins))


@row
def row_inproc_snapshot_cold(ctx: SizeContext) -> Row:
    """In-process import + check of the sealed snapshot, nothing preloaded."""
    return inproc_row(
        ctx, "in-snapshot-cold", "in-process: import+check(SNAPSHOT), cold", "cold", ctx.snapshot
    )


@row
def row_inproc_pins_cold(ctx: SizeContext) -> Row:
    """In-process import + full check of the plain pins, nothing preloaded."""
    return inproc_row(
        ctx, "in-pins-cold", "in-process: import+check(pins), cold", "cold", Artifact(ctx.pins)
    )


@row
def row_inproc_snapshot_warm(ctx: SizeContext) -> Row:
    """Same as cold, with typical app imports already loaded (they are not counted)."""
    return inproc_row(
        ctx,
        "in-snapshot-warm",
        "in-process: import+check(SNAPSHOT), app imports",
        "warm",
        ctx.snapshot,
    )


@row
def row_inproc_pins_warm(ctx: SizeContext) -> Row:
    """Same as cold, with typical app imports already loaded (they are not counted)."""
    return inproc_row(
        ctx,
        "in-pins-warm",
        "in-process: import+check(pins), app imports",
        "warm",
        Artifact(ctx.pins),
    )


@row
def row_inproc_uvlock_cold(ctx: SizeContext) -> Row:
    """In-process import + read/select uv.lock (TOML parse included) + full check, cold."""
    return inproc_row(
        ctx,
        "in-uvlock-cold",
        "in-process: import+check(uv.lock), cold",
        "cold",
        ctx.uv_lock,
        require_pass=True,
    )


@row
def row_inproc_poetrylock_cold(ctx: SizeContext) -> Row:
    """In-process import + read/select poetry.lock + full check, cold."""
    return inproc_row(
        ctx,
        "in-poetrylock-cold",
        "in-process: import+check(poetry.lock), cold",
        "cold",
        ctx.poetry_lock,
        require_pass=True,
    )


@row
def row_guard_snapshot_cold(ctx: SizeContext) -> Row:
    """bootguard.guard(app) as a wsgi.py runs it: settings, check, verdict, middleware."""
    return inproc_row(
        ctx,
        "guard-snapshot-cold",
        "in-process: guard(app), SNAPSHOT, cold",
        "guard-cold",
        ctx.snapshot,
    )


@row
def row_guard_snapshot_warm(ctx: SizeContext) -> Row:
    """guard(app) with typical app imports already loaded."""
    return inproc_row(
        ctx,
        "guard-snapshot-warm",
        "in-process: guard(app), SNAPSHOT, app imports",
        "guard-warm",
        ctx.snapshot,
    )


@row
def row_guard_pylock_cold(ctx: SizeContext) -> Row:
    """guard(app) against pylock.toml: the full path (metadata parsed), cold."""
    return inproc_row(
        ctx,
        "guard-pylock-cold",
        "in-process: guard(app), pylock.toml, cold",
        "guard-cold",
        ctx.pylock,
    )


@row
def row_guard_pylock_warm(ctx: SizeContext) -> Row:
    """guard(app) against pylock.toml with typical app imports already loaded."""
    return inproc_row(
        ctx,
        "guard-pylock-warm",
        "in-process: guard(app), pylock.toml, app imports",
        "guard-warm",
        ctx.pylock,
    )


@row
def row_fingerprint(ctx: SizeContext) -> Row:
    """What the environment fingerprint adds to every boot (the listing is shared)."""
    return inproc_row(
        ctx,
        "in-fingerprint",
        "in-process: environment fingerprint (every RECORD digested)",
        "fingerprint",
        Artifact(ctx.pins),
    )


INTEGRITY_ROUNDS = 7  # each sample hashes ~470 MB: fewer rounds, still interleaved
OTHER_SIZE = "not measured on this size"  # such rows are left out of that size's table


def integrity_only(ctx: SizeContext, key: str, label: str) -> Row | None:
    """Leave the integrity rows out of every size but the one with the hash list."""
    if ctx.hashes is None:
        return na(key, label, OTHER_SIZE)
    return None


@row
def row_check_integrity(ctx: SizeContext) -> Row:
    """The CLI with RECORD verification: full check + hashing + the unexpected-file walk."""
    key, label = "check-integrity", "bootguard check --integrity --manifest SNAPSHOT"
    skip = integrity_only(ctx, key, label)
    if skip is not None:
        return skip
    built = bootguard_check_row(ctx, key, label, ctx.snapshot)
    if built.unavailable is not None:
        return built
    argv = (*built.argv, "--integrity")
    return Row(key, label, argv, accept=exit_zero, rounds=INTEGRITY_ROUNDS)


@row
def row_inproc_integrity(ctx: SizeContext) -> Row:
    """bootguard.checks.integrity.verify of every RECORD (thread pool), no unexpected-file walk."""
    key, label = "in-integrity", "in-process: integrity.verify(all RECORDs), thread pool"
    return integrity_only(ctx, key, label) or inproc_row(
        ctx, key, label, "integrity", Artifact(ctx.pins), rounds=INTEGRITY_ROUNDS
    )


@row
def row_inproc_integrity_one(ctx: SizeContext) -> Row:
    """The same verification on one thread: what the pool adds on this machine."""
    key, label = "in-integrity-1", "in-process: integrity.verify(all RECORDs), 1 thread"
    return integrity_only(ctx, key, label) or inproc_row(
        ctx, key, label, "integrity-1", Artifact(ctx.pins), rounds=INTEGRITY_ROUNDS
    )


@row
def row_inproc_hashloop(ctx: SizeContext) -> Row:
    """The straightforward loop: read RECORD, read each file, sha256, compare; one thread."""
    key, label = "in-hashloop", "in-process: plain loop (read, sha256, compare), 1 thread"
    return integrity_only(ctx, key, label) or inproc_row(
        ctx, key, label, "hashloop", Artifact(ctx.pins), rounds=INTEGRITY_ROUNDS
    )


@row
def row_sha256sum(ctx: SizeContext) -> Row:
    """coreutils sha256sum -c over the same files and digests (list made beforehand)."""
    key, label = "sha256sum", "sha256sum -c (coreutils) over the same files"
    skip = integrity_only(ctx, key, label)
    if skip is not None or ctx.hashes is None:
        return skip or na(key, label, "no hash list")
    exe = shutil.which("sha256sum")
    if exe is None:
        return na(key, label, "sha256sum not on PATH (coreutils)")
    version = sh([exe, "--version"]).stdout.partition("\n")[0].strip()
    return Row(
        key,
        label,
        (exe, "-c", "--quiet", "--strict", str(ctx.hashes.path)),
        note=version,
        rounds=INTEGRITY_ROUNDS,
    )


# --------------------------------------------------------------------------- measuring


@dataclass(slots=True)
class Stats:
    """Samples and summary of one row for one size."""

    key: str
    label: str
    kind: Kind
    note: str = ""
    unavailable: str | None = None
    samples_ms: list[float] = field(default_factory=list)
    cpu_ms: list[float] = field(default_factory=list)
    failures: int = 0
    phases: list[dict[str, float]] = field(default_factory=list)  # in-process Report timings

    @property
    def median(self) -> float | None:
        """Median of the samples, in ms."""
        return statistics.median(self.samples_ms) if self.samples_ms else None

    def phase_medians(self) -> dict[str, float]:
        """Median per phase of the Report's timings, plus what was spent outside the check.

        ``outside`` is the in-process time not inside ``check()`` (or the gate): importing
        bootguard and, for guard(), building the middleware.
        """
        if not self.phases:
            return {}
        names = [k for k in self.phases[0] if all(k in p for p in self.phases)]
        result = {k: statistics.median(p[k] for p in self.phases) for k in names}
        inner = [p.get("gate", p.get("total", 0.0)) for p in self.phases]
        outside = [ms - i for ms, i in zip(self.samples_ms, inner, strict=False)]
        if outside:
            result["outside"] = statistics.median(outside)
        return {k: round(v, 2) for k, v in result.items()}

    def quartiles(self) -> tuple[float, float] | None:
        """25th and 75th percentile, in ms."""
        if len(self.samples_ms) < 2:
            return None
        q = statistics.quantiles(self.samples_ms, n=4, method="inclusive")
        return q[0], q[2]

    def to_json(self, base: float | None) -> dict[str, object]:
        """The row as written to latest.json."""
        quart = self.quartiles()
        median = self.median
        return {
            "key": self.key,
            "label": self.label,
            "kind": self.kind,
            "note": self.note,
            "unavailable": self.unavailable,
            "median_ms": median,
            "ratio_vs_pass": ratio(median, base) if self.kind == "process" else None,
            "p25_ms": quart[0] if quart else None,
            "p75_ms": quart[1] if quart else None,
            "min_ms": min(self.samples_ms) if self.samples_ms else None,
            "cpu_median_ms": statistics.median(self.cpu_ms) if self.cpu_ms else None,
            "failures": self.failures,
            "samples_ms": [round(s, 3) for s in self.samples_ms],
            "phases_median_ms": self.phase_medians(),
        }


def ratio(value: float | None, base: float | None) -> float | None:
    """value / base, or None when either is missing."""
    if value is None or base is None or base <= 0:
        return None
    return value / base


def children_cpu_ms() -> float:
    """User + system CPU of all waited-for children so far, in ms."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (usage.ru_utime + usage.ru_stime) * 1000.0


def run_once(r: Row, ctx: SizeContext) -> tuple[float, float, subprocess.CompletedProcess[str]]:
    """One fresh process: (wall ms, child CPU ms, completed process).

    Timed process rows discard output (DEVNULL); in-process rows need stdout for the number.
    No ``timeout=`` here on purpose: with a timeout, Popen.wait polls waitpid with sleeps that
    double from 0.5 ms to 50 ms, which rounds every sample up to 15.5, 31.5, 63.5, 113.5 ms...
    Without one it blocks in waitpid and wakes when the child exits; a watchdog thread,
    started while the child runs, kills a hung child instead.
    """
    env = dict(ctx.env if r.env is None else r.env)
    out = subprocess.PIPE if r.kind == "inproc" else subprocess.DEVNULL
    cpu0 = children_cpu_ms()
    t0 = time.perf_counter_ns()
    with subprocess.Popen(
        r.argv, env=env, cwd=ctx.cwd, stdout=out, stderr=subprocess.DEVNULL, text=True
    ) as child:
        watchdog = threading.Timer(RUN_TIMEOUT, child.kill)
        watchdog.start()
        try:
            stdout, _ = child.communicate()
        finally:
            wall = (time.perf_counter_ns() - t0) / 1e6
            watchdog.cancel()
    proc = subprocess.CompletedProcess(r.argv, child.returncode, stdout or "", "")
    return wall, children_cpu_ms() - cpu0, proc


def validate(r: Row, ctx: SizeContext) -> Verdict:
    """Run a row once with output captured (also the warm-up) and judge it."""
    env = dict(ctx.env if r.env is None else r.env)
    try:
        proc = subprocess.run(
            r.argv,
            env=env,
            cwd=ctx.cwd,
            capture_output=True,
            text=True,
            timeout=RUN_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return Verdict(False, f"timed out after {RUN_TIMEOUT:.0f} s")
    return r.accept(proc)


def measure_size(ctx: SizeContext, repeat: int, only: str | None) -> list[Stats]:
    """Validate every row, then time the good ones interleaved, ``repeat`` rounds."""
    rows = [r for r in (build(ctx) for build in ROW_BUILDERS) if r.unavailable != OTHER_SIZE]
    if only:
        rows = [r for r in rows if r.key == "pass" or only in r.key or only in r.label]
    stats: list[Stats] = []
    live: list[tuple[Row, Stats]] = []
    for r in rows:
        s = Stats(r.key, r.label, r.kind, r.note, r.unavailable)
        if s.unavailable is None:
            verdict = validate(r, ctx)
            if verdict.ok:
                s.note = "; ".join(n for n in (r.note, verdict.note) if n)
                live.append((r, s))
            else:
                s.unavailable = verdict.note
        log(
            f"    {'ok ' if s.unavailable is None else 'n/a'} {s.label}"
            + (f"  ({s.unavailable})" if s.unavailable else (f"  [{s.note}]" if s.note else ""))
        )
        stats.append(s)
    print(f"    timing {len(live)} rows x {repeat}, interleaved: ", end="", flush=True)
    for i in range(repeat):
        for r, s in live:
            if r.rounds is not None and i >= r.rounds:
                continue
            wall, cpu, proc = run_once(r, ctx)
            if r.kind == "inproc":
                verdict = inproc_result(proc)
                if not verdict.ok:
                    s.failures += 1
                    continue
                data = json.loads(proc.stdout.strip().splitlines()[-1])
                s.samples_ms.append(float(data["ms"]))
                phases = data.get("phases") or {}
                if phases:
                    s.phases.append({str(k): float(v) for k, v in phases.items()})
                # CPU of the timed part only (all threads), as inproc.py measured it.
                s.cpu_ms.append(float(data.get("cpu_ms", cpu)))
                continue
            if proc.returncode not in r.ok_codes:
                s.failures += 1
                continue
            s.samples_ms.append(wall)
            s.cpu_ms.append(cpu)
        print(f"{i + 1}" if (i + 1) % 5 == 0 else ".", end="", flush=True)
    log()
    return stats


# --------------------------------------------------------------------------- middleware

MIDDLEWARE_SECONDS = 1.0  # per sample; many short interleaved rounds beat a few long ones


@dataclass(frozen=True, slots=True)
class Middleware:
    """The health middleware's cost under real servers (tests/health_bench.py), or why not."""

    servers: tuple[dict[str, object], ...] = ()
    inprocess_ns: dict[str, float] | None = None
    versions: dict[str, str] = field(default_factory=dict)
    unavailable: str | None = None


def measure_middleware(cache: Path, base: Path, rounds: int) -> Middleware:
    """Run ``tests.health_bench`` (gunicorn and uvicorn, bare vs wrapped vs /readyz).

    The servers run from their own venv (``pins/servers.txt``) with the work tree on
    PYTHONPATH, so that this works whatever interpreter runs the benchmark. Load comes from
    ``wrk`` when it is on PATH (else a Python client, which may be the bottleneck; the result
    says which). Loopback only; the servers are started and stopped by PID by health_bench.
    """
    try:
        servers = ensure_aux_venv(cache, "servers", PINS / "servers.txt", base)
    except SystemExit as err:
        return Middleware(unavailable=f"server venv: {err}")
    env = tool_env()
    env["PYTHONPATH"] = str(REPO)
    argv: list[str | Path] = [
        servers.python,
        "-m",
        "tests.health_bench",
        "--json",
        "--server",
        "both",
        "--inprocess",
        "--rounds",
        str(rounds),
        "--seconds",
        str(MIDDLEWARE_SECONDS),
    ]
    log(
        f"  middleware: gunicorn {servers.versions.get('gunicorn')} and uvicorn "
        f"{servers.versions.get('uvicorn')}, {rounds} rounds x 3 rows x "
        f"{MIDDLEWARE_SECONDS:g} s each, client {'wrk' if shutil.which('wrk') else 'python'} …"
    )
    try:
        proc = sh(argv, env=env, cwd=REPO, timeout=120 + rounds * 3 * 2 * 10)
    except subprocess.TimeoutExpired:
        return Middleware(versions=servers.versions, unavailable="tests.health_bench timed out")
    if proc.returncode != 0:
        return Middleware(
            versions=servers.versions,
            unavailable=f"tests.health_bench failed: {last_line(proc.stderr or proc.stdout)}",
        )
    data = json.loads(proc.stdout)
    calls = data.get("inprocess_ns")
    return Middleware(
        tuple(data.get("servers", ())),
        {str(k): float(v) for k, v in calls.items()} if isinstance(calls, dict) else None,
        servers.versions,
    )


def middleware_lines(mw: Middleware) -> list[str]:
    """The Markdown section for the middleware rows."""
    lines = ["## Health middleware overhead", ""]
    if mw.unavailable is not None:
        return [*lines, f"n/a: {mw.unavailable}", ""]
    lines += [
        "Requests/s on 127.0.0.1 of a trivial app's `/` bare and wrapped by bootguard's "
        "middleware, and of the wrapped app's `/readyz`, under the same server and client; "
        "medians of interleaved 1-second rounds; ratios are medians of per-round ratios. The "
        "server's CPU time per request (from /proc) is steadier than throughput on a busy "
        "machine.",
        "",
        "| server | client | bare / req/s | wrapped / req/s | wrapped /readyz req/s "
        "| wrapped / bare | /readyz / bare | server CPU µs/req bare · wrapped · /readyz "
        "| CPU wrapped / bare |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for result in mw.servers:
        rps = result.get("rps", {})
        ratios = result.get("ratios", {})
        cpu = result.get("server_cpu_us_per_request", {})
        assert isinstance(rps, dict) and isinstance(ratios, dict) and isinstance(cpu, dict)
        name = str(result.get("server"))
        version = mw.versions.get(name, "?")
        cpu_cells = " · ".join(
            f"{cpu[k]:.0f}" if k in cpu else "—" for k in ("bare /", "wrapped /", "wrapped /readyz")
        )
        cpu_ratio = ratios.get("cpu wrapped/bare")
        lines.append(
            f"| {name} {version} | {result.get('client')} "
            f"| {rps.get('bare /', 0):.0f} | {rps.get('wrapped /', 0):.0f} "
            f"| {rps.get('wrapped /readyz', 0):.0f} "
            f"| {ratios.get('wrapped/bare', 0):.3f} | {ratios.get('readyz/bare', 0):.3f} "
            f"| {cpu_cells} | {f'{cpu_ratio:.3f}' if cpu_ratio is not None else '—'} |"
        )
    if mw.inprocess_ns:
        ns = mw.inprocess_ns
        lines += [
            "",
            "In-process, no server (best of 7 x 200,000 calls): the middleware adds "
            f"{ns.get('wsgi added ns', 0):.0f} ns per WSGI call "
            f"({ns.get('wsgi bare /', 0):.0f} -> {ns.get('wsgi wrapped /', 0):.0f} ns) and "
            f"{ns.get('asgi added ns', 0):.0f} ns per ASGI call "
            f"({ns.get('asgi bare /', 0):.0f} -> {ns.get('asgi wrapped /', 0):.0f} ns); a "
            f"prepared /readyz answer costs {ns.get('wsgi wrapped /readyz', 0):.0f} ns (WSGI), "
            f"{ns.get('asgi wrapped /readyz', 0):.0f} ns (ASGI).",
        ]
    return [*lines, ""]


# --------------------------------------------------------------------------- reporting


def fmt_ms(value: float | None) -> str:
    """Milliseconds for a table cell."""
    if value is None:
        return "—"
    return f"{value:.1f}" if value < 100 else f"{value:.0f}"


def fmt_ratio(value: float | None) -> str:
    """A ratio for a table cell."""
    if value is None:
        return "—"
    return f"{value:.2f}x" if value < 10 else f"{value:.1f}x"


def base_of(stats: Sequence[Stats]) -> float | None:
    """The median of the pass row."""
    return next((s.median for s in stats if s.key == "pass"), None)


def print_size_table(size: int, stats: Sequence[Stats]) -> None:
    """Per-size detail: median, quartiles, ratio, CPU."""
    base = base_of(stats)
    log(f"\n  v{size}: {'row':<58} {'median':>8} {'p25-p75':>13} {'xpass':>7} {'cpu':>7}")
    for s in stats:
        if s.unavailable is not None:
            log(f"  v{size}: {s.label:<58} n/a ({s.unavailable})")
            continue
        q = s.quartiles()
        spread = f"{q[0]:.1f}-{q[1]:.1f}" if q else "—"
        r = fmt_ratio(ratio(s.median, base)) if s.kind == "process" else "in-proc"
        cpu = fmt_ms(statistics.median(s.cpu_ms)) if s.cpu_ms else "—"
        fail = f"  ({s.failures} failed runs)" if s.failures else ""
        log(f"  v{size}: {s.label:<58} {fmt_ms(s.median):>8} {spread:>13} {r:>7} {cpu:>7}{fail}")


@dataclass(frozen=True, slots=True)
class Target:
    """One stated goal and whether this run met it."""

    goal: str
    measured: str
    met: bool | None  # None: could not be evaluated


def find(stats: Sequence[Stats], key: str) -> Stats | None:
    """The row with this key, if measured."""
    return next((s for s in stats if s.key == key and s.median is not None), None)


def evaluate_targets(
    results: Mapping[int, Sequence[Stats]], middleware: Middleware | None = None
) -> list[Target]:
    """The goals from the design brief and the issues, evaluated on this run's medians."""
    targets: list[Target] = []

    def add(
        goal: str,
        value: float | None,
        limit: float,
        fmt: str,
        above: bool = False,
        cpu: float | None = None,
    ) -> None:
        """Judge ``value`` (wall-time based); ``cpu``, the same on CPU time, is shown beside."""
        if value is None:
            targets.append(Target(goal, "n/a", None))
            return
        shown = fmt.format(value) + (f" (cpu {fmt.format(cpu)})" if cpu is not None else "")
        targets.append(Target(goal, shown, value >= limit if above else value < limit))

    def cpu_ratio(a: Stats | None, b: Stats | None) -> float | None:
        """Ratio of the median CPU times of two rows."""
        if a is None or b is None or not a.cpu_ms or not b.cpu_ms:
            return None
        return ratio(statistics.median(a.cpu_ms), statistics.median(b.cpu_ms))

    for size, stats in results.items():
        base = base_of(stats)
        imp, snap = find(stats, "import"), find(stats, "check-snapshot")
        uv, pip = find(stats, "uv-check"), find(stats, "pip-check-tool")
        pip_venv = find(stats, "pip-check-venv")
        add(
            f"v{size}: import bootguard <= 1.15x pass",
            ratio(imp.median if imp else None, base),
            1.15 + 1e-9,
            "{:.2f}x",
            cpu=cpu_ratio(imp, find(stats, "pass")),
        )
        add(
            f"v{size}: check SNAPSHOT / uv pip check < 1.0",
            ratio(snap.median if snap else None, uv.median if uv else None),
            1.0,
            "{:.2f}",
            cpu=cpu_ratio(snap, uv),
        )
        for peer in (pip, pip_venv):
            if peer is not None:
                add(
                    f"v{size}: {peer.label} / check SNAPSHOT >= 20",
                    ratio(peer.median, snap.median if snap else None),
                    20.0,
                    "{:.1f}x",
                    above=True,
                    cpu=cpu_ratio(peer, snap),
                )
    small, big = results.get(150), results.get(300)
    for key, what in (("in-pins-cold", "cold"), ("in-pins-warm", "app imports")):
        s150 = find(small, key) if small else None
        s300 = find(big, key) if big else None
        if small is not None:
            add(
                f"v150: in-process full check (pins, {what}) < 25 ms",
                s150.median if s150 else None,
                25.0,
                "{:.1f} ms",
            )
        if small is not None and big is not None:
            add(
                f"v300 / v150 in-process full check ({what}) < 1.6",
                ratio(s300.median if s300 else None, s150.median if s150 else None),
                1.6,
                "{:.2f}",
            )
    if small is not None:
        for key, what in (("in-uvlock-cold", "uv.lock"), ("in-poetrylock-cold", "poetry.lock")):
            lock = find(small, key)
            add(
                f"v150: in-process read+select {what} and check, cold, < 40 ms",
                lock.median if lock else None,
                40.0,
                "{:.1f} ms",
            )
        fp = find(small, "in-fingerprint")
        add(
            "v150: environment fingerprint at boot < 5 ms",
            fp.median if fp else None,
            5.0,
            "{:.1f} ms",
        )
    for size, stats in results.items():
        loop, pool = find(stats, "in-hashloop"), find(stats, "in-integrity")
        if loop is None and pool is None:
            continue
        add(
            f"v{size}: integrity hashing >= 2x faster than the plain single-threaded loop",
            ratio(loop.median if loop else None, pool.median if pool else None),
            2.0,
            "{:.2f}x",
            above=True,
        )
    for result in middleware.servers if middleware else ():
        ratios = result.get("ratios", {})
        assert isinstance(ratios, dict)
        cpu = ratios.get("cpu wrapped/bare")
        cpu_text = f" (server CPU/request {cpu:.3f})" if cpu is not None else ""
        wrapped, readyz = ratios.get("wrapped/bare"), ratios.get("readyz/bare")
        targets.append(
            Target(
                f"{result.get('server')}: wrapped app within 2% of bare (req/s ratio >= 0.98)",
                f"{wrapped:.3f}{cpu_text}" if wrapped is not None else "n/a",
                None if wrapped is None else wrapped >= 0.98,
            )
        )
        targets.append(
            Target(
                f"{result.get('server')}: /readyz at least as fast as bare / (ratio >= 1.0)",
                f"{readyz:.3f}" if readyz is not None else "n/a",
                None if readyz is None else readyz >= 1.0,
            )
        )
    return targets


PHASE_COLUMNS = (
    ("outside", "import bootguard (+ wrap)"),
    ("total", "check()"),
    ("inventory", "inventory"),
    ("manifests", "read + select manifest"),
    ("checks", "checks"),
    ("fingerprint", "fingerprint"),
)


def phase_lines(results: Mapping[int, Sequence[Stats]]) -> list[str]:
    """Where the in-process time goes: the Report's own timings, medians per row."""
    lines = [
        "## Where the in-process time goes",
        "",
        "Medians (ms) of the Report's own `timings` for the in-process rows; *import bootguard "
        "(+ wrap)* is the rest of the in-process time (importing bootguard's modules and, for "
        "guard(), settings, publishing the verdict and building the middleware). A sealed "
        "snapshot that matches skips inventory, manifest and checks (`check()` is then the "
        "seal check and the fingerprint).",
        "",
        "| size | row | ms | " + " | ".join(label for _, label in PHASE_COLUMNS) + " |",
        "|---|---|---:|" + "---:|" * len(PHASE_COLUMNS),
    ]
    header = len(lines)
    for size, stats in results.items():
        for s in stats:
            medians = s.phase_medians()
            if not medians or s.median is None:
                continue
            cells = [fmt_ms(medians[k]) if k in medians else "—" for k, _ in PHASE_COLUMNS]
            lines.append(
                f"| v{size} | {s.label.removeprefix('in-process: ')} | {fmt_ms(s.median)} | "
                + " | ".join(cells)
                + " |"
            )
    return [*lines, ""] if len(lines) > header else []


INTEGRITY_KEYS = ("in-integrity", "in-integrity-1", "in-hashloop", "sha256sum", "check-integrity")


def integrity_lines(size: int, stats: Sequence[Stats], hashes: HashList) -> list[str]:
    """The Markdown section for RECORD hashing: ms, MB/s, speed-up over the plain loop."""
    mb = hashes.bytes / 1e6
    loop = find(stats, "in-hashloop")
    lines = [
        f"## Integrity hashing (v{size}: {hashes.files} files, {mb:.0f} MB, page cache warm)",
        "",
        "Every file a RECORD lists with a sha256 (outside `__pycache__`), read and hashed; "
        f"{INTEGRITY_ROUNDS} interleaved rounds. The plain loop is in `inproc.py` "
        "(`hashloop`); `sha256sum -c` reads a list of the same paths and digests made "
        "beforehand. The CLI row is a whole `bootguard check --integrity` (inventory, "
        "metadata, checks, hashing and the walk for unexpected files).",
        "",
        "| row | ms | cpu ms | MB/s | vs plain loop |",
        "|---|---:|---:|---:|---:|",
    ]
    for key in INTEGRITY_KEYS:
        s = find(stats, key)
        if s is None or s.median is None:
            row_label = next((x.label for x in stats if x.key == key), key)
            lines.append(f"| {row_label} | n/a | — | — | — |")
            continue
        cpu = statistics.median(s.cpu_ms) if s.cpu_ms else None
        speed = ratio(loop.median if loop else None, s.median)
        lines.append(
            f"| {s.label} | {fmt_ms(s.median)} | {fmt_ms(cpu)} | {mb / (s.median / 1000):.0f} "
            f"| {fmt_ratio(speed) if speed is not None else '—'} |"
        )
    return [*lines, ""]


def markdown(
    meta: Mapping[str, object],
    results: Mapping[int, Sequence[Stats]],
    targets: Sequence[Target],
    sections: Sequence[str] = (),
) -> str:
    """latest.md: the side-by-side table, targets, extra sections, and how it was made."""
    sizes = list(results)
    lines = [
        "# bootguard benchmark",
        "",
        f"{meta['date']} · {meta['machine_line']} · repeat {meta['repeat']} per row, "
        "interleaved · median of whole processes unless marked in-process",
        "",
    ]
    loads = [float(x) for x in str(meta.get("load_samples", "")).split() if x]
    peak = max(loads, default=os.getloadavg()[0])
    lines += [
        f"1-minute load average during the run (start, after each part, end): "
        f"{' '.join(f'{x:.2f}' for x in loads) or 'not recorded'}, on {os.cpu_count()} cores.",
        "",
    ]
    if peak > BUSY_LOAD:
        lines += [
            f"> **Busy machine:** the load average reached {peak:.2f} on {os.cpu_count()} cores"
            " while this ran, so other work competed for the CPU: wall times are noisy; the cpu"
            " columns (user+sys of the process) are steadier. Rerun on a quiet machine to quote.",
            "",
        ]
    head = (
        "| row | " + " | ".join(f"v{n} ms | v{n} xpass | v{n} cpu ms" for n in sizes) + " | notes |"
    )
    lines += [head, "|---|" + "---:|---:|---:|" * len(sizes) + "---|"]
    keys: list[str] = []
    for stats in results.values():  # the integrity rows have their own section (MB/s)
        keys += [s.key for s in stats if s.key not in keys and s.key not in INTEGRITY_KEYS]
    for key in keys:
        cells: list[str] = []
        label, per_size = key, {}
        for size, stats in results.items():
            s = next((x for x in stats if x.key == key), None)
            if s is None:
                cells += ["—", "—", "—"]
                continue
            label = s.label
            if s.unavailable is not None:
                cells += ["n/a", "—", "—"]
                per_size[size] = s.unavailable
                continue
            r = ratio(s.median, base_of(stats)) if s.kind == "process" else None
            cpu = statistics.median(s.cpu_ms) if s.cpu_ms else None
            cells += [
                fmt_ms(s.median),
                fmt_ratio(r) if s.kind == "process" else "in-proc",
                fmt_ms(cpu),
            ]
            fails = f"{s.failures} failed runs" if s.failures else ""
            per_size[size] = "; ".join(n for n in (s.note, fails) if n)
        if len(set(per_size.values())) <= 1:
            notes = list(per_size.values())[:1]
        else:
            notes = [f"v{size}: {note}" for size, note in per_size.items() if note]
        lines.append(
            f"| {label} | "
            + " | ".join(cells)
            + " | "
            + "; ".join(notes).replace("|", "\\|")
            + " |"
        )
    lines += [
        "",
        "*ms* is wall time (whole process, or the in-process part); *cpu ms* is user + system "
        "CPU time of the same thing (for in-process rows: the timed part, all threads).",
        "",
    ]
    for section in sections:
        lines += [section]
    lines += ["## Targets", "", "| goal | measured | met |", "|---|---:|:---:|"]
    for t in targets:
        met = "n/a" if t.met is None else ("yes" if t.met else "**no**")
        lines.append(f"| {t.goal} | {t.measured} | {met} |")
    lines += ["", "## How", ""]
    for key, value in meta.items():
        if key in ("date", "machine_line"):
            continue
        shown = (
            ", ".join(f"{k} {v}" for k, v in value.items()) if isinstance(value, dict) else value
        )
        lines.append(f"- {key}: {shown}")
    lines += [
        "- in-process rows: fresh process per sample; the number is the time from before "
        "`import bootguard` to the finished report, as measured inside the process"
        f' ("app imports" = {WARM_LABEL}, loaded before timing).',
        "- bootguard is not installed in the venvs: a byte-compiled copy of `bootguard/` is on "
        "PYTHONPATH for every row (no dist-info, so the measured environment is unchanged).",
        "",
    ]
    return "\n".join(lines)


CHART_SKIP = frozenset({"pass", "check-integrity", "sha256sum"})


def write_chart(
    meta: Mapping[str, object],
    results: Mapping[int, Sequence[Stats]],
    counts: Mapping[int, int],
    target: Path,
) -> str:
    """A PNG of every whole-process row as a multiple of ``python -c pass``, per size.

    matplotlib is an optional dependency of the benchmark only (``pip install -e '.[bench]'``);
    without it the benchmark runs the same and says that there is no chart.
    """
    try:
        import matplotlib  # deferred: optional, and slow to import

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return "no chart: matplotlib is not installed (pip install -e '.[bench]')"
    sizes = list(results)
    keys: list[tuple[str, str]] = []
    for stats in results.values():
        for s in stats:
            if (
                s.kind == "process"
                and s.key not in CHART_SKIP
                and s.median is not None
                and s.key not in [k for k, _ in keys]
            ):
                keys.append((s.key, s.label))
    if not keys:
        return "no chart: no whole-process row was measured"
    colors = ("#4C72B0", "#DD8452", "#55A868", "#C44E52")
    height = 0.8 / len(sizes)
    fig, ax = plt.subplots(figsize=(11, 0.5 * len(keys) * max(1, len(sizes) * 0.8) + 1.6))
    biggest = 1.0
    for i, size in enumerate(sizes):
        stats = results[size]
        base = base_of(stats)
        for j, (key, _) in enumerate(keys):
            found = find(stats, key)
            value = ratio(found.median if found else None, base)
            if value is None or found is None or found.median is None:
                continue
            y = j + (i - (len(sizes) - 1) / 2) * height
            ax.barh(
                y,
                value,
                height=height * 0.92,
                color=colors[i % len(colors)],
                label=f"v{size}: {counts.get(size, '?')} distributions" if j == 0 else None,
            )
            ax.text(
                value * 1.04,
                y,
                f"{fmt_ratio(value)}  ({fmt_ms(found.median)} ms)",
                va="center",
                fontsize=8,
            )
            biggest = max(biggest, value)
    ax.set_yticks(range(len(keys)))
    ax.set_yticklabels([label for _, label in keys], fontsize=9)
    for tick, (key, _) in zip(ax.get_yticklabels(), keys, strict=True):
        if key == "import" or key.startswith("check-"):
            tick.set_fontweight("bold")  # bootguard's own rows
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.set_xlim(0.8, biggest * 3)
    ticks = [t for t in (1, 2, 5, 10, 20, 50, 100, 200, 500) if t <= biggest * 3]
    ax.set_xticks(ticks)
    ax.set_xticklabels([f"{t}x" for t in ticks])
    ax.minorticks_off()
    ax.axvline(1.0, color="grey", linewidth=0.8, linestyle="--")
    ax.set_xlabel(
        "median wall time as a multiple of 'python -c pass' in the same venv (log scale); "
        "bold: bootguard"
    )
    ax.set_title(
        f"bootguard vs peers, whole processes · {str(meta.get('date', ''))[:10]} · "
        f"{meta.get('machine_line', '')}".replace(", Linux", "\nLinux"),
        fontsize=9,
    )
    ax.legend(loc="lower right", fontsize=9)
    ax.grid(axis="x", which="both", alpha=0.25)
    fig.tight_layout()
    fig.savefig(target, dpi=110)
    plt.close(fig)
    return f"wrote {target}"


def machine_info() -> dict[str, str]:
    """nproc, CPU, OS and load, for the record."""
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return {
        "nproc": str(os.cpu_count()),
        "cpu": cpu,
        "platform": platform.platform(),
        "loadavg_at_start": load,
    }


# --------------------------------------------------------------------------- main


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command line of the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0] if __doc__ else "")
    parser.add_argument(
        "--sizes",
        default="150,300",
        help="pin sets to run, from pins/freezeN.txt (default 150,300)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=None,
        help=f"timed runs per row (default {DEFAULT_REPEAT}, --quick {QUICK_REPEAT})",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"{QUICK_REPEAT} runs per row: a smoke run, not for quoting",
    )
    parser.add_argument(
        "--only",
        default=None,
        help="only rows whose key or label contains this (pass is always run)",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Build or reuse the environments, measure every size, write the results."""
    args = parse_args(argv)
    repeat = args.repeat or (QUICK_REPEAT if args.quick else DEFAULT_REPEAT)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    for size in sizes:
        if not (PINS / f"freeze{size}.txt").is_file():
            sys.exit(f"bench: no pins/freeze{size}.txt")
    cache = Path(os.environ.get("BOOTGUARD_BENCH_CACHE") or HERE / ".cache").resolve()
    cache.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    log(f"bootguard bench: cache {cache}, sizes {sizes}, repeat {repeat}")
    base = base_python()
    tools = ensure_tools(cache, base)
    shim, bootguard_sha = build_pythonpath(cache, tools, base)
    poetry: AuxVenv | None = None
    try:
        poetry = ensure_aux_venv(cache, "poetry", PINS / "poetry.txt", base)
    except SystemExit as err:  # no Poetry: its rows say why, the rest still runs
        log(f"  poetry: not available ({err}); poetry.lock rows will be n/a")
    ready = (
        ""
        if (REPO / "bootguard" / "__init__.py").is_file()
        else ("bootguard/__init__.py not written yet")
    )
    env = tool_env()
    env["PYTHONPATH"] = str(shim)
    machine = machine_info()
    load_start = os.getloadavg()[0]
    loads = [load_start]
    if load_start > BUSY_LOAD:
        log(f"  note: load average {load_start:.2f} before starting: timings will be noisy")
    meta: dict[str, object] = {
        "date": now_iso(),
        "machine": machine,
        "base_python": f"{base} ({python_version(base)})",
        "PYTHONDONTWRITEBYTECODE": os.environ.get("PYTHONDONTWRITEBYTECODE", "(unset)"),
        "load_start": f"{load_start:.2f}",
        "repeat": repeat,
        "selection": f"--only {args.only}" if args.only else "all rows",
        "tools": {**tools.versions, **(poetry.versions if poetry else {})},
        "bootguard_sources_sha256": bootguard_sha,
        "cache": str(cache),
    }
    results: dict[int, list[Stats]] = {}
    contexts: dict[int, dict[str, object]] = {}
    hash_lists: dict[int, HashList] = {}
    with tempfile.TemporaryDirectory(prefix="bootguard-bench-cwd-") as cwd:
        for size in sizes:
            log(f"\n== v{size} ==")
            venv = ensure_venv(cache, size, base)
            pylock = ensure_pylock(cache, size, tools, venv)
            uv_lock, poetry_lock = ensure_locks(cache, size, tools, poetry, venv)
            hashes = make_hash_list(cache, size, venv) if size == min(sizes) else None
            if hashes is not None:
                hash_lists[size] = hashes
            snapshot = (
                Artifact(None, reason=ready)
                if ready
                else make_snapshot(cache, size, venv, env, Path(cwd))
            )
            ctx = SizeContext(
                size,
                venv,
                PINS / f"freeze{size}.txt",
                env,
                Path(cwd),
                tools,
                pylock,
                snapshot,
                ready,
                uv_lock,
                poetry_lock,
                hashes,
            )
            log(
                f"  venv {venv.path} ({venv.how}; python {venv.python_version}; "
                f"{len(venv.installed)} distributions; pip {venv.installed.get('pip')}, "
                f"setuptools {venv.installed.get('setuptools')})"
            )
            log(f"  pylock: {pylock.path or 'n/a'} ({pylock.made_by or pylock.reason})")
            log(f"  snapshot: {snapshot.path or 'n/a'} ({snapshot.made_by or snapshot.reason})")
            for what, lock in (("uv.lock", uv_lock), ("poetry.lock", poetry_lock)):
                log(f"  {what}: {lock.path or 'n/a'} ({lock.made_by or lock.reason})")
            if hashes is not None:
                log(
                    f"  integrity: {hashes.files} hashed files, {hashes.bytes / 1e6:.1f} MB "
                    f"({hashes.path.name})"
                )
            results[size] = measure_size(ctx, repeat, args.only)
            loads.append(os.getloadavg()[0])
            print_size_table(size, results[size])
            contexts[size] = {
                "venv": str(venv.path),
                "venv_how": venv.how,
                "python": venv.python_version,
                "distributions": len(venv.installed),
                "pip": venv.installed.get("pip"),
                "setuptools": venv.installed.get("setuptools"),
                "pylock": {
                    "path": str(pylock.path) if pylock.path else None,
                    "made_by": pylock.made_by,
                    "reason": pylock.reason,
                },
                "snapshot": {
                    "path": str(snapshot.path) if snapshot.path else None,
                    "reason": snapshot.reason,
                },
                "uv_lock": {
                    "path": str(uv_lock.path) if uv_lock.path else None,
                    "made_by": uv_lock.made_by,
                    "reason": uv_lock.reason,
                },
                "poetry_lock": {
                    "path": str(poetry_lock.path) if poetry_lock.path else None,
                    "made_by": poetry_lock.made_by,
                    "reason": poetry_lock.reason,
                },
                "integrity_files": hashes.files if hashes else None,
                "integrity_bytes": hashes.bytes if hashes else None,
            }
    middleware: Middleware | None = None
    if args.only is None or args.only in "middleware":
        log("\n== health middleware ==")
        middleware = measure_middleware(cache, base, min(repeat, 15))
        if middleware.unavailable:
            log(f"  middleware: n/a ({middleware.unavailable})")
    loads.append(os.getloadavg()[0])
    meta["load_samples"] = " ".join(f"{x:.2f}" for x in loads)
    targets = evaluate_targets(results, middleware)
    meta["python"] = ", ".join(sorted({str(c["python"]) for c in contexts.values()}))
    meta["machine_line"] = (
        f"{machine['nproc']} cores ({machine['cpu']}), "
        f"Python {meta['python']}, {machine['platform']}"
    )
    meta["duration_s"] = round(time.perf_counter() - started, 1)
    machine["loadavg_at_end"] = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    sections: list[str] = ["\n".join(phase_lines(results))] if phase_lines(results) else []
    for size, stats in results.items():
        hashes = hash_lists.get(size)
        if hashes is not None and any(x.key in INTEGRITY_KEYS for x in stats):
            sections.append("\n".join(integrity_lines(size, stats, hashes)))
    if middleware is not None:
        sections.append("\n".join(middleware_lines(middleware)))
    RESULTS.mkdir(exist_ok=True)
    # A partial run (--only) must not overwrite the full results the README quotes.
    stem = "latest" if args.only is None else "partial"
    chart = write_chart(
        meta,
        results,
        {size: int(str(c["distributions"])) for size, c in contexts.items()},
        RESULTS / f"{'chart' if args.only is None else 'partial-chart'}.png",
    )
    meta["chart"] = chart
    log(f"  {chart}")
    md = markdown(meta, results, targets, sections)
    write_text(RESULTS / f"{stem}.md", md)
    write_json(
        RESULTS / f"{stem}.json",
        {
            **meta,
            "sizes": {
                str(size): {**contexts[size], "rows": [s.to_json(base_of(stats)) for s in stats]}
                for size, stats in results.items()
            },
            "targets": [{"goal": t.goal, "measured": t.measured, "met": t.met} for t in targets],
            "middleware": None
            if middleware is None
            else {
                "servers": list(middleware.servers),
                "inprocess_ns": middleware.inprocess_ns,
                "versions": middleware.versions,
                "unavailable": middleware.unavailable,
            },
        },
    )
    log("\n" + md)
    log(f"wrote {RESULTS / stem}.md and {stem}.json in {meta['duration_s']} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
