"""An oracle for bootguard's pass/fail that is not bootguard: pip's (and uv's) dry run.

Why: "does this environment satisfy this requirements file?" has an independent answer.
``pip install --dry-run --report - -r FILE`` against the environment (without
``--ignore-installed``) resolves the file and lists what it *would* install; an empty list
means every requirement, and everything those requirements need, is already there.  uv's
``uv pip install --dry-run`` answers the same question with a second implementation.  A
differential test runs bootguard and these oracles over many generated files and venvs.

What lives here: a wheelhouse of tiny real wheels built for the oracle tests (versions
chosen to exercise PEP 440 corners: pre-, post- and local releases, ``2.0.0`` against
``2.0``, extras and markers in ``Requires-Dist``), a pool of venvs in different states
made with real pip from it, and one function per tool that returns a plain verdict.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.venvs import Venv, clean_env, make_venv
from tests.support.wheelhouse import WheelSpec
from tests.support.wheels import wheel_filename

__all__ = [
    "DIRECT_STATES",
    "ORACLE_EXTRAS",
    "ORACLE_STATES",
    "ORACLE_WHEELS",
    "DirectState",
    "PoolVenv",
    "Sources",
    "ToolAnswer",
    "VenvState",
    "bootguard_answer",
    "build_oracle_wheelhouse",
    "build_sources",
    "describe_tree",
    "find_uv",
    "git",
    "installed_direct_url",
    "make_direct_pool",
    "make_pool",
    "pip_answer",
    "pip_check_subjects",
    "uv_answer",
]

# The wheelhouse.  Names and versions are invented; each one exists to reach a corner:
#   alpha    2.0.0 (matched by ==2.0, not by ===2.0), a post release and a pre-release
#   beta     local versions next to the plain one (==1.0 accepts 1.0+cpu)
#   Foo_Bar  an unnormalized name (foo-bar, FOO.BAR and foo_bar are the same dist) with
#            an extra whose requirement may be unmet
#   gamma    Requires-Dist with a range, false markers, and extras
#   hub      requires Foo_Bar[speed]: an extra pulled in by another installed dist
#   delta    a plain dependency, with two versions
ORACLE_WHEELS: tuple[WheelSpec, ...] = (
    *(WheelSpec("alpha", v) for v in ("1.0", "1.1", "2.0.0", "2.0.0.post1", "2.1rc1", "2.1")),
    *(WheelSpec("beta", v) for v in ("1.0", "1.0+cpu", "1.0+gpu", "2.0")),
    *(
        WheelSpec("Foo_Bar", v, extras={"speed": ("beta>=2.0",)})
        for v in ("0.9", "1.0", "1.0.post1")
    ),
    WheelSpec(
        "gamma",
        "1.0",
        requires=("alpha>=1.1,<3", 'beta; sys_platform == "win32"'),
        extras={"fast": ("Foo_Bar>=1.0",), "legacy": ('delta; python_version < "3"',)},
    ),
    WheelSpec(
        "gamma",
        "2.0",
        requires=("alpha>=2", 'delta>=1.0; python_version >= "3"'),
        extras={"fast": ("foo-bar[speed]>=1.0",)},
    ),
    WheelSpec("hub", "1.0", requires=("Foo_Bar[speed]>=0.9",)),
    *(WheelSpec("delta", v) for v in ("1.0", "2.0")),
)

#: Every extra some wheel above declares, plus one nobody declares.
ORACLE_EXTRAS: tuple[str, ...] = ("fast", "legacy", "speed", "nope")


@dataclass(frozen=True)
class VenvState:
    """One environment of the pool: what is installed (``--no-deps``, exactly this set).

    Wheels are installed by file (``beta==1.0`` as a requirement would pick ``1.0+gpu``).
    ``blind_subjects`` are distributions with a breakage ``pip check`` cannot see (an extra
    requested by another installed distribution, whose own requirement is unmet): bootguard
    reports them, pip check and a dry run of a file that does not name the requester do not.
    """

    name: str
    installs: tuple[tuple[str, str], ...]
    why: str
    blind_subjects: frozenset[str] = frozenset()

    @property
    def installed(self) -> dict[str, str]:
        """Normalized name -> installed version."""
        return {_canonical(name): version for name, version in self.installs}


ORACLE_STATES: tuple[VenvState, ...] = (
    VenvState(
        "consistent",
        (
            ("gamma", "1.0"),
            ("alpha", "2.0.0"),
            ("Foo_Bar", "1.0"),
            ("beta", "1.0+cpu"),
            ("delta", "2.0"),
        ),
        "everything gamma needs, a local version, alpha at 2.0.0",
    ),
    VenvState(
        "drift",
        (("gamma", "1.0"), ("alpha", "1.0"), ("Foo_Bar", "0.9"), ("beta", "2.0")),
        "alpha below what gamma requires; Foo_Bar below gamma[fast]'s floor",
    ),
    VenvState(
        "prerelease",
        (
            ("gamma", "2.0"),
            ("alpha", "2.1rc1"),
            ("Foo_Bar", "1.0.post1"),
            ("beta", "1.0+gpu"),
            ("delta", "1.0"),
        ),
        "a pre-release, a post release and another local label installed",
    ),
    VenvState(
        "missing-dep",
        (("gamma", "2.0"), ("Foo_Bar", "1.0"), ("beta", "1.0")),
        "gamma 2.0 installed without alpha and delta",
    ),
    VenvState(
        "extra-via-hub",
        (
            ("hub", "1.0"),
            ("Foo_Bar", "1.0"),
            ("beta", "1.0"),
            ("alpha", "2.0.0.post1"),
            ("delta", "1.0"),
        ),
        "hub requires Foo_Bar[speed], whose beta>=2.0 is unmet",
        blind_subjects=frozenset({"foo-bar"}),
    ),
    VenvState("empty", (), "nothing installed"),
)


def build_oracle_wheelhouse(out_dir: Path) -> Path:
    """Build every wheel of :data:`ORACLE_WHEELS` into ``out_dir``; return ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for spec in ORACLE_WHEELS:
        spec.build(out_dir)
    return out_dir


@dataclass(frozen=True)
class PoolVenv:
    """A venv of the pool, with what ``pip check`` says about it (computed once)."""

    state: VenvState
    venv: Venv
    pip_check: frozenset[str]


def make_pool(
    root: Path, wheelhouse: Path, states: Sequence[VenvState] = ORACLE_STATES
) -> list[PoolVenv]:
    """Create one venv per state under ``root`` with real pip; read back what is installed."""
    pool = []
    for state in states:
        venv = make_venv(root / state.name, find_links=(wheelhouse,))
        if state.installs:
            venv.install(*(wheelhouse / wheel_filename(n, v) for n, v in state.installs))
        pool.append(PoolVenv(state, venv, pip_check_subjects(venv.pip("check").stdout)))
    return pool


def _canonical(name: str) -> str:
    from packaging.utils import canonicalize_name

    return str(canonicalize_name(name))


def pip_check_subjects(output: str) -> frozenset[str]:
    """The distributions ``pip check`` says have unmet or conflicting requirements."""
    subjects = set()
    for line in output.splitlines():
        if " requires " in line or " has requirement " in line:
            subjects.add(_canonical(line.split()[0]))
    return frozenset(subjects)


@dataclass(frozen=True)
class ToolAnswer:
    """One tool's verdict on (venv, file): ``satisfied`` or not, and why.

    ``would_install`` is what an installer would install (``name==version``); ``error`` is
    its one-line complaint when it could not resolve the file at all (which also means the
    environment does not satisfy it: a satisfied file resolves to what is installed).
    ``failing`` are bootguard's failing finding keys, ``messages`` their messages.
    """

    tool: str
    satisfied: bool
    would_install: tuple[str, ...] = ()
    error: str = ""
    failing: tuple[str, ...] = ()
    messages: tuple[str, ...] = ()
    raw: str = field(default="", repr=False)

    @property
    def findings(self) -> list[tuple[str, str]]:
        """bootguard's failing findings as (key, message) pairs."""
        return list(zip(self.failing, self.messages, strict=True))


def pip_answer(venv: Venv, wheelhouse: Path, requirements: Path) -> ToolAnswer:
    """``pip install --dry-run --report -`` of ``requirements`` into ``venv`` (offline)."""
    result = venv.pip(
        "install",
        "--dry-run",
        "--report",
        "-",
        "-q",
        "--no-index",
        "--find-links",
        wheelhouse,
        "-r",
        requirements,
    )
    if result.returncode != 0:
        return ToolAnswer("pip", False, error=_last_line(result.stderr), raw=result.stderr)
    report = json.loads(result.stdout)
    installs = tuple(
        f"{item['metadata']['name']}=={item['metadata']['version']}"
        for item in report.get("install", [])
    )
    return ToolAnswer("pip", not installs, would_install=installs, raw=result.stdout)


def find_uv() -> Path | None:
    """The ``uv`` binary: the ``uv`` package of the test environment, or one on ``PATH``."""
    try:
        import uv  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        found = shutil.which("uv")
        return Path(found) if found else None
    return Path(uv.find_uv_bin())


def uv_answer(uv: Path, venv: Venv, wheelhouse: Path, requirements: Path) -> ToolAnswer:
    """``uv pip install --dry-run`` of ``requirements`` into ``venv`` (offline, no cache)."""
    env = clean_env({"UV_NO_CONFIG": "1", "NO_COLOR": "1"})
    result = subprocess.run(
        [
            str(uv), "pip", "install", "--dry-run", "--python", str(venv.python), "--offline",
            "--no-index", "--no-cache", "--find-links", str(wheelhouse), "-r", str(requirements),
        ],
        capture_output=True, text=True, env=env, cwd=venv.path, timeout=120, check=False,
    )  # fmt: skip
    if result.returncode != 0:
        return ToolAnswer("uv", False, error=_last_line(result.stderr), raw=result.stderr)
    installs = tuple(
        line.strip()[2:].strip()
        for line in result.stderr.splitlines()
        if line.strip().startswith("+ ")
    )
    return ToolAnswer("uv", not installs, would_install=installs, raw=result.stderr)


def bootguard_answer(venv: Venv, bootguard_path: Path, requirements: Path) -> ToolAnswer:
    """``python -m bootguard check -m FILE --json`` run by the venv's own interpreter."""
    result = subprocess.run(
        [str(venv.python), "-m", "bootguard", "check", "-m", str(requirements), "--json"],
        capture_output=True,
        text=True,
        cwd=venv.path,
        env=venv.env(pythonpath=[bootguard_path]),
        timeout=120,
        check=False,
    )
    if result.returncode not in (0, 1):
        return ToolAnswer("bootguard", False, error=_last_line(result.stderr), raw=result.stderr)
    report = json.loads(result.stdout)
    failing = []
    messages = []
    for key, items in sorted(report.get("checks", {}).items()):
        for item in items:
            if item.get("status") == "fail":
                failing.append(key)
                messages.append(str(item.get("output", "")))
    return ToolAnswer(
        "bootguard",
        result.returncode == 0,
        failing=tuple(failing),
        messages=tuple(messages),
        raw=result.stdout,
    )


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else ""


def describe_tree(directory: Path) -> str:
    """Every file under ``directory`` with its text, for a failure message."""
    parts = []
    for path in sorted(directory.rglob("*")):
        if path.is_file():
            parts.append(f"--- {path.relative_to(directory)} ---\n{path.read_text()}")
    return "\n".join(parts)


# --- VCS, local directories and archives -----------------------------------------------------


def git(*args: str, cwd: Path) -> str:
    """Run git with a fixed identity and no user or system configuration; return stdout."""
    env = clean_env(
        {
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_AUTHOR_NAME": "oracle",
            "GIT_AUTHOR_EMAIL": "oracle@example.invalid",
            "GIT_COMMITTER_NAME": "oracle",
            "GIT_COMMITTER_EMAIL": "oracle@example.invalid",
            "GIT_AUTHOR_DATE": "2024-01-01T00:00:00Z",
            "GIT_COMMITTER_DATE": "2024-01-01T00:00:00Z",
        }
    )
    result = subprocess.run(
        ["git", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=60, check=True
    )
    return result.stdout.strip()


@dataclass(frozen=True)
class Sources:
    """The direct-reference sources of the VCS oracle test.

    ``repo`` is a git repository of the project ``vcsproj`` with three commits: ``v1.0``
    (version 1.0), ``v1.1`` (version 1.1) and ``hotfix`` (still 1.1, other code).
    ``commits`` maps those names to full commit ids.  ``localproj`` is a plain project
    directory (version 2.0) and ``sdist`` a ``.tar.gz`` of it; ``wheels`` maps versions of
    ``wheelproj`` to wheel files.
    """

    repo: Path
    commits: Mapping[str, str]
    localproj: Path
    sdist: Path
    wheels: Mapping[str, Path]


def build_sources(root: Path) -> Sources:
    """Create the git repository, the project directory, its sdist and the wheels."""
    import tarfile

    from tests.support.wheels import build_editable_project, build_wheel

    repo = build_editable_project(root / "repos", "vcsproj", "1.0")
    git("init", "-q", "-b", "main", cwd=repo)
    commits = {}
    for name, change in (("v1.0", None), ("v1.1", "1.1"), ("hotfix", "hotfix")):
        if change == "1.1":
            build_editable_project(root / "repos", "vcsproj", "1.1")
        elif change == "hotfix":
            (repo / "src" / "vcsproj" / "hotfix.py").write_text("FIXED = True\n")
        git("add", "-A", cwd=repo)
        git("commit", "-q", "-m", name, cwd=repo)
        if name.startswith("v"):
            git("tag", name, cwd=repo)
        commits[name] = git("rev-parse", "HEAD", cwd=repo)
    localproj = build_editable_project(root / "local", "localproj", "2.0")
    sdist = root / "archives" / "localproj-2.0.tar.gz"
    sdist.parent.mkdir(parents=True)
    with tarfile.open(sdist, "w:gz") as archive:
        archive.add(localproj, arcname="localproj-2.0")
    wheels = {v: build_wheel(root / "wheels", "wheelproj", v) for v in ("1.0", "2.0")}
    return Sources(repo, commits, localproj, sdist, wheels)


@dataclass(frozen=True)
class DirectState:
    """A venv of the VCS pool: which commit, how localproj and which wheelproj."""

    name: str
    commit: str  # a key of Sources.commits
    localproj: str  # "dir", "editable", "sdist" or "" (absent)
    wheel: str  # a wheelproj version, or "" (absent)


DIRECT_STATES: tuple[DirectState, ...] = (
    DirectState("at-v1.0", "v1.0", "dir", "1.0"),
    DirectState("at-hotfix", "hotfix", "editable", "2.0"),
    DirectState("at-v1.1", "v1.1", "sdist", ""),
)


def make_direct_pool(root: Path, sources: Sources, wheelhouse: Path) -> list[Venv]:
    """One venv per :data:`DIRECT_STATES` entry, installed with real pip from the sources."""
    pool = []
    for state in DIRECT_STATES:
        venv = make_venv(root / state.name, find_links=(wheelhouse,))
        rev = state.commit if state.commit.startswith("v") else sources.commits[state.commit]
        targets: list[str | Path] = [f"git+{sources.repo.as_uri()}@{rev}#egg=vcsproj"]
        if state.localproj == "dir":
            targets.append(sources.localproj)
        elif state.localproj == "sdist":
            targets.append(sources.sdist)
        if state.wheel:
            targets.append(sources.wheels[state.wheel])
        venv.install(*targets)
        if state.localproj == "editable":
            venv.install(sources.localproj, editable=True)
        pool.append(venv)
    return pool


def installed_direct_url(venv: Venv, name: str) -> dict[str, object] | None:
    """The ``direct_url.json`` pip wrote for ``name`` in ``venv`` (None: absent, or no file)."""
    for info in venv.site_packages.glob("*.dist-info"):
        if info.name.split("-", 1)[0].lower() == name.replace("-", "_"):
            path = info / "direct_url.json"
            if path.is_file():
                data: dict[str, object] = json.loads(path.read_text(encoding="utf-8"))
                return data
            return None
    return None
