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
from barometre.publish.numbers import percent
from barometre.publish.pages import key_figure_cards
from barometre.publish.wording import share_cell, suppressed_reason
from barometre.results.store import compute_results, load_results

DINUM = "dinum-collectivites-numerique-2024"
TEMPLATES = [
    DINUM,
    "ey-france-urbaine-maturite",
    "jvs-petites-communes-dematerialisation",
    "nouvelle-caledonie-services-publics",
]
FRONTPAGE_TOLERANCE = 0.02


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
    cards = {c["id"]: c for c in key_figure_cards(results)}
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
        assert f"n = {row['n_unweighted']:,}".replace(",", "\u202f") in card["caption"]
        if figure.seed_value is not None and not figure.domain:
            assert _close_to_seed(
                row["raw_share"], figure.seed_value, figure.comparison, row["raw_n"]
            ), row
            assert percent(row["raw_share"]) in card["raw"]
            checked += 1
    assert checked >= 10


def test_site_pages_show_cards_themes_charts_and_tables(dinum_report) -> None:
    site = dinum_report.site
    index = (site / "index.html").read_text(encoding="utf-8")
    results = load_results(dinum_report.results)
    for row in results.key_figures.to_dicts():
        assert str(escape(row["label"])) in index
    assert "collectivités interrogées" in index
    assert "Estimation pondérée" in index
    for theme in results.questionnaire.themes:
        page = (site / f"theme-{theme.id}.html").read_text(encoding="utf-8")
        assert str(escape(theme.label)) in page
        for img in re.findall(r'<img src="([^"]+)" alt="([^"]*)"', page):
            assert (site / img[0]).exists() and len(img[1]) > 20
            svg = (site / img[0]).read_text(encoding="utf-8")
            assert svg.startswith("<svg")
            assert "\u202f%" in svg or "moyenne" in img[1]
        assert "<caption>" in page
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
    assert share_cell(row, results.min_n) == "masqué"
    reason = suppressed_reason(row, results.min_n)
    assert f"{row['n_unweighted']} répondant" in reason and "seuil de 5" in reason
    imprecise = table.filter(pl.col("imprecise")).row(0, named=True)
    assert share_cell(imprecise, results.min_n).endswith("(imprécis)")


def test_pdf_has_a4_pages_with_the_report_text(dinum_report, tmp_path: Path) -> None:
    pdf = dinum_report.pdf
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    pages = int(re.search(r"Pages:\s+(\d+)", info.stdout).group(1))
    assert pages >= 8
    assert re.search(r"Page size:\s+595\.\d+ x 841\.\d+", info.stdout)  # A4 in points
    subprocess.run(
        ["pdftoppm", "-r", "20", "-f", "1", "-l", "3", "-png", str(pdf), str(tmp_path / "p")],
        check=True,
    )
    assert len(list(tmp_path.glob("p-*.png"))) == 3
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    for expected in ("Chiffres clés", "Méthodologie", "Règle de masquage", "disposent de lieux"):
        assert expected in text


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
    card = next(c for c in key_figure_cards(results) if c["id"] == "inc_lieux")
    assert card["evolution"].startswith("+") and "significative" in card["evolution"]
    assert card["significant"]
