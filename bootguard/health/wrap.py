"""Put the health middleware of the right kind (WSGI or ASGI) in front of an application.

Used by :func:`bootguard.guard` and :func:`bootguard.integrations.lifespan.guard_lifespan`.
Installing the endpoints never breaks the application: if it fails, the application is
served as it is and the error is logged.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, TypeVar

    from bootguard.config import Settings

    App = TypeVar("App")

__all__ = ["is_asgi", "wrap"]


def wrap(app: App, settings: Settings) -> App:
    """``app`` behind the health middleware of its kind, with the token and paths of ``settings``."""
    options: dict[str, Any] = {}
    if settings.token is not None:
        options["token"] = settings.token
    if settings.health_paths is not None:
        options["paths"] = dict(settings.health_paths)
    try:
        if is_asgi(app):
            from bootguard.health.asgi import ASGIHealthMiddleware

            return ASGIHealthMiddleware(app, **options)  # type: ignore[return-value,arg-type]
        from bootguard.health.wsgi import WSGIHealthMiddleware

        return WSGIHealthMiddleware(app, **options)  # type: ignore[return-value,arg-type]
    except ImportError:
        return app
    except Exception:
        import logging

        logging.getLogger("bootguard").exception(
            "bootguard: could not install the health endpoints; serving the app as is"
        )
        return app


def is_asgi(app: object) -> bool:
    """An ASGI 3 application is a coroutine function or an object with ``async def __call__``."""
    import inspect  # deferred: only telling ASGI from WSGI needs it

    if inspect.iscoroutinefunction(app):
        return True
    return inspect.iscoroutinefunction(getattr(type(app), "__call__", None))  # noqa: B004
