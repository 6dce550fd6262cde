"""WSGI entry point for bench/registration.py (settings: registration_site)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "registration_site")
application = get_wsgi_application()
