"""Session fixtures shared by the end-to-end tests: a wheelhouse and venv factories.

Why session-scoped wheels but function-scoped venvs: wheels are immutable inputs, built
once (a few milliseconds in all); venvs are what tests mutate, so every test gets fresh
ones under its own ``tmp_path``.  Venvs are made without pip and filled by the outer pip
in one call (see :mod:`tests.support.venvs`), which keeps a venv-using test well under a
second.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest
from packaging.version import Version

from tests.support.gate import (  # noqa: F401  (the boot-gate tests' venvs and app directory)
    gate_venvs,
    server_path,
    shop,
)
from tests.support.locks import lock_envs  # noqa: F401  (session venvs of the lock-format tests)
from tests.support.venvs import Venv, VenvFactory, make_venv
from tests.support.wheelhouse import build_standard_wheelhouse

REPO_ROOT = Path(__file__).resolve().parents[2]

# pip's ``--python`` option (install into another interpreter's environment) is 22.3+.
_MIN_PIP = Version("22.3")


@pytest.fixture(scope="session")
def wheelhouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory holding the standard wheels of :mod:`tests.support.wheelhouse`."""
    return build_standard_wheelhouse(tmp_path_factory.mktemp("wheelhouse"))


@pytest.fixture(scope="session")
def outer_pip_version() -> Version:
    """The version of the pip that drives every venv; fail early if it is too old."""
    version = Version(importlib.metadata.version("pip"))
    if version < _MIN_PIP:
        pytest.fail(
            f"tests need pip>={_MIN_PIP} in {sys.executable} (for pip --python), found {version}"
        )
    return version


@pytest.fixture
def venv_factory(tmp_path: Path, wheelhouse: Path, outer_pip_version: Version) -> VenvFactory:
    """Make fresh venvs under ``tmp_path`` that resolve names from the wheelhouse only.

    ``venv_factory()`` gives an empty venv; ``venv_factory("app", install=["taskq==5.0.0",
    "msgbus==4.1.0"])`` also installs those (``--no-deps``, one pip call).
    """

    def factory(name: str = "venv", *, install: Sequence[str | Path] = ()) -> Venv:
        venv = make_venv(tmp_path / name, find_links=(wheelhouse,))
        if install:
            venv.install(*install)
        return venv

    return factory


@pytest.fixture(scope="session")
def bootguard_pythonpath(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory that makes ``bootguard`` (from this checkout) importable in a venv.

    It holds symlinks to the ``bootguard`` package and to the import packages of its
    runtime dependencies, and no ``.dist-info`` at all, so putting it on a venv's path
    (``venv.run(code, pythonpath=[bootguard_pythonpath])``) adds nothing to the
    inventory bootguard sees.
    """
    root = tmp_path_factory.mktemp("bootguard-path")
    (root / "bootguard").symlink_to(REPO_ROOT / "bootguard", target_is_directory=True)
    dependencies = ["packaging"] if sys.version_info >= (3, 11) else ["packaging", "tomli"]
    for module in dependencies:
        spec = importlib.util.find_spec(module)
        if spec is None or not spec.submodule_search_locations:
            pytest.fail(f"bootguard's dependency {module!r} is not importable here")
        location = Path(next(iter(spec.submodule_search_locations)))
        (root / module).symlink_to(location, target_is_directory=True)
    return root
