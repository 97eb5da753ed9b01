"""Shared by the lock-format tests: the fixture locks, marker environments, matching venvs.

Why: the locks under ``tests/data/locks/`` were written by the real tools (see the README
there) for one made-up project, ``Demo_App``.  The tests check them against environments
holding *the same names and versions*, built offline from tiny wheels whose metadata
(``Requires-Dist``) copies the real distributions', so the check sees exactly the dependency
graph it would see on a real install.

Environments are session-scoped and built lazily, one per *shape* (what a tool installs for
this project); a drifted copy of a shape has ``tzdata`` at another version than locked (a
transitive dependency: Demo_App -> python-dateutil -> tzdata).
"""

from __future__ import annotations

import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from bootguard.manifest import Manifest, Selection, read_manifest
from tests.support.venvs import Venv, make_venv
from tests.support.wheels import build_editable_project, build_wheel

__all__ = [
    "CASES",
    "DRIFTED_TZDATA",
    "LOCKS",
    "Case",
    "LockEnvs",
    "build_lock_wheelhouse",
    "lock_envs",
    "marker_env",
]

LOCKS = Path(__file__).resolve().parents[1] / "data" / "locks"

#: The version ``tzdata`` drifts to (every lock pins 2026.6).
DRIFTED_TZDATA = "2025.1"

# name, version, Requires-Dist, extras -- copied from the real wheels' METADATA.
_WHEELS: tuple[tuple[str, str, tuple[str, ...], dict[str, tuple[str, ...]]], ...] = (
    ("attrs", "26.1.0", (), {}),
    ("colorama", "0.4.6", (), {}),
    ("exceptiongroup", "1.3.2", ("typing-extensions >= 4.6.0; python_version < '3.13'",), {"test": ("pytest >= 6",)}),
    ("iniconfig", "2.3.1", (), {}),
    ("python-dateutil", "3.0.0", ("six>=1.6", "tzdata"), {}),
    ("python-dateutil", "4.0.0", ("tzdata",), {}),
    ("six", "1.17.0", (), {}),
    ("typing_extensions", "4.16.0", (), {}),
    ("tzdata", "2026.6", (), {}),
    ("tzdata", DRIFTED_TZDATA, (), {}),
)  # fmt: skip

# The project itself, as its pyproject.toml declares it (uv, poetry 2, pipenv, pip fixtures).
DEMO_APP_REQUIRES = (
    "python_dateutil>=2.8",
    "Typing_Extensions>=4.6",
    "colorama>=0.4; sys_platform == 'win32'",
    "exceptiongroup>=1.2; python_version < '3.11'",
)
DEMO_APP_EXTRAS = {"speedups": ("Attrs>=23",)}

_COMMON = ("attrs==26.1.0", "typing_extensions==4.16.0", "tzdata==2026.6")

#: shape -> (requirements to install from the wheelhouse, editable projects to install)
SHAPES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # uv sync --extra speedups (default group dev); also Pipfile.lock with --group develop.
    "uv": ((*_COMMON, "python-dateutil==4.0.0", "iniconfig==2.3.1"), ("demo-app",)),
    # pip install -e .[speedups] from pip lock's pylock.toml: no dev group.
    "pylock": ((*_COMMON, "python-dateutil==4.0.0"), ("demo-app",)),
    # pip-sync of pip-compile's output: the project itself is not in it.
    "pip-tools": ((*_COMMON, "python-dateutil==4.0.0"), ()),
    # poetry install --only main -E speedups: Poetry picked python-dateutil 3 (and six).
    "poetry": ((*_COMMON, "python-dateutil==3.0.0", "six==1.17.0"), ("demo-app",)),
    # uv sync in the workspace: default groups dev and lint, demo-lib editable.
    "uv-workspace": (
        ("typing_extensions==4.16.0", "iniconfig==2.3.1", "six==1.17.0"),
        ("workspace-app", "demo-lib"),
    ),
}


@dataclass(frozen=True)
class Case:
    """One fixture manifest, how to select from it, and the environment it describes."""

    id: str
    manifest: str
    shape: str
    extras: tuple[str, ...] = ()
    groups: tuple[str, ...] | None = None
    #: whether it pins transitive dependencies (a lock; pyproject.toml does not)
    pins_transitive: bool = True

    @property
    def path(self) -> Path:
        return LOCKS / self.manifest


CASES = (
    Case("uv", "uv/uv.lock", "uv", extras=("speedups",)),
    Case("uv-workspace", "uv-workspace/uv.lock", "uv-workspace", pins_transitive=False),
    Case("poetry-2", "poetry-2/poetry.lock", "poetry", extras=("speedups",)),
    Case("poetry-1.8", "poetry-1.8/poetry.lock", "poetry", extras=("speedups",)),
    Case("poetry-1.1", "poetry-1.1/poetry.lock", "poetry", extras=("speedups",)),
    Case("pipenv", "pipenv/Pipfile.lock", "uv", groups=("develop",)),
    Case("pip-lock", "pip-lock/pylock.toml", "pylock"),
    Case("pip-tools", "pip-tools/requirements.txt", "pip-tools"),
    Case(
        "pyproject",
        "uv/pyproject.toml",
        "uv",
        extras=("speedups",),
        groups=("dev",),
        pins_transitive=False,
    ),
)


def marker_env(platform: str = "linux", python: str = "3.11.7") -> dict[str, str]:
    """A complete PEP 508 marker environment for a made-up target interpreter."""
    major_minor = ".".join(python.split(".")[:2])
    system, os_name = {
        "linux": ("Linux", "posix"),
        "win32": ("Windows", "nt"),
        "darwin": ("Darwin", "posix"),
    }[platform]
    return {
        "implementation_name": "cpython",
        "implementation_version": python,
        "os_name": os_name,
        "platform_machine": "x86_64",
        "platform_python_implementation": "CPython",
        "platform_release": "6.1.0",
        "platform_system": system,
        "platform_version": "#1 SMP",
        "python_full_version": python,
        "python_version": major_minor,
        "sys_platform": platform,
    }


def read_lock(
    path: Path,
    *,
    platform: str = "linux",
    python: str = "3.11.7",
    extras: tuple[str, ...] = (),
    groups: tuple[str, ...] | None = None,
) -> Manifest:
    """Read a lock fixture as bootguard would for that platform, Python, extras and groups."""
    selection = Selection(
        marker_env(platform, python),
        frozenset(extras),
        frozenset(groups) if groups is not None else None,
    )
    return read_manifest(path, selection)


def build_lock_wheelhouse(out_dir: Path) -> Path:
    """Wheels for every distribution the fixture locks name, plus the drifted tzdata."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, version, requires, extras in _WHEELS:
        build_wheel(out_dir, name, version, requires=requires, extras=extras)
    return out_dir


class LockEnvs:
    """Session cache of one venv per shape (and per drifted shape)."""

    def __init__(self, root: Path, wheelhouse: Path) -> None:
        self.root = root
        self.wheelhouse = wheelhouse
        self._venvs: dict[str, Venv] = {}
        self._projects: dict[str, Path] = {}

    def get(self, shape: str) -> Venv:
        """The venv of ``shape``, built on first use."""
        if shape not in self._venvs:
            requirements, projects = SHAPES[shape]
            venv = make_venv(self.root / shape, find_links=(self.wheelhouse,))
            editables: list[str | Path] = []
            for project in projects:
                editables += ["-e", self._project(project)]
            # one pip call for wheels and editables alike (each call costs ~1 s)
            venv.pip(
                "install", "--no-index", "-q", "--no-deps", "--find-links", self.wheelhouse,
                *requirements, *editables, check=True,
            )  # fmt: skip
            self._venvs[shape] = venv
        return self._venvs[shape]

    def drifted(self, shape: str) -> Venv:
        """A copy of ``shape``'s venv with tzdata at :data:`DRIFTED_TZDATA`."""
        key = f"{shape}-drifted"
        if key not in self._venvs:
            original = self.get(shape)
            target = self.root / key
            shutil.copytree(original.path, target, symlinks=True)
            scripts = original.python.parent.name
            venv = Venv(
                path=target,
                python=target / scripts / original.python.name,
                site_packages=target / original.site_packages.relative_to(original.path),
                find_links=original.find_links,
            )
            venv.install(f"tzdata=={DRIFTED_TZDATA}")
            self._venvs[key] = venv
        return self._venvs[key]

    def _project(self, name: str) -> Path:
        if name not in self._projects:
            parent = self.root / "projects" / name
            if name == "demo-app":
                path = build_editable_project(
                    parent, "Demo_App", "0.1.0", requires=DEMO_APP_REQUIRES, extras=DEMO_APP_EXTRAS
                )
            elif name == "workspace-app":
                path = build_editable_project(
                    parent,
                    "Demo_App",
                    "0.1.0",
                    requires=("demo-lib", "colorama>=0.4; sys_platform == 'win32'"),
                )
            else:
                path = build_editable_project(
                    parent, "demo-lib", "2.3.0", requires=("Typing_Extensions>=4.6",)
                )
            self._projects[name] = path
        return self._projects[name]


#: The fixtures were resolved by the tools on CPython 3.11: the venv tests need >= 3.11
#: (python-dateutil 4 requires it; on 3.10 the locks rightly select other versions).
VENV_PYTHON_OK = sys.version_info >= (3, 11)


@pytest.fixture(scope="session")
def lock_envs(tmp_path_factory: pytest.TempPathFactory, outer_pip_version: object) -> LockEnvs:
    """Venvs matching the fixture locks (see :data:`SHAPES`), built on first use."""
    wheelhouse = build_lock_wheelhouse(tmp_path_factory.mktemp("lock-wheels"))
    return LockEnvs(tmp_path_factory.mktemp("lock-envs"), wheelhouse)
