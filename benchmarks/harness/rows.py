"""What a row is, how a row description becomes a runnable row, and how a run is judged.

Why descriptions and not functions: most rows differ only in their key, label, command and
manifest. A :class:`RowSpec` says that as data; :func:`resolve` applies the rules every row
shares, in one order (size, bootguard present, manifest made, tool present), so a row that
cannot run shows the same kind of reason wherever it is in the table.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from .envs import Tools, Venv
from .manifests import Artifact, HashList
from .util import last_line

Kind = Literal["process", "inproc"]
INTEGRITY_ROUNDS = 7  # each sample hashes ~470 MB: fewer rounds, still interleaved
OTHER_SIZE = "not measured on this size"  # such rows are left out of that size's table
#: Label fields naming a peer tool's version: ``{field}`` -> the tool venv's distribution.
TOOL_FIELDS = {
    "pip": "pip",
    "uv": "uv",
    "setuptools": "setuptools",
    "pip_tools": "pip-tools",
    "pip_lock": "pip-lock",
}


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


def bootguard_pass(proc: subprocess.CompletedProcess[str]) -> Verdict:
    """bootguard check that must report a clean pass (a lock made from the pins)."""
    verdict = bootguard_cli(proc)
    if verdict.ok and not proc.stdout.startswith("bootguard: pass"):
        return Verdict(False, "not a clean pass: " + last_line(proc.stdout, 100))
    return verdict


def inproc_result(proc: subprocess.CompletedProcess[str]) -> Verdict:
    """inproc.py prints one JSON line: ``{"ms", "status"}`` or ``{"error"}``."""
    try:
        data = json.loads(proc.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return Verdict(False, f"exit {proc.returncode}: {last_line(proc.stderr)}")
    if "error" in data:
        return Verdict(False, str(data["error"]))
    return Verdict(True, f"status {data.get('status', '?')}")


def inproc_pass(proc: subprocess.CompletedProcess[str]) -> Verdict:
    """inproc.py whose report must be a clean pass."""
    verdict = inproc_result(proc)
    if verdict.ok and not verdict.note.startswith("status pass"):
        return Verdict(False, f"not a clean pass: {verdict.note}")
    return verdict


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
    """Everything a row description may use for one pin set."""

    size: int
    venv: Venv
    pins: Path
    env: Mapping[str, str]  # shared by every row: PYTHONPATH = the bootguard/pip_lock copy
    cwd: Path  # an empty directory: `-c`/`-m` put the cwd on sys.path
    tools: Tools
    pylock: Artifact
    snapshot: Artifact
    bootguard_ready: str  # "" when bootguard/__init__.py exists, else the reason
    uv_lock: Artifact = Artifact(None, reason="not made")  # noqa: RUF009 - frozen
    poetry_lock: Artifact = Artifact(None, reason="not made")  # noqa: RUF009 - frozen
    hashes: HashList | None = None  # set for the size the integrity rows run on
    pipfile_lock: Artifact = Artifact(None, reason="not made")  # noqa: RUF009 - frozen
    sealed_uv_lock: Artifact = Artifact(None, reason="not made")  # noqa: RUF009 - frozen
    script: str = ""  # a console script as pip writes it, for this venv's interpreter
    uv_script: str = ""  # the same as uv writes it (no ``import re``)

    @property
    def py(self) -> str:
        """The venv's interpreter as a string."""
        return str(self.venv.python)

    def label_fields(self) -> dict[str, str]:
        """The versions a row label may name (``{pip}`` etc. in :attr:`RowSpec.label`)."""
        venv, tools = self.venv.installed, self.tools.versions
        return {
            "venv_pip": venv.get("pip", "?"),
            "venv_setuptools": venv.get("setuptools", "?"),
            **{key: tools.get(name, "?") for key, name in TOOL_FIELDS.items()},
        }


#: ``(context, manifest path or "") -> argv``
Argv = Callable[[SizeContext, str], Sequence[str]]
NO_MANIFEST = Artifact(None)


def made_by(ctx: SizeContext, manifest: Artifact) -> str:
    """The default note: who made the manifest the row reads (empty for none)."""
    return manifest.made_by


@dataclass(frozen=True, slots=True)
class RowSpec:
    """One row of the benchmark, as data: what it runs, on which sizes, and when it cannot."""

    key: str
    label: str  # str.format fields: SizeContext.label_fields()
    why: str  # what the row shows, for whoever reads the table in the code
    argv: Argv
    kind: Kind = "process"
    manifest: Callable[[SizeContext], Artifact] | None = None  # n/a while it has no path
    needs_bootguard: bool = False
    integrity: bool = False  # only the size with the hash list, INTEGRITY_ROUNDS rounds
    missing: Callable[[SizeContext], str] | None = None  # why it cannot run here ("": it can)
    accept: Accept = exit_zero
    ok_codes: frozenset[int] = frozenset({0})
    env: Callable[[SizeContext], Mapping[str, str]] | None = None  # None: the shared one
    note: Callable[[SizeContext, Artifact], str] = made_by


def na(key: str, label: str, reason: str) -> Row:
    """A row that cannot be measured (yet), shown with its reason."""
    return Row(key, label, unavailable=reason)


def resolve(spec: RowSpec, ctx: SizeContext) -> Row:
    """The runnable row a description gives for one size, or the reason it cannot run."""
    label = spec.label.format_map(ctx.label_fields())
    if spec.integrity and ctx.hashes is None:
        return na(spec.key, label, OTHER_SIZE)
    if spec.needs_bootguard and ctx.bootguard_ready:
        return na(spec.key, label, ctx.bootguard_ready)
    manifest = NO_MANIFEST if spec.manifest is None else spec.manifest(ctx)
    if spec.manifest is not None and manifest.path is None:
        return na(spec.key, label, manifest.reason)
    reason = spec.missing(ctx) if spec.missing is not None else ""
    if reason:
        return na(spec.key, label, reason)
    return Row(
        spec.key,
        label,
        tuple(spec.argv(ctx, "" if manifest.path is None else str(manifest.path))),
        kind=spec.kind,
        env=None if spec.env is None else spec.env(ctx),
        accept=spec.accept,
        ok_codes=spec.ok_codes,
        note=spec.note(ctx, manifest),
        rounds=INTEGRITY_ROUNDS if spec.integrity else None,
    )
