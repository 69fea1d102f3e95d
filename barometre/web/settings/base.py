"""Settings shared by every environment; secrets and deployment choices come from the environment."""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
PACKAGE_DIR = BASE_DIR.parent
SECRET_KEY = os.environ.get("BAROMETRE_SECRET_KEY", "dev-only-insecure-key-change-me")
DEBUG = False
ALLOWED_HOSTS = os.environ.get("BAROMETRE_ALLOWED_HOSTS", "localhost,127.0.0.1").split(",")

# Visual theme: "neutral" (default, our own) or "dsfr" (State design system: its licence restricts
# it to State services, so it is never the default and must be asked for explicitly).
BAROMETRE_THEME = os.environ.get("BAROMETRE_THEME", "neutral").strip().lower()
if BAROMETRE_THEME not in ("neutral", "dsfr"):
    BAROMETRE_THEME = "neutral"
BAROMETRE_SITE_TITLE = os.environ.get("BAROMETRE_SITE_TITLE", "Baromètre de maturité numérique")
BAROMETRE_OPERATOR_NAME = os.environ.get("BAROMETRE_OPERATOR_NAME", "")
# Public base URL used in emails and printed links (no trailing slash).
BAROMETRE_PUBLIC_URL = os.environ.get("BAROMETRE_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
# URL prefix of the respondent (private link) pages, watched by the token rate limiter.
BAROMETRE_TOKEN_PATH_PREFIX = "/r/"
# Rate limit on private-link pages: failed look-ups (unknown/revoked/expired) per client and window.
BAROMETRE_TOKEN_FAILURES_LIMIT = int(os.environ.get("BAROMETRE_TOKEN_FAILURES_LIMIT", "20"))
BAROMETRE_TOKEN_FAILURES_WINDOW = int(os.environ.get("BAROMETRE_TOKEN_FAILURES_WINDOW", "600"))
# Operator login: failed attempts per account name and per address within the window (seconds).
BAROMETRE_LOGIN_FAILURES_PER_NAME = int(os.environ.get("BAROMETRE_LOGIN_FAILURES_PER_NAME", "10"))
BAROMETRE_LOGIN_FAILURES_PER_ADDRESS = int(
    os.environ.get("BAROMETRE_LOGIN_FAILURES_PER_ADDRESS", "50")
)
BAROMETRE_LOGIN_FAILURES_WINDOW = int(os.environ.get("BAROMETRE_LOGIN_FAILURES_WINDOW", "900"))
BAROMETRE_EDITIONS_DIR = os.environ.get("BAROMETRE_EDITIONS_DIR", "")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "barometre.collection",
    "barometre.web",
    "barometre.web.initiatives_review",
]
if BAROMETRE_THEME == "dsfr":
    INSTALLED_APPS += ["widget_tweaks", "dsfr"]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "barometre.web.security_headers.ContentSecurityPolicyMiddleware",
    "barometre.web.limits.RequestSizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "barometre.collection.ratelimit.TokenRateLimitMiddleware",
    "barometre.collection.respondent.sessions.RespondentSessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
ROOT_URLCONF = "barometre.web.urls"
WSGI_APPLICATION = "barometre.web.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "barometre.collection.respondent.theme.theme",
                "barometre.collection.operator.context.operator_account",
            ],
        },
    }
]


def database_settings(url: str | None) -> dict:
    """The default database from a URL: SQLite (WAL, busy timeout, immediate writes) or PostgreSQL."""
    default = f"sqlite:///{os.environ.get('BAROMETRE_DB', Path.cwd() / 'barometre.sqlite3')}"
    config = dj_database_url.parse(url or default)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["OPTIONS"] = {
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;"
            ),
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    # Persistent connections (per worker thread): no reconnection nor PRAGMAs on every request.
    config["CONN_MAX_AGE"] = int(os.environ.get("BAROMETRE_CONN_MAX_AGE", "600"))
    # No health check: it costs a `SELECT 1` round trip on every request; a broken connection
    # fails one request and is then closed by Django (errors mark it unusable).
    config["CONN_HEALTH_CHECKS"] = False
    return config


DATABASES = {"default": database_settings(os.environ.get("DATABASE_URL"))}

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "barometre",
    },
    # Counters of failed link look-ups and of failed operator logins: in the database, so that
    # every worker process of the server counts in the same place (a per-process counter would
    # multiply the limit by the number of workers). Table created by `setup_django` and by the
    # test database creation (`createcachetable`).
    "limits": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "barometre_limits",
    },
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "operator:login"
LOGIN_REDIRECT_URL = "operator:home"
LOGOUT_REDIRECT_URL = "operator:login"

# Email: console by default, a folder with BAROMETRE_EMAIL_DIR, SMTP when EMAIL_HOST is set.
if os.environ.get("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["EMAIL_HOST"]
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = os.environ.get("EMAIL_USE_TLS", "1") == "1"
elif os.environ.get("BAROMETRE_EMAIL_DIR"):
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = os.environ["BAROMETRE_EMAIL_DIR"]
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get("BAROMETRE_FROM_EMAIL", "barometre@localhost")

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("BAROMETRE_STATIC_ROOT", Path.cwd() / "staticfiles"))
# Form fields (not files) of one request; beyond, Django answers 400 (French page 400.html).
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
# Any request body, files included, judged on Content-Length before reading (413, French page);
# forms then cap each file with a message naming the field.
BAROMETRE_MAX_REQUEST_BYTES = int(os.environ.get("BAROMETRE_MAX_REQUEST_BYTES", "50000000"))
CSRF_FAILURE_VIEW = "barometre.web.limits.csrf_failure"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Private links carry their token in the path: request logs redact it.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_tokens": {"()": "barometre.collection.ratelimit.RedactTokenFilter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["redact_tokens"]},
    },
    "loggers": {
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.request": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}
