"""Production settings: secrets from the environment, HTTPS only, secure cookies and headers."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = os.environ.get("BAROMETRE_SECRET_KEY", "")
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured(
        "BAROMETRE_SECRET_KEY doit contenir au moins 50 caractères aléatoires en production."
    )
SECURE_SSL_REDIRECT = os.environ.get("BAROMETRE_SSL_REDIRECT", "1") == "1"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_AGE = 8 * 3600
CSRF_TRUSTED_ORIGINS = [
    o for o in os.environ.get("BAROMETRE_CSRF_TRUSTED_ORIGINS", "").split(",") if o
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Shared by every worker process (the campaign waves are invalidated on change), in the database:
# no folder of the system temp dir that another local user could create first.
CACHES = {
    **CACHES,  # noqa: F405
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "barometre_cache",
    },
}
