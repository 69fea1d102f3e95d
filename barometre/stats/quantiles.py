"""Weighted quantiles by domain with Woodruff confidence intervals (R `svyquantile`, qrule "math",
interval.type "mean"): the CI of the estimated CDF at the quantile, mapped back through the quantile
function."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from barometre.stats.design import Design
from barometre.stats.domains import Breakdown, domain_means
from barometre.stats.intervals import _t


@dataclass(frozen=True)
class QuantileEstimates:
    """Arrays of shape (levels, columns)."""

    estimate: np.ndarray
    se: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    n_unweighted: np.ndarray
    n_weighted: np.ndarray


def _sorted_cdf(w: np.ndarray, y: np.ndarray, groups: np.ndarray):
    """Values sorted by (group, value) and the within-group CDF, made monotone as group + F."""
    order = np.lexsort((y, groups))
    g, v, ws = groups[order], y[order], w[order]
    totals = np.bincount(g, weights=ws)
    cum = np.cumsum(ws)
    start = np.concatenate([[0.0], np.cumsum(totals)])[g]
    f = (cum - start) / totals[g]
    return v, g + f, g


def _invert(
    v: np.ndarray, key: np.ndarray, g: np.ndarray, group_ids: np.ndarray, p: np.ndarray
) -> np.ndarray:
    """Smallest value whose within-group CDF reaches p (R qrule "math"); NaN when p is outside [0, 1]."""
    pos = np.searchsorted(key, group_ids + p - 1e-12, side="left")
    ok = (p >= 0) & (p <= 1) & (pos < len(v))
    pos = np.clip(pos, 0, max(len(v) - 1, 0))
    out = np.where(ok, v[pos] if len(v) else np.nan, np.nan)
    same_group = g[pos] == group_ids if len(v) else np.zeros_like(ok)
    return np.where(same_group, out, np.nan)


def domain_quantiles(
    design: Design,
    y: np.ndarray,
    masks: np.ndarray,
    breakdown: Breakdown,
    p: float = 0.5,
    level: float = 0.95,
) -> QuantileEstimates:
    """Quantile p of each column of y among its mask, by breakdown level, with Woodruff CI."""
    y = np.asarray(y, dtype=float)
    masks = np.asarray(masks, dtype=bool)
    n_levels = len(breakdown.labels)
    shape = (n_levels, y.shape[1])
    est = np.full(shape, np.nan)
    below = np.zeros(y.shape)
    sorted_parts = []
    for j in range(y.shape[1]):
        keep = masks[:, j] & (breakdown.codes >= 0)
        idx = np.flatnonzero(keep)
        v, key, g = _sorted_cdf(design.weights[idx], y[idx, j], breakdown.codes[idx])
        present = np.flatnonzero(
            np.bincount(breakdown.codes[idx], minlength=n_levels)[:n_levels] > 0
        )
        q = np.full(n_levels, np.nan)
        q[present] = _invert(v, key, g, present, np.full(present.size, p))
        est[:, j] = q
        below[idx, j] = y[idx, j] <= q[breakdown.codes[idx]]
        sorted_parts.append((v, key, g, present))
    r = domain_means(design, below, masks, np.arange(y.shape[1]), breakdown)
    t = _t(level, r.df)
    lo_p, hi_p = r.estimate - t * r.se, r.estimate + t * r.se
    lo = np.full(shape, np.nan)
    hi = np.full(shape, np.nan)
    for j, (v, key, g, present) in enumerate(sorted_parts):
        lo[present, j] = _invert(v, key, g, present, lo_p[present, j])
        hi[present, j] = _invert(v, key, g, present, hi_p[present, j])
    with np.errstate(invalid="ignore"):
        se = (hi - lo) / (2 * t)
    return QuantileEstimates(est, se, lo, hi, r.n_unweighted, r.n_weighted)
