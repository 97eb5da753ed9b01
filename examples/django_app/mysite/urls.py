"""One view: the application itself (the health endpoints are answered before Django)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path

__all__ = ["urlpatterns"]


def index(request: HttpRequest) -> HttpResponse:
    """The shop's front page."""
    return HttpResponse("shop: open\n", content_type="text/plain")


urlpatterns = [path("", index)]
