"""The boot event reaches the application's Sentry client now, or as soon as it exists."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import sentry_sdk
from sentry_sdk.transport import Transport

from bootguard.config import Settings
from bootguard.integrations import sentry_relay
from tests.unit.conftest import finding, report_of

SENT: list[dict[str, Any]] = []


class Capture(Transport):
    """A real SDK transport that keeps the events instead of sending them anywhere."""

    def capture_envelope(self, envelope: Any) -> None:
        event = envelope.get_event()
        if event is not None:
            SENT.append(event)

    def flush(self, timeout: float, callback: Any = None) -> None:
        return None


@pytest.fixture
def relay() -> Iterator[None]:
    SENT.clear()
    sentry_relay.reset()
    yield
    sentry_relay.reset()


@pytest.fixture
def app_client() -> Iterator[None]:
    client = sentry_sdk.Client(
        dsn="http://public@127.0.0.1:9/1", transport=Capture, default_integrations=False
    )
    with sentry_sdk.isolation_scope() as scope:
        scope.set_client(client)
        yield


@pytest.mark.usefixtures("relay", "app_client")
def test_with_the_applications_client_the_event_is_sent_at_once() -> None:
    sentry_relay.deliver(report_of(finding()), Settings(sentry_wait=0.1))
    assert not sentry_relay.pending()
    (event,) = SENT
    assert event["message"] == "bootguard: environment check fail: msgbus:version"
    assert event["level"] == "error" and event["fingerprint"][0] == "bootguard"


@pytest.mark.usefixtures("relay")
def test_without_a_client_the_event_waits_for_one() -> None:
    assert not sentry_sdk.get_client().is_active()
    sentry_relay.deliver(report_of(finding(status="warn")), Settings(sentry_wait=0.1))
    assert sentry_relay.pending() and SENT == []
    client = sentry_sdk.Client(
        dsn="http://public@127.0.0.1:9/1", transport=Capture, default_integrations=False
    )
    with sentry_sdk.isolation_scope() as scope:
        scope.set_client(client)
        sentry_relay.client_configured()
    assert not sentry_relay.pending()
    assert [event["level"] for event in SENT] == ["warning"]


@pytest.mark.usefixtures("relay")
def test_a_pass_is_not_sent_unless_asked() -> None:
    sentry_relay.deliver(report_of(finding(status="pass")), Settings())
    assert not sentry_relay.pending() and SENT == []
