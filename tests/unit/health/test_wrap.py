"""The middleware of the app's kind, with the settings' token and paths; never a broken app."""

from __future__ import annotations

from typing import Any

import pytest

from bootguard.config import Settings
from bootguard.health.asgi import ASGIHealthMiddleware
from bootguard.health.wrap import is_asgi, wrap
from bootguard.health.wsgi import WSGIHealthMiddleware
from tests.unit.conftest import wsgi_request

pytestmark = pytest.mark.usefixtures("fresh_state")


def wsgi_app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    start_response("200 OK", [])
    return [b"app"]


async def asgi_app(scope: Any, receive: Any, send: Any) -> None:
    return None


class AsgiObject:
    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        return None


def test_each_kind_gets_its_middleware() -> None:
    assert is_asgi(asgi_app) and is_asgi(AsgiObject()) and not is_asgi(wsgi_app)
    assert isinstance(wrap(asgi_app, Settings()), ASGIHealthMiddleware)
    assert isinstance(wrap(AsgiObject(), Settings()), ASGIHealthMiddleware)
    assert isinstance(wrap(wsgi_app, Settings()), WSGIHealthMiddleware)


def test_paths_from_the_settings_are_used() -> None:
    wrapped = wrap(wsgi_app, Settings(health_paths=(("ready", "/-/ready"), ("live", None))))
    assert wsgi_request(wrapped, "/-/ready")[0].startswith("503")
    assert wsgi_request(wrapped, "/livez")[2] == b"app"


def test_bad_paths_leave_the_app_as_it_is(caplog: pytest.LogCaptureFixture) -> None:
    assert wrap(wsgi_app, Settings(health_paths=(("ready", "no-slash"),))) is wsgi_app
    assert "could not install the health endpoints" in caplog.text
