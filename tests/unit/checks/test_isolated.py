"""Isolated imports: a child interpreter per batch; a hang or a crash is one finding, not ours."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bootguard.checks.isolated import isolated_imports


@pytest.fixture
def modules(tmp_path: Path) -> Iterator[Path]:
    (tmp_path / "good_mod_u.py").write_text("X = 1\n")
    (tmp_path / "bad_mod_u.py").write_text("raise ValueError('broken at import')\n")
    (tmp_path / "hang_mod_u.py").write_text("import time\ntime.sleep(60)\n")
    (tmp_path / "crash_mod_u.py").write_text("import os\nos.abort()\n")
    sys.path.insert(0, str(tmp_path))
    yield tmp_path
    sys.path.remove(str(tmp_path))


@pytest.mark.usefixtures("modules")
def test_each_module_gets_its_outcome_and_the_batch_goes_on_after_a_hang_or_crash() -> None:
    found = isolated_imports(
        ["good_mod_u", "bad_mod_u", "hang_mod_u", "crash_mod_u", "good_mod_u"], 1.0
    )
    outcome = [(f.subject, f.status, f.observed) for f in found]
    assert outcome[0] == ("good_mod_u", "pass", None)
    assert outcome[1] == ("bad_mod_u", "fail", "ValueError")
    assert outcome[2] == ("hang_mod_u", "fail", "timeout")
    assert outcome[3][:2] == ("crash_mod_u", "fail")
    assert outcome[4] == ("good_mod_u", "pass", None)
    assert found[1].message == "import bad_mod_u failed: ValueError: broken at import"
    assert "hang_mod_u" not in sys.modules and "good_mod_u" not in sys.modules
