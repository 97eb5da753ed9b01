"""poetry.lock selection across Poetry's lock formats (1.1, 2.0, 2.1).

Poetry 2's lock records per-package ``groups`` and ``markers``; Poetry 1's does not, and
bootguard walks the lock's dependency graph from the pyproject instead.  The three fixtures
lock the same project (written by Poetry 1.1.15, 1.8.5 and 2.5.1), so the two strategies
must select exactly the same packages for every target interpreter, extra and group: that
equivalence is the test that the walk reproduces what Poetry installs.

Reading real poetry.lock files of every lock version Poetry has written.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bootguard.errors import ManifestError
from bootguard.manifest import Manifest
from bootguard.manifest._poetry_constraints import _alternatives, _python_allows
from tests.support.locks import LOCKS, marker_env, read_lock
from tests.unit.conftest import demo_lock, refusal

POETRY_2 = LOCKS / "poetry-2" / "poetry.lock"
POETRY_18 = LOCKS / "poetry-1.8" / "poetry.lock"
POETRY_11 = LOCKS / "poetry-1.1" / "poetry.lock"


_read = read_lock


def _pins(manifest: Manifest) -> dict[str, str]:
    return {e.name: e.specifier for e in manifest.entries if not e.constraint}


@pytest.mark.parametrize("platform", ["linux", "win32", "darwin"])
@pytest.mark.parametrize("python", ["3.10.14", "3.11.7", "3.13.1"])
@pytest.mark.parametrize("extras", [(), ("speedups",)])
@pytest.mark.parametrize("groups", [None, ("dev",)])
def test_all_poetry_lock_versions_select_the_same_packages(
    platform: str, python: str, extras: tuple[str, ...], groups: tuple[str, ...] | None
) -> None:
    selections = [
        _pins(_read(lock, platform=platform, python=python, extras=extras, groups=groups))
        for lock in (POETRY_2, POETRY_18, POETRY_11)
    ]
    assert selections[0] == selections[1] == selections[2]
    chosen = selections[0]
    assert ("colorama" in chosen) == (platform == "win32")
    assert ("exceptiongroup" in chosen) == python.startswith("3.10.")
    assert ("attrs" in chosen) == bool(extras)
    assert ("iniconfig" in chosen) == bool(groups)
    assert {"python-dateutil", "six", "typing-extensions", "tzdata"} <= chosen.keys()


def test_lock_metadata_and_the_root_project() -> None:
    manifest = _read(POETRY_2, extras=("speedups",))
    assert manifest.format == "poetry" and manifest.complete
    assert manifest.requires_python == ">=3.10"
    (root,) = [e for e in manifest.entries if e.constraint]
    # accounted for when installed (poetry installs the root), never required (--no-root)
    assert root.name == "demo-app" and root.specifier == "==0.1.0"
    assert root.extras == {"speedups"}
    tzdata = next(e for e in manifest.entries if e.name == "tzdata")
    assert tzdata.origin == f"{POETRY_2}: package[7] (tzdata)"


def test_the_walk_needs_the_pyproject_and_says_so(tmp_path: Path) -> None:
    shutil.copyfile(POETRY_18, tmp_path / "poetry.lock")
    with pytest.raises(ManifestError) as caught:
        _read(tmp_path / "poetry.lock")
    assert caught.value.key == "metadata.lock-version"
    assert "pyproject.toml" in caught.value.message
    shutil.copyfile(POETRY_2, tmp_path / "poetry.lock")  # 2.1 records its markers
    assert "tzdata" in _pins(_read(tmp_path / "poetry.lock"))


def test_unknown_extras_groups_and_lock_versions(tmp_path: Path) -> None:
    for lock in (POETRY_2, POETRY_11):
        with pytest.raises(ManifestError, match="no extra 'fast'"):
            _read(lock, extras=("fast",))
        with pytest.raises(ManifestError, match="no dependency group 'docs'"):
            _read(lock, groups=("docs",))
    text = POETRY_2.read_text().replace('lock-version = "2.1"', 'lock-version = "3.0"')
    (tmp_path / "poetry.lock").write_text(text)
    with pytest.raises(ManifestError) as caught:
        _read(tmp_path / "poetry.lock")
    assert caught.value.key == "metadata.lock-version"
    assert "unsupported lock-version '3.0'" in caught.value.message


def test_a_stale_lock_is_an_error_not_a_guess(tmp_path: Path) -> None:
    shutil.copyfile(POETRY_18, tmp_path / "poetry.lock")
    pyproject = (LOCKS / "poetry-1.8" / "pyproject.toml").read_text()
    (tmp_path / "pyproject.toml").write_text(pyproject.replace("iniconfig", "pluggy"))
    with pytest.raises(ManifestError, match="'pluggy' is required but the lock does not list it"):
        _read(tmp_path / "poetry.lock", groups=("dev",))


@pytest.mark.parametrize(
    ("constraint", "atoms"),
    [
        ("^1.2.3", [[">=1.2.3", "<2"]]),
        ("^0.2.3", [[">=0.2.3", "<0.3"]]),
        ("^0.0.3", [[">=0.0.3", "<0.0.4"]]),
        ("~1.2.3", [[">=1.2.3", "<1.3"]]),
        ("~1", [[">=1", "<2"]]),
        ("~=1.2", [["~=1.2"]]),
        (">= 1.2, < 2", [[">=1.2", "<2"]]),
        ("1.2.*", [["==1.2.*"]]),
        ("*", [[]]),
        (">=2.7,<2.8 || >=3.4", [[">=2.7", "<2.8"], [">=3.4"]]),
        ("^x", None),
    ],
)
def test_poetry_constraints(constraint: str, atoms: list[list[str]] | None) -> None:
    assert _alternatives(constraint) == atoms


@pytest.mark.parametrize(
    ("constraint", "python", "allowed"),
    [
        ("<3.11", "3.10.14", True),
        ("<3.11", "3.11.0", False),
        (">3.11", "3.11.4", False),  # two components: compared as python_version, like Poetry
        (">3.11.2", "3.11.4", True),
        ("^3.8", "3.13.1", True),
        ("~3.10", "3.11.0", False),
        ("3.10", "3.10.2", True),
        ("<3.8 || >=3.12", "3.11.1", False),
    ],
)
def test_poetry_python_conditions(constraint: str, python: str, allowed: bool) -> None:
    assert _python_allows(constraint, marker_env(python=python), "x", "k") is allowed


VERSIONS = ["poetry-2/poetry.lock", "poetry-1.8/poetry.lock", "poetry-1.1/poetry.lock"]


@pytest.mark.parametrize("lock", VERSIONS)
def test_markers_python_conditions_extras_and_groups(lock: str) -> None:
    older = demo_lock(lock, python="3.10.4")
    newer = demo_lock(lock)
    assert "exceptiongroup" in older and "exceptiongroup" not in newer
    assert "attrs" not in newer and "iniconfig" not in newer  # only main by default
    everything = demo_lock(lock, platform="win32", extras=["speedups"], groups=["dev"])
    assert set(everything) - set(newer) == {"attrs", "colorama", "iniconfig"}
    assert newer["demo-app"] == "==0.1.0"  # the root project, accounted for


def test_an_old_lock_without_its_pyproject_is_an_error_not_a_guess(tmp_path: Path) -> None:
    shutil.copy(LOCKS / "poetry-1.8" / "poetry.lock", tmp_path / "poetry.lock")
    text = (tmp_path / "poetry.lock").read_text()
    assert "pyproject.toml" in refusal(tmp_path, "poetry.lock", text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[[package]]\nname = "a"\n', ": key 'metadata': expected a table, found nothing"),
        (
            '[metadata]\nlock-version = "9.0"\n',
            ": key 'metadata.lock-version': unsupported lock-version '9.0'",
        ),
        (
            '[metadata]\nlock-version = "2.1"\n[[package]]\nname = "a"\nversion = "x!"\n',
            ": key 'package[0].version': invalid version 'x!' (not PEP 440)",
        ),
    ],
)
def test_a_broken_lock_names_the_key(tmp_path: Path, text: str, message: str) -> None:
    assert refusal(tmp_path, "poetry.lock", text).startswith(message)


def test_an_unknown_group_or_extra_is_refused() -> None:
    with pytest.raises(ValueError, match="no dependency group 'lint'"):
        demo_lock("poetry-2/poetry.lock", groups=["lint"])
    with pytest.raises(ValueError, match="no extra 'fast'"):
        demo_lock("poetry-2/poetry.lock", extras=["fast"])
