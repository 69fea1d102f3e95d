"""Settings of `barometre serve` on one machine: no debug, plain HTTP on loopback, local secret key."""

import os
import secrets
from pathlib import Path

from .base import *  # noqa: F403
from .base import DATABASES

DEBUG = False
ALLOWED_HOSTS = os.environ.get("BAROMETRE_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",")


def _local_secret_key() -> str:
    """The secret key from the environment, else one generated once and kept next to the database."""
    if os.environ.get("BAROMETRE_SECRET_KEY"):
        return os.environ["BAROMETRE_SECRET_KEY"]
    name = str(DATABASES["default"].get("NAME") or "barometre")
    path = Path(
        f"{name}.secret"
        if DATABASES["default"]["ENGINE"].endswith("sqlite3")
        else ".barometre.secret"
    )
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


SECRET_KEY = _local_secret_key()
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
