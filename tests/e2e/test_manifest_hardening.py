"""Manifests are untrusted input: special files, runaway sizes, broken locks -> exit 2, one line.

Every case runs the real ``bootguard`` command in a subprocess with a hard timeout, on real
FIFOs (``os.mkfifo``), a real ``/dev/zero`` and a real sparse file larger than the cap: the
bug being guarded against is a check that hangs at boot or eats the node's memory, which an
in-process call with a mocked file cannot show.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bootguard._files import MANIFEST_MAX_BYTES
from bootguard.errors import ManifestError
from bootguard.manifest import Selection, read_manifest
from tests.support.cli import REPO_ROOT, bootguard_outside
from tests.support.locks import LOCKS, marker_env
from tests.support.venvs import clean_env

_TIMEOUT = 60  # seconds; a hang is the failure this file exists to catch


def _one_line_error(result: subprocess.CompletedProcess[str], *needles: str) -> str:
    """Assert exit 2 with exactly one ``bootguard: error:`` line naming every needle."""
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("bootguard: error: "), result.stderr
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    return lines[0]


@pytest.mark.parametrize("name", ["uv.lock", "requirements.txt", "pylock.toml", "mystery.lock"])
def test_a_fifo_given_as_the_manifest_is_refused_at_once(tmp_path: Path, name: str) -> None:
    fifo = tmp_path / name
    os.mkfifo(fifo)
    result = bootguard_outside("check", "-m", fifo, cwd=tmp_path)
    _one_line_error(result, str(fifo), "not a regular file (a FIFO)")


def test_a_manifest_linked_to_dev_zero_is_refused_not_read(tmp_path: Path) -> None:
    link = tmp_path / "requirements.txt"
    link.symlink_to("/dev/zero")
    _one_line_error(bootguard_outside("check", "-m", link, cwd=tmp_path), "a character device")
    # the boot fast path (a discovered requirements.txt) refuses it too, then says why
    _one_line_error(bootguard_outside("check", cwd=tmp_path), "requirements.txt", "device")


def test_a_discovered_fifo_is_an_error_not_skipped(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "uv.lock")
    (tmp_path / "requirements.txt").write_text("packaging\n")
    # skipping it would silently check against requirements.txt, which nobody asked for
    _one_line_error(bootguard_outside("check", cwd=tmp_path), "uv.lock", "FIFO")


def test_an_oversized_manifest_is_refused_without_reading_it(tmp_path: Path) -> None:
    huge = tmp_path / "requirements.txt"
    with huge.open("wb") as handle:  # sparse: no disk used, and never read
        handle.truncate(MANIFEST_MAX_BYTES + 1)
    _one_line_error(bootguard_outside("check", "-m", huge, cwd=tmp_path), "too large")


def test_an_included_fifo_is_an_error(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "more.txt")
    top = tmp_path / "requirements.txt"
    top.write_text("packaging\n-r more.txt\n")
    _one_line_error(bootguard_outside("check", "-m", top, cwd=tmp_path), "more.txt")


def test_diff_refuses_a_fifo_and_dev_zero_on_either_side(tmp_path: Path) -> None:
    fifo = tmp_path / "a.txt"
    os.mkfifo(fifo)
    good = tmp_path / "b.txt"
    good.write_text("packaging\n")
    _one_line_error(bootguard_outside("diff", fifo, good, cwd=tmp_path), "a.txt", "FIFO")
    _one_line_error(bootguard_outside("diff", good, "/dev/zero", cwd=tmp_path), "device")


def test_the_gate_with_a_fifo_manifest_reports_instead_of_hanging(tmp_path: Path) -> None:
    fifo = tmp_path / "uv.lock"
    os.mkfifo(fifo)
    code = (
        "import bootguard\n"
        "from bootguard import state\n"
        "bootguard.guard(None)\n"
        "print(sorted(f.key for f in state.current().report.findings))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=clean_env({"BOOTGUARD_MANIFEST": str(fifo)}, pythonpath=[REPO_ROOT]),
        timeout=_TIMEOUT,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "bootguard:config" in result.stdout.splitlines()[-1]
    assert "not a regular file (a FIFO)" in result.stderr


# --- locked versions and markers are validated when the lock is read --------------------


def _copy_with(tmp_path: Path, fixture: Path, old: str, new: str) -> Path:
    text = fixture.read_text()
    assert text.count(old) >= 1, old
    for sibling in fixture.parent.iterdir():
        if sibling.is_file():
            (tmp_path / sibling.name).write_bytes(sibling.read_bytes())
    target = tmp_path / fixture.name
    target.write_text(text.replace(old, new, 1))
    return target


@pytest.mark.parametrize(
    ("fixture", "old", "new", "key"),
    [
        (LOCKS / "uv" / "uv.lock", 'version = "2026.6"', 'version = "8.5.1.banana"', ".version"),
        (
            LOCKS / "poetry-2" / "poetry.lock",
            'version = "2026.6"',
            'version = "8.5.1.banana"',
            ".version",
        ),
        (
            LOCKS / "poetry-1.8" / "poetry.lock",
            'version = "2026.6"',
            'version = "8.5.1.banana"',
            ".version",
        ),
        (
            LOCKS / "pipenv" / "Pipfile.lock",
            '"version": "==2026.6"',
            '"version": "==8.5.1.banana"',
            "default.tzdata.version",
        ),
    ],
    ids=["uv", "poetry-2", "poetry-1.8", "pipfile"],
)
def test_an_invalid_locked_version_is_a_manifest_error(
    tmp_path: Path, fixture: Path, old: str, new: str, key: str
) -> None:
    lock = _copy_with(tmp_path, fixture, old, new)
    with pytest.raises(ManifestError) as caught:
        read_manifest(lock, Selection(marker_env()))
    assert caught.value.key is not None and caught.value.key.endswith(key)
    assert "'8.5.1.banana'" in caught.value.message
    # and from the CLI: exit 2 naming the key, not a version failure on every node
    _one_line_error(bootguard_outside("check", "-m", lock, cwd=tmp_path), "8.5.1.banana", key)


_BAD_MARKER = "python_version >= "


@pytest.mark.parametrize(
    ("fixture", "old", "new"),
    [
        (
            LOCKS / "pipenv" / "Pipfile.lock",
            '"markers": "python_version >= \'2\'"',
            f'"markers": "{_BAD_MARKER}"',
        ),
        (
            LOCKS / "uv" / "uv.lock",
            "marker = \"sys_platform == 'win32'\"",
            f'marker = "{_BAD_MARKER}"',
        ),
        (
            LOCKS / "pip-lock" / "pylock.toml",
            'name = "attrs"\nversion = "26.1.0"\n',
            f'name = "attrs"\nversion = "26.1.0"\nmarker = "{_BAD_MARKER}"\n',
        ),
        (
            LOCKS / "uv" / "pyproject.toml",
            "dependencies = [",
            'dependencies = [\n    "foo >= 1.0 bar",',
        ),
    ],
    ids=["pipfile-marker", "uv-marker", "pylock-marker", "pyproject-requirement"],
)
def test_invalid_markers_and_requirements_are_one_line_errors(
    tmp_path: Path, fixture: Path, old: str, new: str
) -> None:
    lock = _copy_with(tmp_path, fixture, old, new)
    with pytest.raises(ManifestError) as caught:
        read_manifest(lock, Selection(marker_env()), format=None)
    assert "\n" not in str(caught.value) and "~" not in str(caught.value)
    assert caught.value.key is not None
    _one_line_error(bootguard_outside("check", "-m", lock, cwd=tmp_path), caught.value.key)


def test_integrity_only_an_unknown_name_is_an_error(tmp_path: Path) -> None:
    result = bootguard_outside(
        "check", "--no-manifest", "--integrity-only", "nosuchdist", cwd=tmp_path
    )
    _one_line_error(result, "--integrity-only", "'nosuchdist'")
    known = bootguard_outside(
        "check", "--no-manifest", "--quick-integrity", "--integrity-only", "Packaging", cwd=tmp_path
    )
    assert known.returncode in (0, 1) and "error" not in known.stderr, known.stderr


def test_an_editable_project_whose_pyproject_is_a_fifo_does_not_hang(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    os.mkfifo(project / "pyproject.toml")
    top = tmp_path / "requirements.txt"
    top.write_text("-e ./project\n")
    result = bootguard_outside("check", "-m", top, "-v", cwd=tmp_path)
    assert result.returncode in (0, 1) and "Traceback" not in result.stderr, result.stderr
    assert "cannot tell which distribution './project' is" in result.stdout
