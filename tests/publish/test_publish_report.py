"""The key-figures report: seed figures from demo answers, pages, wording, PDF, open data, evolution."""

from __future__ import annotations

import json
import math
import re
import shutil
import subprocess
from pathlib import Path

import polars as pl
import pytest
from markupsafe import escape

from barometre.edition.figures import load_figures
from barometre.publish.key_figures import all_figures, front_page
from barometre.publish.numbers import percent
from barometre.publish.pages import _evolution_lookup
from barometre.publish.wording import is_census, suppressed_reason, value_cell
from barometre.results.store import compute_results, load_results

DINUM = "dinum-collectivites-numerique-2024"
TEMPLATES = [
    DINUM,
    "ey-france-urbaine-maturite",
    "jvs-petites-communes-dematerialisation",
    "nouvelle-caledonie-services-publics",
]
FRONTPAGE_TOLERANCE = 0.02


def key_figure_views(results) -> dict[str, dict]:
    """The front page's figures by id."""
    return {v["id"]: v for v in all_figures(front_page(results, _evolution_lookup(results)))}


def _close_to_seed(raw: float, seed: float, comparison: str, n: int) -> bool:
    """The raw share of the demo answers matches the published figure (within sampling error)."""
    slack = FRONTPAGE_TOLERANCE + 3 * math.sqrt(seed * (1 - seed) / n)
    if comparison == "more_than":
        return raw >= seed - slack
    if comparison == "less_than":
        return raw <= seed + slack
    return abs(raw - seed) <= slack


@pytest.mark.parametrize("template", TEMPLATES)
def test_every_seed_template_yields_its_key_figures(editions, template: str) -> None:
    results = compute_results(editions[template])
    figures = {f.id: f for f in load_figures(template).figures}
    table = results.key_figures
    assert table.height == len([f for f in figures.values() if f.statistic == "share"])
    cards = key_figure_views(results)
    checked = 0
    for row in table.to_dicts():
        figure = figures[row["id"]]
        card = cards[row["id"]]
        assert card["label"] == figure.label
        if row["suppressed"]:
            assert card["value"] == "–" and "masquée" in card["suppressed"]
            continue
        assert row["ci_low"] <= row["estimate"] <= row["ci_high"]
        assert card["value"] == percent(row["estimate"])
        assert card["base"].startswith(f"Base : {row['n_unweighted']:,}".replace(",", "\u202f"))
        if figure.seed_value is not None and not figure.domain:
            assert _close_to_seed(
                row["raw_share"], figure.seed_value, figure.comparison, row["raw_n"]
            ), row
            if is_census(results.diagnostics):
                assert card["raw"] == ""  # a census' raw share is the figure itself
            else:
                assert percent(row["raw_share"]) in card["raw"]
            checked += 1
    assert checked >= 10


def test_site_pages_show_figures_themes_charts_and_tables(dinum_report) -> None:
    site = dinum_report.site
    index = (site / "index.html").read_text(encoding="utf-8")
    results = load_results(dinum_report.results)
    for theme in results.questionnaire.themes:
        assert f'id="s-{theme.id}"' in index  # the front page is grouped by theme
    assert index.count('class="ranking"') >= 3  # the multiple-choice figures are ranked
    assert "#1" in index and "#8" in index
    assert "collectivités répondantes" in index and "pondérées pour représenter" in index
    assert "Intervalle de confiance à 95" in index and "±" not in index
    assert 'class="method-line"' in index and "calage sur le registre" in index
    for theme in results.questionnaire.themes:
        page = (site / f"theme-{theme.id}.html").read_text(encoding="utf-8")
        assert str(escape(theme.label)) in page
        assert "<img" not in page and "±" not in page
        charts = re.findall(r'<figure class="chart chart-(bars|points)"', page)
        assert charts, theme.id
        assert page.count('<li class="bar-row') >= 2 * len(charts)
        assert "<caption>" in page
        for low, high in re.findall(r"de (\d+)\u202f% à (\d+)\u202f%", page):
            assert 0 <= int(low) <= int(high) <= 100
    assert not list(site.glob("graphiques"))
    inclusion = (site / "theme-inclusion.html").read_text(encoding="utf-8")
    assert "Sans réponse" in inclusion
    assert "réponses les plus citées" in inclusion
    assert "Plusieurs réponses possibles" in inclusion
    method = (site / "methodologie.html").read_text(encoding="utf-8")
    for text in ("Taux de réponse par strate", "effet de plan", "Règle de masquage", "millésime"):
        assert text in method
    assert not list(site.glob("*nan*")) and "NaN" not in index


def test_suppressed_and_imprecise_cells_say_why(editions) -> None:
    results = compute_results(editions["nouvelle-caledonie-services-publics"])
    table = results.estimates
    suppressed = table.filter(pl.col("suppressed") & (pl.col("n_unweighted") > 0))
    assert suppressed.height > 0
    row = suppressed.row(0, named=True)
    assert row["estimate"] is None
    assert value_cell(row) == "masqué"
    reason = suppressed_reason(row, results.min_n)
    assert f"{row['n_unweighted']} répondant" in reason and "seuil de 5" in reason
    imprecise = table.filter(pl.col("imprecise")).row(0, named=True)
    assert value_cell(imprecise).endswith("(imprécis)")


def _pdf_pages(pdf: Path) -> tuple[int, str]:
    """Page count (checking A4) and text of a PDF."""
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    assert re.search(r"Page size:\s+595\.\d+ x 841\.\d+", info.stdout)  # A4 in points
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return int(re.search(r"Pages:\s+(\d+)", info.stdout).group(1)), text


def test_pdf_is_a_short_synthesis_plus_the_full_annex(dinum_report, tmp_path: Path) -> None:
    pages, text = _pdf_pages(dinum_report.pdf)
    assert 2 <= pages <= 4  # cover, key figures of the 6 themes, method
    for expected in ("Les chiffres clés 2024", "Inclusion et médiation numérique", "Méthode"):
        assert expected in text
    assert "disposent de lieux" in text and "#1" in text
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "20",
            "-f",
            "1",
            "-l",
            "2",
            "-png",
            str(dinum_report.pdf),
            str(tmp_path / "p"),
        ],
        check=True,
    )
    assert len(list(tmp_path.glob("p-*.png"))) == 2
    annex_pages, annex = _pdf_pages(dinum_report.annex)
    assert annex_pages > pages
    for expected in ("Méthodologie", "Règle de masquage", "Intervalles de confiance"):
        assert expected in annex
    assert "±" not in text + annex


def test_open_data_package_is_valid_and_k_anonymous(dinum_report) -> None:
    from frictionless import validate

    package = dinum_report.open_data
    report = validate(str(package))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    cli = subprocess.run(
        [
            str(Path(shutil.which("frictionless") or ".venv/bin/frictionless")),
            "validate",
            str(package),
        ],
        capture_output=True,
        text=True,
    )
    assert cli.returncode == 0, cli.stdout[-2000:]
    descriptor = json.loads(package.read_text(encoding="utf-8"))
    assert descriptor["licenses"][0]["name"] == "etalab-2.0"
    names = {r["name"] for r in descriptor["resources"]}
    assert {"estimations", "codebook", "taux_de_reponse", "chiffres_cles", "microdonnees"} <= names
    micro = pl.read_csv(package.parent / "microdonnees.csv", infer_schema=False)
    assert "code" not in micro.columns and "name" not in micro.columns
    assert micro.group_by("type", "taille", "region").len()["len"].min() >= 5
    assert micro.height >= 0.8 * load_results(dinum_report.results).diagnostics["n_respondents"]


def test_evolution_marks_significant_changes(editions, tmp_path: Path) -> None:
    previous = tmp_path / "previous"
    shutil.copytree(editions[DINUM], previous)
    responses = pl.read_csv(previous / "responses.csv", infer_schema=False)
    flip = (pl.col("inc_lieux_mediation") == "oui") & (pl.int_range(pl.len()) % 3 != 0)
    responses.with_columns(
        inc_lieux_mediation=pl.when(flip)
        .then(pl.lit("non"))
        .otherwise(pl.col("inc_lieux_mediation"))
    ).write_csv(previous / "responses.csv")
    results = compute_results(editions[DINUM], previous=compute_results(previous))
    evo = results.evolution
    figure = evo.filter((pl.col("kind") == "figure") & (pl.col("indicator") == "inc_lieux")).row(
        0, named=True
    )
    assert figure["difference"] > 0.05 and figure["significant"]
    same = evo.filter((pl.col("kind") == "figure") & (pl.col("indicator") == "par_outil")).row(
        0, named=True
    )
    assert abs(same["difference"]) < 1e-12 and not same["significant"]
    card = key_figure_views(results)["inc_lieux"]
    assert card["evolution"].startswith("+") and "significative" in card["evolution"]
    assert card["significant"]
