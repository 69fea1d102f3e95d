"""Weighted correlations (Spearman, Pearson) with p-values, confidence intervals and effect sizes.

Weighted Spearman = weighted Pearson on weighted mid-ranks (rank of x_i = total weight of the
smaller values + half the weight of its ties). The p-value uses the t approximation with the Kish
effective sample size n_eff = (Σw)² / Σw² (df = n_eff − 2 − number of controls); the 95 % CI uses
Fisher's z with the same n_eff. An optional permutation p-value (y shuffled) is also available.
Controls give a partial correlation: x and y (ranks for Spearman) are residualised on the controls
by weighted least squares.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import polars as pl
from scipy import stats as scipy_stats

METHODS = ("spearman", "pearson")


@dataclass(frozen=True)
class Correlation:
    """One weighted correlation with its test and effect sizes."""

    x: str
    y: str
    method: str
    n: int
    n_effective: float
    r: float
    ci_low: float
    ci_high: float
    p_value: float
    p_permutation: float
    slope: float  # weighted least-squares slope of y on x (after transforms): y units per x unit
    effect: str  # magnitude of |r| in words (Cohen)
    controls: str

    def as_row(self) -> dict[str, object]:
        """The result as a dict (one row of a tidy table)."""
        return asdict(self)

    def sentence(self) -> str:
        """The result in one French sentence, for the CLI and reports."""
        symbol = "ρ" if self.method == "spearman" else "r"
        control = f", à {self.controls} égal" if self.controls else ""
        if np.isnan(self.p_value):
            p = "p non calculable"
        else:
            p = "p < 0,001" if self.p_value < 0.001 else f"p = {french_number(self.p_value, 3)}"
        return (
            f"{self.y} selon {self.x}{control} : {symbol} = {french_number(self.r)} "
            f"[{french_number(self.ci_low)} ; {french_number(self.ci_high)}], {p}, "
            f"effet {self.effect} (n = {self.n}, n effectif = {french_number(self.n_effective, 1)})."
        )


def french_number(value: float | None, digits: int = 2) -> str:
    """A number with a decimal comma; « – » when missing."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "–"
    return f"{value:.{digits}f}".replace(".", ",")


def weighted_ranks(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Weighted mid-ranks: weight of smaller values plus half the weight of equal values."""
    uniq, inverse = np.unique(values, return_inverse=True)
    tie_weight = np.bincount(inverse, weights=weights, minlength=len(uniq))
    below = np.cumsum(tie_weight) - tie_weight
    return (below + tie_weight / 2.0)[inverse]


def _center(v: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Values minus their weighted mean (works on a vector or the columns of a matrix)."""
    return v - np.average(v, axis=0, weights=w)


def _residualise(v: np.ndarray, controls: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Residuals of v after weighted least squares on the controls (with intercept)."""
    design = np.column_stack([np.ones(len(v)), controls])
    sw = np.sqrt(w)
    coef, *_ = np.linalg.lstsq(design * sw[:, None], v * sw, rcond=None)
    return v - design @ coef


def _pearson(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> tuple[float, float]:
    """Weighted Pearson r and weighted least-squares slope of y on x."""
    xc, yc = _center(x, w), _center(y, w)
    sxx, syy, sxy = np.sum(w * xc * xc), np.sum(w * yc * yc), np.sum(w * xc * yc)
    if sxx <= 0 or syy <= 0:
        return float("nan"), float("nan")
    return float(sxy / np.sqrt(sxx * syy)), float(sxy / sxx)


def effect_label(r: float) -> str:
    """Cohen's words for |r|: négligeable < 0.1 ≤ faible < 0.3 ≤ moyen < 0.5 ≤ fort."""
    if np.isnan(r):
        return "indéterminé"
    a = abs(r)
    return "négligeable" if a < 0.1 else "faible" if a < 0.3 else "moyen" if a < 0.5 else "fort"


def correlate(
    x: np.ndarray,
    y: np.ndarray,
    weights: np.ndarray | None = None,
    method: str = "spearman",
    controls: np.ndarray | None = None,
    n_permutations: int = 0,
    seed: int = 0,
    x_name: str = "x",
    y_name: str = "y",
    control_names: str = "",
) -> Correlation:
    """Weighted correlation of y with x (rows with a missing value anywhere are dropped)."""
    if method not in METHODS:
        raise ValueError(f"Méthode « {method} » inconnue (disponibles : {', '.join(METHODS)}).")
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    w = np.ones_like(x) if weights is None else np.asarray(weights, dtype=float)
    c = (
        np.empty((len(x), 0))
        if controls is None
        else np.asarray(controls, float).reshape(len(x), -1)
    )
    keep = np.isfinite(x) & np.isfinite(y) & np.isfinite(w) & (w > 0) & np.isfinite(c).all(axis=1)
    x, y, w, c = x[keep], y[keep], w[keep], c[keep]
    n = len(x)
    n_eff = float(w.sum() ** 2 / np.sum(w * w)) if n else 0.0
    if method == "spearman" and n:
        # slope stays on the original scale; r is computed on ranks
        _, slope = _pearson(x, y, w)
        x, y = weighted_ranks(x, w), weighted_ranks(y, w)
        c = np.column_stack([weighted_ranks(col, w) for col in c.T]) if c.shape[1] else c
    else:
        slope = float("nan")
    if c.shape[1] and n:
        before = (np.sum(w * _center(x, w) ** 2), np.sum(w * _center(y, w) ** 2))
        x, y = _residualise(x, c, w), _residualise(y, c, w)
        after = (np.sum(w * x * x), np.sum(w * y * y))
        if min(a / b if b > 0 else 0.0 for a, b in zip(after, before, strict=True)) < 1e-12:
            x = np.zeros_like(x)  # fully explained by the controls: no partial correlation
    r, pearson_slope = _pearson(x, y, w) if n > 2 else (float("nan"), float("nan"))
    if method == "pearson":
        slope = pearson_slope
    df = n_eff - 2 - c.shape[1]
    if np.isnan(r) or df <= 1:
        p = low = high = float("nan")
    else:
        rr = min(abs(r), 1 - 1e-15)
        t = rr * np.sqrt(df / (1 - rr * rr))
        p = float(2 * scipy_stats.t.sf(t, df))
        z, half = np.arctanh(rr) * np.sign(r), 1.959963984540054 / np.sqrt(max(df - 1, 1e-9))
        low, high = float(np.tanh(z - half)), float(np.tanh(z + half))
    perm = _permutation_p(x, y, w, r, n_permutations, seed) if n_permutations and n > 2 else np.nan
    return Correlation(
        x=x_name,
        y=y_name,
        method=method,
        n=n,
        n_effective=n_eff,
        r=r,
        ci_low=low,
        ci_high=high,
        p_value=p,
        p_permutation=float(perm),
        slope=slope,
        effect=effect_label(r),
        controls=control_names,
    )


def _permutation_p(
    x: np.ndarray, y: np.ndarray, w: np.ndarray, r: float, n_permutations: int, seed: int
) -> float:
    """Two-sided permutation p-value of the weighted correlation (y shuffled, in chunks)."""
    rng = np.random.default_rng(seed)
    xc = _center(x, w)
    sxx = np.sum(w * xc * xc)
    exceed, done = 0, 0
    while done < n_permutations:
        m = min(200, n_permutations - done)
        idx = np.argsort(rng.random((m, len(y))), axis=1)
        yp = y[idx]
        # x and w stay with each other; y values move: weighted moments over the pairs (x_i, y_p(i))
        ym = np.sum(w * yp, axis=1, keepdims=True) / w.sum()
        yc = yp - ym
        rp = (yc * (w * xc)).sum(axis=1) / np.sqrt(sxx * (w * yc * yc).sum(axis=1))
        exceed += int(np.sum(np.abs(rp) >= abs(r) - 1e-12))
        done += m
    return (exceed + 1) / (n_permutations + 1)


def correlation_matrix(
    frame: pl.DataFrame,
    columns: list[str],
    weights: np.ndarray | None = None,
    method: str = "spearman",
) -> pl.DataFrame:
    """Tidy table of every pair of columns (x < y in the given order)."""
    rows = []
    for i, a in enumerate(columns):
        for b in columns[i + 1 :]:
            rows.append(
                correlate(
                    frame.get_column(a).cast(pl.Float64).to_numpy(),
                    frame.get_column(b).cast(pl.Float64).to_numpy(),
                    weights,
                    method,
                    x_name=a,
                    y_name=b,
                ).as_row()
            )
    return _nulls(pl.DataFrame(rows, schema=_SCHEMA))


def correlations_table(results: list[Correlation]) -> pl.DataFrame:
    """Tidy table of correlation results."""
    return _nulls(pl.DataFrame([r.as_row() for r in results], schema=_SCHEMA))


def _nulls(table: pl.DataFrame) -> pl.DataFrame:
    """NaN (not computable) as null, so that tables hold empty cells rather than 'NaN'."""
    return table.with_columns(pl.col(pl.Float64).fill_nan(None))


_SCHEMA = {
    "x": pl.Utf8,
    "y": pl.Utf8,
    "method": pl.Utf8,
    "n": pl.Int64,
    "n_effective": pl.Float64,
    "r": pl.Float64,
    "ci_low": pl.Float64,
    "ci_high": pl.Float64,
    "p_value": pl.Float64,
    "p_permutation": pl.Float64,
    "slope": pl.Float64,
    "effect": pl.Utf8,
    "controls": pl.Utf8,
}
