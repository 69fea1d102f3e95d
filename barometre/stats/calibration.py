"""Calibration of weights on population margins: raking (IPF), post-stratification, linear and
bounded logit calibration (R `calibrate`), collapsing of empty or sparse cells, diagnostics."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from barometre.stats.design import CalibrationState, Design
from barometre.stats.errors import CalibrationError

METHODS = ("raking", "poststrat", "logit", "linear", "none")


@dataclass(frozen=True)
class Margin:
    """One calibration margin: the category of each respondent and the population count per category.

    `categories` fixes the order of the categories (used for the dummies and for collapsing).
    """

    name: str
    sample: np.ndarray  # (n,) category labels (str)
    totals: dict[str, float]

    @property
    def categories(self) -> list[str]:
        """Categories in population order."""
        return list(self.totals)


@dataclass(frozen=True)
class Collapse:
    """A record of categories merged because they were empty or too small in the sample."""

    margin: str
    merged: tuple[str, ...]
    into: str


def _neighbour(cats: list[str], i: int, pop: np.ndarray) -> int:
    """Category to merge category i into: the one sharing the most leading variables of a crossed
    label (same kind of collectivité first), then the nearest in the category order, then the
    smaller."""
    others = [j for j in range(len(cats)) if j != i]
    return max(others, key=lambda j: (_shared_prefix(cats[i], cats[j]), -abs(i - j), -pop[j]))


def _shared_prefix(a: str, b: str) -> int:
    """Number of leading variables two crossed labels share (`commune × de 500 à 1 999 hab.`).

    Whole values are compared, never characters: « de 50 000 à 99 999 hab. » does not resemble
    « de 500 à 1 999 hab. ». A merged label is compared through its first member.
    """
    left = a.split(" + ")[0].split(" × ")
    right = b.split(" + ")[0].split(" × ")
    return next(
        (k for k, (x, y) in enumerate(zip(left, right, strict=False)) if x != y),
        min(len(left), len(right)),
    )


def _factorize(values: np.ndarray) -> tuple[list[str], np.ndarray]:
    """Distinct labels (first-appearance order) and the label index of each value (Polars hashing,
    no Python loop over the respondents)."""
    arr = np.asarray(values)
    if arr.dtype.kind not in "OU":
        arr = arr.astype(str)
    series = pl.Series("v", arr.astype(object) if arr.dtype.kind == "U" else arr, dtype=pl.String)
    labels = series.unique(maintain_order=True)
    index = series.replace_strict(labels, pl.int_range(labels.len(), eager=True, dtype=pl.Int64))
    return labels.to_list(), index.to_numpy()


def _category_codes(margin: Margin) -> np.ndarray:
    """Category index of each respondent; French error for a category outside the frame."""
    labels, inverse = _factorize(margin.sample)
    lookup = {c: i for i, c in enumerate(margin.categories)}
    missing = [i for i, label in enumerate(labels) if label not in lookup]
    if missing:
        rows = np.flatnonzero(inverse == missing[0])
        raise CalibrationError(
            f"Marge « {margin.name} » : la catégorie « {labels[missing[0]]} » (ligne {rows[0] + 1}, "
            f"{rows.size} répondant(s)) est absente de la base de sondage : répondant hors base."
        )
    return np.array([lookup[label] for label in labels], dtype=np.int64)[inverse]


def _merge_small(
    cats: list[str], counts: np.ndarray, pop: np.ndarray, min_count: int
) -> list[list[str]]:
    """Groups of categories after merging those with fewer than `min_count` respondents."""
    counts, pop = counts.astype(np.int64), pop.astype(float)
    members = [[c] for c in cats]
    labels = list(cats)
    while len(labels) > 1:
        small = np.flatnonzero(counts < min_count)
        if small.size == 0:
            break
        i = int(small[np.argmin(counts[small])])
        j = _neighbour(labels, i, pop)
        keep, drop = min(i, j), max(i, j)
        members[keep] = members[keep] + members[drop]
        counts[keep] += counts[drop]
        pop[keep] += pop[drop]
        labels[keep] = " + ".join(members[keep])
        del labels[drop], members[drop]
        counts = np.delete(counts, drop)
        pop = np.delete(pop, drop)
    return members


def _collapsed(
    margin: Margin, codes: np.ndarray, min_count: int
) -> tuple[Margin, np.ndarray, list[Collapse]]:
    """The margin with small categories merged, the new category codes and the merge records."""
    cats = margin.categories
    counts = np.bincount(codes, minlength=len(cats))
    pop = np.array([margin.totals[c] for c in cats], dtype=float)
    members = _merge_small(cats, counts, pop, min_count)
    labels = [" + ".join(mem) for mem in members]
    index = {c: i for i, c in enumerate(cats)}
    new_of_old = np.empty(len(cats), dtype=np.int64)
    for j, mem in enumerate(members):
        new_of_old[[index[c] for c in mem]] = j
    new_codes = new_of_old[codes]
    totals = {
        lab: float(sum(margin.totals[c] for c in mem))
        for lab, mem in zip(labels, members, strict=True)
    }
    records = [
        Collapse(margin.name, tuple(mem), lab)
        for lab, mem in zip(labels, members, strict=True)
        if len(mem) > 1
    ]
    sample = np.array(labels, dtype=object)[new_codes]
    return Margin(margin.name, sample, totals), new_codes, records


def collapse_margin(margin: Margin, min_count: int) -> tuple[Margin, list[Collapse]]:
    """Merge categories with fewer than `min_count` respondents into an adjacent category.

    Respondents whose category is not in the margin's totals keep their label (no code).
    """
    cats = margin.categories
    labels, inverse = _factorize(margin.sample)
    index = {c: i for i, c in enumerate(cats)}
    known = np.array([index.get(label, -1) for label in labels], dtype=np.int64)[inverse]
    inside = known >= 0
    counts = np.bincount(known[inside], minlength=len(cats))
    pop = np.array([margin.totals[c] for c in cats], dtype=float)
    members = _merge_small(cats, counts, pop, min_count)
    records = [
        Collapse(margin.name, tuple(mem), " + ".join(mem)) for mem in members if len(mem) > 1
    ]
    mapping = {c: " + ".join(mem) for mem in members for c in mem}
    sample = np.array([mapping.get(label, label) for label in labels], dtype=object)[inverse]
    totals = {" + ".join(mem): float(sum(margin.totals[c] for c in mem)) for mem in members}
    return Margin(margin.name, sample, totals), records


def _cells(codes: list[np.ndarray], sizes: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """Joint cell code of each unit and the margin codes of each cell (no sort: a bincount)."""
    joint = np.ravel_multi_index(codes, sizes) if codes else np.zeros(0, dtype=np.int64)
    present = np.bincount(joint, minlength=int(np.prod(sizes))) > 0
    remap = np.cumsum(present) - 1
    return remap[joint], np.stack(np.unravel_index(np.flatnonzero(present), sizes), axis=1)


def _model_matrix(cell_codes: np.ndarray, sizes: list[int]) -> np.ndarray:
    """Intercept plus treatment dummies (first category dropped) per margin, as R `model.matrix`."""
    cols = [np.ones(len(cell_codes))]
    for m, size in enumerate(sizes):
        cols.extend((cell_codes[:, m] == level).astype(float) for level in range(1, size))
    return np.column_stack(cols)


def _totals_vector(margins: list[Margin]) -> np.ndarray:
    """Population totals matching the model matrix columns."""
    first = sum(margins[0].totals.values())
    out = [first]
    for m in margins:
        out.extend(m.totals[c] for c in m.categories[1:])
    return np.array(out, dtype=float)


def _logit_fm1(u: np.ndarray, lower: float, upper: float) -> tuple[np.ndarray, np.ndarray]:
    """R `cal.logit`: g - 1 and its derivative."""
    a = (upper - lower) / ((upper - 1) * (1 - lower))
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(a * u)
        den = upper - 1 + (1 - lower) * e
        g = (lower * (upper - 1) + upper * (1 - lower) * e) / den
        dg = upper * (1 - lower) * e * a / den - g * ((1 - lower) * e * a) / den
    big = ~np.isfinite(e)
    g = np.where(big, upper, g)
    dg = np.where(big, 0.0, dg)
    return g - 1, dg


def _calfun(method: str, bounds: tuple[float, float]):
    """The calibration function F^-1 - 1 and its derivative, as in R."""
    lower, upper = bounds
    if method == "linear":
        return lambda u: (
            np.clip(1 + u, lower, upper) - 1,
            ((1 + u > lower) & (1 + u < upper)) * 1.0,
        )
    if method == "raking":
        return lambda u: (
            np.clip(np.exp(u), lower, upper) - 1,
            np.where((u < upper - 1) & (u > lower - 1), np.exp(u), 0.0),
        )
    return lambda u: _logit_fm1(u, lower, upper)


def check_bounds_feasible(
    mm: np.ndarray, w0: np.ndarray, totals: np.ndarray, bounds: tuple[float, float]
) -> None:
    """Raise a French error when no g in [L, U] reproduces the margins (linear programme)."""
    from scipy.optimize import linprog  # only bounded calibrations need it (slow to import)

    res = linprog(
        np.zeros(len(w0)),
        A_eq=(mm * w0[:, None]).T,
        b_eq=totals,
        bounds=[bounds] * len(w0),
        method="highs",
    )
    if res.status == 2:
        raise CalibrationError(
            f"Bornes [{bounds[0]:g} ; {bounds[1]:g}] infaisables : aucun jeu de poids dans ces bornes "
            "ne reproduit les marges. Élargissez les bornes (par ex. --bounds 0.05,5), regroupez des "
            "cellules ou utilisez --method raking sans bornes."
        )


def _newton(
    mm: np.ndarray,
    w0: np.ndarray,
    totals: np.ndarray,
    method: str,
    bounds: tuple[float, float],
    tol: float,
    maxit: int,
) -> tuple[np.ndarray, int, float]:
    """R `grake` on cells: Newton iterations on the Lagrange multipliers, with step halving."""
    fm1 = _calfun(method, bounds)
    eta = np.zeros(mm.shape[1])
    sample_total = mm.T @ w0
    xeta = mm @ eta
    g1, dg = fm1(xeta)
    it = 0
    while True:
        it += 1
        tmat = (mm * (w0 * dg)[:, None]).T @ mm
        misfit = totals - sample_total - mm.T @ (w0 * g1)
        deta = np.linalg.pinv(tmat, rcond=256 * np.finfo(float).eps) @ misfit
        eta = eta + deta
        xeta = mm @ eta
        g1, dg = fm1(xeta)
        halvings = 0
        while not (np.all(np.isfinite(g1)) and np.all(np.isfinite(dg))) and halvings < 60:
            deta = deta / 2
            eta = eta - deta
            xeta = mm @ eta
            g1, dg = fm1(xeta)
            halvings += 1
        misfit = totals - sample_total - mm.T @ (w0 * g1)
        achieved = float(np.max(np.abs(misfit) / (1 + np.abs(totals))))
        if achieved < tol or it >= maxit:
            return 1 + g1, it, achieved


def _ipf(
    codes: np.ndarray, w0: np.ndarray, margins_totals: list[np.ndarray], tol: float, maxit: int
) -> tuple[np.ndarray, int, float]:
    """Iterative proportional fitting on cells; returns g per cell, iterations, max relative residual."""
    g = np.ones(len(w0))
    achieved = np.inf
    it = 0
    while it < maxit:
        it += 1
        for m, tot in enumerate(margins_totals):
            cur = np.bincount(codes[:, m], weights=w0 * g, minlength=len(tot))
            g *= (tot / cur)[codes[:, m]]
        achieved = max(
            float(
                np.max(
                    np.abs(np.bincount(codes[:, m], weights=w0 * g, minlength=len(tot)) - tot)
                    / (1 + tot)
                )
            )
            for m, tot in enumerate(margins_totals)
        )
        if achieved < tol:
            break
    return g, it, achieved


def calibrate(
    design: Design,
    margins: list[Margin],
    method: str = "raking",
    bounds: tuple[float, float] | None = None,
    tol: float = 1e-10,
    maxit: int = 1000,
    collapse_below: int | None = 1,
) -> Design:
    """Calibrate the design weights on population margins; diagnostics land in the calibration state.

    `collapse_below`: categories with fewer respondents are merged into a neighbour (None: error).
    """
    if method not in METHODS:
        raise CalibrationError(
            f"Méthode de calage inconnue « {method} » : choisir parmi {', '.join(METHODS)}."
        )
    if design.calibration is not None:
        raise CalibrationError("Ce plan est déjà calé : partez du plan non calé.")
    if method == "none" or not margins:
        return design
    if method == "poststrat" and len(margins) > 1:
        raise CalibrationError(
            "La post-stratification prend une seule marge croisée (par ex. « kind_detail*size_class »)."
        )
    collapses: list[Collapse] = []
    margins = list(margins)
    codes_list = []
    for i, m in enumerate(margins):
        if len(np.asarray(m.sample)) != design.n:
            raise CalibrationError(
                f"Marge « {m.name} » : une catégorie par répondant est attendue."
            )
        codes = _category_codes(m)  # respondents outside the frame: error before any collapsing
        counts = dict(
            zip(m.categories, np.bincount(codes, minlength=len(m.categories)).tolist(), strict=True)
        )
        empty = [c for c, k in counts.items() if k == 0 and m.totals[c] > 0]
        void = [c for c, k in counts.items() if k > 0 and m.totals[c] <= 0]
        if void:
            raise CalibrationError(
                f"Marge « {m.name} » : {counts[void[0]]} répondant(s) dans la catégorie « {void[0]} » "
                "dont l'effectif dans la base de sondage est nul : répondant hors base."
            )
        if collapse_below is None:
            if empty:
                raise CalibrationError(
                    f"Marge « {m.name} » : cellule(s) vide(s) dans l'échantillon : "
                    f"{', '.join(empty)}. Regroupez-les avec une cellule voisine."
                )
        else:
            margins[i], codes, recs = _collapsed(m, codes, collapse_below)
            collapses.extend(recs)
        codes_list.append(codes)
    sizes = [len(m.categories) for m in margins]
    cells, cell_codes = _cells(codes_list, sizes)
    mm = _model_matrix(cell_codes, sizes)
    w0_cell = np.bincount(cells, weights=design.weights, minlength=len(mm))
    totals = _totals_vector(margins)
    lo, hi = bounds if bounds is not None else (-np.inf, np.inf)
    if bounds is not None and not lo < 1 < hi:
        raise CalibrationError(
            f"Bornes [{lo:g} ; {hi:g}] invalides : il faut borne basse < 1 < borne haute."
        )
    if method == "logit" and not (np.isfinite(lo) and np.isfinite(hi)):
        raise CalibrationError("Le calage logit exige des bornes finies (--bounds L,U).")
    if bounds is not None:
        check_bounds_feasible(mm, w0_cell, totals, (lo, hi))
    if method == "poststrat":
        tot = np.array([margins[0].totals[c] for c in margins[0].categories])
        g_cell = tot[cell_codes[:, 0]] / w0_cell
        iterations, achieved = 1, 0.0
        if bounds is not None and (g_cell.min() < lo or g_cell.max() > hi):
            raise CalibrationError(
                f"Post-stratification : rapports de poids entre {g_cell.min():.3g} et "
                f"{g_cell.max():.3g}, hors des bornes [{lo:g} ; {hi:g}]."
            )
    elif method == "raking" and bounds is None:
        tots = [np.array([m.totals[c] for c in m.categories], dtype=float) for m in margins]
        g_cell, iterations, achieved = _ipf(cell_codes, w0_cell, tots, tol, maxit)
    else:
        g_cell, iterations, achieved = _newton(mm, w0_cell, totals, method, (lo, hi), tol, maxit)
    if not achieved < tol and method != "poststrat":
        raise CalibrationError(
            f"Le calage ({method}) n'a pas convergé en {iterations} itérations (écart relatif "
            f"maximal aux marges {achieved:.2e} > {tol:g}). Élargissez les bornes, regroupez des "
            "cellules ou changez de méthode."
        )
    g = g_cell[cells]
    weights = design.weights * g
    margin_sums = mm.T @ (w0_cell * g_cell)
    diagnostics = {
        "method": method,
        "tolerance": tol,
        "iterations": iterations,
        "max_relative_residual": achieved,
        "max_abs_residual": float(np.max(np.abs(margin_sums - totals))),
        "bounds": None if bounds is None else [lo, hi],
        "g_min": float(g.min()),
        "g_max": float(g.max()),
        "weight_min": float(weights.min()),
        "weight_max": float(weights.max()),
        "negative_weights": int((weights < 0).sum()),
        "n_cells": len(mm),
        "collapsed": [
            {"margin": c.margin, "merged": list(c.merged), "into": c.into} for c in collapses
        ],
    }
    tots = tuple(np.array([m.totals[c] for c in m.categories], dtype=float) for m in margins)
    state = CalibrationState(method, cells, mm, g, diagnostics, cell_codes, tots)
    out = design.with_weights(weights, state)
    diagnostics.update(out.kish())
    return out
