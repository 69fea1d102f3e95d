"""Themes: neutral by default, DSFR colours for State deployments, in pages and charts."""

from __future__ import annotations

import pytest

from barometre.publish.charts import bar_chart, share_row
from barometre.publish.site import components_stylesheet, stylesheet
from barometre.publish.themes import get_theme


@pytest.mark.parametrize(("name", "colour"), [("neutral", "#1f5f8b"), ("dsfr", "#000091")])
def test_theme_styles_pages_and_charts(name: str, colour: str) -> None:
    theme = get_theme(name)
    assert f"--primary: {colour}" in stylesheet(theme)
    assert f"--primary: {colour}" in components_stylesheet(theme)
    rows = [
        share_row("Oui", {"estimate": 0.48, "ci_low": 0.45, "ci_high": 0.51}, "de 45 % à 51 %"),
        share_row("Non", {"estimate": 0.125, "ci_low": 0.05, "ci_high": 0.26, "imprecise": True}),
    ]
    html = bar_chart("q", "Titre", rows).render(theme)
    assert f'fill="{colour}"' in html and f'fill="{theme.light}"' in html  # imprecise is lighter
    assert "48\u202f%" in html and "(imprécis)" in html  # French numbers, flag in words
    assert 'aria-hidden="true"' in html and "<svg" in html  # the bars are decorative


def test_shares_are_drawn_inside_zero_to_hundred() -> None:
    row = share_row("x", {"estimate": 0.99, "ci_low": 0.9, "ci_high": 1.2})
    assert row.high == 100 and row.end == 99
    exact = share_row("x", {"estimate": 0.5, "ci_low": 0.4, "ci_high": 0.6}, exact=True)
    assert exact.low is None and exact.high is None  # a census value has no whisker


def test_unknown_theme_is_refused_in_french() -> None:
    with pytest.raises(KeyError, match="thème « rose » inconnu"):
        get_theme("rose")
