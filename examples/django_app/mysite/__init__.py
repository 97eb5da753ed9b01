"""The example Django project (settings, URLs, WSGI entry point)."""
