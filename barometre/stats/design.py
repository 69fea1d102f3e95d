"""The sampling design: weights, strata, finite population correction, calibration state.

Single-respondent strata follow R's `options(survey.lonely.psu = …)` (see docs/stats.md): `adjust`
(the default here), `certainty`, `remove`, `average` or `fail`. A stratum fully enumerated (n_h =
N_h) never contributes to the variance and never fails, as in R.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from barometre.stats.errors import DesignError

LONELY_PSU = ("adjust", "certainty", "remove", "average", "fail")
DEFAULT_LONELY_PSU = "adjust"
CENSUS_TOLERANCE = 1e-7  # R `onestrat`: a sampling fraction within 1e-7 of 1 is a census


@dataclass(frozen=True)
class CalibrationState:
    """What the variance needs from a calibration: cells, their model matrix and the g-weights."""

    method: str
    cells: np.ndarray  # (n,) int code of the calibration cell of each unit
    cell_matrix: np.ndarray  # (C, p) model-matrix row of each cell (intercept + dummies)
    g: np.ndarray  # (n,) ratio final weight / weight before calibration
    diagnostics: dict = field(default_factory=dict)
    cell_codes: np.ndarray | None = None  # (C, M) category code of each cell on each margin
    margin_totals: tuple[np.ndarray, ...] = ()  # population count per category, per margin

    def projector(self, base_weights: np.ndarray) -> np.ndarray:
        """(C, C) matrix mapping per-cell sums of z/g to the fitted coefficient of each cell."""
        w0_cell = np.bincount(self.cells, weights=base_weights, minlength=len(self.cell_matrix))
        u = self.cell_matrix
        t = (u * w0_cell[:, None]).T @ u
        return u @ np.linalg.pinv(t, rcond=1e-12, hermitian=True) @ u.T


@dataclass(frozen=True)
class Design:
    """A single-stage stratified design (R `svydesign(ids=~1, strata, fpc, weights)`), maybe calibrated."""

    weights: np.ndarray  # (n,) final weights
    base_weights: np.ndarray  # (n,) weights before calibration
    strata: np.ndarray  # (n,) int stratum code
    strata_labels: tuple[str, ...]
    population_sizes: np.ndarray | None  # (H,) N_h, or None (no fpc)
    calibration: CalibrationState | None = None
    lonely_psu: str = DEFAULT_LONELY_PSU

    @classmethod
    def from_columns(
        cls,
        weights: np.ndarray | None = None,
        strata: np.ndarray | None = None,
        population_sizes: np.ndarray | None = None,
        n: int | None = None,
        lonely_psu: str = DEFAULT_LONELY_PSU,
    ) -> Design:
        """Build a design from columns; weights default to N_h / n_h when population sizes are given.

        `population_sizes` is per unit (like R's `fpc=~N`), constant within each stratum;
        `lonely_psu` is R's `survey.lonely.psu` rule for strata with a single respondent.
        """
        if weights is None and strata is None and population_sizes is None and n is None:
            raise DesignError("Plan de sondage vide : donnez au moins les poids ou la taille n.")
        if lonely_psu not in LONELY_PSU:
            raise DesignError(
                f"Règle « {lonely_psu} » inconnue pour les strates à un seul répondant : "
                f"choisir parmi {', '.join(LONELY_PSU)}."
            )
        size = next(
            len(np.asarray(a))
            for a in (weights, strata, population_sizes, [0] * (n or 0))
            if a is not None
        )
        if strata is None:
            codes = np.zeros(size, dtype=np.int64)
            labels: tuple[str, ...] = ("ensemble",)
        else:
            uniq, codes = np.unique(np.asarray(strata).astype(str), return_inverse=True)
            labels = tuple(uniq.tolist())
        n_h = np.bincount(codes, minlength=len(labels)).astype(float)
        pop_h = None
        if population_sizes is not None:
            pop = np.asarray(population_sizes, dtype=float)
            if pop.shape != (size,):
                raise DesignError(
                    "La colonne des tailles de population doit avoir une valeur par unité."
                )
            pop_h = np.zeros(len(labels))
            pop_h[codes] = pop
            if not np.array_equal(pop_h[codes], pop):
                raise DesignError("La taille de population varie à l'intérieur d'une strate.")
            too_small = np.flatnonzero(pop_h < n_h)
            if too_small.size:
                h = too_small[0]
                raise DesignError(
                    f"Strate « {labels[h]} » : {int(n_h[h])} répondants pour une population de "
                    f"{pop_h[h]:g} (répondant hors base de sondage ?)."
                )
        if weights is None:
            w = np.ones(size) if pop_h is None else (pop_h / n_h)[codes]
        else:
            w = np.asarray(weights, dtype=float)
            bad = np.flatnonzero(~np.isfinite(w) | (w <= 0))
            if bad.size:
                raise DesignError(
                    f"Ligne {bad[0] + 1}, champ « poids » : poids manquant, nul ou négatif ({w[bad[0]]})."
                )
        return cls(
            weights=w,
            base_weights=w.copy(),
            strata=codes.astype(np.int64),
            strata_labels=labels,
            population_sizes=pop_h,
            lonely_psu=lonely_psu,
        )

    @property
    def n(self) -> int:
        """Number of respondents."""
        return len(self.weights)

    @property
    def n_strata(self) -> int:
        """Number of strata."""
        return len(self.strata_labels)

    def stratum_factors(self) -> tuple[np.ndarray, np.ndarray]:
        """Per-stratum variance scale c_h and centring divisor d_h (R `onestage`/`onestrat`).

        The variance of a total of influence values e is Σ_h c_h Σ_i e_i² − Σ_h (c_h/d_h)(Σ_i e_i)²,
        with c_h = (1 − f_h) n_h/(n_h − 1) and d_h = n_h. A census stratum (f_h = 1) has c_h = 0.
        A stratum with one respondent follows `lonely_psu`: `adjust` keeps its uncentred
        contribution (c_h = 1 − f_h, d_h = ∞), `certainty` and `remove` drop it (c_h = 0),
        `average` drops it and scales the other strata by H / H_ok, `fail` raises.
        """
        n_h = np.bincount(self.strata, minlength=self.n_strata).astype(float)
        f = np.ones(self.n_strata)
        if self.population_sizes is not None:
            f = (self.population_sizes - n_h) / self.population_sizes
        census = f < CENSUS_TOLERANCE
        lonely = (n_h == 1) & ~census
        with np.errstate(divide="ignore", invalid="ignore"):
            c = np.where(n_h > 1, f * n_h / (n_h - 1), 0.0)
        c[census] = 0.0
        divisor = n_h.copy()
        if lonely.any():
            if self.lonely_psu == "fail":
                h = int(np.flatnonzero(lonely)[0])
                raise DesignError(
                    f"Strate « {self.strata_labels[h]} » : un seul répondant, variance non estimable. "
                    "Regroupez cette strate avec une voisine ou choisissez une autre règle pour les "
                    "strates à un seul répondant (adjust, certainty, remove, average)."
                )
            if self.lonely_psu == "adjust":
                c[lonely] = f[lonely]
                divisor[lonely] = np.inf
            elif self.lonely_psu == "average":
                ok = int((~lonely).sum())
                c[lonely] = 0.0
                c = c * (self.n_strata / ok) if ok else np.full_like(c, np.nan)
            else:  # certainty, remove
                c[lonely] = 0.0
        return c, divisor

    def domain_rescaling(self, touched: np.ndarray) -> np.ndarray | float:
        """Factor on domain variances for R's `average` rule on a design without calibration.

        R subsets such a design by dropping rows, so a domain averages its lonely strata over the
        strata it touches (H_d / H_d,ok) rather than over all strata (H / H_ok, already in
        `stratum_factors`). `touched`: (H, …) whether each stratum has respondents in the domain.
        NaN where the domain has only lonely strata, as in R.
        """
        if self.lonely_psu != "average" or self.calibration is not None:
            return 1.0
        lonely = np.zeros(self.n_strata, dtype=bool)
        lonely[[self.strata_labels.index(h) for h in self.lonely_strata()]] = True
        if not lonely.any():
            return 1.0
        shape = (-1,) + (1,) * (touched.ndim - 1)
        h_d = touched.sum(axis=0)
        ok_d = (touched & ~lonely.reshape(shape)).sum(axis=0)
        overall = self.n_strata / (self.n_strata - lonely.sum())
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(ok_d > 0, h_d / ok_d, np.nan) / overall

    def lonely_strata(self) -> list[str]:
        """Labels of the strata with a single respondent that are not censuses."""
        n_h = np.bincount(self.strata, minlength=self.n_strata)
        if self.population_sizes is None:
            full = np.zeros(self.n_strata, dtype=bool)
        else:
            full = (self.population_sizes - n_h) / self.population_sizes < CENSUS_TOLERANCE
        return [self.strata_labels[h] for h in np.flatnonzero((n_h == 1) & ~full)]

    def with_weights(self, weights: np.ndarray, calibration: CalibrationState) -> Design:
        """A copy with calibrated weights (base weights become the weights before calibration)."""
        return replace(self, weights=weights, base_weights=self.weights, calibration=calibration)

    def kish(self) -> dict[str, float]:
        """Kish design effect due to weighting and effective sample size."""
        w = self.weights
        n_eff = w.sum() ** 2 / (w**2).sum()
        return {"n": float(self.n), "deff_kish": float(self.n / n_eff), "n_effective": float(n_eff)}
