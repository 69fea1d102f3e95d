"""Evolution between two editions: independent-samples and paired differences with CI and p-value."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
from scipy import stats

from barometre.stats.design import Design
from barometre.stats.domains import Breakdown, domain_means
from barometre.stats.variance import mean_influence, variance


@dataclass(frozen=True)
class Difference:
    """Difference after − before with its standard error, CI and two-sided p-value (arrays or floats)."""

    estimate: np.ndarray
    se: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    p_value: np.ndarray
    n: np.ndarray


def _difference(d: np.ndarray, se: np.ndarray, n: np.ndarray, level: float) -> Difference:
    """Normal CI and Wald test of a difference."""
    z = stats.norm.ppf(0.5 + level / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(se > 0, 2 * stats.norm.sf(np.abs(d) / se), np.where(d == 0, 1.0, 0.0))
    return Difference(d, se, d - z * se, d + z * se, p, n)


def independent_difference(
    before: np.ndarray,
    se_before: np.ndarray,
    after: np.ndarray,
    se_after: np.ndarray,
    n: np.ndarray | None = None,
    level: float = 0.95,
) -> Difference:
    """Difference of estimates from two independent samples: variances add."""
    d = np.asarray(after, dtype=float) - np.asarray(before, dtype=float)
    se = np.sqrt(np.asarray(se_before, dtype=float) ** 2 + np.asarray(se_after, dtype=float) ** 2)
    return _difference(d, se, np.asarray(n if n is not None else np.nan), level)


def paired_difference(
    design: Design,
    before: np.ndarray,
    after: np.ndarray,
    domain: np.ndarray | None = None,
    level: float = 0.95,
) -> Difference:
    """Change of the mean among collectivités present in both editions (one design for the panel).

    `before` and `after` are (n,) or (n, m) answers of the same respondents; the covariance between
    editions is carried by the shared influence values (R `svycontrast` on `svymean(~y1 + y2)`).
    """
    b = np.asarray(before, dtype=float).reshape(design.n, -1)
    a = np.asarray(after, dtype=float).reshape(design.n, -1)
    est, z = mean_influence(design, np.concatenate([b, a], axis=1), domain)
    m = b.shape[1]
    d = est[m:] - est[:m]
    se = np.sqrt(np.clip(variance(design, z[:, m:] - z[:, :m]), 0, None))
    n = np.asarray(design.n if domain is None else int(np.asarray(domain, bool).sum()))
    out = _difference(d, se, n, level)
    if m == 1:
        return Difference(*(np.asarray(x).reshape(-1)[0] for x in vars(out).values()))
    return out


@dataclass(frozen=True)
class PanelDifferences:
    """Mean change among the panel (respondents with both answers), by breakdown level.

    Arrays of shape (levels, items): the change after − before, its SE, CI, p-value, and the
    number of panel respondents behind it.
    """

    labels: tuple[str, ...]
    estimate: np.ndarray
    se: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    p_value: np.ndarray
    n: np.ndarray


def panel_differences(
    design: Design,
    before: np.ndarray,
    after: np.ndarray,
    breakdown: Breakdown | None = None,
    level: float = 0.95,
) -> PanelDifferences:
    """Paired differences for collectivités that answered both editions, on the current design.

    `before` and `after` are (n, m) answers of the current edition's respondents (NaN where a
    respondent was not in the previous edition, or left the item unanswered in either): for item j
    the change is the weighted mean of after − before among rows with both values — a domain
    estimate on the whole (calibrated) design, as R `svymean(~d, subset(design, !is.na(d)))`.
    The covariance between editions is carried by the pairing: the SE is that of the mean change.
    """
    b = np.asarray(before, dtype=float).reshape(design.n, -1)
    a = np.asarray(after, dtype=float).reshape(design.n, -1)
    both = ~np.isnan(b) & ~np.isnan(a)
    change = np.where(both, a - b, 0.0)
    split = breakdown if breakdown is not None else Breakdown.overall(design.n)
    est = domain_means(design, change, both, np.arange(b.shape[1]), split, binary=False)
    d = _difference(est.estimate, est.se, est.n_unweighted, level)
    return PanelDifferences(
        labels=split.labels,
        estimate=d.estimate,
        se=d.se,
        ci_low=d.ci_low,
        ci_high=d.ci_high,
        p_value=d.p_value,
        n=est.n_unweighted.astype(np.int64),
    )


def evolution_table(before: pl.DataFrame, after: pl.DataFrame, level: float = 0.95) -> pl.DataFrame:
    """Differences between two `analyse` tables of independent editions, row by row.

    Rows are matched on indicator, kind, option, domain and domain value; suppressed estimates give
    an empty difference. Columns: estimate_before, estimate_after, difference, se, ci_low, ci_high,
    p_value, significant (p < 1 − level).
    """
    keys = ["indicator", "kind", "option", "domain", "domain_value"]
    cols = [*keys, "estimate", "se"]
    joined = before.select(cols).join(after.select(cols), on=keys, how="inner", suffix="_after")
    diff = independent_difference(
        joined["estimate"].fill_null(np.nan).to_numpy(),
        joined["se"].fill_null(np.nan).to_numpy(),
        joined["estimate_after"].fill_null(np.nan).to_numpy(),
        joined["se_after"].fill_null(np.nan).to_numpy(),
        level=level,
    )
    out = joined.select(keys).with_columns(
        estimate_before=joined["estimate"],
        estimate_after=joined["estimate_after"],
        difference=pl.Series(diff.estimate),
        se=pl.Series(diff.se),
        ci_low=pl.Series(diff.ci_low),
        ci_high=pl.Series(diff.ci_high),
        p_value=pl.Series(np.where(np.isnan(diff.se), np.nan, diff.p_value)),
    )
    out = out.with_columns(
        pl.col(c).fill_nan(None) for c in ["difference", "se", "ci_low", "ci_high", "p_value"]
    )
    return out.with_columns(significant=pl.col("p_value") < 1 - level)
