"""`python -m barometre.web <command>`: Django's manage.py for barometre (dev settings by default)."""

from __future__ import annotations

import os
import sys

from django.core.management import execute_from_command_line


def main() -> None:
    """Run a Django management command."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "barometre.web.settings.dev")
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
