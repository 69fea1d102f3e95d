"""French number formatting of published figures."""

from __future__ import annotations

import math

from barometre.publish.numbers import count, number, percent, points, signed_points


def test_percent_and_decimal_comma() -> None:
    assert percent(0.48) == "48\u202f%"
    assert percent(0.125, 1) == "12,5\u202f%"
    assert number(12.5, 1) == "12,5"
    assert count(36224) == "36\u202f224"


def test_points_and_signs() -> None:
    assert points(0.0312) == "3,1\u00a0pts"
    assert signed_points(0.15) == "+15\u00a0pts"
    assert signed_points(-0.031) == "−3\u00a0pts"
    assert signed_points(0.001) == "0\u00a0pt"
    assert signed_points(-0.01) == "−1\u00a0pt" and signed_points(0.02) == "+2\u00a0pts"


def test_missing_values_never_print_nan() -> None:
    for f in (percent, points, signed_points, count, number):
        assert f(None) == "–"
        assert f(math.nan) == "–"
