"""Settings for the test suite: SQLite by default, PostgreSQL when DATABASE_URL is set."""

import os
import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import database_settings

if not os.environ.get("DATABASE_URL") and not os.environ.get("BAROMETRE_DB"):
    # Any stray connection to the "real" database lands in /tmp. The test database is a file,
    # not Django's shared-cache in-memory one: there, a live server thread writing an autosave
    # while the test thread reads fails at once with "database table is locked" (table locks
    # ignore the busy timeout); a file in WAL mode lets readers and the writer overlap.
    _tmp = Path(tempfile.gettempdir())
    DATABASES = {"default": database_settings(f"sqlite:///{_tmp / 'barometre-test.sqlite3'}")}
    DATABASES["default"]["TEST"] = {"NAME": str(_tmp / f"barometre-test-{os.getpid()}.sqlite3")}

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Static files straight from the apps (no collectstatic in tests).
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
