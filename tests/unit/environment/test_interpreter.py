"""Unit tests of bootguard.environment.interpreter: the probe of another interpreter."""

from __future__ import annotations

from pathlib import Path

import pytest


def _fake_python(tmp_path: Path, body: str) -> Path:
    script = tmp_path / "fakepython"
    script.write_text(f"#!/bin/sh\n{body}\n")
    script.chmod(0o755)
    return script


def test_a_probe_that_hangs_times_out_without_quoting_the_script(tmp_path: Path) -> None:
    from bootguard.environment import EnvironmentError_, probe_interpreter

    fake = _fake_python(tmp_path, "sleep 30")
    with pytest.raises(EnvironmentError_) as caught:
        probe_interpreter(str(fake), timeout=1)
    message = str(caught.value)
    assert message == f"interpreter {str(fake)!r} did not report its environment within 1 s"
    assert "import" not in message and "\n" not in message
