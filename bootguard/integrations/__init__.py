"""Where bootguard meets a framework or a server: Django, gunicorn, Celery, ASGI lifespan, Sentry.

Each module here is imported by the application (``INSTALLED_APPS``, ``gunicorn.conf.py``,
the Celery app module, ``asgi.py``, ``sentry_sdk.init``) and calls the gate
(:mod:`bootguard.gate`) or, for Sentry, is called by it through
:mod:`~bootguard.integrations.sentry_relay`.  A module whose framework is not installed
refuses to import with one line saying what is missing
(:func:`~bootguard.integrations._require.require`).  This package imports nothing itself.
"""
