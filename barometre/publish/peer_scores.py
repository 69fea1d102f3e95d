"""Maturity scores against the peer group: quartiles, median, quarter, next level (all respondents at once)."""

from __future__ import annotations

import polars as pl

from barometre.publish.peer_answers import quarter_of, weighted_quartiles
from barometre.publish.peer_groups import choose_groups

OVERALL = "_global"


def score_positions(
    scores: pl.DataFrame,
    people: pl.DataFrame,
    recommendations: pl.DataFrame,
    peer_min: int,
    levels_scale: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """One row per respondent × theme (and the overall index `_global`).

    Columns: `code`, `theme`, `score`, `level`, `level_rank`, `next_level`,
    `next_level_description`, `peer_level` (`kind_size`, `kind`, `all`, or null when no group has
    `MIN_GROUP_SIZE` scores), `peer_group`, `peer_n`, `peer_q1`, `peer_median`, `peer_q3`,
    `peer_mean`, `quarter` (0–4, see `quarter_of`).
    """
    named = [pl.col(c).alias(f"score_{c}") for c in ("level", "level_rank") if c in scores.columns]
    own = scores.select("code", "theme", "score", *named).join(people.select("code"), on="code")
    values = own.filter(pl.col("score").is_not_null()).rename({"score": "value"})
    groups = choose_groups(values, people, peer_min, unit="theme")
    quartiles = weighted_quartiles(values, people, unit="theme")
    joined = (
        own.join(groups, on=["code", "theme"], how="left")
        .join(
            quartiles.rename({"level": "peer_level_q", "group": "group_q"}),
            left_on=["level", "group", "theme"],
            right_on=["peer_level_q", "group_q", "theme"],
            how="left",
        )
        .rename(
            {
                "level": "peer_level",
                "group": "peer_group",
                "q1": "peer_q1",
                "median": "peer_median",
                "q3": "peer_q3",
                "mean": "peer_mean",
            }
        )
    )
    joined = joined.with_columns(
        quarter=quarter_of(
            pl.col("score"), pl.col("peer_q1"), pl.col("peer_median"), pl.col("peer_q3")
        )
    )
    if "next_level_description" not in recommendations.columns and levels_scale is not None:
        recommendations = recommendations.join(
            levels_scale.select(
                pl.col("level").alias("next_level"),
                pl.col("description").alias("next_level_description"),
            ),
            on="next_level",
            how="left",
        )
    joined = joined.rename(
        {
            c: c.removeprefix("score_")
            for c in ("score_level", "score_level_rank")
            if c in joined.columns
        }
    )
    if "level" not in joined.columns:
        joined = joined.with_columns(level=pl.lit(None, dtype=pl.String))
    if recommendations.height == 0 or "next_level" not in recommendations.columns:
        return joined.with_columns(
            next_level=pl.lit(None, dtype=pl.String),
            next_level_description=pl.lit(None, dtype=pl.String),
        )
    rec = recommendations.select(
        "code",
        "theme",
        "next_level",
        pl.col("next_level_description")
        if "next_level_description" in recommendations.columns
        else pl.lit(None, dtype=pl.String).alias("next_level_description"),
    )
    return joined.join(rec, on=["code", "theme"], how="left")
