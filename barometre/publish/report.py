"""One call from an edition folder to the full publication: site, PDF, open data, positioning reports."""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from barometre.publish.initiatives_page import TABLES_FOLDER, edition_initiatives
from barometre.publish.opendata import write_package
from barometre.publish.peer_groups import check_peer_min
from barometre.publish.positioning import (
    PEER_MIN,
    build_positioning,
    check_positioning_folder,
    write_positioning_reports,
)
from barometre.publish.site import write_pdf, write_site
from barometre.publish.themes import get_theme
from barometre.results.store import ReportResults, compute_results, save_results

OPEN_DATA_FOLDER = "donnees"
RESULTS_FOLDER = "resultats"
SECRET_ENV = "BAROMETRE_SECRET_POSITIONNEMENT"
SECRET_FILE = "secret.txt"


@dataclass
class ReportOutput:
    """Where things were written."""

    site: Path
    pages: list[Path]
    open_data: Path
    results: Path
    pdf: Path | None = None
    annex: Path | None = None
    positioning: Path | None = None
    positioning_count: int = 0
    initiatives: Path | None = None
    warnings: list[str] = field(default_factory=list)


def _secret(folder: Path, given: str | None) -> str:
    """The HMAC secret of private links: given, from the environment, or kept in the private folder."""
    if given:
        return given
    if os.environ.get(SECRET_ENV):
        return os.environ[SECRET_ENV]
    path = folder / SECRET_FILE
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    folder.mkdir(parents=True, exist_ok=True)
    value = secrets.token_hex(32)
    path.write_text(value, encoding="utf-8")
    path.chmod(0o600)
    return value


def edition_answers(edition_dir: str | Path) -> pl.DataFrame:
    """The edition's answers, one row per collectivité (the consolidation rule)."""
    from barometre.edition.files import read_edition

    return read_edition(edition_dir).consolidated()


def positioning_reports(
    results: ReportResults,
    answers: pl.DataFrame,
    out_dir: str | Path,
    theme_name: str = "neutral",
    secret: str | None = None,
    peer_min: int = PEER_MIN,
) -> tuple[Path, int]:
    """Write every respondent's private positioning report; returns the folder and the count.

    Every questionnaire gets them: answers next to the peers' (and maturity scores when the
    questionnaire has maturity items).
    """
    out = Path(out_dir)
    positioning = build_positioning(
        results.questionnaire, results.respondents, answers, results.maturity, peer_min
    )
    write_positioning_reports(
        positioning,
        out,
        get_theme(theme_name),
        results.meta,
        _secret(out, secret),
        {"_global": "Indice global"},
    )
    return out, positioning.people.height


def build_report(
    edition_dir: str | Path,
    out_dir: str | Path,
    pdf: bool = False,
    theme: str = "neutral",
    previous: str | Path | None = None,
    microdata: bool = False,
    positioning_dir: str | Path | None = None,
    secret: str | None = None,
    peer_min: int = PEER_MIN,
) -> ReportOutput:
    """Analyse the edition and write the report site (and PDF), open data and positioning reports.

    The site is built in a temporary sibling folder and moved into place at the end: a failure
    never leaves a half-written report.
    """
    chosen = get_theme(theme)
    before = compute_results(previous) if previous else None
    results = compute_results(edition_dir, previous=before, previous_dir=previous)
    if positioning_dir is not None:  # refuse before writing anything
        check_peer_min(peer_min)
        check_positioning_folder(Path(positioning_dir).resolve())
    initiatives = edition_initiatives(edition_dir)
    target = Path(out_dir).resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        pages = write_site(results, staging, chosen, initiatives)
        if initiatives is not None:
            initiatives.write(staging / TABLES_FOLDER)
        answers = edition_answers(edition_dir) if microdata or positioning_dir else None
        write_package(
            results,
            staging / OPEN_DATA_FOLDER,
            answers if microdata else None,
            salt=secret or secrets.token_hex(16),
        )
        save_results(results, staging / RESULTS_FOLDER)
        pdf_paths = write_pdf(staging) if pdf else None
        if target.exists():
            shutil.rmtree(target)
        staging.chmod(0o755)
        staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    output = ReportOutput(
        site=target,
        pages=[target / p.name for p in pages],
        open_data=target / OPEN_DATA_FOLDER / "datapackage.json",
        results=target / RESULTS_FOLDER,
        pdf=target / pdf_paths[0].name if pdf_paths else None,
        annex=target / pdf_paths[1].name if pdf_paths else None,
        warnings=list(results.diagnostics.get("warnings", [])),
        initiatives=target / TABLES_FOLDER if initiatives is not None else None,
    )
    if positioning_dir is not None:
        output.positioning, output.positioning_count = positioning_reports(
            results, answers, positioning_dir, theme, secret, peer_min
        )
    return output
