"""Population figures of maturity: weighted means of scores, level distributions and profile shares.

Every figure comes from `barometre.stats` (domain means with calibration-aware linearised SE, as
R `svyby(..., svymean)`) and its intervals, as in `barometre analyse`: Student intervals with the
design degrees of freedom for mean scores, logit intervals (R `svyciprop`) for shares.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl

from barometre.maturity.levels import LevelScale
from barometre.maturity.scores import OVERALL, Scores
from barometre.maturity.typology import Typology
from barometre.stats.design import Design
from barometre.stats.domains import (
    Breakdown,
    DomainEstimates,
    domain_means,
    prepare_indicators,
)
from barometre.stats.errors import StatsError
from barometre.stats.intervals import mean_ci, proportion_ci

DEFAULT_LEVEL = 0.95
PROPORTION_CI = "logit"


def _check(design: Design, n: int) -> None:
    """The design must describe the same respondents, in the same order."""
    if design.n != n:
        raise StatsError(
            f"Le plan de sondage compte {design.n} répondants, les scores {n} : "
            "ils doivent porter sur les mêmes répondants, dans le même ordre."
        )


def _tidy(
    est: DomainEstimates, columns: dict[str, list], level: float, proportion: bool
) -> pl.DataFrame:
    """Long table breakdown × domain × indicator from domain estimates (shape levels × indicators)."""
    g, k = est.estimate.shape
    if proportion:
        low, high = proportion_ci(
            est.estimate, est.se, est.n_unweighted, est.df, level, PROPORTION_CI
        )
    else:
        low, high = mean_ci(est.estimate, est.se, est.df, level)
    frame = pl.DataFrame(
        {
            "breakdown": [est.breakdown.name] * (g * k),
            "domain": [str(label) for label in est.breakdown.labels for _ in range(k)],
            **{name: list(values) * g for name, values in columns.items()},
            "estimate": est.estimate.ravel(),
            "se": est.se.ravel(),
            "ci_low": np.asarray(low, dtype=float).ravel(),
            "ci_high": np.asarray(high, dtype=float).ravel(),
            "n": est.n_unweighted.ravel().astype(np.int64),
            "n_weighted": est.n_weighted.ravel(),
        }
    )
    return frame.with_columns(pl.col("estimate", "se", "ci_low", "ci_high").fill_nan(None))


def _breakdowns(n: int, breakdowns: Sequence[Breakdown]) -> list[Breakdown]:
    """The whole sample first, then the requested breakdowns."""
    return [Breakdown.overall(n), *breakdowns]


def score_means(
    scores: Scores,
    design: Design,
    breakdowns: Sequence[Breakdown] = (),
    level: float = DEFAULT_LEVEL,
) -> pl.DataFrame:
    """Weighted mean score of each theme and of the overall index, among respondents scored."""
    n = len(scores.codes)
    _check(design, n)
    y = np.column_stack([scores.theme_scores, scores.overall])
    masks = ~np.isnan(y)
    y = np.where(masks, y, 0.0)  # missing scores are outside the denominator
    mask_of = np.arange(y.shape[1])
    prepared = prepare_indicators(y, masks, mask_of, binary=False)
    names = [*scores.themes, OVERALL]
    tables = [
        _tidy(
            domain_means(design, y, masks, mask_of, b, binary=False, prepared=prepared),
            {"theme": names},
            level,
            proportion=False,
        )
        for b in _breakdowns(n, breakdowns)
    ]
    return pl.concat(tables)


def level_distribution(
    scores: Scores,
    scale: LevelScale,
    design: Design,
    breakdowns: Sequence[Breakdown] = (),
    level: float = DEFAULT_LEVEL,
    at_least: bool = False,
) -> pl.DataFrame:
    """Weighted share of respondents at each level, per theme and overall, among those scored.

    `at_least=True` gives cumulative shares instead: respondents at this level or above (the
    « at least formalised orientations » figures of the EY barometer).
    """
    n = len(scores.codes)
    _check(design, n)
    values = np.column_stack([scores.theme_scores, scores.overall])
    index = scale.assign(values)  # (n, T+1)
    n_levels = len(scale.names)
    ranks = np.arange(n_levels)
    hits = index[:, :, None] >= ranks if at_least else index[:, :, None] == ranks
    onehot = hits.reshape(n, -1).astype(float)
    masks = index >= 0
    mask_of = np.repeat(np.arange(values.shape[1]), n_levels)
    prepared = prepare_indicators(onehot, masks, mask_of)
    themes = [*scores.themes, OVERALL]
    columns = {
        "theme": np.repeat(np.array(themes, dtype=object), n_levels).tolist(),
        "level_rank": np.tile(np.arange(1, n_levels + 1), len(themes)).tolist(),
        "level": np.tile(np.array(scale.names, dtype=object), len(themes)).tolist(),
    }
    tables = [
        _tidy(
            domain_means(design, onehot, masks, mask_of, b, prepared=prepared),
            columns,
            level,
            proportion=True,
        )
        for b in _breakdowns(n, breakdowns)
    ]
    return pl.concat(tables).with_columns(pl.col("level_rank").cast(pl.Int64))


def profile_shares(
    typology: Typology,
    design: Design,
    breakdowns: Sequence[Breakdown] = (),
    level: float = DEFAULT_LEVEL,
) -> pl.DataFrame:
    """Weighted share of each profile among classified respondents, with CIs."""
    n = len(typology.codes)
    _check(design, n)
    onehot = (typology.profile[:, None] == np.arange(1, typology.k + 1)).astype(float)
    masks = (typology.profile > 0)[:, None]
    mask_of = np.zeros(typology.k, dtype=np.int64)
    prepared = prepare_indicators(onehot, masks, mask_of)
    columns = {"profile": list(range(1, typology.k + 1)), "profile_name": list(typology.names)}
    tables = [
        _tidy(
            domain_means(design, onehot, masks, mask_of, b, prepared=prepared),
            columns,
            level,
            proportion=True,
        )
        for b in _breakdowns(n, breakdowns)
    ]
    return pl.concat(tables).with_columns(pl.col("profile").cast(pl.Int64))
