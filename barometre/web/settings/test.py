"""Settings for the test suite: SQLite by default, PostgreSQL when DATABASE_URL is set."""

import os
import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import database_settings

if not os.environ.get("DATABASE_URL") and not os.environ.get("BAROMETRE_DB"):
    # Tests use an in-memory database; any stray connection to the "real" one lands in /tmp.
    DATABASES = {
        "default": database_settings(
            f"sqlite:///{Path(tempfile.gettempdir()) / 'barometre-test.sqlite3'}"
        )
    }

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Static files straight from the apps (no collectstatic in tests).
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
