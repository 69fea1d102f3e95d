"""WSGI entry point for production servers (gunicorn, granian).

The interpreter's thread switch interval drops from 5 ms to 1 ms (`BAROMETRE_SWITCH_INTERVAL_MS`):
a worker thread coming back from the database (or holding SQLite's write lock) waits less for
the GIL behind a page being rendered. Measured with `bench/load/run_load.py`, alternated runs:
SQLite p99 152–192 ms instead of 172–259 ms, PostgreSQL unchanged or better.
"""

from __future__ import annotations

import os
import sys

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "barometre.web.settings.production")
sys.setswitchinterval(float(os.environ.get("BAROMETRE_SWITCH_INTERVAL_MS", "1")) / 1000)

application = get_wsgi_application()
