"""Critical imports and smoke callables: real modules on disk, real child interpreters."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from bootguard.probes import run_imports, run_smoke

MODULES = {
    "bg_fine.py": "VALUE = 1\n",
    "bg_hangs.py": "import time\ntime.sleep(600)\n",
    "bg_broken.py": (
        "def load():\n"
        "    raise ImportError('libbroker.so.5: cannot open shared object file')\n"
        "load()\n"
    ),
    "bg_crashes.py": "import os\nos.abort()\n",
    "bg_slow.py": "import time\ntime.sleep(0.6)\n",
    "bg_main_thread.py": (
        "import signal\nsignal.signal(signal.SIGUSR1, signal.getsignal(signal.SIGUSR1))\n"
    ),
    "bg_health.py": (
        "import time\n"
        "def ok(): return True\n"
        "def none(): return None\n"
        "def down(): return False\n"
        "def boom(): raise ConnectionRefusedError(111, 'Connection refused')\n"
        "def stuck(): time.sleep(3)\n"
        "NOT_CALLABLE = 3\n"
    ),
}


@pytest.fixture
def modules(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name, text in MODULES.items():
        (tmp_path / name).write_text(text)
    monkeypatch.syspath_prepend(str(tmp_path))
    for name in MODULES:
        sys.modules.pop(name[:-3], None)
    return tmp_path


def test_isolated_imports_kill_a_hanging_import_and_survive_a_crash(modules: Path) -> None:
    started = time.monotonic()
    findings = run_imports(
        ["bg_fine", "bg_hangs", "bg_broken", "bg_crashes", "json"], isolated=True, timeout=1.5
    )
    elapsed = time.monotonic() - started

    by_subject = {f.subject: f for f in findings}
    assert [f.subject for f in findings] == [
        "bg_fine",
        "bg_hangs",
        "bg_broken",
        "bg_crashes",
        "json",
    ]
    assert all(f.aspect == "import" for f in findings)
    assert by_subject["bg_fine"].status == "pass"
    assert by_subject["json"].status == "pass"  # a new child took over after the kill
    hang = by_subject["bg_hangs"]
    assert (hang.status, hang.observed) == ("fail", "timeout")
    assert "did not finish within 1.5 s" in hang.message
    broken = by_subject["bg_broken"]
    assert (broken.status, broken.observed) == ("fail", "ImportError")
    assert "libbroker.so.5" in broken.message
    assert broken.details[-1].endswith("bg_broken.py:2 in load")  # the last frames
    crash = by_subject["bg_crashes"]
    assert (crash.status, crash.observed) == ("fail", "crash")
    assert "signal 6" in crash.message  # SIGABRT
    # the isolated modules never entered this process
    assert "bg_hangs" not in sys.modules
    assert "bg_fine" not in sys.modules
    assert elapsed < 10, elapsed  # one 1.5 s timeout, not 600 s


def test_in_process_imports_run_like_the_apps_own_and_record_time(modules: Path) -> None:
    fine, main_thread, slow, broken = run_imports(
        ["bg_fine", "bg_main_thread", "bg_slow", "bg_broken"], timeout=0.3
    )
    assert fine.status == "pass"
    assert fine.time_ms is not None
    assert fine.time_ms >= 0
    # installing a signal handler works only in the main thread: imported where the app
    # would import it, it passes (no false alarm from bootguard's own threading)
    assert main_thread.status == "pass", main_thread.message
    assert (slow.status, slow.observed) == ("fail", "timeout")
    assert "more than its 0.3 s timeout" in slow.message
    assert (broken.status, broken.observed) == ("fail", "ImportError")


def test_smoke_callables(modules: Path) -> None:
    targets = [
        "bg_health:ok",
        "bg_health:none",
        "bg_health:down",
        "bg_health:boom",
        "bg_health:stuck",
        "bg_health:NOT_CALLABLE",
        "bg_missing:check",
    ]
    results = {f.subject: f for f in run_smoke(targets, timeout=0.5)}
    assert all(f.aspect == "smoke" for f in results.values())
    assert results["bg_health.ok"].status == "pass"
    assert results["bg_health.none"].status == "pass"
    assert (results["bg_health.down"].status, results["bg_health.down"].observed) == (
        "fail",
        "False",
    )
    boom = results["bg_health.boom"]
    assert (boom.status, boom.observed) == ("fail", "ConnectionRefusedError")
    assert "Connection refused" in boom.message
    assert results["bg_health.stuck"].observed == "timeout"
    assert results["bg_health.NOT_CALLABLE"].observed == "TypeError"
    assert results["bg_missing.check"].observed == "ModuleNotFoundError"
