"""Where the dashboard finds published results (folders written by `barometre report`).

`BAROMETRE_REPORTS_DIR` (setting or environment variable) names a folder that may be a report
folder's parent (one report per subfolder, named by the subfolder), an edition folder whose
report is in `rapport/` (what `barometre demo` writes), or a folder of such edition folders (as
`barometre demo --all`). `barometre serve` points it at the demo it serves, so the dashboard
shows that demo's edition with no setting.
"""

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
EDITION_REPORT = "rapport"
REPORTS_ENV = "BAROMETRE_REPORTS_DIR"
POSITIONING_ENV = "BAROMETRE_POSITIONING_DIR"


def reports_dir() -> Path:
    """The folder the published editions are searched in (setting, environment, `rapports`)."""
    value = getattr(settings, REPORTS_ENV, "") or os.environ.get(REPORTS_ENV, "rapports")
    return Path(value)


def positioning_dir() -> Path:
    """Private folder of the positioning reports (setting or BAROMETRE_POSITIONING_DIR)."""
    value = getattr(settings, POSITIONING_ENV, "") or os.environ.get(
        POSITIONING_ENV, "positionnement"
    )
    return Path(value)


def _has_results(folder: Path) -> bool:
    """True when `folder` is a report folder with saved results."""
    return (folder / RESULTS_FOLDER / RESULTS_FILE).is_file()


def _is_edition(folder: Path) -> bool:
    """True for an edition folder whose report was written in `rapport/` (`barometre demo`)."""
    return (folder / "edition.yaml").is_file() and _has_results(folder / EDITION_REPORT)


def report_folders() -> dict[str, Path]:
    """Slug → report folder of every published edition, sorted by slug."""
    root = reports_dir()
    if not root.is_dir():
        return {}
    found: dict[str, Path] = {}
    if _is_edition(root) and SLUG.match(root.resolve().name):
        # an edition folder: its report only (not also under the name `rapport`)
        return {root.resolve().name: root / EDITION_REPORT}
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and SLUG.match(p.name)):
        if _has_results(folder):
            found.setdefault(folder.name, folder)
        elif _is_edition(folder):
            found.setdefault(folder.name, folder / EDITION_REPORT)
    return dict(sorted(found.items()))


def published_editions() -> list[tuple[str, dict]]:
    """(slug, meta) of every published edition, sorted by slug."""
    return [
        (slug, _results(str(folder / RESULTS_FOLDER), _stamp(folder)).meta)
        for slug, folder in report_folders().items()
    ]


def _stamp(folder: Path) -> float:
    """Modification time of the saved results (cache key: a new report is picked up)."""
    return (folder / RESULTS_FOLDER / RESULTS_FILE).stat().st_mtime


@lru_cache(maxsize=16)
def _results(path: str, stamp: float) -> ReportResults:
    """Saved results, read once per version."""
    return load_results(path)


def results_for(slug: str) -> ReportResults:
    """The saved results of one published edition (404 if unknown)."""
    if not SLUG.match(slug):
        raise Http404("Édition inconnue")
    folder = report_folders().get(slug)
    if folder is None:
        raise Http404("Édition inconnue")
    return _results(str(folder / RESULTS_FOLDER), _stamp(folder))
