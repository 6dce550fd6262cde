"""Settings for bench/registration.py: the project's settings, with a URLconf
that adds one bare view to compare with (bench/registration_urls.py)."""

from __future__ import annotations

from config.settings import *  # noqa: F403

ROOT_URLCONF = "registration_urls"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
LOGGING = {"version": 1, "disable_existing_loggers": False,
           "root": {"handlers": [], "level": "WARNING"}}
