"""Analyses of a classified corpus: domain shares with CIs, intensity, association with size.

Initiatives are clustered in collectivités, so shares are ratio estimates over collectivités
(R: `svymean(~domaine, svydesign(ids = ~code, data = initiatives))`): each collectivité is one unit
weighted by its number of initiatives, and the stats engine gives the linearised SE and the logit
CI with n_collectivités − 1 degrees of freedom. These describe the corpus, which is seldom a
probability sample: read the intervals as the uncertainty due to which collectivités published.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
from scipy import stats
from sklearn.linear_model import PoissonRegressor

from barometre.initiatives.taxonomy import Taxonomy, default_taxonomy
from barometre.stats.design import Design
from barometre.stats.domains import Breakdown, domain_means
from barometre.stats.intervals import mean_ci, proportion_ci

OVERALL = "ensemble"
MIN_COLLECTIVITES = 10


def _per_collectivite(
    classified: pl.DataFrame, entities: pl.DataFrame, domains: list[str]
) -> pl.DataFrame:
    """One row per collectivité: count per domain, total, population and frame attributes."""
    counts = (
        classified.group_by("code")
        .agg(
            pl.len().alias("initiatives"),
            *[(pl.col("domain_final") == d).sum().alias(f"n_{d}") for d in domains],
        )
        .sort("code")
    )
    return counts.join(entities, on="code", how="left")


def _breakdown(frame: pl.DataFrame, by: str | None) -> Breakdown:
    """Whole corpus, or the levels of a column in their natural (Enum or sorted) order."""
    if by is None:
        return Breakdown.overall(frame.height)
    column = frame.get_column(by)
    order = (
        column.dtype.categories.to_list()
        if isinstance(column.dtype, pl.Enum)
        else sorted(column.drop_nulls().cast(pl.String).unique().to_list())
    )
    present = set(column.drop_nulls().cast(pl.String).to_list())
    order = [o for o in order if o in present]
    return Breakdown.from_values(by, column.cast(pl.String).to_numpy(), order)


def domain_shares(
    classified: pl.DataFrame,
    entities: pl.DataFrame,
    by: str | None = None,
    taxonomy: Taxonomy | None = None,
    level: float = 0.95,
) -> pl.DataFrame:
    """Share of each domain among initiatives, overall or by a collectivité column, with CIs."""
    taxonomy = taxonomy or default_taxonomy()
    domains = taxonomy.ids
    frame = _per_collectivite(classified, entities, domains)
    m = frame.get_column("initiatives").to_numpy().astype(float)
    y = frame.select([f"n_{d}" for d in domains]).to_numpy().astype(float) / m[:, None]
    breakdown = _breakdown(frame, by)
    design = Design.from_columns(weights=m)
    est = domain_means(
        design,
        y,
        np.ones((frame.height, 1), bool),
        np.zeros(len(domains), int),
        breakdown,
        binary=False,
    )
    low, high = proportion_ci(est.estimate, est.se, est.n_unweighted, est.df, level, "logit")
    levels = np.repeat(np.asarray(breakdown.labels, dtype=object), len(domains))
    return pl.DataFrame(
        {
            "groupe": levels.tolist(),
            "domaine": domains * len(breakdown.labels),
            "libelle": [taxonomy.label_of(d) for d in domains] * len(breakdown.labels),
            "initiatives": np.rint(est.estimate * est.n_weighted).ravel().astype(np.int64),
            "total": np.rint(est.n_weighted).ravel().astype(np.int64),
            "collectivites": est.n_unweighted.ravel().astype(np.int64),
            "part": est.estimate.ravel(),
            "erreur_type": est.se.ravel(),
            "ic_bas": low.ravel(),
            "ic_haut": high.ravel(),
        }
    ).with_columns(pl.lit(by or OVERALL).alias("ventilation"))


def intensity(
    classified: pl.DataFrame,
    entities: pl.DataFrame,
    by: str | None = "size_class",
    level: float = 0.95,
) -> pl.DataFrame:
    """Initiatives per collectivité and per 1,000 inhabitants (ratio with CI), overall or by `by`."""
    frame = _per_collectivite(classified, entities, []).filter(pl.col("population") > 0)
    pop = frame.get_column("population").to_numpy().astype(float)
    count = frame.get_column("initiatives").to_numpy().astype(float)
    design = Design.from_columns(weights=pop)
    rows = []
    for breakdown in [Breakdown.overall(frame.height)] + ([_breakdown(frame, by)] if by else []):
        est = domain_means(
            design,
            (1000 * count / pop)[:, None],
            np.ones((frame.height, 1), bool),
            np.zeros(1, int),
            breakdown,
            binary=False,
        )
        low, high = mean_ci(est.estimate, est.se, est.df, level)
        codes = breakdown.codes
        n_init = np.bincount(
            codes[codes >= 0], weights=count[codes >= 0], minlength=len(breakdown.labels)
        )
        rows.append(
            pl.DataFrame(
                {
                    "groupe": list(breakdown.labels),
                    "collectivites": est.n_unweighted[:, 0].astype(np.int64),
                    "initiatives": n_init.astype(np.int64),
                    "population": np.rint(est.n_weighted[:, 0]).astype(np.int64),
                    "par_collectivite": n_init / est.n_unweighted[:, 0],
                    "pour_1000_hab": est.estimate[:, 0],
                    "ic_bas": low[:, 0],
                    "ic_haut": high[:, 0],
                }
            )
        )
    return pl.concat(rows)


@dataclass(frozen=True)
class CountModel:
    """Poisson regression of initiatives per collectivité, with robust (sandwich) SEs."""

    terms: list[str]
    coefficients: np.ndarray
    se: np.ndarray
    dispersion: float
    n: int

    def table(self, level: float = 0.95) -> pl.DataFrame:
        """Coefficients, robust SE, CI, rate ratio and p-value (normal approximation)."""
        z = stats.norm.ppf(0.5 + level / 2)
        p = 2 * stats.norm.sf(np.abs(self.coefficients / self.se))
        return pl.DataFrame(
            {
                "terme": self.terms,
                "coefficient": self.coefficients,
                "erreur_type": self.se,
                "ic_bas": self.coefficients - z * self.se,
                "ic_haut": self.coefficients + z * self.se,
                "rapport_de_taux": np.exp(self.coefficients),
                "p_valeur": p,
            }
        )


def poisson_model(y: np.ndarray, x: np.ndarray, terms: list[str]) -> CountModel:
    """Fit log E[y] = b0 + x·b (scikit-learn, unpenalised) and its HC0 sandwich covariance."""
    model = PoissonRegressor(alpha=0.0, solver="newton-cholesky", tol=1e-12, max_iter=1000)
    model.fit(x, y)
    design = np.column_stack([np.ones(len(y)), x])
    beta = np.concatenate([[model.intercept_], model.coef_])
    mu = np.exp(design @ beta)
    bread = np.linalg.inv(design.T @ (design * mu[:, None]))
    meat = design.T @ (design * ((y - mu) ** 2)[:, None])
    cov = bread @ meat @ bread
    dispersion = float(((y - mu) ** 2 / mu).sum() / (len(y) - design.shape[1]))
    return CountModel(["constante", *terms], beta, np.sqrt(np.diag(cov)), dispersion, len(y))


def _spearman(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """Spearman's rho and its two-sided p-value."""
    result = stats.spearmanr(a, b)
    return float(result.statistic), float(result.pvalue)


def population_association(classified: pl.DataFrame, entities: pl.DataFrame) -> dict:
    """Do larger collectivités publish more initiatives? Spearman and a Poisson model on log10(pop).

    Only collectivités present in the corpus are counted (those with at least one initiative).
    """
    frame = _per_collectivite(classified, entities, []).filter(pl.col("population") > 0)
    count = frame.get_column("initiatives").to_numpy().astype(float)
    pop = frame.get_column("population").to_numpy().astype(float)
    rho, p = _spearman(count, pop)
    model = poisson_model(count, np.log10(pop)[:, None], ["log10_population"])
    return {
        "collectivites": frame.height,
        "spearman_rho": rho,
        "spearman_p": p,
        "modele": model,
        "rapport_x10": float(np.exp(model.coefficients[1])),
    }


def attribute_association(
    classified: pl.DataFrame,
    entities: pl.DataFrame,
    attribute: str,
    taxonomy: Taxonomy | None = None,
) -> dict:
    """Association of a numeric frame attribute (e.g. median age) with intensity and priorities.

    Intensity: Spearman with initiatives per 1,000 inhabitants, and a Poisson model with
    log10(population) and the attribute. Priorities: domain shares by tercile of the attribute.
    """
    if attribute not in entities.columns:
        raise ValueError(f"attribut « {attribute} » absent du registre et des attributs importés")
    numeric = entities.with_columns(pl.col(attribute).cast(pl.Float64, strict=False))
    frame = _per_collectivite(classified, numeric, []).filter(
        (pl.col("population") > 0) & pl.col(attribute).is_not_null()
    )
    if frame.height < MIN_COLLECTIVITES:
        raise ValueError(
            f"attribut « {attribute} » : valeur numérique connue pour {frame.height} collectivités "
            f"du corpus seulement (au moins {MIN_COLLECTIVITES} nécessaires)"
        )
    value = frame.get_column(attribute).to_numpy()
    count = frame.get_column("initiatives").to_numpy().astype(float)
    pop = frame.get_column("population").to_numpy().astype(float)
    rho, p = _spearman(value, 1000 * count / pop)
    model = poisson_model(
        count, np.column_stack([np.log10(pop), value]), ["log10_population", attribute]
    )
    cuts = np.quantile(value, [1 / 3, 2 / 3])
    tercile_names = ["1er tiers", "2e tiers", "3e tiers"]
    terciles = frame.select(
        "code",
        pl.Series("tercile", np.asarray(tercile_names)[np.searchsorted(cuts, value, side="right")]),
    )
    shares = domain_shares(
        classified.join(terciles, on="code", how="inner"),
        numeric.join(terciles, on="code", how="inner"),
        by="tercile",
        taxonomy=taxonomy,
    )
    return {
        "attribut": attribute,
        "collectivites": frame.height,
        "spearman_rho": rho,
        "spearman_p": p,
        "modele": model,
        "parts_par_tiers": shares,
        "bornes_tiers": cuts.tolist(),
    }
