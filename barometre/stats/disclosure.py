"""Statistical disclosure and precision rules: suppression of small cells, imprecision flags."""

from __future__ import annotations

import polars as pl


def flag_estimates(
    table: pl.DataFrame, min_n: int = 5, imprecise_n: int = 30, imprecise_cv: float = 0.3
) -> pl.DataFrame:
    """Add `suppressed`, `imprecise`, `cv`, `note`; blank the statistics of suppressed rows.

    Suppressed: fewer than `min_n` respondents in the denominator. Imprecise: fewer than
    `imprecise_n` respondents or a coefficient of variation above `imprecise_cv`. NaN never leaks:
    statistics that cannot be computed become null with a French note.
    """
    if table.height == 0:
        return table
    stats = ["estimate", "se", "ci_low", "ci_high"]
    table = table.with_columns(pl.col(c).fill_nan(None) for c in [*stats, "n_weighted"])
    n = pl.col("n_unweighted")
    cv = pl.when(pl.col("estimate").abs() > 0).then(pl.col("se") / pl.col("estimate").abs())
    suppressed = n < min_n
    note = (
        pl.when(n == 0)
        .then(pl.lit("aucune réponse dans ce domaine"))
        .when(suppressed)
        .then(pl.format("effectif {} < {} : valeur masquée", n, pl.lit(min_n)))
        .when(pl.col("ci_low").is_null())
        .then(pl.lit("intervalle non calculable (trop peu de répondants ou de strates)"))
        .when(n < imprecise_n)
        .then(pl.format("effectif {} < {} : estimation imprécise", n, pl.lit(imprecise_n)))
        .when(cv > imprecise_cv)
        .then(
            pl.lit(
                "coefficient de variation > "
                + f"{imprecise_cv:g}".replace(".", ",")
                + " : estimation imprécise"
            )
        )
        .otherwise(pl.lit(""))
    )
    return table.with_columns(
        cv=cv,
        suppressed=suppressed,
        imprecise=~suppressed & ((n < imprecise_n) | (cv.fill_null(0) > imprecise_cv)),
        note=note,
    ).with_columns(
        *(
            pl.when(pl.col("suppressed")).then(None).otherwise(pl.col(c)).alias(c)
            for c in [*stats, "cv"]
        )
    )
