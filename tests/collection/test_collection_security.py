"""Security: deploy checks, token rate limiting, tokens absent from logs."""

from __future__ import annotations

import logging
import os
import secrets
import subprocess
import sys

import pytest
from django.core.cache import cache
from django.test import Client, override_settings

from barometre.collection.ratelimit import RedactTokenFilter, redact


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "barometre.web.settings.production",
        "BAROMETRE_SECRET_KEY": secrets.token_urlsafe(60),
        "BAROMETRE_ALLOWED_HOSTS": "barometre.example.org",
        "BAROMETRE_DB": str(tmp_path / "db.sqlite3"),
    }
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    result = subprocess.run(
        [sys.executable, "-m", "barometre.web", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_a_missing_secret_key(tmp_path):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "barometre.web.settings.production"}
    env.pop("BAROMETRE_SECRET_KEY", None)
    result = subprocess.run(
        [sys.executable, "-m", "barometre.web", "check"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0 and "BAROMETRE_SECRET_KEY" in result.stderr


@pytest.mark.django_db
@override_settings(BAROMETRE_TOKEN_FAILURES_LIMIT=3)
def test_failed_token_lookups_are_rate_limited_per_client(campaign, make_target):
    from barometre.collection.services import issue_invitation

    cache.clear()
    _, raw = issue_invitation(make_target(campaign, "29001"))
    guesser = Client(REMOTE_ADDR="10.0.0.9")
    codes = [guesser.get(f"/r/{secrets.token_urlsafe(32)}/").status_code for _ in range(4)]
    assert codes == [404, 404, 404, 429]
    assert guesser.get(f"/r/{raw}/").status_code == 429
    other = Client(REMOTE_ADDR="10.0.0.10")
    assert other.get(f"/r/{raw}/").status_code in (200, 302)
    cache.clear()


def test_tokens_are_redacted_from_request_logs():
    token = secrets.token_urlsafe(32)
    assert token not in redact(f'"GET /r/{token}/ HTTP/1.1" 404 12')
    ordinary = '"POST /r/questionnaire/participation_citoyenne/autosave/ HTTP/1.1" 200 40'
    assert redact(ordinary) == ordinary
    record = logging.LogRecord(
        "django.server", logging.INFO, "", 0, '"%s" %s', (f"GET /r/{token}/", 404), None
    )
    RedactTokenFilter().filter(record)
    assert token not in record.getMessage()
