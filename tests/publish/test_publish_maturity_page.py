"""The maturity page: scores by theme with intervals, level distribution, profiles, level scale."""

from __future__ import annotations

import polars as pl

from barometre.publish.pages import maturity_page


def test_maturity_page_shows_scores_levels_and_profiles(ey_results) -> None:
    page = maturity_page(ey_results)
    charts = page["charts"]
    assert {c.name for c in charts} >= {"maturite-scores", "maturite-niveaux", "maturite-profils"}
    scores = page["tables"][0]["rows"]
    labels = {r["label"] for r in scores}
    assert "Indice global" in labels
    assert {t.label for t in ey_results.questionnaire.themes} <= labels
    assert all("±" not in r["value"] for r in scores)
    for table in page["tables"]:  # no empty interval column (levels and profiles included)
        assert all(r["ci"] and r["ci"] != "–" for r in table["rows"] if r["value"] != "masqué")
    assert all(r["ci"].startswith("de ") for r in page["tables"][1]["rows"])
    shares = ey_results.maturity["levels_population"].filter(
        (pl.col("breakdown") == "ensemble") & (pl.col("theme") == "_global")
    )
    assert abs(shares["estimate"].sum() - 1) < 1e-9
    names = {p["Nom"] for p in page["profiles"]}
    assert "Retardataires" in names
    assert sum(p["Répondants"] for p in page["profiles"]) <= ey_results.respondents.height
    # the EY 2019 template's five named stages (template setting maturity_levels: ey2019)
    assert [r["level"] for r in page["scale"]][:2] == ["Sujet non abordé", "Réflexion engagée"]
    assert len(page["scale"]) == 5
    assert all(c.alt.startswith(c.title) for c in charts)
    scores_chart = next(c for c in charts if c.name == "maturite-scores")
    assert scores_chart.kind == "points" and all(
        0 <= r.low <= r.high <= 100 for r in scores_chart.rows
    )
