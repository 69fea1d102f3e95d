"""Charts as HTML with small inline SVG bars: one row per value, its label and its interval in text.

A chart is its own text alternative (every label, value and interval is text, the SVG bars are
decorative), it reflows at 390 px, prints through WeasyPrint, needs no script nor image file,
and works under a strict Content-Security-Policy (no inline style attribute: SVG geometry only).
The same markup serves the static report, the PDF and the web dashboard. Rendering is a Jinja
template, so a whole report's charts take milliseconds (the Vega-Lite renderer they replace took
0.1–0.2 s each, see `bench/publish/RESULTS.md`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache

import jinja2
from markupsafe import Markup

from barometre.publish.numbers import number, percent
from barometre.publish.themes import Theme, get_theme

SCALE = 100.0  # SVG units of the track


@dataclass(frozen=True)
class ChartRow:
    """One bar (or point) with its label, its value in text, and its geometry on a 0–100 track."""

    label: str
    value: str
    interval: str = ""
    start: float = 0.0
    end: float = 0.0
    low: float | None = None
    high: float | None = None
    light: bool = False
    rank: int | None = None


@dataclass(frozen=True)
class Chart:
    """A titled list of bars (shares) or points (means); `html` renders it."""

    name: str
    title: str
    rows: tuple[ChartRow, ...]
    kind: str = "bars"
    axis: str = ""
    legend: bool = True
    ticks: tuple[tuple[float, str], ...] = field(default=())

    @property
    def alt(self) -> str:
        """The values in reading order (for captions and tests)."""
        values = "; ".join(f"{r.label} : {r.value}" for r in self.rows)
        return f"{self.title}. {values or 'aucune valeur publiable'}."

    @property
    def html(self) -> Markup:
        """The chart's markup in the neutral theme's colours."""
        return self.render(get_theme(None))

    def render(self, theme: Theme) -> Markup:
        """The chart's markup; bar colours are SVG attributes (WeasyPrint ignores CSS on SVG)."""
        return Markup(_template().render(chart=self, theme=theme))


@cache
def _template() -> jinja2.Template:
    """The chart template (autoescaped)."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("barometre.publish", "templates/report"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env.get_template("chart.html")


def _clip(value: float | None) -> float | None:
    """A share clipped to [0, 1] (None stays None, NaN becomes None)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return min(1.0, max(0.0, float(value)))


def share_row(
    label: str,
    row: Mapping,
    interval: str = "",
    light: bool | None = None,
    rank: int | None = None,
    exact: bool = False,
) -> ChartRow:
    """A bar for a share (`estimate`, `ci_low`, `ci_high` in 0–1); no whisker for an exact value."""
    est = _clip(row.get("estimate")) or 0.0
    low, high = (None, None) if exact else (_clip(row.get("ci_low")), _clip(row.get("ci_high")))
    return ChartRow(
        label=label,
        value=percent(est),
        interval=interval,
        end=SCALE * est,
        low=None if low is None else SCALE * low,
        high=None if high is None else SCALE * high,
        light=bool(row.get("imprecise")) if light is None else light,
        rank=rank,
    )


def bar_chart(
    name: str,
    title: str,
    rows: Iterable[ChartRow],
    sort: bool = False,
    axis: str = "Part estimée ; trait fin : intervalle de confiance à 95\u202f%",
) -> Chart:
    """Horizontal bars of shares on a 0–100 % track, sorted by value when asked."""
    ordered = sorted(rows, key=lambda r: -r.end) if sort else list(rows)
    ticks = tuple((SCALE * t, percent(t)) for t in (0, 0.25, 0.5, 0.75, 1))
    return Chart(name, title, tuple(ordered), "bars", axis, ticks=ticks)


def mean_chart(
    name: str,
    title: str,
    rows: Iterable[Mapping],
    unit: str = "",
    domain: tuple[float, float] | None = None,
    digits: int = 1,
) -> Chart:
    """Points with their 95 % interval for means (numbers, scores 0–100) on a common scale.

    `rows`: label, estimate, ci_low, ci_high, imprecise, interval (text).
    """
    items = [r for r in rows if r.get("estimate") is not None]
    lows = [r["ci_low"] for r in items if r.get("ci_low") is not None] + [
        r["estimate"] for r in items
    ]
    highs = [r["ci_high"] for r in items if r.get("ci_high") is not None] + [
        r["estimate"] for r in items
    ]
    if domain is None:
        low = min(0.0, min(lows, default=0.0))
        high = max(highs, default=1.0)
        high = high * 1.05 if high > 0 else 1.0
    else:
        low, high = domain
    span = (high - low) or 1.0

    def at(value: float | None) -> float | None:
        return None if value is None else SCALE * (min(high, max(low, value)) - low) / span

    chart_rows = tuple(
        ChartRow(
            label=r["label"],
            value=number(r["estimate"], digits),
            interval=r.get("interval", ""),
            start=max((at(r["estimate"]) or 0.0) - 0.8, 0.0),
            end=min((at(r["estimate"]) or 0.0) + 0.8, SCALE),
            low=at(r.get("ci_low")),
            high=at(r.get("ci_high")),
            light=bool(r.get("imprecise")),
        )
        for r in items
    )
    suffix = f" ({unit})" if unit else ""
    ticks = tuple(
        (SCALE * i / 4, number(low + span * i / 4, 0 if span >= 8 else 1)) for i in range(5)
    )
    axis = f"Moyenne{suffix} ; trait fin : intervalle de confiance à 95\u202f%"
    return Chart(name, title, chart_rows, "points", axis, ticks=ticks)
