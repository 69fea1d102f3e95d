"""One call from an edition folder to the full publication: site, PDF, open data, positioning reports."""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from barometre.publish.initiatives_page import TABLES_FOLDER, edition_initiatives
from barometre.publish.opendata import write_package
from barometre.publish.positioning import PEER_MIN, positions, write_positioning_reports
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


def _check_positioning(results: ReportResults) -> None:
    """Positioning reports need maturity scores (French error otherwise)."""
    if "scores" not in results.maturity:
        raise ValueError(
            "Rapports de positionnement impossibles : le questionnaire n'a pas de questions de "
            "maturité (ou la maturité n'a pas pu être calculée)."
        )


def positioning_reports(
    results: ReportResults,
    out_dir: str | Path,
    theme_name: str = "neutral",
    secret: str | None = None,
    peer_min: int = PEER_MIN,
) -> tuple[Path, int]:
    """Write every respondent's private positioning report; returns the folder and the count."""
    out = Path(out_dir)
    _check_positioning(results)
    table = positions(
        results.maturity["scores"],
        results.respondents,
        results.maturity["recommendations_themes"],
        peer_min,
        results.maturity.get("levels_scale"),
    )
    labels = {t.id: t.label for t in results.questionnaire.themes} | {"_global": "Indice global"}
    write_positioning_reports(
        table,
        results.respondents,
        labels,
        out,
        get_theme(theme_name),
        results.meta,
        _secret(out, secret),
        peer_min,
    )
    return out, table["code"].n_unique()


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
    results = compute_results(edition_dir, previous=before)
    if positioning_dir is not None:
        _check_positioning(results)  # refuse before writing anything
    initiatives = edition_initiatives(edition_dir)
    target = Path(out_dir).resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        pages = write_site(results, staging, chosen, initiatives)
        if initiatives is not None:
            initiatives.write(staging / TABLES_FOLDER)
        answers = None
        if microdata:
            from barometre.edition.files import read_edition

            answers = read_edition(edition_dir).consolidated()
        write_package(
            results, staging / OPEN_DATA_FOLDER, answers, salt=secret or secrets.token_hex(16)
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
            results, positioning_dir, theme, secret, peer_min
        )
    return output
