"""``bootguard check`` and ``serve`` read the gate's settings, with the flags on top.

Every test runs the real command in a subprocess (and ``serve`` really serves): the
settings come from a real ``pyproject.toml`` and real ``BOOTGUARD_*`` variables, and the
critical imports and smoke callables run in a real second venv when ``--python`` names it.
"""

from __future__ import annotations

import json
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

from tests.support.cli import bootguard_outside, json_report
from tests.support.health import ServerProcess, fetch, free_port
from tests.support.venvs import Venv, VenvFactory, clean_env
from tests.support.wheels import build_wheel

TOKEN = "cli-settings-token"
_PROBEKIT = {
    "probekit/__init__.py": (
        "import time\n"
        "def ok():\n    return True\n"
        "def bad():\n    return False\n"
        "def hang():\n    time.sleep(60)\n"
    )
}


def _project(root: Path, table: str) -> Path:
    """A project directory whose pyproject.toml holds ``[tool.bootguard]`` ``table``."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text(f'[project]\nname = "app"\n\n[tool.bootguard]\n{table}')
    (root / "requirements.txt").write_text(f"packaging=={version('packaging')}\n")
    return root


def _checks(result: object) -> dict[str, str]:
    doc = json_report(result)  # type: ignore[arg-type]
    checks = doc["checks"]
    assert isinstance(checks, dict)
    return {key: items[0]["status"] for key, items in checks.items()}


def _one_line_error(result: object, needle: str) -> None:
    assert result.returncode == 2, result  # type: ignore[attr-defined]
    err = result.stderr  # type: ignore[attr-defined]
    assert err.count("\n") == 1 and err.startswith("bootguard: error: ") and needle in err, err


# --- check reads the settings -----------------------------------------------------------


def test_check_reads_pyproject_then_environment_then_flags(tmp_path: Path) -> None:
    project = _project(tmp_path / "app", 'imports = ["nosuchmod_pyproject"]\nignore = ["pytest"]\n')

    from_pyproject = bootguard_outside("check", "--json", cwd=project)
    assert from_pyproject.returncode == 1, from_pyproject.stderr
    assert _checks(from_pyproject)["nosuchmod_pyproject:import"] == "fail"

    env = {"BOOTGUARD_IMPORTS": "json,nosuchmod_env"}
    from_env = bootguard_outside("check", "--json", cwd=project, environ=env)
    statuses = _checks(from_env)
    assert statuses["json:import"] == "pass" and statuses["nosuchmod_env:import"] == "fail"
    assert "nosuchmod_pyproject:import" not in statuses  # the variable replaces the table's list

    from_flag = bootguard_outside("check", "--json", "--import", "json", cwd=project, environ=env)
    assert from_flag.returncode == 0, from_flag.stdout
    assert [k for k in _checks(from_flag) if k.endswith(":import")] == ["json:import"]
    # ignore = ["pytest"] from the table still applies: the layers set settings one by one
    assert "pytest:extraneous" not in _checks(from_flag)


def test_a_sealed_snapshot_does_not_skip_the_configured_imports(tmp_path: Path) -> None:
    """The sealed fast path answers before any setting is read: with [tool.bootguard] it
    must step aside, or the configured imports would silently not run."""
    project = _project(tmp_path / "app", 'imports = ["nosuchmod_sealed"]\n')
    snapshot = bootguard_outside("snapshot", "-o", project / "requirements.txt", cwd=project)
    assert snapshot.returncode == 0 and "without a seal" not in snapshot.stderr
    result = bootguard_outside("check", cwd=project)
    assert result.returncode == 1, result.stdout
    assert "nosuchmod_sealed:import" in result.stdout
    (project / "pyproject.toml").write_text('[project]\nname = "app"\n')  # no settings now
    fast = bootguard_outside("check", cwd=project)
    assert fast.returncode == 0 and "match the sealed snapshot" in fast.stdout, fast.stdout


def test_a_manifest_set_in_pyproject_is_relative_to_it(tmp_path: Path) -> None:
    project = _project(tmp_path / "app", 'manifest = "locks/pinned.txt"\nimports = ["json"]\n')
    (project / "locks").mkdir()
    (project / "locks" / "pinned.txt").write_text("pytest==0.0.1\n")
    (project / "src").mkdir()
    result = bootguard_outside("check", "--json", cwd=project / "src")
    assert result.returncode == 1
    assert _checks(result)["pytest:version"] == "fail"
    assert json_report(result)["manifests"][0]["path"] == str(project / "locks" / "pinned.txt")  # type: ignore[index]


def test_gate_only_settings_do_not_change_the_exit_status_of_check(tmp_path: Path) -> None:
    """mode = "enforce" stops a boot; for check a warning stays exit 0 all the same."""
    project = _project(tmp_path / "app", 'mode = "enforce"\nsentry = false\n')
    result = bootguard_outside("check", cwd=project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARN" in result.stdout and ":extraneous" in result.stdout  # warnings, not failures


def test_bad_settings_are_one_line_errors(tmp_path: Path) -> None:
    project = _project(tmp_path / "app", 'import_timeout = "soon"\n')
    _one_line_error(bootguard_outside("check", cwd=project), "import_timeout")
    _one_line_error(
        bootguard_outside("check", cwd=tmp_path, environ={"BOOTGUARD_SMOKE": "nocolon"}),
        "BOOTGUARD_SMOKE",
    )
    # The flags take the same values as the variables, through the same parser.
    _one_line_error(bootguard_outside("check", "--import-timeout", "0", cwd=tmp_path), "seconds")
    _one_line_error(bootguard_outside("check", "--smoke", "os.getcwd", cwd=tmp_path), "--smoke")
    _one_line_error(bootguard_outside("check", "--import", "no such", cwd=tmp_path), "module")


# --- check --import / --smoke in the checked interpreter --------------------------------


@pytest.fixture
def other(venv_factory: VenvFactory, tmp_path: Path) -> Venv:
    """A second venv with msgbus and a probekit whose callables pass, fail and hang."""
    wheel = build_wheel(tmp_path / "wheels", "probekit", "1.0", modules=_PROBEKIT)
    venv = venv_factory("other", install=["msgbus==4.1.0"])
    venv.install(wheel)
    return venv


def test_imports_and_smoke_run_in_the_interpreter_named_by_python(
    other: Venv, tmp_path: Path
) -> None:
    lock = tmp_path / "requirements.txt"
    lock.write_text("msgbus==4.1.0\nprobekit==1.0\n")
    base = ("check", "--json", "-m", lock, "--python", other.python)

    good = bootguard_outside(*base, "--import", "msgbus", "--smoke", "probekit:ok", cwd=tmp_path)
    assert good.returncode == 0, good.stdout + good.stderr
    assert _checks(good) == {"msgbus:import": "pass", "probekit.ok:smoke": "pass"}

    # pytest imports here, in the interpreter running bootguard, but not in the venv
    assert "pytest" in sys.modules
    missing = bootguard_outside(*base, "--import", "pytest", cwd=tmp_path)
    assert missing.returncode == 1
    assert _checks(missing)["pytest:import"] == "fail"

    bad = bootguard_outside(
        *base, "--smoke", "probekit:bad", "--smoke", "probekit:hang", "--smoke-timeout", "1",
        cwd=tmp_path,
    )  # fmt: skip
    assert bad.returncode == 1
    doc = json_report(bad)
    checks = doc["checks"]
    assert isinstance(checks, dict)
    assert checks["probekit.bad:smoke"][0]["output"] == "smoke check probekit:bad returned False"
    assert checks["probekit.hang:smoke"][0]["observedValue"] == "timeout"


def test_text_output_names_a_failing_import_and_exits_1(tmp_path: Path) -> None:
    result = bootguard_outside("check", "--no-manifest", "--import", "nosuchmod_cli", cwd=tmp_path)
    assert result.returncode == 1
    assert "FAIL  nosuchmod_cli:import" in result.stdout


# --- output a person can read -----------------------------------------------------------


def test_snapshot_header_and_check_line_count_the_same_and_name_the_tools(
    other: Venv, tmp_path: Path
) -> None:
    snap = tmp_path / "snapshot.txt"
    written = bootguard_outside("snapshot", "--python", other.python, "-o", snap, cwd=tmp_path)
    assert written.returncode == 0, written.stderr
    header = next(line for line in snap.read_text().splitlines() if line.startswith("# Python"))
    count = header.split("); ", 1)[1].rstrip(".")
    checked = bootguard_outside("check", "--python", other.python, "-m", snap, cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout
    full = bootguard_outside(
        "check", "--no-seal", "--python", other.python, "-m", snap, cwd=tmp_path
    )
    for result in (checked, full):
        assert f"- {count} checked against" in result.stdout, (count, result.stdout)
    assert count.startswith("2 distributions")  # msgbus and probekit; no tool in this venv
    # the tools are named where they are installed: pip in the test interpreter's venv
    here = bootguard_outside("check", "--no-manifest", cwd=tmp_path)
    assert "tools not reported: " in here.stdout and "pip" in here.stdout


def test_verbose_lists_every_distribution_with_verdict_and_origin(
    other: Venv, tmp_path: Path
) -> None:
    lock = tmp_path / "requirements.txt"
    lock.write_text("msgbus==4.2.0\n")  # wrong version; probekit is not listed
    result = bootguard_outside(
        "check", "-v", "--no-seal", "-m", lock, "--python", other.python, cwd=tmp_path
    )
    assert result.returncode == 1
    rows = {
        line.split()[1]: (line.split()[0], line.split()[2])
        for line in result.stdout.splitlines()
        if line.startswith("  ")
    }
    assert rows["msgbus==4.1.0"] == ("fail", f"{lock}:1")
    assert rows["probekit==1.0"] == ("warn", "extraneous")
    assert "distributions (2):" in result.stdout


def test_verbose_prints_the_fingerprint_once(tmp_path: Path) -> None:
    snap = tmp_path / "snapshot.txt"
    assert bootguard_outside("snapshot", "-o", snap, cwd=tmp_path).returncode == 0
    for route in ((), ("--no-seal",)):
        result = bootguard_outside("check", "-v", *route, "-m", snap, cwd=tmp_path)
        doc = json_report(bootguard_outside("check", "--json", *route, "-m", snap, cwd=tmp_path))
        fingerprint = doc["fingerprint"]
        assert isinstance(fingerprint, str)
        assert result.stdout.count(fingerprint) == 1, result.stdout


def test_timings_add_up_with_probes(tmp_path: Path) -> None:
    result = bootguard_outside("check", "--json", "--no-manifest", "--import", "json", cwd=tmp_path)
    timings = json_report(result)["timings_ms"]
    assert isinstance(timings, dict) and {"check", "probes", "total"} <= set(timings)
    assert all(ms <= timings["total"] for ms in timings.values()), timings
    assert timings["check"] + timings["probes"] <= timings["total"]


# --- serve: the same options and settings -----------------------------------------------


def _serve(project: Path, log: Path, *flags: str, **env: str) -> tuple[int, dict[str, object]]:
    """Start ``bootguard serve`` in ``project``; the /-/ready status and detailed report."""
    port = free_port()
    argv = [sys.executable, "-m", "bootguard", "serve", "--port", str(port), *flags]
    server = ServerProcess(argv, port=port, env=clean_env(env), log=log, cwd=project)
    try:
        server.wait_ready()
        status = fetch(port, "/-/ready").status
        assert fetch(port, "/readyz").status == 404  # health_paths from the table
        doc = fetch(port, "/-/ready", headers={"Authorization": f"Bearer {TOKEN}"}).json()
        assert isinstance(doc, dict), server.output()
        return status, doc
    finally:
        server.stop()


def test_serve_reads_the_same_settings_with_flags_on_top(tmp_path: Path) -> None:
    project = _project(
        tmp_path / "app",
        'imports = ["nosuchmod_pyproject"]\nmode = "warn"\n'
        f'token = "{TOKEN}"\nhealth_paths = {{ ready = "/-/ready" }}\n',
    )
    # pyproject: the import fails, mode warn keeps the node ready
    status, doc = _serve(project, tmp_path / "a.log", "--no-manifest")
    assert status == 200 and doc["status"] == "warn"  # health says warn: ready despite a fail
    assert doc["checks"]["nosuchmod_pyproject:import"][0]["status"] == "fail"  # type: ignore[index]

    # environment over pyproject: mode report, so the failing import makes it not ready
    status, doc = _serve(project, tmp_path / "b.log", "--no-manifest", BOOTGUARD_MODE="report")
    assert status == 503 and doc["status"] == "fail"

    # flags over both: --import replaces the table's and the variable's imports
    status, doc = _serve(
        project, tmp_path / "c.log", "--no-manifest", "--import", "json",
        BOOTGUARD_MODE="report", BOOTGUARD_IMPORTS="nosuchmod_env",
    )  # fmt: skip
    assert status == 200, json.dumps(doc)
    imports = [key for key in doc["checks"] if key.endswith(":import")]  # type: ignore[attr-defined]
    assert imports == ["json:import"]


def test_serve_refuses_bad_settings_in_one_line(tmp_path: Path) -> None:
    project = _project(tmp_path / "app", "recheck_interval = -5\n")
    result = bootguard_outside("serve", "--port", "0", cwd=project)
    _one_line_error(result, "recheck_interval")
    assert "serving" not in result.stderr


# --- the gate: timings and the enforce message ------------------------------------------


@pytest.fixture
def fresh_gate() -> object:
    from bootguard import gate

    gate.reset()
    yield gate
    gate.reset()


def test_gate_timings_add_up(fresh_gate: object, tmp_path: Path) -> None:
    from bootguard import gate

    result = gate.run(
        {"manifest": [], "imports": ["json"], "sentry": False}, start=tmp_path, exit=False
    )
    timings = result.report.to_health_json()["timings_ms"]
    assert isinstance(timings, dict) and {"check", "probes", "total"} <= set(timings)
    assert all(ms <= timings["total"] for ms in timings.values()), timings


def test_enforce_names_only_the_failures(
    fresh_gate: object, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from bootguard import gate
    from bootguard.errors import BootFailed

    (tmp_path / "pyproject.toml").write_text('[project]\nname = "app"\n')  # not this checkout's
    lock = tmp_path / "requirements.txt"
    assert bootguard_outside("snapshot", "-o", lock, cwd=tmp_path).returncode == 0
    # a pinned lock of this environment with one wrong pin (fail) and one line gone (warn)
    lines = [
        line
        for line in lock.read_text().splitlines()[1:]  # line 1 counts the entries: edited now
        if not line.startswith("ruff==")
    ]
    lock.write_text(
        "\n".join("pytest==0.0.1" if x.startswith("pytest==") else x for x in lines) + "\n"
    )
    with caplog.at_level("WARNING", logger="bootguard"):
        result = gate.run(
            {"manifest": [str(lock)], "mode": "enforce", "sentry": False},
            start=tmp_path,
            exit=False,
        )
    assert result.stop
    warned = [f.key for f in result.report.problems if f.status == "warn"]
    assert "ruff:extraneous" in warned
    assert str(BootFailed(result.report)) == "bootguard: environment check failed (pytest:version)"
    consequence = caplog.records[-1].getMessage().splitlines()[-1]
    assert consequence.endswith("because of: pytest:version"), consequence
    assert not any(key in consequence for key in warned)
