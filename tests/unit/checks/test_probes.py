"""Critical imports and smoke callables: real modules on disk, real child interpreters."""

from __future__ import annotations

import re
import signal
import sys
import threading
import time
from pathlib import Path

import pytest

from bootguard.checks.probes import run_imports, run_smoke
from bootguard.report import Finding

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
    "bg_sleeps.py": "import time\ntime.sleep(60)\n",
    "bg_spins.py": "while True:\n    pass\n",
    "bg_swallows.py": (
        "import time\n"
        "try:\n"
        "    time.sleep(60)\n"
        "except Exception:\n"  # the module's own handler must not swallow the timeout
        "    pass\n"
    ),
    "bg_interrupted.py": "raise KeyboardInterrupt\n",
    "bg_hangs_at_import.py": "import time\ntime.sleep(60)\ndef check(): return True\n",
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
        "def quits(): raise SystemExit(4)\n"
        "def interrupted(): raise KeyboardInterrupt\n"
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


def _no_timer_left(handler: object) -> None:
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) is handler


def test_in_process_imports_that_hang_are_interrupted_at_the_timeout(modules: Path) -> None:
    before = signal.getsignal(signal.SIGALRM)
    started = time.monotonic()
    findings = run_imports(["bg_sleeps", "bg_spins", "bg_swallows", "bg_fine"], timeout=0.5)
    elapsed = time.monotonic() - started

    by_subject = {f.subject: f for f in findings}
    for name in ("bg_sleeps", "bg_spins", "bg_swallows"):
        finding = by_subject[name]
        assert (finding.status, finding.observed) == ("fail", "timeout"), finding
        assert re.match(rf"import {name} timed out: interrupted after 0\.[5-9] s", finding.message)
        assert finding.time_ms is not None
        assert 400 < finding.time_ms < 3000
        assert name not in sys.modules  # a failed import leaves nothing half-imported
    assert by_subject["bg_fine"].status == "pass"
    assert by_subject["bg_fine"].details == ()  # bounded: nothing to say
    assert elapsed < 5, elapsed  # three 0.5 s timeouts, not 60 s
    _no_timer_left(before)  # the previous handler is back, no timer left armed


def test_an_import_off_the_main_thread_runs_unbounded_and_says_so(modules: Path) -> None:
    results: list[list[Finding]] = []
    thread = threading.Thread(
        target=lambda: results.append(run_imports(["bg_slow", "bg_fine"], timeout=0.3))
    )
    thread.start()
    thread.join(30)
    ((slow, fine),) = results
    assert (slow.status, slow.observed) == ("fail", "timeout")
    assert re.search(r"took 0\.[6-9] s, more than its 0\.3 s timeout", slow.message)
    assert "not bounded: ran in a worker thread; use isolated" in slow.message
    assert fine.status == "pass"
    assert fine.details == ("not bounded by import_timeout: ran in a worker thread; use isolated",)


def test_the_applications_own_sigalrm_timer_is_never_clobbered(modules: Path) -> None:
    fired: list[int] = []

    def mine(signum: int, frame: object) -> None:
        fired.append(signum)

    original = signal.signal(signal.SIGALRM, mine)
    signal.setitimer(signal.ITIMER_REAL, 30.0)
    try:
        (slow,) = run_imports(["bg_slow"], timeout=0.3)
        remaining, _ = signal.getitimer(signal.ITIMER_REAL)
        assert 25 < remaining <= 30  # still the application's timer, untouched
        assert signal.getsignal(signal.SIGALRM) is mine
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, original)
    assert fired == []
    assert (slow.status, slow.observed) == ("fail", "timeout")
    assert "not bounded: the application's SIGALRM timer was armed" in slow.message


def test_keyboard_interrupt_and_system_exit_are_never_findings(modules: Path) -> None:
    before = signal.getsignal(signal.SIGALRM)
    with pytest.raises(KeyboardInterrupt):
        run_imports(["bg_interrupted"], timeout=5)
    _no_timer_left(before)
    with pytest.raises(SystemExit) as stopped:
        run_smoke(["bg_health:quits"], timeout=5)
    assert stopped.value.code == 4
    with pytest.raises(KeyboardInterrupt):
        run_smoke(["bg_health:interrupted"], timeout=5)


def test_a_smoke_module_that_hangs_at_import_times_out(modules: Path) -> None:
    before = signal.getsignal(signal.SIGALRM)
    started = time.monotonic()
    (hung,) = run_smoke(["bg_hangs_at_import:check"], timeout=0.5)
    assert time.monotonic() - started < 5
    assert (hung.status, hung.observed) == ("fail", "timeout")
    assert "smoke check bg_hangs_at_import:check did not finish within 0.5 s" in hung.message
    _no_timer_left(before)
