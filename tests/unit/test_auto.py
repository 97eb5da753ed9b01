"""``import bootguard.auto``: the gate runs at import and its outcome is kept."""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path

import pytest

from bootguard import gate


@pytest.mark.usefixtures("fresh_gate")
def test_importing_runs_the_gate_once_with_the_environment_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "requirements.txt").write_text("absent-dist-u==1.0\n")
    monkeypatch.setenv("BOOTGUARD_MANIFEST", str(tmp_path / "requirements.txt"))
    monkeypatch.setenv("BOOTGUARD_MODE", "warn")
    monkeypatch.setenv("BOOTGUARD_SENTRY", "false")
    monkeypatch.delitem(sys.modules, "bootguard.auto", raising=False)
    auto = importlib.import_module("bootguard.auto")
    outcome = gate.outcome()
    assert outcome is not None and auto.outcome is outcome
    assert outcome.settings.mode == "warn"
    assert [f.key for f in outcome.report.problems if f.subject != "bootguard"][:1] == [
        "absent-dist-u:version"
    ]
    main_file = sys.modules["__main__"].__file__
    assert main_file is not None
    assert auto._start_dir() == os.path.dirname(os.path.abspath(main_file))
