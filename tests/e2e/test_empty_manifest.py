"""Loud about what is not checked: an empty selection, and no manifest at all.

A manifest that selects no distribution for this interpreter (an empty file, or only
``sys_platform == "win32"`` lines on Linux) would make every version check pass
vacuously, so it is an error unless allowed.  No manifest found by discovery is not an
error (the consistency checks still run, like ``pip check``) but it is never silent.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.cli import bootguard_outside

WINDOWS_ONLY = 'pywin32==306; sys_platform == "win32"\n'


@pytest.mark.parametrize("text", ["", "# nothing pinned\n", WINDOWS_ONLY])
def test_cli_refuses_a_manifest_that_selects_nothing(tmp_path: Path, text: str) -> None:
    manifest = tmp_path / "requirements.txt"
    manifest.write_text(text)
    refused = bootguard_outside("check", "-m", manifest, cwd=tmp_path)
    assert refused.returncode == 2
    assert refused.stderr == (
        f"bootguard: error: {manifest}: selects no distribution for this environment, so "
        "nothing would be checked (a wrong file, group or extra?); allow it with "
        "--allow-empty (setting allow_empty_manifest)\n"
    )
    allowed = bootguard_outside("check", "-m", manifest, "--allow-empty", cwd=tmp_path)
    assert allowed.returncode in (0, 1), allowed.stderr
    assert "selects no distribution" not in allowed.stderr + allowed.stdout


def test_cli_says_when_no_manifest_was_found(tmp_path: Path) -> None:
    result = bootguard_outside("check", cwd=tmp_path)
    assert result.returncode in (0, 1), result.stderr  # consistency findings only
    assert f"bootguard: no manifest found in {tmp_path}: versions are not checked" in result.stderr
    quiet = bootguard_outside("check", "--no-manifest", cwd=tmp_path)
    assert "no manifest found" not in quiet.stderr  # asked for on purpose: nothing to say
