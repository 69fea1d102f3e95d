"""The panel's evolution: for collectivités that answered both editions, the paired change.

Beside the difference between two independent samples (`tables.evolution`), the collectivités
present in both editions give a paired estimate of the change: for each key figure, the weighted
mean of (this edition's answer − the previous edition's) among those with both answers, on this
edition's calibrated design (`barometre.stats.evolution.panel_differences`, as R `survey` on
the panel subset).
"""

from __future__ import annotations

import numpy as np
import polars as pl

from barometre.edition.answer_columns import option_selected
from barometre.edition.figures import Figure
from barometre.questionnaire.model import Questionnaire
from barometre.stats.evolution import panel_differences

SIGNIFICANCE = 0.05
PANEL_KEYS = ("indicator", "kind", "option", "domain", "domain_value")


def _hits(answers: pl.DataFrame, questionnaire: Questionnaire, figures: list[Figure]) -> np.ndarray:
    """(n, figures) 1.0 / 0.0 / NaN: the respondent's answer is one of the figure's options."""
    return answers.select(
        pl.max_horizontal(
            option_selected(questionnaire.question(f.question), code) for code in f.options
        ).alias(f.id)
        for f in figures
    ).to_numpy()


def panel_table(
    survey, previous_answers: pl.DataFrame, figures: list[Figure], min_n: int
) -> pl.DataFrame:
    """One row per key figure: panel size, shares before and after, paired change with CI.

    `survey` is this edition's `Survey`; `previous_answers` the previous edition's consolidated
    answers (one row per collectivité). Figures on fewer than `min_n` panel members are left out.
    """
    answers = survey.answers
    figures = [
        f
        for f in figures
        if f.statistic == "share"
        and f.question in answers.columns
        and f.question in previous_answers.columns
    ]
    if not figures or answers is None:
        return pl.DataFrame()
    before_rows = survey.codes.to_frame().join(
        previous_answers.with_columns(pl.col("code").cast(pl.String)),
        on="code",
        how="left",
        maintain_order="left",
    )
    after = _hits(answers, survey.questionnaire, figures)
    before = _hits(before_rows, survey.questionnaire, figures)
    diff = panel_differences(survey.design, before, after)
    both = ~np.isnan(before) & ~np.isnan(after)
    weights = survey.design.weights[:, None] * both
    with np.errstate(divide="ignore", invalid="ignore"):
        mean_before = (np.nan_to_num(before) * weights).sum(0) / weights.sum(0)
        mean_after = (np.nan_to_num(after) * weights).sum(0) / weights.sum(0)
    table = pl.DataFrame(
        {
            "indicator": [f.id for f in figures],
            "kind": ["figure"] * len(figures),
            "option": [" ".join(f.options) for f in figures],
            "domain": ["ensemble"] * len(figures),
            "domain_value": ["ensemble"] * len(figures),
            "panel_n": diff.n[0],
            "panel_before": mean_before,
            "panel_after": mean_after,
            "panel_difference": diff.estimate[0],
            "panel_ci_low": diff.ci_low[0],
            "panel_ci_high": diff.ci_high[0],
            "panel_p_value": diff.p_value[0],
        }
    )
    return table.filter(pl.col("panel_n") >= min_n).with_columns(
        pl.col(
            "panel_before", "panel_after", "panel_difference", "panel_ci_low", "panel_ci_high"
        ).fill_nan(None),
        panel_significant=pl.col("panel_p_value") < SIGNIFICANCE,
    )
