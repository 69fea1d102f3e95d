"""French number formatting for published figures: `48 %`, `12,5`, `+3 pts`, `36 224`.

`number`, `count` and `percent` are those of `barometre.register.labels`, shared with the back office.
"""

from __future__ import annotations

from barometre.register.labels import NBSP, NNBSP, count, is_missing, number, percent

__all__ = ["NBSP", "NNBSP", "count", "number", "percent", "points", "signed_points"]


def points(share: float | None, digits: int = 1) -> str:
    """A margin of error or a difference of shares in points: `3,2 pts`."""
    if is_missing(share):
        return "–"
    return f"{number(100 * share, digits)}{NBSP}pts"


def signed_points(diff: float | None, digits: int = 0) -> str:
    """A change in points with its sign: `+15 pts`, `−3 pts`, `0 pt`."""
    if is_missing(diff):
        return "–"
    value = round(100 * diff, digits)
    if value == 0:
        return f"0{NBSP}pt"
    sign = "+" if value > 0 else "−"
    unit = "pt" if abs(value) < 2 else "pts"  # « 1 pt », « 1,5 pt », « 2 pts »
    return f"{sign}{number(abs(value), digits)}{NBSP}{unit}"
