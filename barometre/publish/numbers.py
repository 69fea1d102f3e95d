"""French number formatting for published figures: `48 %`, `12,5`, `+3 pts`, `36 224`."""

from __future__ import annotations

import math

NNBSP = "\u202f"  # narrow no-break space (thousands, before %)
NBSP = "\u00a0"


def _missing(value: float | None) -> bool:
    """True for None and NaN."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def number(value: float | None, digits: int = 0) -> str:
    """`12,5`, `36 224` (narrow no-break space between thousands); `–` when missing."""
    if _missing(value):
        return "–"
    text = f"{value:,.{digits}f}"
    return text.replace(",", NNBSP).replace(".", ",")


def percent(share: float | None, digits: int = 0) -> str:
    """A share 0–1 as `48 %` (no-break space before the sign)."""
    if _missing(share):
        return "–"
    return f"{number(100 * share, digits)}{NNBSP}%"


def points(share: float | None, digits: int = 1) -> str:
    """A margin of error or a difference of shares in points: `3,2 pts`."""
    if _missing(share):
        return "–"
    return f"{number(100 * share, digits)}{NBSP}pts"


def signed_points(diff: float | None, digits: int = 0) -> str:
    """A change in points with its sign: `+15 pts`, `−3 pts`, `0 pt`."""
    if _missing(diff):
        return "–"
    value = round(100 * diff, digits)
    if value == 0:
        return f"0{NBSP}pt"
    sign = "+" if value > 0 else "−"
    return f"{sign}{number(abs(value), digits)}{NBSP}pts"


def count(value: float | None) -> str:
    """An integer count with French thousands separators."""
    return "–" if _missing(value) else number(round(value), 0)
