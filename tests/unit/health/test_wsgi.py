"""The WSGI middleware: probes answered in front of the app, everything else passed through."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import pytest

from bootguard import state
from bootguard.health.wsgi import WSGIHealthMiddleware
from tests.unit.conftest import finding, report_of, wsgi_request

pytestmark = pytest.mark.usefixtures("fresh_state")


class App:
    marker = "the wrapped app"

    def __call__(
        self, environ: dict[str, object], start_response: Callable[..., object]
    ) -> Iterable[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"app:" + str(environ["PATH_INFO"]).encode()]


def test_probes_are_answered_and_other_paths_reach_the_app() -> None:
    middleware = WSGIHealthMiddleware(App(), token="t", paths={"ready": "/-/ready"})
    assert wsgi_request(middleware, "/-/ready")[0] == "503 Service Unavailable"  # pending
    state.publish(report_of(finding(status="pass")), ready=True)
    status, headers, body = wsgi_request(middleware, "/-/ready")
    assert (status, body) == ("200 OK", b'{"status":"pass"}')
    assert headers["Cache-Control"] == "no-store"
    assert wsgi_request(middleware, "/readyz")[2] == b"app:/readyz"  # moved away
    assert wsgi_request(middleware, "/livez", method="HEAD")[2] == b""
    assert b'"checks"' in wsgi_request(middleware, "/healthz", token="t")[2]


def test_the_middleware_behaves_like_the_app_it_wraps() -> None:
    middleware = WSGIHealthMiddleware(App())
    assert middleware.marker == "the wrapped app"
    with pytest.raises(AttributeError):
        middleware.__wrapped_missing__  # noqa: B018
