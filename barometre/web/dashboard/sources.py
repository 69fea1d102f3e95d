"""Where the dashboard finds published results (folders written by `barometre report`)."""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.http import Http404

from barometre.publish.report import RESULTS_FOLDER
from barometre.results.store import RESULTS_FILE, ReportResults, load_results

SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,100}$")


def reports_dir() -> Path:
    """Folder holding one report folder per edition (setting or BAROMETRE_REPORTS_DIR)."""
    value = getattr(settings, "BAROMETRE_REPORTS_DIR", "") or os.environ.get(
        "BAROMETRE_REPORTS_DIR", "rapports"
    )
    return Path(value)


def positioning_dir() -> Path:
    """Private folder of the positioning reports (setting or BAROMETRE_POSITIONING_DIR)."""
    value = getattr(settings, "BAROMETRE_POSITIONING_DIR", "") or os.environ.get(
        "BAROMETRE_POSITIONING_DIR", "positionnement"
    )
    return Path(value)


def published_editions() -> list[tuple[str, dict]]:
    """(slug, meta) of every report folder with saved results, sorted by slug."""
    root = reports_dir()
    if not root.is_dir():
        return []
    out = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and SLUG.match(p.name)):
        if (folder / RESULTS_FOLDER / RESULTS_FILE).exists():
            out.append((folder.name, _results(str(folder / RESULTS_FOLDER), _stamp(folder)).meta))
    return out


def _stamp(folder: Path) -> float:
    """Modification time of the saved results (cache key: a new report is picked up)."""
    return (folder / RESULTS_FOLDER / RESULTS_FILE).stat().st_mtime


@lru_cache(maxsize=16)
def _results(path: str, stamp: float) -> ReportResults:
    """Saved results, read once per version."""
    return load_results(path)


def results_for(slug: str) -> ReportResults:
    """The saved results of one published edition (404 if unknown)."""
    folder = reports_dir() / slug
    if not SLUG.match(slug) or not (folder / RESULTS_FOLDER / RESULTS_FILE).exists():
        raise Http404("Édition inconnue")
    return _results(str(folder / RESULTS_FOLDER), _stamp(folder))
