"""Unit tests of bootguard.environment.interpreter: the probe of another interpreter.

The --python probe: a real child interpreter, and its untrusted report checked for shape.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from bootguard.environment.interpreter import _probe_data, probe_interpreter
from bootguard.errors import EnvironmentError_
from tests.unit.conftest import selection


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


def test_probing_this_interpreter_gives_its_markers_and_path() -> None:
    probe = probe_interpreter(sys.executable)
    assert probe.marker_env["python_full_version"] == selection().marker_env["python_full_version"]
    assert probe.executable
    assert any(path.endswith("site-packages") for path in probe.paths)


def test_an_interpreter_that_cannot_run_or_fails_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(EnvironmentError_, match=r"^cannot run interpreter '/nonexistent/python': "):
        probe_interpreter("/nonexistent/python")
    script = tmp_path / "python"
    script.write_text("#!/bin/sh\necho 'first\nlast words' >&2\nexit 3\n")
    script.chmod(0o755)
    with pytest.raises(EnvironmentError_, match=r"failed to report its environment: last words$"):
        probe_interpreter(str(script))


def _report(**changes: object) -> bytes:
    data: dict[str, object] = {
        "executable": "/x/python",
        "paths": ["/x"],
        "marker_env": selection().marker_env,
    }
    data.update(changes)
    return json.dumps(data).encode()


@pytest.mark.parametrize(
    ("output", "what"),
    [
        (b"hello", "not JSON"),
        (b"[]", "a JSON list, not an object"),
        (_report(executable=1), "'executable' is not a string"),
        (_report(paths=["a\0b"]), "'paths' is not a list of path strings"),
        (_report(marker_env={"os_name": 1}), "'marker_env' is not an object of strings"),
        (_report(marker_env={"os_name": "posix"}), "'marker_env' lacks implementation_name"),
        (b"[" * 100 + b"]" * 100, "JSON nested deeper than"),
    ],
)
def test_a_report_of_the_wrong_shape_is_refused(output: bytes, what: str) -> None:
    with pytest.raises(EnvironmentError_, match="printed an unexpected report: " + what):
        _probe_data(output, "'py'")


def test_a_good_report_is_taken_as_it_is() -> None:
    probe = _probe_data(_report(), "'py'")
    assert (probe.executable, probe.paths) == ("/x/python", ("/x",))
