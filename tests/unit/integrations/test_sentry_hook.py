"""The hook that tells bootguard the application's Sentry client is bound."""

from __future__ import annotations

from bootguard.integrations import _sentry_hook


def test_each_listener_is_called_once_per_configuration() -> None:
    heard: list[str] = []

    def listener() -> None:
        heard.append("configured")

    try:
        _sentry_hook.on_client_configured(listener)
        _sentry_hook.on_client_configured(listener)  # idempotent
        _sentry_hook.client_configured()
        _sentry_hook.client_configured()
        assert heard == ["configured", "configured"]
    finally:
        _sentry_hook._listeners.remove(listener)
