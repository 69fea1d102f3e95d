"""Errors raised by the statistics engine, with French messages for users."""

from __future__ import annotations


class StatsError(ValueError):
    """Bad input or impossible computation; the message is in French and names the culprit."""


class CalibrationError(StatsError):
    """Calibration impossible: empty cell, infeasible bounds, non-convergence."""


class DesignError(StatsError):
    """Inconsistent design columns (weights, strata, population sizes)."""
