"""Start Django from the command line (`barometre serve`, `invite`, `export`) and migrate."""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_SETTINGS = "barometre.web.settings.local"


def setup_django(
    db: Path | None = None, settings_module: str | None = None, migrate: bool = True
) -> None:
    """Configure Django (SQLite file `db`, else BAROMETRE_DB / DATABASE_URL) and apply migrations."""
    if db is not None:
        os.environ["BAROMETRE_DB"] = str(Path(db).resolve())
        os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings_module or DEFAULT_SETTINGS)
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)
