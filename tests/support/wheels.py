"""Build tiny, real wheels and editable projects on the fly, offline.

Why: bootguard reads what pip really installs (``.dist-info`` directories, ``RECORD``,
``direct_url.json``), so its tests install real distributions with real pip instead of
mocking ``importlib.metadata``.  Wheels are written by hand with :mod:`zipfile`
(see :mod:`tests.support._wheelfile`), which takes about a millisecond each and needs
neither ``wheel`` nor ``build`` nor the network.

Editable installs need a project with a build backend.  :func:`build_editable_project`
writes one whose backend lives in the project itself (``backend-path = ["."]``) and
needs nothing, so ``pip install --no-index -e DIR`` works offline.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path, PurePosixPath
from typing import TypedDict, Unpack

from tests.support import _pep517_backend, _wheelfile
from tests.support._wheelfile import (
    default_modules,
    dist_info_dir,
    escape_name,
    import_name,
    metadata_text,
    record_hash,
    wheel_filename,
    wheel_text,
)

__all__ = [
    "BACKEND_PACKAGE",
    "DistSpec",
    "build_editable_project",
    "build_wheel",
    "default_modules",
    "dist_info_dir",
    "escape_name",
    "import_name",
    "metadata_text",
    "record_hash",
    "wheel_filename",
    "wheel_text",
]

#: The importable name of the in-tree build backend inside an editable project.
BACKEND_PACKAGE = "_bootguard_backend"


def _checked_relative(path: str) -> str:
    pure = PurePosixPath(path)
    if pure.is_absolute() or ".." in pure.parts or not pure.parts:
        msg = f"wheel paths must be relative and stay inside the wheel: {path!r}"
        raise ValueError(msg)
    return pure.as_posix()


class DistSpec(TypedDict, total=False):
    """What a wheel or an editable project declares besides its name and version.

    ``requires`` (default none), ``requires_python``, ``extras`` and ``modules`` (default:
    one package that sets ``__version__``); see :func:`build_wheel`.
    """

    requires: Sequence[str]
    requires_python: str | None
    extras: Mapping[str, Sequence[str]] | None
    modules: Mapping[str, str] | None


def _modules(name: str, version: str, spec: DistSpec) -> Mapping[str, str]:
    modules = spec.get("modules")
    return default_modules(name, version) if modules is None else modules


def build_wheel(
    out_dir: Path,
    name: str,
    version: str,
    *,
    files: Mapping[str, bytes] | None = None,
    tag: str = "py3-none-any",
    **spec: Unpack[DistSpec],
) -> Path:
    """Write a valid wheel for ``name`` ``version`` into ``out_dir`` and return its path.

    ``name`` goes into METADATA unnormalized (``zope.interface``, ``typing_extensions``);
    the file name and ``.dist-info`` directory use the escaped form
    (:func:`escape_name`).  ``requires`` become ``Requires-Dist`` lines as given;
    ``extras`` maps each extra to its requirements (``Provides-Extra`` plus
    ``Requires-Dist: dep; extra == "x"``).

    ``modules`` maps module paths inside the wheel (``"msgbus/__init__.py"``) to
    source text; by default one package named after the distribution whose
    ``__init__.py`` sets ``__version__``.  Pass ``modules={}`` for a wheel without
    code.  ``files`` adds raw entries (data files, ``entry_points.txt`` under
    :func:`dist_info_dir`, or a deliberately broken ``METADATA``: entries given here
    win over the generated ones).  ``RECORD`` is always generated, with correct hashes.
    """
    dist_info = dist_info_dir(name, version)
    entries: dict[str, bytes] = {
        _checked_relative(path): source.encode("utf-8")
        for path, source in _modules(name, version, spec).items()
    }
    metadata = metadata_text(
        name,
        version,
        requires=spec.get("requires", ()),
        requires_python=spec.get("requires_python"),
        extras=spec.get("extras"),
    )
    entries[f"{dist_info}/METADATA"] = metadata.encode("utf-8")
    entries[f"{dist_info}/WHEEL"] = wheel_text(tag).encode("utf-8")
    for path, data in (files or {}).items():
        entries[_checked_relative(path)] = data
    target = out_dir / wheel_filename(name, version, tag)
    return _wheelfile.write_wheel(target, dist_info, entries)


def build_editable_project(parent: Path, name: str, version: str, **spec: Unpack[DistSpec]) -> Path:
    """Write a buildable project for ``name`` under ``parent / name`` and return its path.

    The layout is ``pyproject.toml`` (``requires = []``, ``backend-path = ["."]``), the
    backend package ``_bootguard_backend/``, ``bootguard-test-project.json`` (the
    metadata the backend reads) and ``src/`` holding ``modules`` (by default one
    package that sets ``__version__``).  ``pip install -e`` installs a ``.pth`` file
    pointing at ``src/``; plain ``pip install`` builds a regular wheel.

    Calling it again for the same project rewrites the metadata and modules, which is
    how a test simulates "the checkout moved on since it was installed".
    """
    project = parent / name
    backend = project / BACKEND_PACKAGE
    backend.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(_pep517_backend.__file__, backend / "__init__.py")
    shutil.copyfile(_wheelfile.__file__, backend / "_wheelfile.py")
    (project / "pyproject.toml").write_text(
        "# Written by the bootguard test suite: a stdlib-only in-tree build backend.\n"
        "[build-system]\n"
        "requires = []\n"
        f'build-backend = "{BACKEND_PACKAGE}"\n'
        'backend-path = ["."]\n'
        "\n"
        "# Informational, as in a real project (the backend reads its JSON file).\n"
        "[project]\n"
        f'name = "{name}"\n'
        f'version = "{version}"\n',
        encoding="utf-8",
    )
    metadata = {
        "name": name,
        "version": version,
        "requires": list(spec.get("requires", ())),
        "requires_python": spec.get("requires_python"),
        "extras": {extra: list(reqs) for extra, reqs in (spec.get("extras") or {}).items()},
    }
    (project / _pep517_backend.PROJECT_FILE).write_text(
        json.dumps(metadata, indent=2) + "\n", encoding="utf-8"
    )
    src = project / "src"
    for path, source in _modules(name, version, spec).items():
        target = src / _checked_relative(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(source, encoding="utf-8")
    return project
