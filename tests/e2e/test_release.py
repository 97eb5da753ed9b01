"""The release as a user receives it: sdist and wheel built, checked, installed, run.

``python -m build`` makes the sdist and, from it, the wheel (so the sdist must hold what the
wheel needs); ``twine check --strict`` passes on both; the wheel installed into a fresh venv
(its dependencies from PyPI) checks that venv for real.  The version has one source,
``bootguard.__version__``, which setuptools reads without importing the package; the
build-backend floor is the first setuptools that understands ``license = "MIT"``.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from packaging.requirements import Requirement

import bootguard
from tests.support.release import (
    REPO_ROOT,
    Dists,
    build_dists,
    checkout_files,
    index_env,
    install_from_index,
    wheel_metadata,
)
from tests.support.venvs import Venv, clean_env, make_venv

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

PYPROJECT = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())


@pytest.fixture(scope="module")
def dists(tmp_path_factory: pytest.TempPathFactory) -> Dists:
    """The session's sdist and wheel (built once, shared with tests/e2e/test_pythons.py)."""
    return build_dists(tmp_path_factory)


def test_the_version_has_one_source_and_the_wheel_carries_it(dists: Dists) -> None:
    project = PYPROJECT["project"]
    assert "version" not in project and "version" in project["dynamic"]
    assert PYPROJECT["tool"]["setuptools"]["dynamic"]["version"] == {
        "attr": "bootguard.__version__"
    }
    metadata = wheel_metadata(dists.wheel)
    assert metadata["Version"] == bootguard.__version__
    assert dists.wheel.name.startswith(f"bootguard-{bootguard.__version__}-")
    assert dists.sdist.name == f"bootguard-{bootguard.__version__}.tar.gz"


def test_twine_check_strict_passes_on_the_sdist_and_the_wheel(dists: Dists) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "twine", "check", "--strict", dists.sdist, dists.wheel],
        env=clean_env({"NO_COLOR": "1"}),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("PASSED") == 2, result.stdout


def test_the_metadata_says_what_pypi_shows(dists: Dists) -> None:
    metadata = wheel_metadata(dists.wheel)
    assert metadata["Metadata-Version"] == "2.4"  # License-Expression needs 2.4
    assert metadata["License-Expression"] == "MIT"
    assert metadata.get_all("License-File") == ["LICENSE"]
    assert metadata["Requires-Python"] == PYPROJECT["project"]["requires-python"]
    assert metadata["Description-Content-Type"] == "text/markdown"
    assert metadata.get_all("Project-URL") == [
        f"{label}, {url}" for label, url in PYPROJECT["project"]["urls"].items()
    ]
    assert str(metadata.get_payload()).strip() == (REPO_ROOT / "README.md").read_text().strip()
    requires = {  # the runtime dependencies (an extra, e.g. test, may name tomli too)
        Requirement(line).name: Requirement(line)
        for line in metadata.get_all("Requires-Dist", [])
        if "extra ==" not in line
    }
    assert str(requires["packaging"].specifier) == ">=26.1"
    tomli = requires["tomli"].marker
    assert tomli is not None  # only where tomllib is missing
    assert tomli.evaluate({"python_version": "3.10"}) and not tomli.evaluate(
        {"python_version": "3.11"}
    )


def test_the_wheel_holds_every_module_the_license_and_py_typed(dists: Dists) -> None:
    names = dists.wheel_names()
    package = sorted(name for name in dists.files if name.startswith("bootguard/"))
    assert "bootguard/py.typed" in package
    assert sorted(name for name in names if name.startswith("bootguard/")) == package
    info = f"bootguard-{bootguard.__version__}.dist-info"
    assert f"{info}/licenses/LICENSE" in names
    assert f"{info}/entry_points.txt" in names


def test_the_sdist_builds_the_wheel_and_carries_the_tests(dists: Dists) -> None:
    names = set(dists.sdist_names())
    assert {"PKG-INFO", "pyproject.toml", "README.md", "LICENSE", "CHANGELOG.md"} <= names
    # everything under these, exactly as committed: the package, and what its tests need
    # (the tests boot the examples and build the documentation)
    assert {"mkdocs.yml", ".readthedocs.yaml"} <= names  # tests/e2e/test_docs.py builds the site
    for top in ("bootguard/", "tests/", "examples/", "docs/"):
        committed = {name for name in dists.files if name.startswith(top)}
        shipped = {name for name in names if name.startswith(top) and not name.endswith("/")}
        assert shipped == committed, (top, shipped ^ committed)
    assert not [name for name in names if "__pycache__" in name or name.endswith(".pyc")]


def test_the_installed_wheel_checks_its_own_venv(tmp_path: Path, dists: Dists) -> None:
    venv = make_venv(tmp_path / "fresh")
    install_from_index(venv, dists.wheel)  # packaging (and on 3.10 tomli) from PyPI
    bin_dir = venv.python.parent

    def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(arg) for arg in args],
            cwd=tmp_path,
            env=clean_env({"NO_COLOR": "1"}),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    version = run(venv.python, "-m", "bootguard", "--version")
    assert (version.returncode, version.stdout.strip()) == (0, f"bootguard {bootguard.__version__}")
    snapshot = run(bin_dir / "bootguard", "snapshot", "-o", tmp_path / "snapshot.txt")
    assert snapshot.returncode == 0, snapshot.stdout + snapshot.stderr
    locked = (tmp_path / "snapshot.txt").read_text()
    assert f"(bootguard {bootguard.__version__})" in locked and "\npackaging==" in locked
    check = run(bin_dir / "bootguard", "check", "-m", tmp_path / "snapshot.txt")
    assert check.returncode == 0, check.stdout + check.stderr
    assert "bootguard: pass" in check.stdout
    typed = run(
        venv.python,
        "-c",
        "import bootguard, pathlib; print(pathlib.Path(bootguard.__file__).with_name('py.typed').is_file())",
    )
    assert typed.stdout.strip() == "True", typed.stderr


def _setuptools_venv(path: Path, version: str) -> Venv:
    venv = make_venv(path)
    install_from_index(venv, f"setuptools=={version}")
    return venv


def _build_without_isolation(
    venv: Venv, source: Path, out: Path
) -> subprocess.CompletedProcess[str]:
    """``pip wheel`` with the venv's own setuptools as the backend (no isolated build env)."""
    return subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(venv.python), "wheel", "--no-deps",
         "--no-build-isolation", "-q", "-w", str(out), str(source)],
        env=index_env(),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )  # fmt: skip


def test_the_setuptools_floor_builds_the_license_and_the_release_before_it_does_not(
    tmp_path: Path, dists: Dists
) -> None:
    (requirement,) = (Requirement(r) for r in PYPROJECT["build-system"]["requires"])
    (floor,) = requirement.specifier
    assert requirement.name == "setuptools" and floor.operator == ">="
    checkout = set(checkout_files())
    results = {}
    # 76.1.0: the last release before PEP 639 support (77.0.0 was pulled from PyPI)
    for version in (floor.version, "76.1.0"):
        source = tmp_path / f"src-{version}"
        for name in ("pyproject.toml", "README.md", "LICENSE"):
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            (source / name).write_bytes((dists.source / name).read_bytes())
        for name in checkout:
            if name.startswith("bootguard/"):
                (source / name).parent.mkdir(parents=True, exist_ok=True)
                (source / name).write_bytes((dists.source / name).read_bytes())
        venv = _setuptools_venv(tmp_path / f"venv-{version}", version)
        results[version] = _build_without_isolation(venv, source, tmp_path / f"out-{version}")
    built = results[floor.version]
    assert built.returncode == 0, built.stdout + built.stderr
    (wheel,) = (tmp_path / f"out-{floor.version}").glob("*.whl")
    assert wheel_metadata(wheel)["License-Expression"] == "MIT"
    refused = results["76.1.0"]
    assert refused.returncode != 0
    assert "project.license" in refused.stdout + refused.stderr


def _created_by_the_readmes() -> set[str]:
    """Paths that following README.md's try-it line and every examples/*/README.md creates
    in a checkout (venvs, snapshots, locks; pip's in-tree build of ``.`` or ``../..``)."""
    created = {"build/", "bootguard.egg-info/", "dist/"}  # pip install ., python -m build
    readmes = [(REPO_ROOT / "README.md", "")]
    readmes += [
        (path, f"{path.parent.relative_to(REPO_ROOT).as_posix()}/")
        for path in sorted((REPO_ROOT / "examples").glob("*/README.md"))
    ]
    for readme, prefix in readmes:
        for line in readme.read_text().splitlines():
            if prefix == "" and ".bootguard-try" not in line:
                continue  # README.md's other commands run in the reader's own project
            created |= {f"{prefix}{path}/" for path in re.findall(r"python3? -m venv (\S+)", line)}
            created |= {f"{prefix}{path}" for path in re.findall(r"snapshot -o (\S+)", line)}
    return created


def test_gitignore_covers_every_path_the_readmes_create(tmp_path: Path) -> None:
    created = _created_by_the_readmes()
    assert {".bootguard-try/", ".bootguard-try/snapshot.txt"} <= created
    assert {
        f"examples/{app}/requirements.lock"
        for app in ("flask_app", "fastapi_app", "django_app", "celery_worker")
    } <= created
    kept = {"examples/docker/requirements.lock"}  # committed: the Dockerfile copies it
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True, timeout=60)
    (tmp_path / ".gitignore").write_bytes((REPO_ROOT / ".gitignore").read_bytes())
    ignored = subprocess.run(
        ["git", "check-ignore", "--no-index", "--stdin"],
        input="\n".join(sorted(created | kept)),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert set(ignored.stdout.splitlines()) == created, ignored.stderr
