"""Static SVG charts (Vega-Lite through altair, rendered by vl-convert), styled by the active theme."""

from __future__ import annotations

from dataclasses import dataclass

import altair as alt
import polars as pl
import vl_convert as vlc

from barometre.publish.themes import Theme

FRENCH = vlc.get_format_locale("fr-FR")
WIDTH = 520
ROW_HEIGHT = 22


@dataclass(frozen=True)
class Chart:
    """A rendered chart: its file stem, title, text alternative and SVG."""

    name: str
    title: str
    alt: str
    svg: str


def _config(chart: alt.Chart, theme: Theme) -> alt.Chart:
    """Fonts and colours of the theme; no chart border."""
    return (
        chart.configure(font=theme.chart_font, background="white")
        .configure_view(stroke=None)
        .configure_axis(
            labelColor=theme.text, titleColor=theme.text, labelFontSize=11, labelLimit=340
        )
        .configure_title(color=theme.text, fontSize=13, anchor="start")
    )


def _render(chart: alt.Chart, theme: Theme) -> str:
    """SVG text of a chart with French number formats."""
    return vlc.vegalite_to_svg(_config(chart, theme).to_dict(validate=False), format_locale=FRENCH)


def bar_chart(
    name: str, title: str, rows: pl.DataFrame, theme: Theme, alt_text: str, sort: bool = True
) -> Chart:
    """Horizontal bars of shares with 95 % CI whiskers; imprecise bars lighter.

    `rows`: label, estimate, ci_low, ci_high, imprecise (suppressed rows already removed).
    """
    data = rows.select(
        "label", "estimate", "ci_low", "ci_high", pl.col("imprecise").fill_null(False)
    ).with_columns(
        precision=pl.when(pl.col("imprecise"))
        .then(pl.lit("estimation imprécise"))
        .otherwise(pl.lit("estimation fiable"))
    )
    order = (
        data.sort("estimate", descending=True)["label"].to_list()
        if sort
        else data["label"].to_list()
    )
    scale_max = max(1.0, float(data["ci_high"].max() or 0)) if data.height else 1.0
    base = alt.Chart(alt.Data(values=data.to_dicts()))
    y = alt.Y("label:N", sort=order, title=None)
    bars = base.mark_bar(height=ROW_HEIGHT * 0.7).encode(
        y=y,
        x=alt.X(
            "estimate:Q",
            title="part estimée (intervalle de confiance à 95 %)",
            axis=alt.Axis(format=".0%"),
            scale=alt.Scale(domain=[0, scale_max]),
        ),
        color=alt.Color(
            "precision:N",
            scale=alt.Scale(
                domain=["estimation fiable", "estimation imprécise"],
                range=[theme.primary, theme.light],
            ),
            legend=alt.Legend(title=None, orient="bottom"),
        ),
    )
    whiskers = base.mark_rule(color=theme.text, strokeWidth=1.2).encode(
        y=y, x="ci_low:Q", x2="ci_high:Q"
    )
    labels = base.mark_text(align="left", dx=4, dy=-7, color=theme.text, fontSize=10).encode(
        y=y, x="ci_high:Q", text=alt.Text("estimate:Q", format=".0%")
    )
    chart = (bars + whiskers + labels).properties(
        width=WIDTH, height=max(ROW_HEIGHT * data.height, 40), title=title
    )
    return Chart(name, title, alt_text, _render(chart, theme))


def mean_chart(
    name: str,
    title: str,
    rows: pl.DataFrame,
    theme: Theme,
    alt_text: str,
    axis_title: str,
    domain: tuple[float, float] | None = None,
) -> Chart:
    """Points with 95 % CI whiskers for means (scores 0–100, numbers), one row per label."""
    data = rows.select("label", "estimate", "ci_low", "ci_high")
    base = alt.Chart(alt.Data(values=data.to_dicts()))
    y = alt.Y("label:N", sort=data["label"].to_list(), title=None)
    points = base.mark_point(filled=True, size=70, color=theme.primary).encode(
        y=y,
        x=alt.X(
            "estimate:Q",
            title=axis_title,
            axis=alt.Axis(format=",.0f"),
            scale=alt.Scale(domain=list(domain)) if domain else alt.Undefined,
        ),
    )
    whiskers = base.mark_rule(color=theme.primary, strokeWidth=2).encode(
        y=y, x="ci_low:Q", x2="ci_high:Q"
    )
    chart = (whiskers + points).properties(
        width=WIDTH, height=max(ROW_HEIGHT * data.height, 40), title=title
    )
    return Chart(name, title, alt_text, _render(chart, theme))
