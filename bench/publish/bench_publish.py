"""Benchmark of the publication: national report + open data, and 36,224 positioning reports.

Run: .venv/bin/python bench/publish/bench_publish.py [--size 36224] [--pdf] [--out /tmp/bench-publish]
     [--positionnement-seulement]   (only the two positioning batches: DINUM and EY questionnaires)
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

from barometre.edition.figures import load_figures
from barometre.edition.files import write_edition
from barometre.edition.simulate import simulate_edition
from barometre.publish.opendata import write_package
from barometre.publish.report import edition_answers, positioning_reports
from barometre.publish.site import write_pdf, write_site
from barometre.publish.themes import get_theme
from barometre.questionnaire.templates_catalogue import load_template, template_text
from barometre.register import load_register
from barometre.results.store import compute_results, save_results

DINUM = "dinum-collectivites-numerique-2024"
EY = "ey-france-urbaine-maturite"


def _edition(
    folder: Path, questionnaire_template: str, size: int, template_meta: str | None
) -> Path:
    """A national simulated edition: the DINUM frame (communes, EPCI, départements, régions)."""
    frame = load_figures(DINUM).demo
    questionnaire = load_template(questionnaire_template)
    simulated = simulate_edition(
        questionnaire,
        list(load_figures(questionnaire_template).figures),
        load_register().entities,
        frame,
        size=size,
        seed=7,
    )
    meta = {"id": f"bench-{questionnaire_template}", "title": "Banc d'essai", "year": 2026}
    if template_meta:
        meta["template"] = template_meta
    return write_edition(
        folder,
        meta=meta,
        questionnaire_text=template_text(questionnaire_template),
        responses=simulated.responses,
        frame_attributes=simulated.frame_attributes,
    )


def _clock() -> tuple[float, float]:
    """Wall and CPU (user + system, this process) seconds."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return time.perf_counter(), usage.ru_utime + usage.ru_stime


def _step(label: str, start: tuple[float, float]) -> tuple[float, float]:
    """Print the wall and CPU time since `start`."""
    now = _clock()
    print(f"{label:<48} {now[0] - start[0]:7.1f} s mur  {now[1] - start[1]:7.1f} s CPU", flush=True)
    return now


def main() -> None:
    """Run both benchmarks."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=36224)
    parser.add_argument("--pdf", action="store_true")
    parser.add_argument("--out", type=Path, default=Path("/tmp/bench-publish"))
    parser.add_argument("--positionnement-seulement", dest="only_positioning", action="store_true")
    args = parser.parse_args()
    out = args.out
    load_register()
    t = _clock()
    national = _edition(out / "edition-dinum", DINUM, args.size, DINUM)
    t = _step(f"édition nationale DINUM ({args.size} répondants)", t)
    results = compute_results(national)
    t = _step("analyse (calage, estimations, chiffres clés)", t)
    answers = edition_answers(national)
    _, count = positioning_reports(results, answers, out / "positionnement-dinum", secret="bench")
    t = _step(f"{count} rapports de positionnement HTML (DINUM)", t)
    if not args.only_positioning:
        t = _site(results, out, args.pdf, t)
    maturity = _edition(out / "edition-maturite", EY, args.size, None)
    t = _step(f"édition nationale de maturité ({args.size} répondants)", t)
    results = compute_results(maturity)
    t = _step("analyse + maturité (scores, niveaux, typologie)", t)
    answers = edition_answers(maturity)
    _, count = positioning_reports(results, answers, out / "positionnement", secret="bench")
    _step(f"{count} rapports de positionnement HTML (EY)", t)
    print(f"écrits dans {out}")


def _site(results, out: Path, pdf: bool, t: tuple[float, float]) -> tuple[float, float]:
    """The national report site, open data and (optionally) PDF."""
    pages = write_site(results, out / "rapport", get_theme("neutral"))
    t = _step(f"site statique ({len(pages)} pages, graphiques HTML)", t)
    write_package(results, out / "rapport" / "donnees")
    save_results(results, out / "rapport" / "resultats")
    t = _step("données ouvertes + tables du tableau de bord", t)
    if pdf:
        write_pdf(out / "rapport")
        t = _step("PDF : synthèse et annexe (WeasyPrint)", t)
    return t


if __name__ == "__main__":
    main()
