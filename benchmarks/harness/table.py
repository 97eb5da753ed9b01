"""Every row of the benchmark, as one table: key, label, command, manifest, sizes, peer.

Why a table: the rows are the benchmark's subject, and reading them side by side shows what
is compared with what. Rows appear in the results in this order. To add one, add an entry
(a peer tool: :func:`process`; another manifest format: :func:`check`, after making the file
once like ``manifests.ensure_locks``; an in-process measurement: :func:`inproc` with a new
mode of ``inproc.py``). Targets that name a row by key live in ``targets.py``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Callable, Mapping
from operator import attrgetter
from typing import Any

from .manifests import Artifact
from .rows import (
    Argv,
    Row,
    RowSpec,
    SizeContext,
    Verdict,
    bootguard_cli,
    bootguard_pass,
    exit_zero,
    inproc_pass,
    inproc_result,
    resolve,
)
from .util import INPROC, last_line, sh

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
READ_FLOOR_CODE = (
    "import hashlib, os, sys\n"
    "for p in sys.path:\n"
    "    try:\n"
    "        entries = list(os.scandir(p or '.'))\n"
    "    except OSError:\n"
    "        continue\n"
    "    for e in entries:\n"
    "        if e.name.endswith('.dist-info'):\n"
    "            for name in ('METADATA', 'RECORD'):\n"
    "                try:\n"
    "                    with open(os.path.join(e.path, name), 'rb') as f:\n"
    "                        data = f.read()\n"
    "                except OSError:\n"
    "                    continue\n"
    "                if name == 'RECORD':\n"
    "                    hashlib.sha256(data).hexdigest()\n"
)
PKG_RESOURCES_CODE = (
    "import sys\n"
    "import pkg_resources\n"
    "with open(sys.argv[1]) as f:\n"
    "    pins = [l.split('#', 1)[0].strip() for l in f]\n"
    "pkg_resources.require([p for p in pins if p and not p.startswith('-')])\n"
)
METADATA_CODE = (
    "from importlib.metadata import distributions\n"
    "for d in distributions():\n"
    "    d.metadata['Name']; d.version; d.requires\n"
)
PIP_LOCK_CODE = (
    "import sys\nfrom pip_lock import check_requirements\ncheck_requirements(sys.argv[1])\n"
)


# --------------------------------------------------------------------------- row kinds

#: Which manifest a row reads, for one size (the row is n/a while it has no path).
Manifest = Callable[[SizeContext], Artifact]


def process(key: str, label: str, why: str, argv: Argv, **more: Any) -> RowSpec:
    """A whole process (a peer tool or a baseline); the sample is its wall time."""
    return RowSpec(key, label, why, argv, **more)


def check(key: str, label: str, why: str, manifest: Manifest, *extra: str, **more: Any) -> RowSpec:
    """``python -m bootguard check --manifest M`` as a whole process (exit 1 is a result)."""
    more.setdefault("accept", bootguard_cli)
    more.setdefault("ok_codes", frozenset({0, 1}))

    def argv(ctx: SizeContext, path: str) -> tuple[str, ...]:
        return (ctx.py, "-m", "bootguard", "check", "--manifest", path, *extra)

    return RowSpec(key, label, why, argv, manifest=manifest, needs_bootguard=True, **more)


def inproc(
    key: str,
    label: str,
    why: str,
    mode: str,
    manifest: Manifest,
    *,
    require_pass: bool = False,
    **more: Any,
) -> RowSpec:
    """A fresh process running ``inproc.py MODE M``; the sample is the time it reports."""

    def argv(ctx: SizeContext, path: str) -> tuple[str, ...]:
        return (ctx.py, str(INPROC), mode, path)

    accept = inproc_pass if require_pass else inproc_result
    return RowSpec(
        key,
        label,
        why,
        argv,
        kind="inproc",
        manifest=manifest,
        needs_bootguard=mode != "floor",
        accept=accept,
        **more,
    )


# --------------------------------------------------------------------------- what rows read

# Each is the file of that kind this run made for the size (a field of its context).
snapshot: Manifest = attrgetter("snapshot")  # the sealed snapshot
pylock: Manifest = attrgetter("pylock")  # the PEP 751 lock of the pins
uv_lock: Manifest = attrgetter("uv_lock")  # uv's lock of the pins as a project
poetry_lock: Manifest = attrgetter("poetry_lock")  # Poetry's lock of the pins as a project
# a Pipfile.lock of the pins, written by the benchmark (pipenv is not a tool here)
pipfile_lock: Manifest = attrgetter("pipfile_lock")
# a copy of the uv.lock whose verdict ``check --seal`` recorded in the venv
sealed_uv_lock: Manifest = attrgetter("sealed_uv_lock")


def script(
    key: str, label: str, why: str, manifest: Manifest, *, uv: bool = False, **more: Any
) -> RowSpec:
    """The ``bootguard`` console script: pip's wrapper (``import re`` included), or uv's."""
    more.setdefault("accept", bootguard_cli)
    more.setdefault("ok_codes", frozenset({0, 1}))

    def argv(ctx: SizeContext, path: str) -> tuple[str, ...]:
        return (ctx.uv_script if uv else ctx.script, "check", "--manifest", path)

    return RowSpec(key, label, why, argv, manifest=manifest, needs_bootguard=True, **more)


def pins(ctx: SizeContext) -> Artifact:
    """The plain pin file (no note: the in-process rows and the floor)."""
    return Artifact(ctx.pins)


def pins_named(ctx: SizeContext) -> Artifact:
    """The plain pin file, named in the notes (the CLI row reading it)."""
    return Artifact(ctx.pins, "pins/freezeN.txt")


def fixed(note: str) -> Callable[[SizeContext, Artifact], str]:
    """A note that does not depend on the size."""
    return lambda ctx, manifest: note


def pkg_resources_venv(proc: subprocess.CompletedProcess[str]) -> Verdict:
    """exit 0, or the reason old pkg_resources cannot find a dotted name."""
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


def with_pinned_setuptools(ctx: SizeContext) -> Mapping[str, str]:
    """The shared environment plus setuptools<82's pkg_resources (no dist-info)."""
    env = dict(ctx.env)
    env["PYTHONPATH"] = os.pathsep.join([env["PYTHONPATH"], str(ctx.tools.pkg_resources_dir)])
    return env


def no_pip_sync(ctx: SizeContext) -> str:
    """Why pip-sync cannot run ("" when it can)."""
    exe = ctx.tools.program("pip-sync")
    return "" if exe.is_file() else "pip-sync not in the tool venv"


def no_sha256sum(ctx: SizeContext) -> str:
    """Why sha256sum cannot run ("" when it can)."""
    return "" if shutil.which("sha256sum") else "sha256sum not on PATH (coreutils)"


def sha256sum_argv(ctx: SizeContext, path: str) -> tuple[str, ...]:
    """``sha256sum -c`` over the hash list made for this size."""
    assert ctx.hashes is not None  # integrity rows resolve only where there is one
    exe = shutil.which("sha256sum") or "sha256sum"
    return (exe, "-c", "--quiet", "--strict", str(ctx.hashes.path))


def sha256sum_version(ctx: SizeContext, manifest: Artifact) -> str:
    """The first line of ``sha256sum --version``."""
    exe = shutil.which("sha256sum") or "sha256sum"
    return sh([exe, "--version"]).stdout.partition("\n")[0].strip()


# --------------------------------------------------------------------------- the table

# fmt: off
ROWS: tuple[RowSpec, ...] = (
    process("pass", "python -c pass", "the baseline every ratio divides by",
        lambda c, m: (c.py, "-c", "pass"), note=fixed("baseline")),
    process("scandir", "os.scandir *.dist-info listing (floor)",
        "the floor a sealed check can approach: list the dist-info names, nothing else",
        lambda c, m: (c.py, "-c", SCANDIR_CODE)),
    process("read-floor", "read every METADATA and RECORD, sha256 each RECORD (floor)",
        "the I/O a full check cannot skip: every distribution's metadata, and the RECORDs"
        " the environment fingerprint digests; no parsing, no checking",
        lambda c, m: (c.py, "-c", READ_FLOOR_CODE)),
    process("import", 'python -c "import bootguard"', "import cost of the facade",
        lambda c, m: (c.py, "-c", "import bootguard"), needs_bootguard=True),
    check("check-snapshot", "bootguard check --manifest SNAPSHOT",
        "the boot-time fast path: a sealed snapshot confirms nothing changed", snapshot),
    script("script-snapshot", "bootguard (console script) check --manifest SNAPSHOT",
        "the fast path as the installed command runs it", snapshot),
    check("check-uvlock-sealed", "bootguard check --manifest uv.lock (sealed at build)",
        "the gate's lock itself, verified at build by `check --seal`: the default recipe",
        sealed_uv_lock, accept=bootguard_pass, ok_codes=frozenset({0})),
    script("script-uvlock-sealed", "bootguard (console script) check --manifest uv.lock (sealed)",
        "the same through the installed command", sealed_uv_lock, accept=bootguard_pass,
        ok_codes=frozenset({0})),
    script("uvscript-uvlock-sealed",
        "bootguard (console script as uv writes it) check --manifest uv.lock (sealed)",
        "uv's wrapper does not import re: what installing with uv saves", sealed_uv_lock,
        uv=True, accept=bootguard_pass, ok_codes=frozenset({0})),
    process("import-re", 'python -c "import re"',
        "what the `import re` in pip's console-script wrapper costs by itself",
        lambda c, m: (c.py, "-c", "import re")),
    process("import-runpy", 'python -c "import runpy"',
        "what `python -m` costs before the module runs: the interpreter imports runpy",
        lambda c, m: (c.py, "-c", "import runpy")),
    check("check-pins", "bootguard check --manifest freezeN.txt",
        "the full path: plain pins, no seal, metadata parsed", pins_named),
    check("check-pylock", "bootguard check --manifest pylock.toml",
        "a real PEP 751 lock for the same pins", pylock),
    check("check-uvlock", "bootguard check --manifest uv.lock",
        "uv's own lock of the same pins, as a project would commit it; only a clean pass counts",
        uv_lock, accept=bootguard_pass, ok_codes=frozenset({0})),
    check("check-poetrylock", "bootguard check --manifest poetry.lock",
        "Poetry's lock of the same pins; only a clean pass counts",
        poetry_lock, accept=bootguard_pass, ok_codes=frozenset({0})),
    process("pip-check-venv", "pip check (venv's pip {venv_pip})",
        "what `python -m pip check` at boot costs", lambda c, m: (c.py, "-m", "pip", "check")),
    process("pip-check-tool", "pip check (pip {pip} --python V)",
        "a current pip from the tool venv, pointed at the venv",
        lambda c, m: (str(c.tools.pip), "--python", c.py, "check")),
    process("uv-check", "uv pip check (uv {uv})", "uv's Rust implementation of pip check",
        lambda c, m: (str(c.tools.uv), "pip", "check", "--python", c.py)),
    process("pkg-resources-venv",
        "pkg_resources.require(pins) (venv's setuptools {venv_setuptools})",
        "pkg_resources.require(all pins) with the setuptools a fresh venv brings",
        lambda c, m: (c.py, "-c", PKG_RESOURCES_CODE, str(c.pins)), accept=pkg_resources_venv),
    process("pkg-resources-pinned", "pkg_resources.require(pins) (setuptools {setuptools})",
        "the same with setuptools<82 on PYTHONPATH, no dist-info",
        lambda c, m: (c.py, "-W", "ignore::UserWarning", "-c", PKG_RESOURCES_CODE, str(c.pins)),
        env=with_pinned_setuptools),
    process("importlib-metadata", "importlib.metadata loop (Name, version, requires)",
        "the plain stdlib loop most hand-written checks boil down to",
        lambda c, m: (c.py, "-c", METADATA_CODE)),
    process("pip-sync", "pip-sync --dry-run (pip-tools {pip_tools}, --python-executable V)",
        "what pip-tools would install or uninstall to match the pins",
        lambda c, m: (str(c.tools.program("pip-sync")), "--dry-run",
            "--python-executable", c.py, str(c.pins)), missing=no_pip_sync),
    process("pip-lock", "pip-lock {pip_lock} check_requirements(pins)",
        "version equality of the pins only", lambda c, m: (c.py, "-c", PIP_LOCK_CODE, str(c.pins))),
    inproc("in-floor", "in-process: os.scandir floor", "os.scandir of sys.path for *.dist-info",
        "floor", pins),
    inproc("in-snapshot-cold", "in-process: import+check(SNAPSHOT), cold",
        "import + check of the sealed snapshot, nothing preloaded", "cold", snapshot),
    inproc("in-pins-cold", "in-process: import+check(pins), cold",
        "import + full check of the plain pins, nothing preloaded", "cold", pins),
    inproc("in-snapshot-warm", "in-process: import+check(SNAPSHOT), app imports",
        "the same with typical app imports loaded (not counted)", "warm", snapshot),
    inproc("in-pins-warm", "in-process: import+check(pins), app imports",
        "the same with typical app imports loaded (not counted)", "warm", pins),
    inproc("in-uvlock-cold", "in-process: import+check(uv.lock), cold",
        "read/select uv.lock (TOML parse included) + full check", "cold", uv_lock,
        require_pass=True),
    inproc("in-poetrylock-cold", "in-process: import+check(poetry.lock), cold",
        "read/select poetry.lock + full check", "cold", poetry_lock, require_pass=True),
    *(
        inproc(f"in-{key}-{mode}", f"in-process: import+check({name}), {what}",
            f"read/select {name} + the check; {what}", mode, manifest, require_pass=True)
        for key, name, manifest, modes in (
            ("pylock", "pylock.toml", pylock, ("cold", "warm")),
            ("pipfilelock", "Pipfile.lock", pipfile_lock, ("cold", "warm")),
            ("uvlock", "uv.lock", uv_lock, ("warm",)),
            ("poetrylock", "poetry.lock", poetry_lock, ("warm",)),
            ("uvlock-sealed", "uv.lock sealed at build", sealed_uv_lock, ("cold", "warm")),
        )
        for mode in modes
        for what in ("cold" if mode == "cold" else "app imports",)
    ),
    inproc("guard-uvlock-sealed-cold", "in-process: guard(app), uv.lock sealed at build, cold",
        "guard(app) configured with the lock itself, verified at build", "guard-cold",
        sealed_uv_lock),
    inproc("guard-snapshot-cold", "in-process: guard(app), SNAPSHOT, cold",
        "guard(app) as a wsgi.py runs it: settings, check, verdict, middleware",
        "guard-cold", snapshot),
    inproc("guard-snapshot-warm", "in-process: guard(app), SNAPSHOT, app imports",
        "guard(app) with typical app imports loaded", "guard-warm", snapshot),
    inproc("guard-pylock-cold", "in-process: guard(app), pylock.toml, cold",
        "guard(app) on the full path (metadata parsed)", "guard-cold", pylock),
    inproc("guard-pylock-warm", "in-process: guard(app), pylock.toml, app imports",
        "the same with typical app imports loaded", "guard-warm", pylock),
    inproc("in-fingerprint", "in-process: environment fingerprint (every RECORD digested)",
        "what the fingerprint adds to every boot (the listing is shared)", "fingerprint", pins),
    check("check-integrity", "bootguard check --integrity --manifest SNAPSHOT",
        "the CLI with RECORD verification: full check + hashing + the unexpected-file walk",
        snapshot, "--integrity", accept=exit_zero, ok_codes=frozenset({0}),
        integrity=True, note=fixed("")),
    inproc("in-integrity", "in-process: integrity.verify(all RECORDs), thread pool",
        "RECORD verification (thread pool), no unexpected-file walk", "integrity", pins,
        integrity=True),
    inproc("in-integrity-1", "in-process: integrity.verify(all RECORDs), 1 thread",
        "the same on one thread: what the pool adds on this machine", "integrity-1", pins,
        integrity=True),
    inproc("in-hashloop", "in-process: plain loop (read, sha256, compare), 1 thread",
        "the straightforward loop: read RECORD, read each file, sha256, compare", "hashloop",
        pins, integrity=True),
    process("sha256sum", "sha256sum -c (coreutils) over the same files",
        "coreutils over the same files and digests (list made beforehand)", sha256sum_argv,
        integrity=True, missing=no_sha256sum, note=sha256sum_version),
)
# fmt: on


def build_rows(ctx: SizeContext) -> list[Row]:
    """Every row of the table for one size, in table order."""
    return [resolve(spec, ctx) for spec in ROWS]
