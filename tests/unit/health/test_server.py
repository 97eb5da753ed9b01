"""The stand-alone health server: real HTTP on 127.0.0.1, answered from the verdict."""

from __future__ import annotations

import http.client

import pytest

from bootguard import state
from bootguard.errors import ConfigError
from bootguard.health.server import serve_health
from tests.unit.conftest import finding, report_of

pytestmark = pytest.mark.usefixtures("fresh_state")


def _get(port: int, path: str, method: str = "GET", token: str | None = None) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        connection.request(method, path, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def test_the_server_answers_probes_from_the_verdict() -> None:
    with serve_health(0, token="t", paths={"ready": "/-/ready"}) as server:
        assert server.url == f"http://127.0.0.1:{server.port}"
        assert _get(server.port, "/-/ready")[0] == 503
        state.publish(report_of(finding(status="warn")), ready=True)
        assert _get(server.port, "/-/ready") == (200, b'{"status":"warn"}')
        assert _get(server.port, "/livez", "HEAD") == (200, b"")
        assert _get(server.port, "/readyz")[0] == 404
        assert _get(server.port, "/livez", "POST")[0] == 405
        assert b"msgbus:version" in _get(server.port, "/healthz", token="t")[1]
    with pytest.raises(ConnectionRefusedError):
        _get(server.port, "/livez")  # stopped


def test_bad_paths_are_refused_before_binding() -> None:
    with pytest.raises(ConfigError):
        serve_health(0, paths={"ready": "no-slash"})
