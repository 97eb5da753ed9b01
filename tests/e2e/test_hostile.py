"""Hostile inputs: broken environments next to one real drift, broken manifests, nonsense
from a ``--python`` interpreter, unwritable snapshot targets.  Fail closed on real drift,
never hang, never lose a snapshot.

Everything is real: a venv with tiny wheels installed by real pip, broken on disk (random
bytes, CRLF, invalid versions, non-UTF-8 names, FIFOs, ``/dev/zero``, deep JSON, NUL bytes);
manifests of every format broken the same way; a full tmpfs, a read-only bind mount and a
``/dev/full`` device node made with ``unshare -m`` (a case the kernel refuses is skipped
with its reason printed).  The real CLI and the real ``guard()`` run in child processes
with a hard timeout (:data:`tests.support.hostile.HARD_TIMEOUT`); a hang is killed and
counted.

Each test counts its cases and problems in a :class:`~tests.support.hostile.Tally`, prints
its one-line summary, and fails with every failing case and the first example of each
problem: hangs, tracebacks and hidden drifts must all be zero.  The module prints the total
at the end.  Hypothesis builds the random cases deterministically (``derandomize``), then
the cases run concurrently, so hangs overlap instead of adding up.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import shutil
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.cli import REPO_ROOT
from tests.support.hostile import (
    BREAKS,
    GUARD_SCRIPT,
    Expectation,
    Outcome,
    Tally,
    break_distribution,
    judge_check,
    judge_gate_config,
    judge_guard,
    judge_manifest_error,
    judge_survival,
    run_all,
    run_bounded,
)
from tests.support.locks import LOCKS
from tests.support.venvs import Venv, clean_env, make_venv
from tests.support.wheels import build_wheel, dist_info_dir, wheel_filename

#: The real drift every broken environment carries: msgbus locked at 4.1.0, installed 4.2.0.
DRIFT = "msgbus:version"
#: Installed from the standard wheelhouse: canonical name -> (display name, locked version).
INSTALLED = {
    "taskq": ("taskq", "5.0.0"),
    "msgbus": ("msgbus", "4.1.0"),
    "zope-interface": ("zope.interface", "6.0"),
    "typing-extensions": ("typing_extensions", "4.12.2"),
    "pygreet": ("PyGreet", "2.0.1"),
    "webkit": ("webkit", "1.0"),
    "fastjson": ("fastjson", "2.1"),
    "brokenimport": ("brokenimport", "1.0"),
}
#: A legacy ``*.egg-info`` distribution (what ``setup.py install`` left), beside the wheels.
EGG = ("legacyq", "1.0")
#: Distributions the cases may break: everything unrelated to the drift.
BREAKABLE = ("zope-interface", "typing-extensions", "pygreet", "webkit", "fastjson", "legacyq")
FORMATS = ("requirements", "snapshot", "pylock", "pipfile")
#: Hypothesis examples: each is one child process, so these bound the suite's time.
ENV_EXAMPLES = 36
MANIFEST_EXAMPLES = 30
Judge = Callable[[Outcome], list[str]]
#: The conftest's deterministic "ci" profile, always: the cases are built up front and
#: judged together (no shrinking), so a red run must rebuild exactly the same cases.
PROFILE = settings(
    settings.get_profile("ci"),
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


# --- the lab: one real venv with one real drift, copied per case -------------------------


@dataclass(frozen=True)
class Lab:
    """The shared inputs: a drifted venv to copy, its clean snapshot, the wheels."""

    root: Path
    template: Venv
    wheelhouse: Path
    clean_snapshot: bytes
    bootguard_path: Path
    counter: Iterator[int]

    def case_dir(self, label: str) -> Path:
        """A fresh directory for one case."""
        path = self.root / "cases" / f"{next(self.counter):03d}-{label}"
        path.mkdir(parents=True)
        return path

    def copy_venv(self, case: Path) -> Venv:
        """A copy of the drifted venv (``cp -a``: symlinks, modes and all) inside ``case``."""
        target = case / "venv"
        shutil.copytree(self.template.path, target, symlinks=True)
        site = target / self.template.site_packages.relative_to(self.template.path)
        return Venv(path=target, python=target / "bin" / "python", site_packages=site)

    def env(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        """The environment of a child that runs bootguard inside a case's venv."""
        return clean_env(extra, pythonpath=[self.bootguard_path])


def _write_egg_info(site: Path) -> None:
    """A legacy egg-info install, as ``setup.py install`` (distutils/setuptools) leaves it.

    pip no longer makes these (it installs wheels), so the directory is written the way
    setuptools writes it: PKG-INFO, requires.txt with an extra section, top_level.txt.
    """
    name, version = EGG
    major, minor = sys.version_info[:2]
    egg = site / f"{name}-{version}-py{major}.{minor}.egg-info"
    egg.mkdir()
    (egg / "PKG-INFO").write_text(
        f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\nSummary: legacy\n\n"
    )
    (egg / "requires.txt").write_text("msgbus>=4\n\n[speedups]\nfastjson>=2\n")
    (egg / "top_level.txt").write_text(f"{name}\n")
    (egg / "SOURCES.txt").write_text(f"{name}.py\nsetup.py\n")
    (site / f"{name}.py").write_text(f'__version__ = "{version}"\n')


@pytest.fixture(scope="module")
def lab(
    tmp_path_factory: pytest.TempPathFactory, wheelhouse: Path, bootguard_pythonpath: Path
) -> Lab:
    """Build the venv once: install, take the clean snapshot, then drift msgbus to 4.2.0."""
    root = tmp_path_factory.mktemp("hostile")
    venv = make_venv(root / "template", find_links=(wheelhouse,))
    venv.install(*(f"{display}=={version}" for display, version in INSTALLED.values()))
    _write_egg_info(venv.site_packages)
    snap = run_bounded(
        [venv.python, "-m", "bootguard", "snapshot"],
        env=clean_env(pythonpath=[bootguard_pythonpath]),
        cwd=root,
    )
    assert snap.returncode == 0 and "# bootguard-seal" in snap.stdout, snap
    venv.install("msgbus==4.2.0")  # the real drift
    return Lab(
        root=root,
        template=venv,
        wheelhouse=wheelhouse,
        clean_snapshot=snap.stdout.encode(),
        bootguard_path=bootguard_pythonpath,
        counter=itertools.count(),
    )


@pytest.fixture(scope="module")
def total(request: pytest.FixtureRequest) -> Iterator[Tally]:
    """Every test's tally folded into one; its summary line is printed after the module."""
    tally = Tally("hostile-input suite")
    yield tally
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line("")
        reporter.write_line(tally.summary())


def _finish(tally: Tally, total: Tally) -> None:
    total.add(tally)
    print(tally.summary())
    assert tally.clean, tally.report()


# --- manifests of the lab, in every format ------------------------------------------------


def _pins(named: Sequence[str]) -> list[tuple[str, str, str]]:
    """(canonical, display, version) of the named distributions, locked versions."""
    every = {**INSTALLED, EGG[0]: EGG}
    return [(name, *every[name]) for name in sorted(named)]


def write_manifest(lab: Lab, case: Path, fmt: str, named: Sequence[str]) -> Path:
    """A manifest of format ``fmt`` pinning the ``named`` distributions at their locked versions."""
    pins = _pins(named)
    if fmt == "requirements":
        path = case / "requirements.txt"
        path.write_text("".join(f"{display}=={version}\n" for _, display, version in pins))
    elif fmt == "snapshot":
        path = case / "requirements.lock"
        path.write_bytes(lab.clean_snapshot)  # names every installed distribution
    elif fmt == "pylock":
        path = case / "pylock.toml"
        blocks = ['lock-version = "1.0"\ncreated-by = "bootguard-tests"\n']
        for name, display, version in pins:
            wheel = lab.wheelhouse / wheel_filename(display, version)
            digest = hashlib.sha256(wheel.read_bytes()).hexdigest() if wheel.exists() else "0" * 64
            blocks.append(
                f'\n[[packages]]\nname = "{name}"\nversion = "{version}"\n'
                f'[[packages.wheels]]\nname = "{wheel.name}"\nurl = "{wheel.as_uri()}"\n'
                f'hashes = {{sha256 = "{digest}"}}\n'
            )
        path.write_text("".join(blocks))
    elif fmt == "pipfile":
        path = case / "Pipfile.lock"
        document = {
            "_meta": {
                "hash": {"sha256": "0" * 64},
                "pipfile-spec": 6,
                "requires": {},
                "sources": [{"name": "pypi", "url": "https://pypi.org/simple", "verify_ssl": True}],
            },
            "default": {name: {"version": f"=={version}"} for name, _, version in pins},
            "develop": {},
        }
        path.write_text(json.dumps(document, indent=4) + "\n")
    else:  # pragma: no cover - the strategies only draw FORMATS
        raise ValueError(fmt)
    return path


# --- one broken environment ----------------------------------------------------------------


@dataclass(frozen=True)
class EnvCase:
    """One broken copy of the lab venv, its manifest, how to run bootguard, what to expect."""

    label: str
    case: Path
    venv: Venv
    manifest: Path
    expect: Expectation
    via: str  # "inside" (python -m bootguard in the venv), "outside" (--python), "guard"
    json_output: bool
    integrity: bool

    def job(self, lab: Lab) -> Callable[[], Outcome]:
        """The bounded child process that checks this case."""
        if self.via == "guard":
            script = self.case / "app.py"
            script.write_text(GUARD_SCRIPT)
            extra = {"BOOTGUARD_MANIFEST": str(self.manifest), "BOOTGUARD_SENTRY": "false"}
            if self.integrity:
                extra["BOOTGUARD_INTEGRITY"] = "true"
            return partial(
                run_bounded, [self.venv.python, script], env=lab.env(extra), cwd=self.case
            )
        args: list[str | Path] = ["check", "--manifest", self.manifest]
        if self.json_output:
            args.append("--json")
        if self.integrity:
            args.append("--integrity")
        if self.via == "outside":
            argv = [sys.executable, "-m", "bootguard", *args, "--python", self.venv.python]
            env = clean_env(pythonpath=[REPO_ROOT])
        else:
            argv = [self.venv.python, "-m", "bootguard", *args]
            env = lab.env()
        return partial(run_bounded, argv, env=env, cwd=self.case)

    def judge(self, outcome: Outcome) -> list[str]:
        """The problems of this case's outcome."""
        if self.via == "guard":
            return judge_guard(outcome, self.expect)
        return judge_check(outcome, self.expect, json_output=self.json_output)


def _meta_dir(venv: Venv, name: str) -> Path:
    if name == EGG[0]:
        return next(venv.site_packages.glob(f"{EGG[0]}-{EGG[1]}-py*.egg-info"))
    display, version = INSTALLED[name]
    return venv.site_packages / dist_info_dir(display, version)


def build_env_case(
    lab: Lab,
    breaks: Sequence[tuple[str, str, bytes]],
    *,
    fmt: str,
    named: bool,
    via: str,
    json_output: bool,
    integrity: bool,
) -> EnvCase:
    """Copy the lab venv, apply ``breaks`` (name, kind, payload), write the manifest."""
    label = "+".join(f"{name}={kind}" for name, kind, _ in breaks)
    case = lab.case_dir(label.replace("=", "-")[:80])
    venv = lab.copy_venv(case)
    for name, kind, payload in breaks:
        break_distribution(_meta_dir(venv, name), kind, payload)
    broken = {name for name, _, _ in breaks}
    everything = [*INSTALLED, EGG[0]]
    named_set = set(everything) if named or fmt == "snapshot" else set(everything) - broken
    manifest = write_manifest(lab, case, fmt, sorted(named_set))
    status = {name: "fail" if name in named_set else "warn" for name in broken}
    expect = Expectation(
        drift=DRIFT,
        healthy=frozenset(everything) - broken,
        metadata={name: status[name] for name, kind, _ in breaks if BREAKS[kind].metadata},
        silent=frozenset(name for name, kind, _ in breaks if BREAKS[kind].silent),
        unlisted=frozenset(broken - named_set),
        errors=len(breaks),
    )
    named = named or fmt == "snapshot"
    flags = f"{fmt}, {'named' if named else 'unnamed'}, {via}" + (
        ", --json" if json_output and via != "guard" else ""
    )
    flags += ", integrity" if integrity else ""
    return EnvCase(f"{label} [{flags}]", case, venv, manifest, expect, via, json_output, integrity)


def _applies(kind: str, name: str) -> bool:
    chosen = BREAKS[kind]
    return chosen.egg if name == EGG[0] else chosen.wheel


def _run_env_cases(lab: Lab, cases: Sequence[EnvCase], tally: Tally) -> None:
    outcomes = run_all([case.job(lab) for case in cases])
    for case, outcome in zip(cases, outcomes, strict=True):
        tally.record(case.label, case.judge(outcome), outcome)


# --- broken environments -----------------------------------------------------------------


def test_each_break_alone_next_to_a_real_drift(lab: Lab, total: Tally) -> None:
    """Every kind of break, on one distribution, through the CLI, guard() and snapshot.

    These are the minimal reproductions: one break per case.  A wheel break lands on
    fastjson, an egg-info break on legacyq; RECORD and module breaks also run with
    ``--integrity`` (the only path that opens the files RECORD names).
    """
    tally = Tally("each break alone")
    cases: list[EnvCase] = []
    snapshots: list[tuple[str, Callable[[], Outcome]]] = []
    for kind in BREAKS:
        name = "legacyq" if not BREAKS[kind].wheel else "fastjson"
        payload = b"\xff\xfeName\x00 garbage\r\n" * 20
        integrity = kind.startswith(("record-", "module-"))
        variants = (
            ("requirements", True, "inside", True, integrity),
            ("requirements", False, "inside", False, False),
            ("pylock", True, "guard", False, integrity),
        )
        first: EnvCase | None = None
        for fmt, named, via, json_output, check_integrity in variants:
            case = build_env_case(
                lab,
                [(name, kind, payload)],
                fmt=fmt,
                named=named,
                via=via,
                json_output=json_output,
                integrity=check_integrity,
            )
            cases.append(case)
            first = first or case
        assert first is not None
        snapshots.append(
            (
                f"snapshot of {name}={kind}",
                partial(
                    run_bounded,
                    [first.venv.python, "-m", "bootguard", "snapshot"],
                    env=lab.env(),
                    cwd=first.case,
                ),
            )
        )
    _run_env_cases(lab, cases, tally)
    for (label, _), outcome in zip(snapshots, run_all([job for _, job in snapshots]), strict=True):
        tally.record(label, judge_survival(outcome, exits=(0, 2)), outcome)
    _finish(tally, total)


_PAYLOADS = st.binary(max_size=300) | st.sampled_from(
    [b"", b"\r\n\r\n", b"Name: \xff\nVersion: \x00\n\n", b"{" * 5000, b"\x00" * 64]
)


@st.composite
def _env_case_specs(draw: st.DrawFn) -> dict[str, object]:
    names = draw(st.lists(st.sampled_from(BREAKABLE), min_size=1, max_size=3, unique=True))
    breaks = []
    for name in names:
        kinds = sorted(kind for kind in BREAKS if _applies(kind, name))
        breaks.append((name, draw(st.sampled_from(kinds)), draw(_PAYLOADS)))
    return {
        "breaks": breaks,
        "fmt": draw(st.sampled_from(FORMATS)),
        "named": draw(st.booleans()),
        "via": draw(st.sampled_from(("inside", "inside", "outside", "guard"))),
        "json_output": draw(st.booleans()),
        "integrity": draw(st.sampled_from((False, False, False, True))),
    }


def test_random_broken_environments_never_hide_the_drift(lab: Lab, total: Tally) -> None:
    """Hypothesis: one to three unrelated distributions broken at once, any manifest format,
    CLI inside or outside the venv or ``guard()``; the drift is reported every time."""
    tally = Tally("random broken environments")
    cases: list[EnvCase] = []

    @settings(PROFILE, max_examples=ENV_EXAMPLES)
    @given(spec=_env_case_specs())
    def build(spec: dict[str, object]) -> None:
        cases.append(build_env_case(lab, **spec))  # type: ignore[arg-type]

    build()
    assert len(cases) >= ENV_EXAMPLES // 2, "hypothesis built too few cases"
    _run_env_cases(lab, cases, tally)
    _finish(tally, total)


# --- broken manifests ----------------------------------------------------------------------


def _deep_include_chain(case: Path, depth: int = 500) -> Path:
    for level in range(depth):
        (case / f"r{level}.txt").write_text(f"-r r{level + 1}.txt\n")
    (case / f"r{depth}.txt").write_text("msgbus==4.1.0\n")
    return case / "r0.txt"


def _special(target: str) -> Callable[[Path, str], Path]:
    def make(case: Path, name: str) -> Path:
        path = case / name
        if target == "fifo":
            os.mkfifo(path)
        elif target == "directory":
            path.mkdir()
        else:
            path.symlink_to(target)
        return path

    return make


def _from_fixture(seed: str, edit: Callable[[bytes], bytes]) -> Callable[[Path, str], Path]:
    """A copy of a real tool's lock (with the files beside it), edited."""

    def make(case: Path, _: str) -> Path:
        source = LOCKS / seed
        shutil.copytree(source.parent, case / "project")
        path = case / "project" / source.name
        path.write_bytes(edit(source.read_bytes()))
        return path

    return make


def _replace(old: bytes, new: bytes, count: int = 1) -> Callable[[bytes], bytes]:
    def edit(data: bytes) -> bytes:
        assert old in data, old
        return data.replace(old, new, count)

    return edit


def _truncate_in_string(marker: bytes) -> Callable[[bytes], bytes]:
    """Cut the file inside the last quoted value after ``marker`` (never valid TOML/JSON)."""

    def edit(data: bytes) -> bytes:
        start = data.rindex(marker) + len(marker)
        quote = data.index(b'"', start)
        return data[: quote + 2]

    return edit


def _including(target: str) -> Callable[[Path, str], Path]:
    """A requirements file whose ``-r`` include is a special file."""

    def make(case: Path, name: str) -> Path:
        _special(target)(case, "included.txt")
        path = case / name
        path.write_text("msgbus==4.1.0\n-r included.txt\n")
        return path

    return make


def _write(content: bytes) -> Callable[[Path, str], Path]:
    def make(case: Path, name: str) -> Path:
        path = case / name
        path.write_bytes(content)
        return path

    return make


MANIFEST_FILES = (
    "requirements.txt",
    "pylock.toml",
    "uv.lock",
    "poetry.lock",
    "Pipfile.lock",
    "pyproject.toml",
)
_BANANA = b'version = "8.5.1.banana"'
#: A marker nested deeper than any recursive parser goes (packaging's included).
_DEEP_MARKER = b"(" * 5000 + b"python_version > '3'" + b")" * 5000

#: (label, file name, maker): every one is an unreadable manifest (exit 2, one line).
BAD_MANIFESTS: tuple[tuple[str, str, Callable[[Path, str], Path]], ...] = (
    *(
        (f"{kind}-as-{name}", name, _special(target))
        for name in MANIFEST_FILES
        for kind, target in (
            ("fifo", "fifo"),
            ("dev-zero", "/dev/zero"),
            ("dev-full", "/dev/full"),
            ("directory", "directory"),
        )
    ),
    *(
        (f"random-bytes-{name}", name, _write(b"\xff\xfe\x00\x9c[[\x00\x81{\n\xc3(\n"))
        for name in MANIFEST_FILES
    ),
    ("requirements-include-chain-500-deep", "r0.txt", lambda case, _: _deep_include_chain(case)),
    ("requirements-includes-a-fifo", "requirements.txt", _including("fifo")),
    ("requirements-includes-dev-zero", "requirements.txt", _including("/dev/zero")),
    ("requirements-nul-byte", "requirements.txt", _write(b"msgbus==4.1.0\x00\ntaskq==5.0.0\n")),
    ("requirements-invalid-version", "requirements.txt", _write(b"msgbus==8.5.1.banana\n")),
    ("uv-invalid-version", "uv.lock", _from_fixture(
        "uv/uv.lock", _replace(b'name = "tzdata"\nversion = "2026.6"', b'name = "tzdata"\n' + _BANANA))),
    ("poetry-invalid-version", "poetry.lock", _from_fixture(
        "poetry-2/poetry.lock", _replace(b'name = "tzdata"\nversion = "2026.6"', b'name = "tzdata"\n' + _BANANA))),
    ("poetry-1.1-invalid-version", "poetry.lock", _from_fixture(
        "poetry-1.1/poetry.lock", _replace(b'name = "tzdata"\nversion = "2026.6"', b'name = "tzdata"\n' + _BANANA))),
    ("pipfile-invalid-version", "Pipfile.lock", _from_fixture(
        "pipenv/Pipfile.lock", _replace(b'"version": "==2026.6"', b'"version": "==8.5.1.banana"'))),
    ("pylock-invalid-version", "pylock.toml", _from_fixture(
        "pip-lock/pylock.toml", _replace(b'name = "tzdata"\nversion = "2026.6"', b'name = "tzdata"\n' + _BANANA))),
    ("pylock-invalid-marker", "pylock.toml", _from_fixture(
        "pip-lock/pylock.toml", _replace(b'name = "tzdata"\n', b'name = "tzdata"\nmarker = "python_version >"\n'))),
    ("pipfile-invalid-marker", "Pipfile.lock", _from_fixture(
        "pipenv/Pipfile.lock", _replace(b'"version": "==2026.6"', b'"markers": "python_version >", "version": "==2026.6"'))),
    ("pyproject-invalid-requirement", "pyproject.toml", _from_fixture(
        "uv/pyproject.toml", _replace(b'"python_dateutil>=2.8"', b'"python_dateutil >=>= 2.8"'))),
    ("uv-truncated", "uv.lock", _from_fixture("uv/uv.lock", _truncate_in_string(b"version = "))),
    ("poetry-truncated", "poetry.lock", _from_fixture("poetry-2/poetry.lock", _truncate_in_string(b"version = "))),
    ("pipfile-truncated", "Pipfile.lock", _from_fixture("pipenv/Pipfile.lock", _truncate_in_string(b'"version": '))),
    ("pylock-truncated", "pylock.toml", _from_fixture("pip-lock/pylock.toml", _truncate_in_string(b"version = "))),
    ("requirements-marker-5000-deep", "requirements.txt", _write(b"msgbus==4.1.0 ; " + _DEEP_MARKER + b"\n")),
    ("uv-marker-5000-deep", "uv.lock", _from_fixture(
        "uv/uv.lock", _replace(b"marker = \"sys_platform == 'win32'\"", b'marker = "' + _DEEP_MARKER + b'"'))),
    ("poetry-marker-5000-deep", "poetry.lock", _from_fixture(
        "poetry-2/poetry.lock", _replace(b'markers = "sys_platform == \\"win32\\""', b'markers = "' + _DEEP_MARKER + b'"'))),
    ("pylock-marker-5000-deep", "pylock.toml", _from_fixture(
        "pip-lock/pylock.toml", _replace(b'name = "tzdata"\n', b'name = "tzdata"\nmarker = "' + _DEEP_MARKER + b'"\n'))),
    ("pipfile-marker-5000-deep", "Pipfile.lock", _from_fixture(
        "pipenv/Pipfile.lock", _replace(b'"version": "==2026.6"', b'"markers": "' + _DEEP_MARKER + b'", "version": "==2026.6"'))),
    ("pyproject-marker-5000-deep", "pyproject.toml", _from_fixture(
        "uv/pyproject.toml", _replace(b'"python_dateutil>=2.8"', b'"python_dateutil>=2.8 ; ' + _DEEP_MARKER + b'"'))),
    ("pipfile-deep-nesting", "Pipfile.lock", _write(b'{"_meta": ' + b"[" * 100_000 + b"]" * 100_000 + b"}")),
    ("uv-deep-nesting", "uv.lock", _write(b"a = " + b"[" * 100_000 + b"]" * 100_000 + b"\n")),
)  # fmt: skip


def test_broken_manifests_are_one_line_errors(lab: Lab, total: Tally) -> None:
    """Every bad manifest: ``check`` and ``diff`` exit 2 with one line and no traceback, in
    time; ``guard()`` with it as ``BOOTGUARD_MANIFEST`` boots and reports ``bootguard:config``."""
    tally = Tally("broken manifests")
    venv = lab.copy_venv(lab.case_dir("manifest-venv"))
    good = lab.root / "good-requirements.txt"
    good.write_text("msgbus==4.1.0\ntaskq==5.0.0\n")
    labels: list[str] = []
    jobs: list[Callable[[], Outcome]] = []
    judges: list[Callable[[Outcome], list[str]]] = []
    lines = lab.clean_snapshot.splitlines(keepends=True)
    # A snapshot records its entry count: one edited down, or cut short by a full disk under
    # a non-atomic write (the cut leaves ``typing_extensions==4.1``, a valid pin), is an
    # error, not a list of warnings.  diff is not asked: it compares entries only.
    snapshots = (
        ("snapshot-edited-down", b"".join(lines[:-2])),
        ("snapshot-cut-mid-line", lab.clean_snapshot[: lab.clean_snapshot.index(b"==4.12") + 5]),
    )
    cases = [
        *BAD_MANIFESTS,
        *((label, "requirements.lock", _write(data)) for label, data in snapshots),
    ]
    for label, name, make in cases:
        case = lab.case_dir(label)
        path = make(case, name)
        python = venv.python
        script = case / "app.py"
        script.write_text(GUARD_SCRIPT)
        gate_env = lab.env({"BOOTGUARD_MANIFEST": str(path), "BOOTGUARD_SENTRY": "false"})
        runs: tuple[tuple[str, list[str | Path], dict[str, str], Judge], ...] = (
            ("check", [python, "-m", "bootguard", "check", "-m", path], lab.env(), judge_manifest_error),
            ("diff", [python, "-m", "bootguard", "diff", path, good], lab.env(), judge_manifest_error),
            ("guard", [python, script], gate_env, judge_gate_config),
        )  # fmt: skip
        for what, argv, env, judge in runs:
            if what == "diff" and label.startswith("snapshot-"):
                continue
            labels.append(f"{what} {label}")
            jobs.append(partial(run_bounded, argv, env=env, cwd=case))
            judges.append(judge)
    for label, judged_by, outcome in zip(labels, judges, run_all(jobs), strict=True):
        tally.record(label, judged_by(outcome), outcome)
    _finish(tally, total)


_SEEDS = (
    "uv/uv.lock",
    "poetry-2/poetry.lock",
    "poetry-1.1/poetry.lock",
    "pipenv/Pipfile.lock",
    "pip-lock/pylock.toml",
    "pip-tools/requirements.txt",
    "uv/pyproject.toml",
)


@st.composite
def _mangled(draw: st.DrawFn) -> tuple[str, bytes]:
    seed = draw(st.sampled_from(_SEEDS))
    data = (LOCKS / seed).read_bytes()
    how = draw(st.sampled_from(("truncate", "splice", "replace-all", "crlf")))
    if how == "truncate":
        data = data[: draw(st.integers(0, len(data)))]
    elif how == "splice":
        start = draw(st.integers(0, len(data)))
        end = draw(st.integers(start, min(len(data), start + 64)))
        data = data[:start] + draw(st.binary(min_size=1, max_size=32)) + data[end:]
    elif how == "replace-all":
        data = draw(st.binary(max_size=512))
    else:
        data = data.replace(b"\n", b"\r\n")
    return seed, data


def test_mangled_manifests_never_crash(lab: Lab, total: Tally) -> None:
    """Hypothesis: real locks truncated, spliced with random bytes, replaced, CRLF'd.

    Some of these are still valid (a truncation at a table boundary), so any verdict is
    accepted; what is not: a hang, a traceback, an exit outside {0, 1, 2}, or an exit 2
    that says more than one line.
    """
    tally = Tally("mangled manifests")
    venv = lab.copy_venv(lab.case_dir("mangled-venv"))
    cases: list[tuple[str, Path]] = []

    @settings(PROFILE, max_examples=MANIFEST_EXAMPLES)
    @given(mangled=_mangled())
    def build(mangled: tuple[str, bytes]) -> None:
        seed, data = mangled
        case = lab.case_dir("mangled")
        source = LOCKS / seed
        shutil.copytree(source.parent, case / "project")
        path = case / "project" / source.name
        path.write_bytes(data)
        cases.append((f"{seed} ({len(data)} bytes, {case.name})", path))

    build()
    jobs = [
        partial(
            run_bounded,
            [venv.python, "-m", "bootguard", "check", "-m", path],
            env=lab.env(),
            cwd=path.parent,
        )
        for _, path in cases
    ]
    for (label, _), outcome in zip(cases, run_all(jobs), strict=True):
        tally.record(label, judge_survival(outcome), outcome)
    _finish(tally, total)


# --- snapshot -o: never lose the previous snapshot ------------------------------------------

#: Runs as root inside ``unshare -m``: prepare the target directory, run the command given
#: as arguments, then copy what the directory holds to $OUT (outside the namespace).
_NAMESPACE = r"""
set -u
case "$SETUP" in
  readonly)
    mount --bind "$DIR" "$DIR" && mount -o remount,bind,ro "$DIR" "$DIR" \
      || { echo "bootguard-test: the kernel refused a read-only bind mount" >&2; exit 97; } ;;
  full)
    mount -t tmpfs -o size=64k,mode=0755 bootguard-full "$DIR" \
      || { echo "bootguard-test: the kernel refused a tmpfs mount" >&2; exit 97; }
    cp "$PREVIOUS" "$DIR/snapshot.txt"
    dd if=/dev/zero of="$DIR/filler" bs=4096 2>/dev/null
    : ;;
  device)
    mount -t tmpfs -o size=64k,mode=0755 bootguard-dev "$DIR" \
      || { echo "bootguard-test: the kernel refused a tmpfs mount" >&2; exit 97; }
    mknod "$DIR/snapshot.txt" c 1 7 \
      || { echo "bootguard-test: mknod of /dev/full's device refused" >&2; exit 97; } ;;
esac
"$@"
status=$?
ls -A "$DIR" > "$OUT/listing"
if [ -f "$DIR/snapshot.txt" ]; then cp "$DIR/snapshot.txt" "$OUT/after"; fi
if [ -c "$DIR/snapshot.txt" ]; then echo char > "$OUT/kind"; fi
exit $status
"""


@pytest.fixture(scope="module")
def big_venv(lab: Lab, tmp_path_factory: pytest.TempPathFactory) -> Venv:
    """The lab venv plus 40 long-named wheels: its snapshot spans several memory pages.

    So a write that truncates the previous (one page) snapshot in place cannot fit into
    the page it frees on a full tmpfs: the failure the atomic write must survive.
    """
    wheels = tmp_path_factory.mktemp("long-wheels")
    targets: list[str | Path] = []
    for index in range(40):
        name = f"long-{index:02d}-" + "x" * 150
        targets.append(build_wheel(wheels, name, "1.0", modules={}))
    venv = lab.copy_venv(lab.case_dir("big-venv"))
    venv.install(*targets)
    return venv


def test_snapshot_output_failures_keep_the_previous_snapshot(
    lab: Lab, big_venv: Venv, total: Tally
) -> None:
    """``snapshot -o`` to a read-only mount, a full tmpfs, /dev/full's device, a missing
    directory, a directory: exit 2 with one line, the previous file byte-identical, no
    temporary file left behind.  A writable target works (the control case)."""
    tally = Tally("snapshot -o")
    previous = lab.clean_snapshot
    assert len(previous) < 4096, "the previous snapshot must fit one page"
    size = run_bounded(
        [big_venv.python, "-m", "bootguard", "snapshot"], env=lab.env(), cwd=lab.root
    )
    assert size.returncode == 0 and len(size.stdout) > 2 * 4096, size
    can_unshare = shutil.which("unshare") is not None and os.geteuid() == 0

    for setup in ("writable", "readonly", "full", "device", "missing-directory", "directory"):
        case = lab.case_dir(f"snapshot-{setup}")
        target_dir = case / "target"
        out = case / "out"
        out.mkdir()
        target_dir.mkdir()
        prev_file = case / "previous.txt"
        prev_file.write_bytes(previous)
        target = target_dir / "snapshot.txt"
        if setup in ("writable", "readonly"):
            target.write_bytes(previous)
        elif setup == "missing-directory":
            target = target_dir / "no-such-directory" / "snapshot.txt"
        elif setup == "directory":
            target.mkdir()
        command = [str(big_venv.python), "-m", "bootguard", "snapshot", "-o", str(target)]
        env = lab.env({"DIR": str(target_dir), "OUT": str(out), "PREVIOUS": str(prev_file)})
        if setup in ("readonly", "full", "device"):
            if not can_unshare:
                print(f"skipped snapshot case {setup}: needs root and unshare(1)")
                continue
            env["SETUP"] = setup
            argv = ["unshare", "-m", "--propagation", "private", "sh", "-c", _NAMESPACE, "sh"]
            outcome = run_bounded([*argv, *command], env=env, cwd=case)
            if outcome.returncode == 97:
                print(f"skipped snapshot case {setup}: {outcome.stderr.strip()}")
                continue
        else:
            before = sorted(os.listdir(target_dir))
            outcome = run_bounded(command, env=env, cwd=case)
            (out / "listing").write_text("\n".join(sorted(os.listdir(target_dir))) + "\n")
            if target.is_file():
                shutil.copyfile(target, out / "after")
            assert before is not None
        tally.record(f"snapshot -o ({setup})", _judge_snapshot(setup, outcome, out), outcome)
    _finish(tally, total)


def _judge_snapshot(setup: str, outcome: Outcome, out: Path) -> list[str]:
    if outcome.hung:
        return ["hang"]
    problems = []
    if "Traceback (most recent call last)" in outcome.stderr:
        problems.append("traceback")
    listing = set((out / "listing").read_text().split()) if (out / "listing").exists() else set()
    after = (out / "after").read_bytes() if (out / "after").exists() else None
    if setup == "writable":
        if outcome.returncode != 0:
            problems.append("wrong exit")
        if after is None or b"# Written by `bootguard snapshot`" not in after[:200]:
            problems.append("snapshot lost")
        if listing != {"snapshot.txt"}:
            problems.append("temp file left")
        return problems
    if outcome.returncode != 2:
        problems.append("wrong exit")
    elif len(outcome.stderr_lines) != 1:
        problems.append("noisy stderr")
    expected_listing = {
        "readonly": {"snapshot.txt"},
        "full": {"snapshot.txt", "filler"},
        "device": {"snapshot.txt"},
        "missing-directory": set(),
        "directory": {"snapshot.txt"},
    }[setup]
    if listing != expected_listing:
        problems.append("temp file left")
    if setup in ("readonly", "full") and after != _previous_of(out):
        problems.append("snapshot lost")
    if setup == "device" and not (out / "kind").exists():
        problems.append("snapshot lost")  # the device node was replaced
    return problems


def _previous_of(out: Path) -> bytes:
    return (out.parent / "previous.txt").read_bytes()


# --- --python: an interpreter that answers the probe with nonsense ------------------------

#: What a fake interpreter prints to the probe (shell text run by /bin/sh).
FAKE_INTERPRETERS = {
    "json-array": "echo '[]'",
    "json-wrong-types": """echo '{"executable": 1, "paths": 5, "marker_env": []}'""",
    "json-missing-keys": """echo '{"executable": "/usr/bin/python3"}'""",
    "json-deep-nesting": 'python3 -c \'print("[" * 100000 + "]" * 100000)\'',
    "not-json": "printf 'Python 2.7.18\\n\\x1b[2Jgarbage\\n'",
    "not-utf8": "printf '\\377\\376{\\n'",
    "fails-with-many-lines": "printf 'line one\\nline two\\nline three\\n' >&2; exit 1",
}


def test_python_probe_answers_are_validated(lab: Lab, total: Tally) -> None:
    """``check --python X`` where X prints JSON of the wrong shape, or no JSON: exit 2 with
    one line, no traceback."""
    tally = Tally("--python probe")
    jobs: list[Callable[[], Outcome]] = []
    for label, body in FAKE_INTERPRETERS.items():
        case = lab.case_dir(f"python-{label}")
        fake = case / "python"
        fake.write_text(f"#!/bin/sh\n{body}\n")
        fake.chmod(0o755)
        good = case / "requirements.txt"
        good.write_text("msgbus==4.1.0\n")
        argv: list[str | Path] = [sys.executable, "-m", "bootguard", "check", "-m", good]
        argv += ["--python", fake]
        jobs.append(partial(run_bounded, argv, env=clean_env(pythonpath=[REPO_ROOT]), cwd=case))
    for label, outcome in zip(FAKE_INTERPRETERS, run_all(jobs), strict=True):
        tally.record(f"--python {label}", judge_manifest_error(outcome), outcome)
    _finish(tally, total)
