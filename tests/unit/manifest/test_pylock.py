"""Reading a real pylock.toml (written by ``pip lock``) through packaging's selection."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.conftest import demo_lock, refusal

PYLOCK = 'lock-version = "1.0"\ncreated-by = "test"\n'


def test_pip_locks_for_the_interpreter_it_ran_on_with_the_extra_resolved() -> None:
    entries = demo_lock("pip-lock/pylock.toml")
    assert entries["attrs"] == "==26.1.0"  # locked with .[speedups]
    assert entries["python-dateutil"] == "==4.0.0"
    assert entries["demo-app"] == ""  # the project itself, a directory: no version
    assert "colorama" not in entries


def test_an_empty_lock_selects_nothing(tmp_path: Path) -> None:
    from bootguard.manifest.pylock import read_pylock
    from tests.unit.conftest import selection

    path = tmp_path / "pylock.toml"
    path.write_text(PYLOCK + "packages = []\n")
    manifest = read_pylock(path, selection())
    assert (manifest.entries, manifest.format, manifest.complete) == ((), "pylock", True)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('lock-version = "2.0"\ncreated-by = "x"\n', ": key 'packages': Missing required value"),
        (PYLOCK + "[[packages]]\nname = 3\n", ": key 'packages[0].name': Unexpected type int"),
        (PYLOCK + "packages = [\n", ": invalid TOML: Invalid value at the end of the file"),
    ],
)
def test_a_broken_lock_names_the_key(tmp_path: Path, text: str, message: str) -> None:
    assert refusal(tmp_path, "pylock.toml", text).startswith(message)


def test_an_undeclared_extra_cannot_be_selected() -> None:
    with pytest.raises(ValueError, match="cannot select packages for this environment"):
        demo_lock("pip-lock/pylock.toml", extras=["speedups"])
