"""A real Django project in one module, with ``ALLOWED_HOSTS = ["example.com"]``.

Served by gunicorn as ``tests.support.health_django:application``: Django itself answers 400 to a
request whose ``Host`` is not allowed; bootguard's middleware in front of it must answer
``/readyz`` probes (kubelets send the pod IP as ``Host``) before Django looks.  The
verdict comes from :mod:`tests.support.health_apps` (same ``BG_APP_*`` variables).
"""

from __future__ import annotations

import django
from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.http import HttpRequest, HttpResponse
from django.urls import path

from bootguard.health.wsgi import WSGIHealthMiddleware
from tests.support import health_apps  # noqa: F401 - publishes the verdict at import

__all__ = ["application", "urlpatterns"]


def index(request: HttpRequest) -> HttpResponse:
    """The project's only page."""
    return HttpResponse(b"django ok\n", content_type="text/plain")


urlpatterns = [path("", index)]

settings.configure(
    DEBUG=False,
    SECRET_KEY="bootguard-tests-not-secret",
    ALLOWED_HOSTS=["example.com"],
    ROOT_URLCONF=__name__,
    MIDDLEWARE=["django.middleware.common.CommonMiddleware"],
    INSTALLED_APPS=[],
)
django.setup()
application = WSGIHealthMiddleware(get_wsgi_application())
