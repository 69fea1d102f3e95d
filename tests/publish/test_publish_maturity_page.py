"""The maturity page: scores by theme with margins, level distribution, profiles, level scale."""

from __future__ import annotations

import polars as pl

from barometre.publish.pages import maturity_page
from barometre.publish.themes import get_theme


def test_maturity_page_shows_scores_levels_and_profiles(ey_results) -> None:
    charts = []

    def sink(chart):
        charts.append(chart)
        return {"src": f"graphiques/{chart.name}.svg", "title": chart.title, "alt": chart.alt}

    page = maturity_page(ey_results, get_theme("neutral"), sink)
    assert {c.name for c in charts} >= {"maturite-scores", "maturite-niveaux", "maturite-profils"}
    scores = page["tables"][0]["rows"]
    labels = {r["label"] for r in scores}
    assert "Indice global" in labels
    assert {t.label for t in ey_results.questionnaire.themes} <= labels
    assert all("±" in r["value"] for r in scores)
    shares = ey_results.maturity["levels_population"].filter(
        (pl.col("breakdown") == "ensemble") & (pl.col("theme") == "_global")
    )
    assert abs(shares["estimate"].sum() - 1) < 1e-9
    names = {p["Nom"] for p in page["profiles"]}
    assert "Retardataires" in names
    assert sum(p["Répondants"] for p in page["profiles"]) <= ey_results.respondents.height
    assert page["scale"][0]["level"] == "Non engagée"
    assert all(c.alt.startswith(c.title) for c in charts)
