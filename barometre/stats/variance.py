"""Linearised variance for a stratified single-stage design, calibration-aware (R `svyrecvar`)."""

from __future__ import annotations

import numpy as np

from barometre.stats.design import Design


def calibration_residuals(design: Design, z: np.ndarray) -> np.ndarray:
    """Residuals of influence values z (n, m) regressed on the calibration model (g-weighted)."""
    cal = design.calibration
    if cal is None:
        return z
    n_cells = len(cal.cell_matrix)
    r = np.zeros((n_cells, z.shape[1]))
    np.add.at(r, cal.cells, z / cal.g[:, None])
    gamma = cal.projector(design.base_weights) @ r
    return z - design.weights[:, None] * gamma[cal.cells]


def covariance(design: Design, z: np.ndarray) -> np.ndarray:
    """(m, m) covariance of totals of the influence columns z (n, m)."""
    z = np.asarray(z, dtype=float).reshape(design.n, -1)
    e = calibration_residuals(design, z)
    c, n_h = design.stratum_factors()
    sums = np.zeros((design.n_strata, e.shape[1]))
    np.add.at(sums, design.strata, e)
    ce = e * np.sqrt(c)[design.strata][:, None]
    return ce.T @ ce - (sums * (c / n_h)[:, None]).T @ sums


def variance(design: Design, z: np.ndarray) -> np.ndarray:
    """Variances of totals of the influence columns z (n, m)."""
    z = np.asarray(z, dtype=float).reshape(design.n, -1)
    e = calibration_residuals(design, z)
    c, n_h = design.stratum_factors()
    sums = np.zeros((design.n_strata, e.shape[1]))
    np.add.at(sums, design.strata, e)
    return (c[design.strata][:, None] * e**2).sum(axis=0) - ((c / n_h)[:, None] * sums**2).sum(
        axis=0
    )


def mean_influence(
    design: Design, y: np.ndarray, domain: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Ratio means of the columns of y (n, m) over a domain mask, and their influence values."""
    y = np.asarray(y, dtype=float).reshape(design.n, -1)
    w = design.weights if domain is None else design.weights * domain
    total = w.sum()
    est = (w @ y) / total
    return est, w[:, None] * (y - est) / total
