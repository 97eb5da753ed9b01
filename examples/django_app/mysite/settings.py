"""Settings of the example project: the minimum Django needs, plus bootguard and Sentry."""

from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent  # bootguard finds pyproject.toml here
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "example-only-do-not-deploy-this-key")
DEBUG = False
ALLOWED_HOSTS = os.environ.get("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1").split(",")

INSTALLED_APPS = [
    # The check runs once per process in AppConfig.ready(); `manage.py check --deploy`
    # lists each problem (bootguard.E001 / W001).
    "bootguard.integrations.django.BootguardConfig",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",  # validates the Host against ALLOWED_HOSTS
]
ROOT_URLCONF = "mysite.urls"
WSGI_APPLICATION = "mysite.wsgi.application"
DATABASES: dict[str, dict[str, str]] = {}
USE_TZ = True

# bootguard's settings, like guard(**kwargs); they win over BOOTGUARD_* and pyproject.toml.
# e.g. {"mode": "enforce", "imports": ["mysite.urls"], "recheck_interval": 60}
BOOTGUARD: dict[str, object] = {}

# Sentry from the environment: no DSN, no Sentry.  bootguard never calls sentry_sdk.init:
# it reports through this client, one event per drifted node per boot.
SENTRY_DSN = os.environ.get("SENTRY_DSN", "")
if SENTRY_DSN:
    import sentry_sdk

    sentry_sdk.init(dsn=SENTRY_DSN, environment=os.environ.get("SENTRY_ENVIRONMENT"))
