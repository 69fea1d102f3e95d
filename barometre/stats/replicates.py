"""Replicate-weight variance (R `as.svrepdesign`): jackknife (JK1/JKn) and Rao–Wu bootstrap, with
the calibration redone in every replicate (R `calibrate` on a replicate design)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from barometre.stats.design import Design
from barometre.stats.errors import StatsError


@dataclass(frozen=True)
class Replicates:
    """Replicate factors (n, R) applied to the weights before calibration, and the variance scales."""

    factors: np.ndarray
    scale: float
    rscales: np.ndarray
    kind: str
    mse: bool = False


def jackknife(design: Design) -> Replicates:
    """Delete-one jackknife: JK1 without strata, JKn within strata (fpc applied per stratum)."""
    n = design.n
    if n > 5000:
        raise StatsError(
            f"Jackknife : {n} répliques seraient nécessaires (une par répondant) ; utilisez le bootstrap."
        )
    n_h = np.bincount(design.strata, minlength=design.n_strata).astype(float)
    nh_i = n_h[design.strata]
    same = design.strata[:, None] == design.strata[None, :]
    factors = np.where(same, (nh_i / (nh_i - 1))[:, None], 1.0)
    np.fill_diagonal(factors, 0.0)
    f = np.zeros(design.n_strata)
    if design.population_sizes is not None:
        f = n_h / design.population_sizes
    if design.n_strata == 1:
        return Replicates(factors, float((1 - f[0]) * (n - 1) / n), np.ones(n), "JK1")
    rscales = ((nh_i - 1) / nh_i) * (1 - f[design.strata])
    return Replicates(factors, 1.0, rscales, "JKn")


def bootstrap(design: Design, replicates: int = 500, seed: int = 0) -> Replicates:
    """Rao–Wu rescaled bootstrap: n_h − 1 draws with replacement per stratum (R `bootweights`)."""
    rng = np.random.default_rng(seed)
    n_h = np.bincount(design.strata, minlength=design.n_strata)
    if (n_h < 2).any():
        raise StatsError("Bootstrap impossible : une strate n'a qu'un répondant.")
    order = np.argsort(design.strata, kind="stable")
    starts = np.concatenate([[0], np.cumsum(n_h)[:-1]])
    draws_h = np.repeat(np.arange(design.n_strata), n_h - 1)
    u = rng.random((draws_h.size, replicates))
    picked = order[starts[draws_h][:, None] + (u * n_h[draws_h][:, None]).astype(np.int64)]
    counts = np.zeros((design.n, replicates))
    cols = np.broadcast_to(np.arange(replicates), picked.shape)
    np.add.at(counts, (picked, cols), 1.0)
    nh_i = n_h[design.strata]
    factors = counts * (nh_i / (nh_i - 1))[:, None]
    psu_per_stratum = 1 / np.mean(1 / n_h)
    scale = psu_per_stratum / ((psu_per_stratum - 1) * (replicates - 1))
    return Replicates(factors, float(scale), np.ones(replicates), "bootstrap")


def replicate_weights(
    design: Design, reps: Replicates, tol: float = 1e-10, maxit: int = 1000
) -> np.ndarray:
    """(n, R) replicate weights, re-calibrated by raking or post-stratification like the full sample.

    Replicates whose calibration fails (a margin category without respondents) are NaN columns.
    """
    w = design.base_weights[:, None] * reps.factors
    cal = design.calibration
    if cal is None:
        return w
    if cal.method not in ("raking", "poststrat") or cal.cell_codes is None:
        raise StatsError(
            f"Poids répliqués : le recalage « {cal.method} » n'est pas pris en charge (raking ou poststrat)."
        )
    n_cells = len(cal.cell_matrix)
    onehot = sparse.csr_matrix(
        (np.ones(design.n), (cal.cells, np.arange(design.n))), shape=(n_cells, design.n)
    )
    w0 = np.asarray(onehot @ w)  # (C, R)
    g = np.ones_like(w0)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for _ in range(maxit):
            for m, tot in enumerate(cal.margin_totals):
                codes = cal.cell_codes[:, m]
                cur = np.zeros((len(tot), w0.shape[1]))
                np.add.at(cur, codes, w0 * g)
                g *= np.where(cur > 0, tot[:, None] / cur, 1.0)[codes]
            worst = np.zeros(w0.shape[1])
            for m, tot in enumerate(cal.margin_totals):
                cur = np.zeros((len(tot), w0.shape[1]))
                np.add.at(cur, cal.cell_codes[:, m], w0 * g)
                worst = np.maximum(
                    worst, np.max(np.abs(cur - tot[:, None]) / (1 + tot[:, None]), axis=0)
                )
            if np.all(worst < tol):
                break
    # a replicate whose calibration cannot reach the margins (an empty category) is left out
    failed = ~np.isfinite(worst) | (worst > 1e-6)
    g[:, failed] = np.nan
    return w * g[cal.cells]


def replicate_means(
    design: Design, reps: Replicates, y: np.ndarray, domain: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Full-sample means of y's columns and their replicate standard errors."""
    y = np.asarray(y, dtype=float).reshape(design.n, -1)
    d = np.ones(design.n) if domain is None else np.asarray(domain, dtype=float)
    w = design.weights * d
    est = (w @ y) / w.sum()
    wr = replicate_weights(design, reps) * d[:, None]
    theta = (wr.T @ y) / wr.sum(axis=0)[:, None]  # (R, K)
    centre = est if reps.mse else theta.mean(axis=0)
    var = reps.scale * (reps.rscales[:, None] * (theta - centre) ** 2).sum(axis=0)
    return est, np.sqrt(var)


def replicate_domain_se(
    reps: Replicates,
    weights: np.ndarray,
    prepared: np.ndarray,
    k: int,
    mask_of: np.ndarray,
    n_masks: int,
    codes: np.ndarray,
    n_levels: int,
) -> np.ndarray:
    """(levels, K) replicate SEs of domain means from a `prepare_indicators` matrix.

    `weights` are the (n, R) replicate weights; one matrix product per domain level. Replicates
    where a domain is empty are left out of that domain's variance.
    """
    den_cols = prepared.shape[1] - n_masks + np.asarray(mask_of)
    se = np.full((n_levels, k), np.nan)
    for g in range(n_levels):
        rows = codes == g
        if not rows.any():
            continue
        sums = weights[rows].T @ prepared[rows]  # (R, K')
        with np.errstate(divide="ignore", invalid="ignore"):
            theta = sums[:, :k] / sums[:, den_cols]
        centre = np.nanmean(theta, axis=0)
        dev = reps.rscales[:, None] * (theta - centre) ** 2
        se[g] = np.sqrt(reps.scale * np.nansum(dev, axis=0))
    return se
