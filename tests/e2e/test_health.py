"""Health endpoints in this process: the standalone server, drain, SIGTERM, re-check, routing.

The server tests in :mod:`tests.test_health_servers` prove the HTTP behaviour under real
gunicorn/uvicorn; these cover what is easier to observe from inside one process: the
verdict lifecycle (pending -> done -> draining), the signal chain, the re-check's error
handling, and ASGI scopes that are not HTTP.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

import bootguard
from bootguard import state
from bootguard.api import check
from bootguard.errors import ConfigError
from bootguard.health.recheck import Recheck
from bootguard.health.wsgi import WSGIHealthMiddleware
from bootguard.report import Aspect, Finding, Report, Status
from tests.support.health import fetch
from tests.support.state import fresh_verdict
from tests.support.venvs import VenvFactory

PINS = "taskq==5.0.0\nmsgbus==4.1.0\n"


@pytest.fixture(autouse=True)
def fresh_state() -> Iterator[None]:
    """Each test starts and ends with a pending verdict and no subscribers."""
    yield from fresh_verdict()


def test_serve_health_follows_the_verdict_from_pending_to_draining() -> None:
    server = bootguard.serve_health(0, token="t0ken")
    try:
        assert server.host == "127.0.0.1"
        pending = fetch(server.port, "/readyz", headers={"Authorization": "Bearer t0ken"})
        assert pending.status == 503
        assert pending.json() == {
            "status": "fail",
            "phase": "pending",
            "output": "the boot check has not finished",
        }
        assert fetch(server.port, "/livez").status == 200  # alive before the check ends

        state.publish(check([], paths=[]), ready=True)
        ready = fetch(server.port, "/readyz")
        assert (ready.status, ready.json()) == (200, {"status": "pass"})
        assert fetch(server.port, "/readyz", method="POST").status == 405

        bootguard.drain()
        drained = fetch(server.port, "/readyz?verbose")
        assert drained.status == 503
        assert drained.body.decode().splitlines() == [
            "[+]environment ok",
            "[-]shutdown failed: draining",
            "readyz check failed",
        ]
        assert fetch(server.port, "/livez").status == 200
    finally:
        server.stop()


def test_warnings_stay_ready_and_say_warn() -> None:
    warning = Finding(
        "extra", "extraneous", "warn", "extra 1.0 is installed but not in the manifest"
    )
    state.publish(Report(findings=(warning,)), ready=True)
    with bootguard.serve_health(0) as server:
        reply = fetch(server.port, "/readyz")
        assert (reply.status, reply.json()) == (200, {"status": "warn"})
        lines = fetch(server.port, "/readyz?verbose").body.decode().splitlines()
        assert lines == ["[+]environment ok with warning: 1 warning", "readyz check passed"]


def test_an_undecodable_file_name_in_a_finding_is_shown_escaped(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A RECORD with random bytes names a file as surrogate escapes: the detailed text
    shows it escaped, like the JSON body, instead of falling back to status-only answers."""
    name = b"\xff\xfeName".decode("utf-8", "surrogateescape")
    finding = Finding(
        "fastjson", "files", "fail", f"installed file unreadable: {name} (not a valid path)"
    )
    state.publish(Report(findings=(finding,)), ready=False)
    with (
        caplog.at_level(logging.ERROR, logger="bootguard"),
        bootguard.serve_health(0, token="t0ken") as server,
    ):
        auth = {"Authorization": "Bearer t0ken"}
        text = fetch(server.port, "/readyz?verbose", headers=auth)
        detailed = fetch(server.port, "/readyz", headers=auth)
    assert text.status == 503
    assert text.body.decode().splitlines() == [
        "[-]fastjson:files failed: installed file unreadable: \\xff\\xfeName (not a valid path)",
        "readyz check failed",
    ]
    body = detailed.json()
    assert isinstance(body, dict) and body["status"] == "fail"
    assert "fastjson:files" in str(body)  # the full report, not the status-only fallback
    assert not [r for r in caplog.records if "could not render" in r.getMessage()]


def test_anonymous_verbose_shows_one_line_per_check_family_never_a_package() -> None:
    def finding(subject: str, aspect: Aspect, status: Status) -> Finding:
        return Finding(subject, aspect, status, f"{subject} {aspect} is {status}")

    report = Report(
        findings=(
            finding("kombu", "version", "fail"),
            finding("celery", "requires", "fail"),
            finding("ipdb", "extraneous", "warn"),
            finding("myapp.tasks", "import", "pass"),
            finding("psycopg", "import", "fail"),
            finding("myapp.health.broker", "smoke", "pass"),
            finding("cryptography", "files", "warn"),
            finding("bootguard", "config", "warn"),
        )
    )
    state.publish(report, ready=False)
    with bootguard.serve_health(0, token="t0ken") as server:
        anonymous = fetch(server.port, "/readyz?verbose")
        assert anonymous.status == 503
        assert anonymous.body.decode().splitlines() == [
            "[-]environment failed: 2 failed, 1 warning",
            "[-]imports failed: 1 failed",
            "[+]smoke ok: 1 passed",
            "[+]integrity ok with warning: 1 warning",
            "[+]bootguard ok with warning: 1 warning",
            "readyz check failed",
        ]
        for name in (b"kombu", b"celery", b"ipdb", b"myapp", b"psycopg", b"cryptography"):
            assert name not in anonymous.body
        wrong = fetch(server.port, "/readyz?verbose", headers={"Authorization": "Bearer nope"})
        assert wrong.body == anonymous.body

        # the token shows every finding, with its reason
        detailed = fetch(server.port, "/readyz?verbose", headers={"Authorization": "Bearer t0ken"})
        lines = detailed.body.decode().splitlines()
        assert "[-]kombu:version failed: kombu version is fail" in lines
        assert "[+]ipdb:extraneous ok with warning: ipdb extraneous is warn" in lines
        assert "[-]psycopg:import failed: psycopg import is fail" in lines
        assert lines[-1] == "readyz check failed"


def test_paths_are_configurable() -> None:
    state.publish(check([], paths=[]), ready=True)
    with bootguard.serve_health(0) as server:
        assert fetch(server.port, "/healthz").status == 200
    paths = {"ready": "/-/ready", "health": None}
    with bootguard.serve_health(0, paths=paths) as server:
        assert fetch(server.port, "/-/ready").status == 200
        assert fetch(server.port, "/readyz").status == 404
        assert fetch(server.port, "/healthz").status == 404
        assert fetch(server.port, "/livez").status == 200
    with pytest.raises(ConfigError, match="unknown health endpoint"):
        WSGIHealthMiddleware(lambda environ, start: [], paths={"readiness": "/r"})
    with pytest.raises(ConfigError, match="must start with '/'"):
        WSGIHealthMiddleware(lambda environ, start: [], paths={"ready": "readyz"})


def _write_pins(path: Path) -> Path:
    path.write_text(PINS)
    return path


def test_recheck_publishes_changes_once_and_survives_errors(
    venv_factory: VenvFactory, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    venv = venv_factory("app", install=["taskq==5.0.0", "msgbus==4.1.0"])
    manifest = _write_pins(tmp_path / "requirements.txt")
    paths = [str(venv.site_packages)]
    boot = check([manifest], paths=paths)
    state.publish(boot, ready=True)
    changes: list[str] = []
    recheck = Recheck(
        60.0,
        lambda: check([manifest], paths=paths),
        on_change=lambda report: changes.append(report.status),
        baseline=boot,
    )

    assert recheck.run_once() is None  # nothing changed: nothing published
    assert state.current().report is boot

    manifest.unlink()  # the re-check now raises ManifestError: logged, verdict kept
    with caplog.at_level(logging.WARNING, logger="bootguard"):
        assert recheck.run_once() is None
        assert recheck.run_once() is None
    failures = [r for r in caplog.records if "re-check failed" in r.getMessage()]
    assert len(failures) == 1  # once per distinct error, not once per interval
    assert state.current().ready is True

    _write_pins(manifest)
    venv.install("msgbus==4.2.0")
    changed = recheck.run_once()
    assert changed is not None and changed.status == "fail"
    assert state.current().ready is False
    assert recheck.run_once() is None  # the same drift again: no second publish or event
    assert changes == ["fail"]


def test_recheck_keeps_boot_findings_it_does_not_rerun(
    venv_factory: VenvFactory, tmp_path: Path
) -> None:
    venv = venv_factory("app", install=["taskq==5.0.0", "msgbus==4.1.0"])
    manifest = _write_pins(tmp_path / "requirements.txt")
    paths = [str(venv.site_packages)]
    broken = Finding("brokenimport", "import", "fail", "import brokenimport failed")
    boot = check([manifest], paths=paths)
    boot_with_probe = Report(findings=(broken,), manifests=boot.manifests)
    state.publish(boot_with_probe, ready=False)
    recheck = Recheck(60.0, lambda: check([manifest], paths=paths), baseline=boot_with_probe)

    # The cheap check finds nothing, but the failed import at boot still stands.
    assert recheck.run_once() is None
    assert state.current().ready is False

    venv.install("msgbus==4.2.0")
    changed = recheck.run_once()
    assert changed is not None
    assert {f.key for f in changed.problems} == {"brokenimport:import", "msgbus:version"}
