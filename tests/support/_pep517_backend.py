"""A tiny in-tree PEP 517 / PEP 660 build backend for throwaway test projects.

Why it exists: tests need real editable installs (``pip install -e DIR``) so that pip
writes ``direct_url.json`` with ``dir_info.editable = true``, exactly as in a developer's
checkout.  setuptools or hatchling would have to be downloaded into pip's isolated build
environment, and tests never touch the network.  This backend needs nothing
(``[build-system] requires = []``), so pip's build isolation installs nothing.

How it is used: :func:`tests.support.wheels.build_editable_project` copies this file
verbatim to ``<project>/_bootguard_backend/__init__.py`` next to a copy of
``_wheelfile.py``, and points ``backend-path = ["."]`` at the project.  The backend reads
the project's metadata from ``bootguard-test-project.json`` and its modules from
``src/``.  It only uses the standard library; the relative import works both here
(``tests.support``) and in the copy (``_bootguard_backend``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from . import _wheelfile

__all__ = [
    "PROJECT_FILE",
    "build_editable",
    "build_wheel",
    "get_requires_for_build_editable",
    "get_requires_for_build_wheel",
    "prepare_metadata_for_build_editable",
    "prepare_metadata_for_build_wheel",
]

PROJECT_FILE = "bootguard-test-project.json"
ConfigSettings = Mapping[str, Any] | None


def _root() -> Path:
    # PEP 517 runs hooks in the project directory, but be explicit: the copy of this
    # file lives at <project>/_bootguard_backend/__init__.py.
    return Path(__file__).resolve().parent.parent


def _project() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((_root() / PROJECT_FILE).read_text(encoding="utf-8"))
    return data


def _metadata_files(project: Mapping[str, Any]) -> dict[str, bytes]:
    dist_info = _wheelfile.dist_info_dir(project["name"], project["version"])
    metadata = _wheelfile.metadata_text(
        project["name"],
        project["version"],
        requires=project["requires"],
        requires_python=project["requires_python"],
        extras=project["extras"],
    )
    return {
        f"{dist_info}/METADATA": metadata.encode("utf-8"),
        f"{dist_info}/WHEEL": _wheelfile.wheel_text().encode("utf-8"),
    }


def _write(wheel_directory: str, payload: Mapping[str, bytes]) -> str:
    project = _project()
    name, version = project["name"], project["version"]
    filename = _wheelfile.wheel_filename(name, version)
    _wheelfile.write_wheel(
        Path(wheel_directory) / filename,
        _wheelfile.dist_info_dir(name, version),
        {**payload, **_metadata_files(project)},
    )
    return filename


def get_requires_for_build_wheel(config_settings: ConfigSettings = None) -> list[str]:
    """Nothing is needed to build: the backend is stdlib only."""
    return []


def get_requires_for_build_editable(config_settings: ConfigSettings = None) -> list[str]:
    """Nothing is needed to build: the backend is stdlib only."""
    return []


def prepare_metadata_for_build_wheel(
    metadata_directory: str, config_settings: ConfigSettings = None
) -> str:
    """Write ``METADATA`` and ``WHEEL`` into a fresh ``.dist-info`` directory."""
    project = _project()
    dist_info = _wheelfile.dist_info_dir(project["name"], project["version"])
    for archive_path, data in _metadata_files(project).items():
        target = Path(metadata_directory) / archive_path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return dist_info


def prepare_metadata_for_build_editable(
    metadata_directory: str, config_settings: ConfigSettings = None
) -> str:
    """Same metadata as a regular wheel (PEP 660)."""
    return prepare_metadata_for_build_wheel(metadata_directory, config_settings)


def build_wheel(
    wheel_directory: str,
    config_settings: ConfigSettings = None,
    metadata_directory: str | None = None,
) -> str:
    """Build a regular wheel holding every file under ``src/``."""
    src = _root() / "src"
    payload = {
        path.relative_to(src).as_posix(): path.read_bytes()
        for path in sorted(src.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }
    return _write(wheel_directory, payload)


def build_editable(
    wheel_directory: str,
    config_settings: ConfigSettings = None,
    metadata_directory: str | None = None,
) -> str:
    """Build an editable wheel: a ``.pth`` file that puts ``src/`` on ``sys.path``."""
    project = _project()
    escaped = _wheelfile.escape_name(project["name"])
    pth = f"__editable__.{escaped}-{project['version']}.pth"
    src = str(_root() / "src") + "\n"
    return _write(wheel_directory, {pth: src.encode("utf-8")})
