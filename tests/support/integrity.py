"""Wheels and venvs for the integrity and fingerprint tests.

Why a wheelhouse of its own: these stories need shapes the standard catalogue does not
have: a console script (its ``../../../bin`` RECORD row carries the venv's path, the one
thing the fingerprint must leave out), a stubs distribution that installs the same file as
the package it types (``ujson`` and ``types-ujson`` in real environments), a distribution
with many files (findings are capped), and a second *build* of the same version that
differs in one byte (what the fingerprint must tell apart).  Names are invented.
"""

from __future__ import annotations

from pathlib import Path

from tests.support.venvs import Venv, make_venv
from tests.support.wheels import build_wheel, dist_info_dir

__all__ = [
    "PUSHKIT_CORE",
    "PUSHKIT_INIT",
    "build_integrity_wheels",
    "compile_site_packages",
    "integrity_venv",
    "paths_of",
]

PUSHKIT_INIT = 'from pushkit.core import connect\n__version__ = "1.0"\n'
PUSHKIT_CORE = 'def connect():\n    return "connected"\n'
_STUB_OWN = "def dumps(obj: object) -> str: ...\n"
_STUB_TYPES = "def dumps(obj: object, *, indent: int = ...) -> str: ...\n"


def _pushkit(out: Path, core: str) -> Path:
    return build_wheel(
        out,
        "pushkit",
        "1.0",
        modules={
            "pushkit/__init__.py": PUSHKIT_INIT,
            "pushkit/core.py": core,
            "pushkit/templates/welcome.txt": "Welcome!\n",
        },
        files={
            f"{dist_info_dir('pushkit', '1.0')}/entry_points.txt": (
                b"[console_scripts]\npushkit = pushkit:connect\n"
            )
        },
    )


def build_integrity_wheels(root: Path) -> tuple[Path, Path]:
    """Build the wheelhouse (and a second build of ``pushkit 1.0``); return both dirs."""
    house = root / "wheels"
    house.mkdir(parents=True)
    _pushkit(house, PUSHKIT_CORE)
    build_wheel(
        house,
        "fastcodec",
        "2.0",
        modules={
            "fastcodec/__init__.py": "def dumps(obj):\n    return repr(obj)\n",
            "fastcodec/__init__.pyi": _STUB_OWN,
            "fastcodec/py.typed": "",
        },
    )
    build_wheel(
        house,
        "types-fastcodec",
        "2.0.0.1",
        modules={"fastcodec/__init__.pyi": _STUB_TYPES, "fastcodec/py.typed": ""},
    )
    build_wheel(
        house,
        "bulky",
        "1.0",
        modules={
            **{f"bulky/part{i:02d}.py": f"VALUE = {i}\n" for i in range(30)},
            "bulky_compat.py": "from bulky.part00 import VALUE\n",  # a top-level module
        },
    )
    rebuilt = root / "rebuilt"
    rebuilt.mkdir()
    # Same name, same version, one byte different: another build of pushkit 1.0.
    _pushkit(rebuilt, PUSHKIT_CORE.replace("connected", "Connected"))
    return house, rebuilt


def integrity_venv(path: Path, wheels: Path, *batches: list[str]) -> Venv:
    """A venv at ``path`` with each batch installed by name in its own pip call, in order."""
    venv = make_venv(path, find_links=(wheels,))
    for batch in batches:
        venv.install(*batch)
    return venv


def compile_site_packages(venv: Venv) -> None:
    """Byte-compile everything installed (``__pycache__/*.pyc``), as an image build does."""
    venv.run(
        f"import compileall, sys; sys.exit(not compileall.compile_dir({str(venv.site_packages)!r}, quiet=1))",
        check=True,
    )


def paths_of(venv: Venv) -> list[str]:
    """The search path that makes ``check(paths=...)`` look at this venv's installs."""
    return [str(venv.site_packages)]
