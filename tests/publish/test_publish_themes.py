"""Themes: neutral by default, DSFR colours for State deployments, in pages and charts."""

from __future__ import annotations

import polars as pl
import pytest

from barometre.publish.charts import bar_chart
from barometre.publish.site import environment
from barometre.publish.themes import get_theme


@pytest.mark.parametrize(("name", "colour"), [("neutral", "#1f5f8b"), ("dsfr", "#000091")])
def test_theme_styles_pages_and_charts(name: str, colour: str) -> None:
    theme = get_theme(name)
    css = environment().get_template("style.css").render(theme=theme)
    assert f"--primary: {colour}" in css
    rows = pl.DataFrame(
        {
            "label": ["Oui", "Non (imprécis)"],
            "estimate": [0.48, 0.125],
            "ci_low": [0.45, 0.05],
            "ci_high": [0.51, 0.26],
            "imprecise": [False, True],
        }
    )
    chart = bar_chart("q", "Titre", rows, theme, "Oui : 48 %")
    assert colour in chart.svg and theme.light in chart.svg  # imprecise bar drawn lighter
    assert "48\u202f%" in chart.svg  # French number format in the chart


def test_unknown_theme_is_refused_in_french() -> None:
    with pytest.raises(KeyError, match="thème « rose » inconnu"):
        get_theme("rose")
