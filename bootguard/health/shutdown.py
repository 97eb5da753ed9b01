"""Graceful shutdown: on SIGTERM, stop being ready before stopping.

Kubernetes sends SIGTERM and, at about the same time, starts taking the pod out of the
Service's endpoints; load balancers notice a failing readiness probe.  Answering 503 on
``/readyz`` from the first moment of shutdown (``bootguard.drain()``) keeps new traffic
away while in-flight requests finish.  :func:`install_sigterm_drain` does that from a
signal handler and then hands the signal on to whoever handled it before (the server's
own graceful shutdown, or the default action), optionally after a grace period.

Servers that install their own handlers after the application is loaded (gunicorn's
arbiter, uvicorn) replace this one; call ``bootguard.drain()`` from their shutdown hooks
instead (gunicorn ``worker_int``/``on_exit``, a Starlette/FastAPI lifespan's shutdown).
"""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType

from bootguard import state

__all__ = ["install_sigterm_drain"]


def install_sigterm_drain(*, grace: float = 0.0, signum: int = signal.SIGTERM) -> bool:
    """On ``signum`` (default SIGTERM): drain, then pass the signal to the previous handler.

    ``grace`` seconds between draining and passing the signal on (default 0): time for the
    load balancer to see 503 before the server stops accepting.  A second signal during the
    grace period is passed on at once.  Returns False (and logs why) when no handler can be
    installed, e.g. outside the main thread.
    """
    try:
        previous = signal.getsignal(signum)
    except (ValueError, OSError) as err:
        logging.getLogger("bootguard").warning("bootguard: cannot watch signal %s: %s", signum, err)
        return False

    def on_signal(received: int, frame: FrameType | None) -> None:
        state.drain()
        logging.getLogger("bootguard").warning(
            "bootguard: signal %s received: draining (readiness now 503)", received
        )
        signal.signal(received, signal.SIG_DFL if previous is None else previous)
        if previous == signal.SIG_IGN:
            return
        if grace > 0:
            timer = threading.Timer(grace, signal.raise_signal, args=(received,))
            timer.daemon = True
            timer.start()
        else:
            signal.raise_signal(received)

    try:
        signal.signal(signum, on_signal)
    except (ValueError, OSError) as err:  # not the main thread, or a signal we may not catch
        logging.getLogger("bootguard").warning(
            "bootguard: cannot install the drain handler for signal %s: %s", signum, err
        )
        return False
    return True
