"""Evolution between two editions: independent-samples and paired differences with CI and p-value."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from barometre.stats.design import Design
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
