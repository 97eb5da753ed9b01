"""gunicorn settings: check the environment once, in the master, before any worker forks.

``gunicorn -c ../gunicorn/gunicorn.conf.py mysite.wsgi`` (from ``examples/django_app``),
or any other WSGI application.  gunicorn calls the two hooks by name: ``on_starting``
runs the check in the master (in ``enforce`` mode a failure exits 3 before a socket is
bound); ``when_ready`` logs the verdict the workers inherit.  With ``preload_app`` the
application (and its ``sentry_sdk.init``) loads in the master too, so a node sends one
Sentry event, not one per worker.
"""

from __future__ import annotations

from bootguard.integrations.gunicorn import on_starting, when_ready

__all__ = ["bind", "on_starting", "preload_app", "when_ready", "workers"]

bind = "127.0.0.1:8000"  # in a container: --bind 0.0.0.0:8000 (the kubelet probes the pod IP)
workers = 2
preload_app = True
