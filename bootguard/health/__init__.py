"""The health side: what a probe is answered, and what keeps that answer current.

* :mod:`~bootguard.health.wsgi` / :mod:`~bootguard.health.asgi`: the middleware
  (:class:`~bootguard.health.wsgi.WSGIHealthMiddleware`,
  :class:`~bootguard.health.asgi.ASGIHealthMiddleware`) that answers ``/livez``, ``/readyz``
  and ``/healthz`` in front of an application;
* :mod:`~bootguard.health.server`: the same endpoints on their own port (``bootguard serve``);
* :mod:`~bootguard.health._responses`: the responses, prepared once per verdict;
* :mod:`~bootguard.health.recheck`, :mod:`~bootguard.health.shutdown`,
  :mod:`~bootguard.health.metrics`: re-check the environment, drain on SIGTERM, export
  Prometheus gauges.

Everything here reads the verdict from :mod:`bootguard.state`; nothing here runs the gate.
This package imports nothing itself (see docs/design.md, "Deferred imports").
"""
