"""`barometre demo` end to end: edition, initiatives corpus, report, open data, correlations."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from barometre.cli import main
from barometre.initiatives.corpus import example_corpus
from barometre.initiatives.folder import InitiativesFolder
from barometre.maturity.correlations import french_number
from barometre.publish.correlation_section import correlation_section, strategy_services_pair
from barometre.publish.site import write_site
from barometre.publish.themes import get_theme

EY = "ey-france-urbaine-maturite"


def _demo(folder: Path, *args: str) -> str:
    """Run `barometre demo` and return its output."""
    result = CliRunner().invoke(main, ["demo", str(folder), "--seed", "11", *args])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def ey_demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A full EY demo (report, open data, positioning reports)."""
    folder = tmp_path_factory.mktemp("pipeline") / "ey"
    return folder, _demo(folder, "--template", EY, "--size", "39")


def test_small_demo_writes_site_open_data_and_initiatives(tmp_path: Path) -> None:
    folder = tmp_path / "petite"
    output = _demo(folder, "--size", "80")
    site = folder / "rapport"
    assert (site / "index.html").exists()
    package = json.loads((site / "donnees" / "datapackage.json").read_text(encoding="utf-8"))
    assert {r["name"] for r in package["resources"]} >= {"estimations", "chiffres_cles"}
    assert f"site : {site.resolve() / 'index.html'}" in output
    assert f"données ouvertes : {site.resolve() / 'donnees' / 'datapackage.json'}" in output
    assert "rapports de positionnement (privés, à ne pas publier) : 80 dans" in output
    assert len(list((folder / "positionnement").glob("*.html"))) == 80
    assert not (site / "rapport.pdf").exists()
    # the shipped corpus, copied through the initiatives API, and its page
    corpus = InitiativesFolder.of_edition(folder).corpus(None)
    assert corpus.height == example_corpus().height
    page = (site / "initiatives.html").read_text(encoding="utf-8")
    assert f"Analyse des {corpus.height} initiatives" in page
    assert "Initiatives pour 1&#8239;000 habitants" in page and "ρ de Spearman" in page
    shares = pl.read_csv(site / "initiatives" / "parts_domaines.csv")
    assert abs(shares["part"].sum() - 1) < 1e-9
    top = shares.sort("part", descending=True).row(0, named=True)
    assert top["libelle"] in page
    assert 'href="initiatives.html"' in (site / "index.html").read_text(encoding="utf-8")


def test_sans_rapport_writes_only_the_edition(tmp_path: Path) -> None:
    output = _demo(tmp_path / "e", "--size", "50", "--sans-rapport")
    assert not (tmp_path / "e" / "rapport").exists()
    assert (tmp_path / "e" / "initiatives" / "corpus.csv").exists()
    assert "Rapport écrit" not in output


def test_ey_demo_report_states_the_seed_questions_with_correlations(ey_demo) -> None:
    folder, output = ey_demo
    site = folder / "rapport"
    page = (site / "maturite.html").read_text(encoding="utf-8")
    assert "Corrélations" in page
    question = (
        "La maturité en « Stratégie et gouvernance numériques » est-elle associée à la "
        "maturité en « Services aux usagers » ?"
    )
    assert question.replace("«", "&laquo;") in page or question in page
    themes = pl.read_csv(site / "resultats" / "maturity_correlations_themes.csv")
    pair = themes.filter((pl.col("x") == "strategie") & (pl.col("y") == "services_usagers"))
    assert pair.height == 1
    rho = french_number(pair["r"][0])
    assert f"ρ = {rho}" in page
    # 9 themes + the global index, each pair once, in the matrix both ways
    assert themes.height == 45
    assert page.count(f"<strong>{rho} (") + page.count(f">{rho} (") >= 2
    pairs = pl.read_csv(site / "resultats" / "maturity_correlations.csv")
    assert "log10(population)" in pairs["x"].to_list()
    assert "La maturité numérique (indice global) croît-elle avec la population ?" in page
    # positioning reports for every respondent, and where they are
    links = pl.read_csv(folder / "positionnement" / "liens.csv", infer_schema=False)
    assert links.height == 39
    assert re.search(r"39 dans .*positionnement", output)
    assert re.search(r"Rapport écrit en \d+ s", output)


def test_correlation_section_answers_from_the_weighted_tables(ey_results) -> None:
    assert strategy_services_pair(ey_results) == ("strategie", "services_usagers")
    section = correlation_section(ey_results)
    themes = ey_results.maturity["correlations_themes"]
    matrix = section["matrix"]
    assert len(matrix["columns"]) == 10 and matrix["columns"][-1] == "Indice global"
    n = len(matrix["rows"])
    for i in range(n):
        assert matrix["rows"][i]["cells"][i]["text"] == "—"
        for j in range(i + 1, n):
            assert matrix["rows"][i]["cells"][j] == matrix["rows"][j]["cells"][i]
    row = themes.filter((pl.col("x") == "strategie") & (pl.col("y") == "services_usagers")).row(
        0, named=True
    )
    answer = section["questions"][0]
    assert answer["question"].startswith("La maturité en « Stratégie")
    assert (row["p_value"] < 0.05) == answer["verdict"].startswith("Oui")
    assert f"ρ = {french_number(row['r'])}" in answer["sentence"]
    assert all(not math.isnan(float(p["rho"].replace(",", "."))) for p in section["pairs"])


def test_no_corpus_means_no_initiatives_page(ey_results, tmp_path: Path) -> None:
    pages = write_site(ey_results, tmp_path / "site", get_theme("neutral"))
    names = {p.name for p in pages}
    assert "maturite.html" in names and "initiatives.html" not in names
    assert "Initiatives numériques" not in (tmp_path / "site" / "index.html").read_text(
        encoding="utf-8"
    )


@pytest.mark.browser
def test_maturity_page_with_correlations_is_accessible(
    chromium_browser, assert_accessible, ey_demo
) -> None:
    folder, _ = ey_demo
    context = chromium_browser.new_context(locale="fr-FR", viewport={"width": 1100, "height": 900})
    try:
        tab = context.new_page()
        tab.goto((folder / "rapport" / "maturite.html").resolve().as_uri())
        assert tab.locator("table.matrix tbody tr").count() == 10
        assert_accessible(tab, "publish-maturite-correlations")
    finally:
        context.close()
