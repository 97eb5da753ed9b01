"""Run the gate at ASGI server startup (the lifespan protocol) instead of at import.

``app = guard_lifespan(app)`` for applications that must stay importable without side
effects (app factories, tooling that imports the module, test suites).  The check runs
when the server sends ``lifespan.startup``; in ``enforce`` mode a failed check answers
``lifespan.startup.failed``, which uvicorn logs as "Application startup failed. Exiting."
and turns into exit status 3 (with ``--workers``, the supervisor stops instead of
respawning).  Otherwise the startup message is handed to the application unchanged.

The check is blocking work, so it runs in the loop's default executor.  Health endpoints
are installed as with :func:`bootguard.guard`.  A server that does not speak lifespan
(``--lifespan off``, daphne) never runs the check: use :func:`bootguard.guard` there.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

__all__ = ["LifespanGate", "guard_lifespan"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class LifespanGate:
    """ASGI middleware: the gate runs on ``lifespan.startup``; everything else passes through."""

    __slots__ = ("app", "options", "start")

    def __init__(self, app: ASGIApp, options: dict[str, object], start: str | None = None):
        self.app = app
        self.options = options
        self.start = start

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "lifespan":
            await self.app(scope, receive, send)
            return
        message = await receive()
        if message["type"] == "lifespan.startup":
            import asyncio

            from bootguard import gate

            loop = asyncio.get_running_loop()
            result = await loop.run_in_executor(
                None, lambda: gate.run(self.options, start=self.start, exit=False)
            )
            if result.stop:
                from bootguard.errors import BootFailed

                failed = str(BootFailed(result.report))  # the failures only, never a warning
                await send({"type": "lifespan.startup.failed", "message": failed})
                return
        replayed = False

        async def first_then_rest() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return message
            return await receive()

        await self.app(scope, first_then_rest, send)


def guard_lifespan(app: ASGIApp, /, **options: object) -> ASGIApp:
    """``app`` with the health endpoints, gated at lifespan startup (see module doc)."""
    import os
    import sys

    from bootguard.config import load_settings
    from bootguard.health.wrap import wrap

    caller = sys._getframe(1).f_globals.get("__file__")
    start = os.path.dirname(os.path.abspath(caller)) if caller else None
    health = {k: v for k, v in options.items() if k in ("token", "health_paths")}
    settings, _problems = load_settings(health, start=start)  # the rest is read at startup
    return LifespanGate(wrap(app, settings), dict(options), start)
