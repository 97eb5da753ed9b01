"""WSGI entry point: ``gunicorn mysite.wsgi``.

``bootguard.guard`` reuses the verdict ``BootguardConfig.ready()`` reached while
``get_wsgi_application()`` set Django up, and wraps the application in the health
middleware: ``/livez``, ``/readyz`` and ``/healthz`` are answered before Django (and its
``ALLOWED_HOSTS``) sees the request.
"""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

import bootguard

__all__ = ["application"]

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")

application = bootguard.guard(get_wsgi_application())
