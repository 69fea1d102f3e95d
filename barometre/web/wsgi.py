"""WSGI entry point for production servers (gunicorn, granian)."""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "barometre.web.settings.production")

application = get_wsgi_application()
