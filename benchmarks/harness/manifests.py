"""The manifests bootguard reads in the benchmark, made from the pins and checked.

Why checked: a lock that does not hold exactly the pinned versions would make bootguard's row
a measurement of a failing check. Locks resolve against the package index, so they are
cached and remade only when the pins or the tool versions change.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .envs import AuxVenv, Tools, Venv
from .util import (
    PINS,
    RUN_TIMEOUT,
    last_line,
    log,
    must,
    normalize,
    now_iso,
    read_marker,
    read_pins,
    sh,
    sha256_file,
    tool_env,
    write_json,
    write_text,
)


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
            [poetry.program("poetry"), "lock", "-n"] if poetry else None,
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


def make_sealed_uv_lock(
    cache: Path, size: int, venv: Venv, env: Mapping[str, str], cwd: Path, uv_lock: Artifact
) -> Artifact:
    """A copy of the uv.lock (and its pyproject.toml) sealed by ``check --seal``, every run.

    A copy at its own path: a seal is keyed by the manifest's path too, so the full-path rows
    that read the original ``uv.lock`` are not answered by this seal.
    """
    if uv_lock.path is None:
        return Artifact(None, reason=f"no uv.lock: {uv_lock.reason}")
    target = cache / f"sealed.v{size}"
    if target.exists():
        shutil.rmtree(target)
    target.mkdir()
    for name in ("uv.lock", "pyproject.toml"):
        source = uv_lock.path.parent / name
        if source.is_file():
            shutil.copy2(source, target / name)
    lock = target / "uv.lock"
    proc = sh(
        [venv.python, "-m", "bootguard", "check", "-m", lock, "--seal"],
        env=env,
        cwd=cwd,
        timeout=RUN_TIMEOUT,
    )
    if proc.returncode != 0 or "verdict sealed" not in proc.stderr:
        return Artifact(None, reason=f"check --seal: {last_line(proc.stderr or proc.stdout)}")
    return Artifact(lock, "python -m bootguard check --seal -m uv.lock (a copy)")


def make_pipfile_lock(cache: Path, size: int, pins: Mapping[str, str]) -> Artifact:
    """A ``Pipfile.lock`` (pipfile-spec 6) of the pins, written here from the pin file.

    pipenv is not among the benchmark's tools; the file has the structure pipenv writes
    (``_meta``, ``default`` with ``==`` versions, empty ``develop``), without hashes, which
    bootguard does not need to check versions.  Remade when the pins change.
    """
    target = cache / f"Pipfile.v{size}.lock"
    meta = {
        "pipfile-spec": 6,
        "hash": {"sha256": "0" * 64},
        "requires": {},
        "sources": [{"name": "pypi", "url": "https://pypi.org/simple", "verify_ssl": True}],
    }
    default = {name: {"version": "==" + version} for name, version in sorted(pins.items())}
    document = {"_meta": meta, "default": default, "develop": {}}
    text = json.dumps(document, indent=4, sort_keys=True) + "\n"
    if not target.is_file() or target.read_text() != text:
        target.write_text(text)
    return Artifact(target, "written from the pins (pipfile-spec 6)")


#: What pip writes as a console script (pip's distlib template), ``import re`` included.
PIP_CONSOLE_SCRIPT = """#!{python}
# -*- coding: utf-8 -*-
import re
import sys
from bootguard.cli import run
if __name__ == '__main__':
    sys.argv[0] = re.sub(r'(-script\\.pyw|\\.exe)?$', '', sys.argv[0])
    sys.exit(run())
"""

#: What uv writes as a console script: the same without ``import re``.
UV_CONSOLE_SCRIPT = """#!{python}
# -*- coding: utf-8 -*-
import sys
from bootguard.cli import run
if __name__ == "__main__":
    if sys.argv[0].endswith("-script.pyw"):
        sys.argv[0] = sys.argv[0][:-11]
    elif sys.argv[0].endswith(".exe"):
        sys.argv[0] = sys.argv[0][:-4]
    sys.exit(run())
"""


def write_console_script(cache: Path, size: int, python: Path, installer: str = "pip") -> Path:
    """``bootguard`` as pip (or uv) would install it for this venv, outside the venv (no
    dist-info is added); the rows run it with the same PYTHONPATH as every other row."""
    directory = cache / f"scripts.v{size}" / installer
    directory.mkdir(parents=True, exist_ok=True)
    script = directory / "bootguard"
    template = PIP_CONSOLE_SCRIPT if installer == "pip" else UV_CONSOLE_SCRIPT
    script.write_text(template.format(python=python))
    script.chmod(0o755)
    return script
