"""Reading real poetry.lock files of every lock version Poetry has written."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.unit.conftest import LOCKS, demo_lock, refusal

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
