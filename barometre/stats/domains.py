"""Means and proportions of many indicators over many domains, with calibrated linearised SE.

All indicator columns and all levels of a breakdown are handled at once: group sums come from one
sparse one-hot product, and the calibration residuals and stratified variances are assembled from
those sums (never by looping over rows or domains), in the p columns of the calibration model
rather than its cells. Numbers match R `svyby(..., svymean)` on a
calibrated `svydesign(ids=~1, strata, fpc)`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
from scipy import sparse

from barometre.stats.design import Design
from barometre.stats.errors import StatsError

CHUNK_BYTES = 16 * 2**20  # the prepared matrix is built by chunks of columns of about this size


@dataclass(frozen=True)
class Breakdown:
    """A domain variable: level code per respondent (-1: in no domain) and level labels."""

    name: str
    codes: np.ndarray
    labels: tuple[str, ...]

    @classmethod
    def overall(cls, n: int) -> Breakdown:
        """The whole sample as a single domain."""
        return cls("ensemble", np.zeros(n, dtype=np.int64), ("ensemble",))

    @classmethod
    def from_values(
        cls, name: str, values: np.ndarray | pl.Series, order: list[str] | None = None
    ) -> Breakdown:
        """Build from labels per respondent (None/NaN/empty: in no domain)."""
        text = _as_text(values)
        present = text.is_not_null() & (text != "")
        observed = text.filter(present).unique().sort().to_list()
        labels = list(order) if order is not None else observed
        lookup = pl.DataFrame({"v": labels, "i": np.arange(len(labels), dtype=np.int64)})
        codes = (
            pl.DataFrame({"v": text})
            .join(lookup, on="v", how="left", maintain_order="left")["i"]
            .fill_null(-1)
            .to_numpy()
        )
        return cls(name, codes.astype(np.int64), tuple(labels))


def _as_text(values: np.ndarray | pl.Series) -> pl.Series:
    """Labels as a Polars string Series (NaN and None become null)."""
    if isinstance(values, pl.Series):
        return values.cast(pl.String)
    arr = np.asarray(values)
    if arr.dtype.kind == "f":
        return pl.Series("v", arr).fill_nan(None).cast(pl.String)
    if arr.dtype.kind in "iub":
        return pl.Series("v", arr).cast(pl.String)
    text = pl.Series("v", arr.tolist(), dtype=pl.String, strict=False)
    return text.replace(["NaN", "nan"], [None, None])


@dataclass(frozen=True)
class DomainEstimates:
    """Estimates for one breakdown: arrays of shape (levels, indicators)."""

    breakdown: Breakdown
    estimate: np.ndarray
    se: np.ndarray
    n_unweighted: np.ndarray
    n_weighted: np.ndarray
    n_positive: np.ndarray
    df: np.ndarray


@dataclass(frozen=True)
class _Sums:
    """Group sums of the prepared matrix for one breakdown (rows: levels L; columns: K')."""

    model_w0: np.ndarray  # (p, L, K') Σ u_j(cell) · w0 · x  (model columns of the calibration)
    model_cw2: np.ndarray  # (p, L, K') Σ u_j(cell) · c_h · w² · x
    cw2: np.ndarray  # (L, K') Σ c_h · w² · x
    strata_w: np.ndarray  # (H, L, K') Σ w · x by stratum
    strata_n: np.ndarray  # (H, L, K') Σ x by stratum


@dataclass(frozen=True)
class _Groups:
    """How one breakdown's sums are made from a matrix x: `onehot @ x` gives the sums of x by
    group (G, K'), then `combine @` those gives every sum of `_Sums`, stacked."""

    row_group: np.ndarray  # (n,) each respondent's group, -1 outside every level
    n_groups: int
    combine: sparse.csr_matrix  # (2·p·L + L + 2·H·L, G)
    p: int
    n_levels: int
    n_strata: int

    def onehot(self, dtype: type) -> sparse.csr_matrix:
        """(G, n): 1 where respondent i is in group g."""
        inside = np.flatnonzero(self.row_group >= 0)
        return sparse.csr_matrix(
            (np.ones(inside.size, dtype=dtype), (self.row_group[inside], inside)),
            shape=(self.n_groups, self.row_group.size),
        )

    def sums(self, totals: np.ndarray) -> _Sums:
        """The `_Sums` of a matrix from its group totals `onehot @ x` (float64)."""
        f = self.combine @ totals
        p, levels, h = self.p, self.n_levels, self.n_strata
        size_p, size_h = p * levels, h * levels
        return _Sums(
            model_w0=f[:size_p].reshape(p, levels, -1),
            model_cw2=f[size_p : 2 * size_p].reshape(p, levels, -1),
            cw2=f[2 * size_p : 2 * size_p + levels],
            strata_w=f[2 * size_p + levels : 2 * size_p + levels + size_h].reshape(h, levels, -1),
            strata_n=f[2 * size_p + levels + size_h :].reshape(h, levels, -1),
        )


def _groups(design: Design, codes: np.ndarray, n_levels: int) -> _Groups:
    """The groups of a breakdown (see `_group_sums`)."""
    cal = design.calibration
    cells = cal.cells if cal is not None else np.zeros(design.n, dtype=np.int64)
    u = cal.cell_matrix if cal is not None else np.ones((1, 1))
    c_h, _ = design.stratum_factors()
    w, w0 = design.weights, design.base_weights
    keep = np.flatnonzero(codes >= 0)
    base_values, base_code = np.unique(w0[keep], return_inverse=True)
    key = (cells[keep] * design.n_strata + design.strata[keep]) * base_values.size + base_code
    key = key * n_levels + codes[keep]
    _, first, group = np.unique(key, return_index=True, return_inverse=True)
    rep = keep[first]
    level = codes[rep]
    h = design.strata[rep]
    cw2 = c_h[h] * w[rep] ** 2
    g_of, j_of = np.nonzero(u[cells[rep]])  # groups × model columns where U ≠ 0
    u_val = u[cells[rep]][g_of, j_of]
    p = u.shape[1]
    size_p = p * n_levels
    size_h = design.n_strata * n_levels
    model_rows = j_of * n_levels + level[g_of]
    rows = np.concatenate(
        [
            model_rows,
            size_p + model_rows,
            2 * size_p + level,
            2 * size_p + n_levels + h * n_levels + level,
            2 * size_p + n_levels + size_h + h * n_levels + level,
        ]
    )
    cols = np.concatenate([g_of, g_of, *(np.arange(rep.size),) * 3])
    data = np.concatenate(
        [u_val * w0[rep][g_of], u_val * cw2[g_of], cw2, w[rep], np.ones(rep.size)]
    )
    combine = sparse.csr_matrix(
        (data, (rows, cols)), shape=(2 * size_p + n_levels + 2 * size_h, rep.size)
    )
    row_group = np.full(design.n, -1, dtype=np.int64)
    row_group[keep] = group.ravel()
    return _Groups(row_group, first.size, combine, p, n_levels, design.n_strata)


def _group_sums(design: Design, codes: np.ndarray, n_levels: int, x: np.ndarray) -> _Sums:
    """Weighted sums of x by level: by calibration model column, overall and by stratum.

    Within a (calibration cell, stratum, base weight, level) group every respondent has the same
    w0, w = w0·g and c_h: x is summed once per group (one pass over x, exact in float32 for 0/1
    indicators), then every weighted sum is a small sparse product over the groups. Sums by
    calibration cell are never formed: the residual projection only needs them through the model
    matrix U (cells × p, p ≪ cells), so they are summed straight into its p columns.
    """
    groups = _groups(design, codes, n_levels)
    return groups.sums(np.asarray(groups.onehot(x.dtype) @ x, dtype=np.float64))


def _zero_outside(x: np.ndarray, masks: np.ndarray, mask_of: np.ndarray) -> None:
    """Set x[i, j] = 0 where respondent i is outside column j's mask (in place, by column runs)."""
    for m in np.unique(mask_of):
        outside = ~masks[:, m]
        if not outside.any():
            continue
        cols = np.flatnonzero(mask_of == m)
        breaks = np.flatnonzero(np.diff(cols) > 1) + 1
        for run in np.split(cols, breaks):
            x[outside, run[0] : run[-1] + 1] = 0


def prepare_indicators(
    y: np.ndarray, masks: np.ndarray, mask_of: np.ndarray, binary: bool = True
) -> np.ndarray:
    """The matrix summed by domain: masked values [, their squares], then the masks (n, K[+K]+M).

    Binary (0/1) indicators give a float32 matrix: group sums of 0/1 values are integers below
    2²⁴, exact in float32, and the matrix is half as heavy to stream.
    """
    y = np.asarray(y)
    masks = np.asarray(masks, dtype=bool)
    n, k = y.shape
    if masks.shape[0] != n or len(mask_of) != k:
        raise StatsError("Dimensions incohérentes entre indicateurs et masques de dénominateur.")
    if binary:
        if y.dtype != bool:
            inside = masks[:, mask_of]
            odd = inside & (y != 0) & (y != 1)
            if odd.any():
                row, col = (int(v[0]) for v in np.nonzero(odd))
                what = "manquante" if np.isnan(y[row, col]) else f"{y[row, col]} (0 ou 1 attendu)"
                raise StatsError(
                    f"Ligne {row + 1}, indicateur n° {col + 1} : valeur {what} dans le dénominateur."
                )
            y = (y == 1) & inside
        y = np.ascontiguousarray(y)  # Polars gives column-major arrays: transpose the bytes once
        x = np.empty((n, k + masks.shape[1]), dtype=np.float32)
        x[:, :k] = y
        _zero_outside(x, masks, np.asarray(mask_of))
        x[:, k:] = masks
        return x
    inside = masks[:, mask_of]
    x = np.zeros((n, 2 * k + masks.shape[1]))
    np.copyto(x[:, :k], y, where=inside)  # values outside the mask (even NaN) ignored
    if y.dtype.kind == "f" and np.isnan(x[:, :k]).any():
        col = int(np.flatnonzero(np.isnan(x[:, :k]).any(axis=0))[0])
        row = int(np.flatnonzero(np.isnan(x[:, col]))[0])
        raise StatsError(
            f"Ligne {row + 1}, indicateur n° {col + 1} : valeur manquante dans le dénominateur."
        )
    np.square(x[:, :k], out=x[:, k : 2 * k])
    x[:, 2 * k :] = masks
    return x


def domain_means(
    design: Design,
    y: np.ndarray,
    masks: np.ndarray,
    mask_of: np.ndarray,
    breakdown: Breakdown,
    binary: bool = True,
    prepared: np.ndarray | None = None,
) -> DomainEstimates:
    """Weighted means of y's columns among respondents of each column's mask, by breakdown level.

    y: (n, K) values (ignored where the mask is False); masks: (n, M) bool denominators;
    mask_of: (K,) index of each column's mask. `binary=False` adds the sums of squares needed for
    numeric indicators. `prepared` (from `prepare_indicators`) saves rebuilding the matrix when
    the same indicators are broken down several ways.
    """
    k = np.shape(y)[1]
    x = prepare_indicators(y, masks, mask_of, binary) if prepared is None else prepared
    sums = _group_sums(design, breakdown.codes, len(breakdown.labels), x)
    return _estimates(design, sums, k, mask_of, breakdown, binary)


def domain_means_by(
    design: Design,
    y: np.ndarray,
    masks: np.ndarray,
    mask_of: np.ndarray,
    breakdowns: list[Breakdown],
    binary: bool = True,
    chunk_bytes: int = CHUNK_BYTES,
) -> list[DomainEstimates]:
    """`domain_means` of the same indicators for several breakdowns, in bounded memory.

    The same figures as one `domain_means` per breakdown, but the prepared matrix (n × K′, the
    heaviest object of a national analysis: 110 MB for 750 indicators of 36,000 respondents) is
    never built whole: columns are taken by chunks of about `chunk_bytes`, each with only the
    denominator masks it uses, and every breakdown's group sums of a chunk come from one pass
    over it (`_finest_groups`).
    """
    y = np.asarray(y)
    masks = np.asarray(masks, dtype=bool)
    mask_of = np.asarray(mask_of)
    n, k = y.shape
    if k == 0:
        return [_joined(b, []) for b in breakdowns]
    dtype = np.float32 if binary else np.float64
    groups = [_groups(design, b.codes, len(b.labels)) for b in breakdowns]
    fine, stacked = _finest_groups(groups, dtype)
    terms = _DesignTerms.of(design)
    bounds = np.cumsum([0, *(g.n_groups for g in groups)])
    per_column = np.dtype(dtype).itemsize * n * (1 if binary else 2)
    width = max(1, chunk_bytes // max(per_column, 1))
    parts: list[list[DomainEstimates]] = [[] for _ in breakdowns]
    for start in range(0, k, width):
        cols = slice(start, min(start + width, k))
        used, local = np.unique(mask_of[cols], return_inverse=True)
        x = prepare_indicators(y[:, cols], masks[:, used], local, binary)
        totals = stacked @ np.asarray(fine @ x, dtype=np.float64)
        del x
        for i, (b, g) in enumerate(zip(breakdowns, groups, strict=True)):
            sums = g.sums(totals[bounds[i] : bounds[i + 1]])
            parts[i].append(_estimates(design, sums, cols.stop - start, local, b, binary, terms))
    return [_joined(b, chunks) for b, chunks in zip(breakdowns, parts, strict=True)]


def _finest_groups(
    groups: list[_Groups], dtype: type
) -> tuple[sparse.csr_matrix, sparse.csr_matrix]:
    """The groups crossing every breakdown's groups, `fine` (F, n), and `stacked` (ΣG, F) that
    adds them up into each breakdown's groups: `stacked @ (fine @ x)` is every breakdown's
    `onehot @ x` stacked, with one pass over x instead of one per breakdown."""
    n = groups[0].row_group.size
    fine = np.zeros(n, dtype=np.int64)
    for g in groups:  # compacted after each cross, so the keys stay below n²
        _, fine = np.unique(fine * (g.n_groups + 1) + g.row_group + 1, return_inverse=True)
        fine = fine.ravel()
    _, first = np.unique(fine, return_index=True)
    onehot = sparse.csr_matrix(
        (np.ones(n, dtype=dtype), (fine, np.arange(n))), shape=(first.size, n)
    )
    parts = []
    for g in groups:
        of_fine = g.row_group[first]
        inside = np.flatnonzero(of_fine >= 0)
        parts.append(
            sparse.csr_matrix(
                (np.ones(inside.size), (of_fine[inside], inside)),
                shape=(g.n_groups, first.size),
            )
        )
    return onehot, sparse.vstack(parts, format="csr")


def _joined(breakdown: Breakdown, chunks: list[DomainEstimates]) -> DomainEstimates:
    """Chunks of indicator columns side by side (no chunk: no indicator)."""
    levels = len(breakdown.labels)
    if not chunks:
        empty = np.zeros((levels, 0))
        return DomainEstimates(breakdown, empty, empty, empty, empty, empty, empty)
    fields = ("estimate", "se", "n_unweighted", "n_weighted", "n_positive", "df")
    return DomainEstimates(
        breakdown,
        *(np.concatenate([getattr(c, f) for c in chunks], axis=1) for f in fields),
    )


@dataclass(frozen=True)
class _DesignTerms:
    """What the variance needs of the design alone (the same for every indicator and domain)."""

    c_h: np.ndarray  # (H,) stratum factor
    n_h: np.ndarray  # (H,) respondents per stratum
    u: np.ndarray | None = None  # (cells, p) calibration model
    t_inv: np.ndarray | None = None  # (p, p) (Uᵀ W0 U)⁻¹
    a_mat: np.ndarray | None = None  # (p, p) Uᵀ Ω U
    wu_h: np.ndarray | None = None  # (H, p) strata sums of w · U

    @classmethod
    def of(cls, design: Design) -> _DesignTerms:
        """The terms of a design (O(n): computed once per design, not per chunk or domain)."""
        c_h, n_h = design.stratum_factors()
        cal = design.calibration
        if cal is None:
            return cls(c_h, n_h)
        u = cal.cell_matrix
        n_cells = u.shape[0]
        w0_cell = np.bincount(cal.cells, weights=design.base_weights, minlength=n_cells)
        t_inv = np.linalg.pinv((u * w0_cell[:, None]).T @ u, rcond=1e-12, hermitian=True)
        omega = np.bincount(
            cal.cells, weights=c_h[design.strata] * design.weights**2, minlength=n_cells
        )
        w_ch = np.zeros((n_cells, design.n_strata))
        np.add.at(w_ch, (cal.cells, design.strata), design.weights)
        return cls(c_h, n_h, u, t_inv, (u * omega[:, None]).T @ u, w_ch.T @ u)


def _estimates(
    design: Design,
    sums: _Sums,
    k: int,
    mask_of: np.ndarray,
    breakdown: Breakdown,
    binary: bool,
    terms: _DesignTerms | None = None,
) -> DomainEstimates:
    """Estimates and calibrated linearised SEs from the group sums of a prepared matrix."""
    terms = _DesignTerms.of(design) if terms is None else terms
    ky = slice(0, k)
    k2 = slice(k, 2 * k) if not binary else ky
    km = (2 * k if not binary else k) + np.asarray(mask_of)
    a3, a4 = sums.strata_w, sums.strata_n

    num = a3[:, :, ky].sum(axis=0)
    wsum = a3[:, :, km].sum(axis=0)
    counts = a4[:, :, km]
    n_unw = counts.sum(axis=0)
    df = n_unw - (counts > 0).sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        est = num / wsum
        szz = (sums.cw2[:, k2] - 2 * est * sums.cw2[:, ky] + est**2 * sums.cw2[:, km]) / wsum**2
        ez = (a3[:, :, ky] - est * a3[:, :, km]) / wsum
    c_h, n_h = terms.c_h, terms.n_h
    if terms.u is not None:
        # residuals e = z − w·U·β, β = T⁻¹ Uᵀ r (R's calibration-aware linearisation), all in the
        # p model columns: Uᵀr, Uᵀn2, UᵀΩU and the strata sums of w·U are p-dimensional
        p = terms.u.shape[1]
        with np.errstate(divide="ignore", invalid="ignore"):
            ur = (sums.model_w0[:, :, ky] - est * sums.model_w0[:, :, km]) / wsum
            un2 = (sums.model_cw2[:, :, ky] - est * sums.model_cw2[:, :, km]) / wsum
        beta = (terms.t_inv @ np.nan_to_num(ur).reshape(p, -1)).reshape(ur.shape)
        sce2 = (
            szz
            - 2 * (beta * un2).sum(axis=0)
            + (beta * (terms.a_mat @ beta.reshape(p, -1)).reshape(beta.shape)).sum(axis=0)
        )
        eh = ez - (terms.wu_h @ beta.reshape(p, -1)).reshape(ez.shape)
    else:
        sce2, eh = szz, ez
    var = sce2 - ((c_h / n_h) @ (eh**2).reshape(len(c_h), -1)).reshape(sce2.shape)
    var = var * design.domain_rescaling(counts > 0)  # R `average` on an uncalibrated domain
    n_pos = a4[:, :, ky].sum(axis=0)
    if binary:
        degenerate = (n_pos == 0) | (n_pos == n_unw)
        est = np.where(degenerate & (n_unw > 0), np.where(n_pos == 0, 0.0, 1.0), est)
        var = np.where(degenerate, 0.0, var)
    var = np.where(np.abs(var) < 1e-28, 0.0, var)
    se = np.sqrt(np.clip(var, 0.0, None))
    se = np.where(wsum > 0, se, np.nan)
    return DomainEstimates(
        breakdown=breakdown,
        estimate=est,
        se=se,
        n_unweighted=n_unw,
        n_weighted=wsum,
        n_positive=n_pos,
        df=df,
    )
