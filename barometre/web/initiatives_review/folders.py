"""Where the review screens find initiatives folders: `<editions dir>/<slug>/initiatives/`."""

from __future__ import annotations

import fcntl
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.http import Http404

from barometre.initiatives.folder import InitiativesFolder

SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,100}$")


def editions_dir() -> Path | None:
    """Folder holding one folder per edition (setting or env `BAROMETRE_EDITIONS_DIR`)."""
    value = getattr(settings, "BAROMETRE_EDITIONS_DIR", "") or os.environ.get(
        "BAROMETRE_EDITIONS_DIR", ""
    )
    return Path(value) if value else None


def review_folders() -> list[tuple[str, InitiativesFolder]]:
    """(slug, folder) of every edition folder with an imported initiatives corpus, by slug."""
    root = editions_dir()
    if root is None or not root.is_dir():
        return []
    found = []
    for edition in sorted(p for p in root.iterdir() if p.is_dir() and SLUG.match(p.name)):
        folder = InitiativesFolder.of_edition(edition)
        if folder.has_corpus():
            found.append((edition.name, folder))
    return found


def folder_for(slug: str) -> InitiativesFolder:
    """The initiatives folder of one edition (404 when unknown or without a corpus)."""
    root = editions_dir()
    if root is None or not SLUG.match(slug):
        raise Http404("Édition inconnue.")
    folder = InitiativesFolder.of_edition(root / slug)
    if not folder.has_corpus():
        raise Http404("Aucun corpus d'initiatives pour cette édition.")
    return folder


@contextmanager
def folder_lock(folder: InitiativesFolder) -> Iterator[None]:
    """Exclusive lock on the folder (flock on its directory) while corrections are appended.

    Serialises the read-append-replace of `corrections.csv` between server processes so that two
    operators saving at the same time never lose a correction; nothing is written to lock.
    """
    descriptor = os.open(folder.path, os.O_RDONLY)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)
