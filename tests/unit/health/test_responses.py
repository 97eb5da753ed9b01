"""Prepared health responses: one per verdict, status codes that agree with the body."""

from __future__ import annotations

import json

import pytest

from bootguard import state
from bootguard.errors import ConfigError
from bootguard.health._responses import (
    DEFAULT_PATHS,
    authorized,
    readiness_status,
    resolve_token,
    respond,
    routes,
    token_digest,
    wants_verbose,
)
from tests.unit.conftest import finding, report_of

pytestmark = pytest.mark.usefixtures("fresh_state")


def test_routes_default_override_and_switch_off() -> None:
    assert routes(None) == {path: kind for kind, path in DEFAULT_PATHS.items()}
    custom = routes({"ready": "/-/ready", "live": None})
    assert custom == {"/-/ready": "ready", "/healthz": "health"}
    with pytest.raises(ConfigError):
        routes({"metrics": "/m"})
    with pytest.raises(ConfigError):
        routes({"ready": "ready"})


def test_tokens_compare_in_constant_time_over_digests(monkeypatch: pytest.MonkeyPatch) -> None:
    digest = token_digest("s3cret")
    assert authorized("Bearer s3cret", digest)
    assert not authorized("Bearer s3cre", digest) and not authorized(None, digest)
    assert not authorized("Bearer ", token_digest(None)) and token_digest("") is None
    monkeypatch.setenv("BOOTGUARD_TOKEN", "from-env")
    assert resolve_token(None) == "from-env" and resolve_token("") is None


@pytest.mark.parametrize(
    ("query", "verbose"),
    [
        ("verbose", True),
        ("verbose=1", True),
        ("verbose=false", False),
        ("", False),
        ("x=1&verbose=no", False),
    ],
)
def test_wants_verbose(query: str, verbose: bool) -> None:
    assert wants_verbose(query) is verbose


def test_pending_is_not_ready_then_the_verdict_decides() -> None:
    assert respond("ready", "GET", "", None, None).status == 503
    assert respond("live", "GET", "", None, None).status == 200
    state.publish(report_of(finding(status="warn")), ready=True)
    ready = respond("ready", "GET", "", None, None)
    assert (ready.status, json.loads(ready.body)) == (200, {"status": "warn"})
    state.publish(report_of(finding()), ready=False)
    assert respond("ready", "GET", "", None, None).status == 503
    assert readiness_status(state.current()) == "fail"


def test_details_only_for_the_token_and_other_methods_refused() -> None:
    state.publish(report_of(finding()), ready=False)
    digest = token_digest("t")
    anonymous = json.loads(respond("health", "GET", "", None, digest).body)
    detailed = json.loads(respond("health", "GET", "", "Bearer t", digest).body)
    assert "checks" not in anonymous and "msgbus:version" in detailed["checks"]
    assert respond("health", "POST", "", None, digest).status == 405
    assert b"msgbus:version" in respond("health", "GET", "verbose", "Bearer t", digest).body
