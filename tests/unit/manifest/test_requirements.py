"""Requirements files: includes relative to the including file, constraints, the digest."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from bootguard.manifest.requirements import read_requirements
from tests.unit.conftest import demo_lock, refusal, selection


def _tree(tmp_path: Path) -> Path:
    (tmp_path / "base").mkdir()
    (tmp_path / "r.txt").write_text("-r base/inc.txt\n-c cons.txt\nmsgbus==4.1.0\n")
    (tmp_path / "base" / "inc.txt").write_text("taskq>=5\n-r ../r.txt\n")  # a cycle: read once
    (tmp_path / "cons.txt").write_text("msgbus<5\nnever-listed==1\n")
    return tmp_path / "r.txt"


def test_includes_and_constraints_with_their_origins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _tree(tmp_path)
    monkeypatch.chdir(tmp_path)
    manifest = read_requirements(Path("r.txt"), selection())
    assert [(e.name, e.specifier, e.constraint, e.origin) for e in manifest.entries] == [
        ("taskq", ">=5", False, "base/inc.txt:1"),
        ("msgbus", "<5", True, "cons.txt:1"),
        ("never-listed", "==1", True, "cons.txt:2"),
        ("msgbus", "==4.1.0", False, "r.txt:3"),
    ]
    assert not manifest.complete  # a range is not a lock


def test_the_digest_covers_every_file_read(tmp_path: Path) -> None:
    path = _tree(tmp_path)
    before = read_requirements(path, selection()).digest
    (tmp_path / "cons.txt").write_text("msgbus<6\nnever-listed==1\n")
    assert read_requirements(path, selection()).digest != before


def test_data_given_is_read_instead_of_the_file(tmp_path: Path) -> None:
    manifest = read_requirements(tmp_path / "absent.txt", selection(), data=b"a==1\n")
    assert [e.name for e in manifest.entries] == ["a"]
    assert manifest.digest == hashlib.sha256(b"a==1\n").hexdigest()


def test_a_compiled_lock_is_read_whole() -> None:
    entries = demo_lock("pip-tools/requirements.txt")
    assert entries["python-dateutil"] == "==4.0.0" and entries["attrs"] == "==26.1.0"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("-r missing.txt\n", ":1: -r missing.txt: no such file"),
        ("--frob\n", ":1: unknown option '--frob'"),
        ("-e\n", ":1: -e needs a path or URL"),
        (
            "# bootguard-snapshot: entries=2\na==1\n",
            ":1: the snapshot header records 2 entries but the file has 1",
        ),
    ],
)
def test_a_bad_line_is_one_error_with_its_line(tmp_path: Path, text: str, message: str) -> None:
    assert refusal(tmp_path, "requirements.txt", text).startswith(message)
