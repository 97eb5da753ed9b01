"""The subcommands, run in-process: exit 0 pass, 1 fail, 2 one line on stderr."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bootguard.cli import main

pytestmark = pytest.mark.usefixtures("fresh_state")


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_check_fails_on_drift_and_prints_json(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "requirements.txt").write_text("absent-dist-u==1.0\n")
    assert main(["check", "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["status"] == "fail" and "absent-dist-u:version" in report["checks"]


def test_check_with_an_unreadable_manifest_is_one_error_line(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "requirements.txt").write_text("--frobnicate\n")
    assert main(["check"]) == 2
    err = capsys.readouterr().err
    assert (
        err.count("\n") == 1
        and err.startswith("bootguard: error: ")
        and "unknown option '--frobnicate'" in err
    )


def test_diff_exits_1_when_two_sides_differ(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "a.txt").write_text("msgbus==4.1.0\n")
    (project / "b.txt").write_text("msgbus==4.2.0\n")
    assert main(["diff", "a.txt", "b.txt"]) == 1
    assert "changed  msgbus  4.1.0 -> 4.2.0" in capsys.readouterr().out
    assert main(["diff", "a.txt", "a.txt", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["identical"] is True
    assert main(["diff", "a.txt", "absent.txt"]) == 2


def test_snapshot_writes_a_file_that_check_reads_back(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["snapshot", "-o", "snapshot.txt"]) == 0
    text = (project / "snapshot.txt").read_text()
    assert text.startswith("# bootguard-snapshot: entries=")
    assert main(["check", "-m", "snapshot.txt", "-q"]) == 0
