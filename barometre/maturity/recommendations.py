"""Recommendations for individual reports: the next level above the respondent's, per theme and item.

Tables are built from integer indices (respondent row, theme or item number) and names are
gathered at the end, so that 36,000 respondents × 37 items stay fast. `with_text=False` leaves out
the descriptions (they are in `levels_scale` and `item_levels`), which keeps the full tables small.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl

from barometre.maturity.levels import LevelScale
from barometre.maturity.model import MaturityModel
from barometre.maturity.scores import Scores


def _rows(scores: Scores, codes: Sequence[str] | None) -> np.ndarray:
    """Row numbers of the respondents asked for (all by default)."""
    if codes is None:
        return np.arange(len(scores.codes))
    return np.flatnonzero(np.isin(scores.codes, np.asarray(list(codes), dtype=object)))


def scale_table(scale: LevelScale) -> pl.DataFrame:
    """The levels of a scale: rank, name, score interval and description."""
    return pl.DataFrame(
        {
            "preset": [scale.id] * len(scale.names),
            "level_rank": list(range(1, len(scale.names) + 1)),
            "level": list(scale.names),
            "score_from": [0.0, *scale.thresholds],
            "score_to": [*scale.thresholds, 100.0],
            "description": [scale.description(i) for i in range(len(scale.names))],
        }
    )


def item_levels(model: MaturityModel) -> pl.DataFrame:
    """Every level of every maturity item: rank (1 = lowest), code, label, description, score."""
    return pl.DataFrame(
        [
            {
                "question": item.id,
                "theme": item.theme,
                "level_rank": rank + 1,
                "level_code": level.code,
                "level_label": level.label,
                "level_description": level.description,
                "score": item.scores()[level.code],
            }
            for item in model.items
            for rank, level in enumerate(item.levels)
        ],
        schema={
            "question": pl.Utf8,
            "theme": pl.Utf8,
            "level_rank": pl.Int64,
            "level_code": pl.Utf8,
            "level_label": pl.Utf8,
            "level_description": pl.Utf8,
            "score": pl.Float64,
        },
    )


def theme_recommendations(
    scores: Scores,
    scale: LevelScale,
    id_column: str = "code",
    codes: Sequence[str] | None = None,
    with_text: bool = True,
) -> pl.DataFrame:
    """Per respondent × theme: current level and the next level (with its description)."""
    rows = _rows(scores, codes)
    t = len(scores.themes)
    values = scores.theme_scores[rows]
    index = scale.assign(values).ravel()
    top = len(scale.names) - 1
    frame = pl.DataFrame(
        {
            "_row": np.repeat(rows, t),
            "_theme": np.tile(np.arange(t), len(rows)),
            "score": values.ravel(),
            "level_rank": index + 1,
            "next_rank": np.where((index >= 0) & (index < top), index + 2, 0),
        }
    )
    levels = scale_table(scale)
    names = levels.select(
        pl.col("level_rank").cast(pl.Int64), pl.col("level"), pl.col("description")
    )
    out = (
        frame.with_columns(
            pl.Series(scores.codes).gather(pl.Series(np.repeat(rows, t))).alias(id_column),
            pl.Series(scores.themes, dtype=pl.Utf8).gather(frame["_theme"]).alias("theme"),
            pl.col("score").fill_nan(None),
            pl.when(pl.col("level_rank") > 0).then(pl.col("level_rank")).alias("level_rank"),
            pl.when(pl.col("next_rank") > 0).then(pl.col("next_rank")).alias("next_rank"),
        )
        .join(names.drop("description"), on="level_rank", how="left", maintain_order="left")
        .join(
            names.rename(
                {
                    "level_rank": "next_rank",
                    "level": "next_level",
                    "description": "next_level_description",
                }
            ),
            on="next_rank",
            how="left",
            maintain_order="left",
        )
    )
    columns = [id_column, "theme", "score", "level", "level_rank", "next_level"]
    return out.select([*columns, "next_level_description"] if with_text else columns)


def item_recommendations(
    scores: Scores,
    model: MaturityModel,
    id_column: str = "code",
    codes: Sequence[str] | None = None,
    with_text: bool = True,
) -> pl.DataFrame:
    """Per respondent × answered item below its top level: the item's current and next level."""
    rows = _rows(scores, codes)
    n_levels = np.array([len(item.levels) for item in model.items], dtype=np.int64)
    rank = np.rint(scores.item_scores[rows] * (n_levels - 1) / 100.0)
    below_top = ~np.isnan(rank) & (rank < n_levels - 1)
    row_idx, item_idx = np.nonzero(below_top)
    current = rank[row_idx, item_idx].astype(np.int64)
    # flat lookup of item levels: position of (item, rank) = offset of the item + rank
    offsets = np.concatenate([[0], np.cumsum(n_levels)[:-1]])
    at_current = pl.Series(offsets[item_idx] + current)
    at_next = pl.Series(offsets[item_idx] + current + 1)
    levels = item_levels(model)
    item_names = pl.Series(scores.items, dtype=pl.Utf8)
    themes = pl.Series([item.theme for item in model.items], dtype=pl.Utf8)
    columns = {
        id_column: pl.Series(scores.codes, dtype=pl.Utf8).gather(pl.Series(rows[row_idx])),
        "theme": themes.gather(pl.Series(item_idx)),
        "question": item_names.gather(pl.Series(item_idx)),
        "current_code": levels["level_code"].gather(at_current),
        "next_code": levels["level_code"].gather(at_next),
    }
    if with_text:
        columns["current_label"] = levels["level_label"].gather(at_current)
        columns["next_label"] = levels["level_label"].gather(at_next)
        columns["next_description"] = levels["level_description"].gather(at_next)
    return pl.DataFrame(columns)
