"""The one call from the Sentry sink back to whoever waits for the application's client.

:class:`~bootguard.integrations.sentry.BootguardIntegration` learns first that the
application configured Sentry (its ``setup_once`` runs inside ``sentry_sdk.init``); the
relay (:mod:`bootguard.integrations.sentry_relay`) holds the boot event waiting for that
moment.  The relay imports the sink to send, so the sink cannot import the relay back: it
calls the listeners registered here instead, and this module imports nothing.
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["client_configured", "on_client_configured"]

_listeners: list[Callable[[], None]] = []


def on_client_configured(listener: Callable[[], None]) -> None:
    """Call ``listener`` whenever the application's Sentry client is bound (idempotent)."""
    if listener not in _listeners:
        _listeners.append(listener)


def client_configured() -> None:
    """Tell the listeners that the application's Sentry client is now active."""
    for listener in list(_listeners):
        listener()
