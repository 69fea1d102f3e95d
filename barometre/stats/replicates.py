"""Replicate-weight variance, as R `as.svrepdesign`: jackknife (JK1/JKn) and bootstrap, with the
calibration redone in every replicate (R `calibrate` / `postStratify` on a replicate design).

Definitions follow R `survey` 4.1 exactly, so that given the same replicate factors the standard
errors are R's to rounding:

- **JK1** (one stratum) and **JKn** (strata): one replicate per respondent, the respondent's weight set
  to 0 and the others of its stratum multiplied by n_h/(n_h − 1); scale (1 − f)(n − 1)/n for JK1,
  rscales (1 − f_h)(n_h − 1)/n_h for JKn. A fully enumerated stratum (f_h = 1) gets no replicate
  (R's default `survey.drop.replicates`). A stratum with one respondent follows `lonely`, as R's
  `survey.lonely.psu` (`fail`, `remove`, `certainty`, `average`, `adjust`).
- **bootstrap** (R `bootweights`, Canty–Davison): in each stratum, n_h draws with replacement among
  its respondents; with population sizes, n_h draws *without* replacement from the respondents
  repeated up to N_h (a random order first), which carries the finite-population correction and
  gives a census stratum a factor of 1 in every replicate. Factors are the draw counts; scale
  n̄/((n̄ − 1)(R − 1)) with n̄ the harmonic mean of the n_h. Draws come from NumPy's PCG64 seeded by
  `seed`: same seed, same factors (R's own random stream cannot be reproduced, so the tests give R
  these factors through `svrepdesign(repweights = …)`).

The variance is Σ_r rscale_r (θ_r − θ̄)² × scale, θ̄ the mean over the replicates of positive
rscale (R's default, `mse = FALSE`); replicates giving no value (an empty domain or a failed
re-calibration) are left out, as R's `na.omit`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from barometre.stats.design import Design
from barometre.stats.errors import StatsError

LONELY = ("fail", "remove", "certainty", "average", "adjust")
MAX_JACKKNIFE = 5000
MAX_RANK_REPLICATES = 1000


@dataclass(frozen=True)
class Replicates:
    """Replicate factors (n, R) applied to the weights before calibration, and the variance scales."""

    factors: np.ndarray
    scale: float
    rscales: np.ndarray
    kind: str
    mse: bool = False

    @property
    def count(self) -> int:
        """Number of replicates."""
        return int(self.factors.shape[1])


def _sampling_fractions(design: Design, n_h: np.ndarray) -> np.ndarray:
    """f_h = n_h / N_h per stratum (0 without population sizes)."""
    if design.population_sizes is None:
        return np.zeros(design.n_strata)
    return n_h / design.population_sizes


def jackknife(design: Design, lonely: str | None = None) -> Replicates:
    """Delete-one jackknife: JK1 without strata, JKn within strata (R `jk1weights`/`jknweights`).

    `lonely`: rule for a stratum with one respondent (default: the design's `lonely_psu`, else
    `fail`), as R's `survey.lonely.psu` in `jknweights`.
    """
    lonely = lonely or getattr(design, "lonely_psu", None) or "fail"
    if lonely not in LONELY:
        raise StatsError(
            f"Strate à un répondant : option « {lonely} » inconnue ({', '.join(LONELY)})."
        )
    n = design.n
    if n > MAX_JACKKNIFE:
        raise StatsError(
            f"Jackknife : {n} répliques seraient nécessaires (une par répondant) ; utilisez le bootstrap."
        )
    n_h = np.bincount(design.strata, minlength=design.n_strata).astype(float)
    f = _sampling_fractions(design, n_h)
    nh_i = n_h[design.strata]
    if design.n_strata == 1:
        if f[0] >= 1:
            return Replicates(np.ones((n, 0)), 0.0, np.ones(0), "JK1")
        factors = np.full((n, n), n / (n - 1))
        np.fill_diagonal(factors, 0.0)
        return Replicates(factors, float((1 - f[0]) * (n - 1) / n), np.ones(n), "JK1")
    census = f[design.strata] >= 1
    single = (nh_i == 1) & ~census
    if single.any() and lonely == "fail":
        h = design.strata[np.flatnonzero(single)[0]]
        raise StatsError(
            f"Jackknife : la strate « {design.strata_labels[h]} » n'a qu'un répondant ; "
            "regroupez-la ou choisissez un traitement des strates à un répondant."
        )
    # one replicate per respondent of a stratum with ≥ 2 respondents and f_h < 1 (R drops the rest)
    keep = ~census & ~single
    if lonely == "adjust":
        keep |= single
    units = np.flatnonzero(keep)
    same = design.strata[:, None] == design.strata[units][None, :]
    with np.errstate(divide="ignore"):
        factors = np.where(same, (nh_i / np.maximum(nh_i - 1, 1))[:, None], 1.0)
    factors[units, np.arange(units.size)] = 0.0
    rscales = ((nh_i - 1) / nh_i * (1 - f[design.strata]))[units]
    n_strata = design.n_strata
    lone = single[units]
    if lone.any():  # R `adjust`: the lonely unit's replicate rescales the other strata
        factors[:, lone] = np.where(same[:, lone], 0.0, n_strata / (n_strata - 1))
        rscales[lone] = (n_strata - 1) / n_strata
    if units.size == 0:
        raise StatsError("Jackknife : toutes les strates sont recensées, la variance est nulle.")
    # R `average`: the dropped replicates (census and lonely strata) are made up by the scale
    scale = n / units.size if lonely == "average" else 1.0
    return Replicates(factors, float(scale), rscales, "JKn")


def bootstrap(design: Design, replicates: int = 500, seed: int = 0) -> Replicates:
    """R `bootweights`: n_h draws per stratum, with replacement, or without replacement from the
    respondents repeated up to N_h when population sizes are known (finite-population bootstrap)."""
    if replicates < 2:
        raise StatsError("Bootstrap : il faut au moins 2 répliques.")
    rng = np.random.default_rng(seed)
    n_h = np.bincount(design.strata, minlength=design.n_strata)
    factors = np.zeros((design.n, replicates))
    order = np.argsort(design.strata, kind="stable")
    starts = np.concatenate([[0], np.cumsum(n_h)[:-1]])
    pop = design.population_sizes
    for h in range(design.n_strata):
        size = int(n_h[h])
        if size == 0:
            continue
        members = order[starts[h] : starts[h] + size]
        if pop is None:
            picked = rng.integers(0, size, (replicates, size))
        else:
            big = round(float(pop[h]))
            if big <= size:  # census stratum: every respondent once
                factors[members] = 1.0
                continue
            # a random order of the respondents, repeated to N_h; n_h positions without replacement
            perm = np.argsort(rng.random((replicates, size)), axis=1)
            keys = rng.random((replicates, big))
            positions = np.argpartition(keys, size - 1, axis=1)[:, :size]
            picked = np.take_along_axis(perm, positions % size, axis=1)
        counts = np.zeros((replicates, size))
        np.add.at(counts, (np.arange(replicates)[:, None], picked), 1.0)
        factors[members] = counts.T
    psu_per_stratum = 1 / np.mean(1 / n_h[n_h > 0])
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
    if cal is None or reps.count == 0:
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
    margins = [
        (sparse.csr_matrix((np.ones(n_cells), (cal.cell_codes[:, m], np.arange(n_cells)))), tot)
        for m, tot in enumerate(cal.margin_totals)
    ]
    worst = np.full(w0.shape[1], np.inf)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for _ in range(maxit):
            for m, (to_margin, tot) in enumerate(margins):
                cur = to_margin @ (w0 * g)
                g *= np.where(cur > 0, tot[:, None] / cur, 1.0)[cal.cell_codes[:, m]]
            worst = np.max(
                [
                    np.max(np.abs(to_margin @ (w0 * g) - tot[:, None]) / (1 + tot[:, None]), axis=0)
                    for to_margin, tot in margins
                ],
                axis=0,
            )
            if np.all(worst < tol):
                break
    # a replicate whose calibration cannot reach the margins (an empty category) is left out
    failed = ~np.isfinite(worst) | (worst > 1e-6)
    g[:, failed] = np.nan
    return w * g[cal.cells]


def replicate_variance(reps: Replicates, theta: np.ndarray) -> np.ndarray:
    """R `svrVar` over the replicate axis (0) of theta (R, …); NaN replicates are left out."""
    theta = np.asarray(theta, dtype=float)
    shape = (-1,) + (1,) * (theta.ndim - 1)
    rs = reps.rscales.reshape(shape)
    positive = np.broadcast_to(rs > 0, theta.shape)
    with np.errstate(invalid="ignore"):
        centre = np.nanmean(np.where(positive, theta, np.nan), axis=0)
    return reps.scale * np.nansum(rs * (theta - centre) ** 2, axis=0)


def replicate_means(
    design: Design, reps: Replicates, y: np.ndarray, domain: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Full-sample means of y's columns and their replicate standard errors."""
    y = np.asarray(y, dtype=float).reshape(design.n, -1)
    d = np.ones(design.n) if domain is None else np.asarray(domain, dtype=float)
    w = design.weights * d
    est = (w @ y) / w.sum()
    wr = replicate_weights(design, reps) * d[:, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        theta = (wr.T @ y) / wr.sum(axis=0)[:, None]  # (R, K)
    if reps.mse:
        theta_c = theta - est
        var = reps.scale * np.nansum(reps.rscales[:, None] * theta_c**2, axis=0)
    else:
        var = replicate_variance(reps, theta)
    return est, np.sqrt(var)


def degrees_of_freedom(weights: np.ndarray) -> int:
    """R `degf` of a replicate design: rank of the replicate weights minus 1.

    R's `qr(tol = 1e-5)` (LINPACK `dqrdc2`) takes the columns in order and sets aside a column whose
    norm, once projected off the columns kept so far, is below 1e-5 times its own norm. The same
    test runs here on the Cholesky factor of the Gram matrix of the normalised columns (the R of a
    QR), which costs R² per column instead of n·R. Replicates whose calibration failed are left out;
    beyond `MAX_RANK_REPLICATES` (a large jackknife) the rank is taken as the number of replicates.
    """
    w = weights[:, np.isfinite(weights).all(axis=0)]
    if w.shape[1] == 0:
        return 0
    if w.shape[1] > MAX_RANK_REPLICATES:
        return int(w.shape[1]) - 1
    norms = np.linalg.norm(w, axis=0)
    w = w[:, norms > 0] / norms[norms > 0]
    gram = w.T @ w
    m = gram.shape[0]
    low = np.zeros((m, m))
    kept = np.zeros(m, bool)
    for j in range(m):
        rest = gram[j, j] - low[j, :j] @ low[j, :j]
        if rest < 1e-10:  # (1e-5)² on the squared norm of the unit column
            continue
        kept[j] = True
        low[j, j] = np.sqrt(rest)
        low[j + 1 :, j] = (gram[j + 1 :, j] - low[j + 1 :, :j] @ low[j, :j]) / low[j, j]
    return int(kept.sum()) - 1


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
        se[g] = np.sqrt(replicate_variance(reps, theta))
    return se
