"""The WSGI entry point served by granian and gunicorn."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

import pytest


@pytest.mark.parametrize(("setting", "expected"), [(None, 0.001), ("5", 0.005)])
def test_the_served_app_switches_threads_every_millisecond(tmp_path, setting, expected):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "barometre.web.settings.production",
        "BAROMETRE_SECRET_KEY": secrets.token_urlsafe(60),
        "BAROMETRE_DB": str(tmp_path / "db.sqlite3"),
    }
    env.pop("DATABASE_URL", None)
    env.pop("BAROMETRE_SWITCH_INTERVAL_MS", None)
    if setting is not None:
        env["BAROMETRE_SWITCH_INTERVAL_MS"] = setting
    code = (
        "import sys; from barometre.web.wsgi import application; "
        "print(callable(application), sys.getswitchinterval())"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["True", str(expected)]
