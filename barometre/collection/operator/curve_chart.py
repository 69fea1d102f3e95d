"""The daily curve of the Suivi page as an inline SVG chart, drawn on the server.

Two stacked areas over the campaign's days: complete responses (bottom) and partial ones (on
top), so that the top edge is the number of collectivités that started; the waves' periods as
shaded bands. Geometry only: the template `_daily_chart.html` writes the SVG, and the page
gives the same numbers in a data table (the chart is an image with a text summary).
Two sizes: a wide one for screens, a narrow one for phones (CSS shows one of them).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

import polars as pl

from barometre.collection.monitoring import DailyCurve
from barometre.register.labels import count

MONTHS = (
    "janv.",
    "févr.",
    "mars",
    "avr.",
    "mai",
    "juin",
    "juil.",
    "août",
    "sept.",
    "oct.",
    "nov.",
    "déc.",
)
MONTHS_LONG = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


def short_date(day: date) -> str:
    """`3 mars`, `1er avr.`."""
    return f"{'1er' if day.day == 1 else day.day} {MONTHS[day.month - 1]}"


def long_date(day: date) -> str:
    """`3 mars 2026`, `1er avril 2026`."""
    return f"{'1er' if day.day == 1 else day.day} {MONTHS_LONG[day.month - 1]} {day.year}"


def nice_step(maximum: float, ticks: int) -> int:
    """A round step (1, 2, 5 × 10^k) giving at most `ticks` intervals up to `maximum`."""
    if maximum <= 0:
        return 1
    raw = maximum / ticks
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if factor * power >= raw:
            return max(1, int(factor * power))
    return max(1, int(10 * power))


@dataclass
class Tick:
    """A labelled position on an axis."""

    position: float
    label: str


@dataclass
class Band:
    """A wave's period on the x axis."""

    x: float
    width: float
    label: str
    shaded: bool


@dataclass
class ChartSize:
    """The drawing of the curve at one size (viewBox units)."""

    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    font: int
    complete_area: str = ""
    partial_area: str = ""
    started_line: str = ""
    complete_line: str = ""
    y_ticks: list[Tick] = field(default_factory=list)
    x_ticks: list[Tick] = field(default_factory=list)
    bands: list[Band] = field(default_factory=list)

    @property
    def plot_bottom(self) -> int:
        """y of the x axis."""
        return self.height - self.bottom

    @property
    def plot_height(self) -> int:
        """Height of the plot area."""
        return self.height - self.top - self.bottom

    @property
    def plot_right(self) -> int:
        """x of the right edge of the plot."""
        return self.width - self.right


@dataclass
class CurveChart:
    """The chart's two sizes and its text summary."""

    wide: ChartSize
    narrow: ChartSize
    summary: str


def _point(x: float, y: float) -> str:
    return f"{x:.1f},{y:.1f}"


def _draw(size: ChartSize, days: pl.DataFrame, curve: DailyCurve, x_ticks: int) -> ChartSize:
    """Fill `size` with the geometry of the curve."""
    n = days.height
    started = days["commencees_cumul"].to_list()
    complete = days["completes_cumul"].to_list()
    top = max(1, max(started, default=0))
    step = nice_step(top, 4)
    y_max = step * math.ceil(top / step)
    plot_w = size.width - size.left - size.right
    plot_h = size.height - size.top - size.bottom
    day_w = plot_w / n

    def x(i: float) -> float:
        return size.left + (i + 0.5) * day_w

    def y(value: float) -> float:
        return size.top + plot_h * (1 - value / y_max)

    base = size.plot_bottom
    xs = [x(i) for i in range(n)]
    line_started = [_point(xs[i], y(started[i])) for i in range(n)]
    line_complete = [_point(xs[i], y(complete[i])) for i in range(n)]
    if n == 1:  # one day: a flat segment across the plot
        xs = [size.left + 2, size.plot_right - 2]
        line_started = [_point(xs[0], y(started[0])), _point(xs[1], y(started[0]))]
        line_complete = [_point(xs[0], y(complete[0])), _point(xs[1], y(complete[0]))]
    first, last = xs[0], xs[-1]
    size.complete_area = (
        f"M{_point(first, base)} L" + " L".join(line_complete) + f" L{_point(last, base)} Z"
    )
    size.partial_area = "M" + " L".join(line_complete[::-1]) + " L" + " L".join(line_started) + " Z"
    size.started_line = " ".join(line_started)
    size.complete_line = " ".join(line_complete)
    size.y_ticks = [Tick(y(v), count(v)) for v in range(0, y_max + 1, step)]
    dates = days["jour"].to_list()
    every = max(1, math.ceil(n / x_ticks))
    size.x_ticks = [Tick(x(i), short_date(dates[i])) for i in range(0, n, every)]
    first_day = dates[0]
    for index, wave in enumerate(curve.waves):
        start = 0 if wave.opens is None else max(0, (wave.opens - first_day).days)
        end = n if wave.closes is None else min(n, (wave.closes - first_day).days)
        if end <= start or start >= n:
            continue
        label = wave.label.split(" — ")[0].split(" - ")[0]
        size.bands.append(
            Band(size.left + start * day_w, (end - start) * day_w, label, shaded=index % 2 == 1)
        )
    return size


def curve_chart(curve: DailyCurve) -> CurveChart | None:
    """The chart of a daily curve (None when nobody started answering)."""
    if curve.is_empty:
        return None
    days = curve.days
    wide = _draw(ChartSize(720, 300, 64, 16, 28, 36, 13), days, curve, x_ticks=7)
    narrow = _draw(ChartSize(340, 260, 52, 10, 28, 36, 12), days, curve, x_ticks=3)
    last = days.row(-1, named=True)
    summary = (
        f"Au {long_date(last['jour'])}, {count(last['commencees_cumul'])} collectivité"
        f"{'s ont' if last['commencees_cumul'] > 1 else ' a'} commencé à répondre depuis le "
        f"{long_date(days['jour'][0])} : {count(last['completes_cumul'])} réponse"
        f"{'s' if last['completes_cumul'] > 1 else ''} complète"
        f"{'s' if last['completes_cumul'] > 1 else ''} et {count(last['partielles'])} "
        f"partielle{'s' if last['partielles'] > 1 else ''}."
    )
    return CurveChart(wide, narrow, summary)
