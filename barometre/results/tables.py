"""Result tables computed on a survey's design: key figures, response rates, maturity, evolution."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from barometre.edition.answer_columns import figure_shares, option_selected
from barometre.edition.figures import Figure
from barometre.stats.analysis import enumerated_levels
from barometre.stats.disclosure import flag_estimates
from barometre.stats.domains import Breakdown, domain_means
from barometre.stats.errors import StatsError
from barometre.stats.evolution import independent_difference
from barometre.stats.intervals import proportion_ci

if TYPE_CHECKING:
    from barometre.results.store import ReportResults
    from barometre.results.survey import Survey

MATURITY_BREAKDOWNS = ("size_class", "kind_detail", "region_group")
MATURITY_TABLES = (
    "scores",
    "scores_population",
    "levels_population",
    "levels_scale",
    "recommendations_themes",
    "typology_summary",
    "typology_shares",
    "typology_quality",
    "correlations_themes",
    "correlations",
)
SIGNIFICANCE = 0.05


def figure_estimates(survey: Survey, figures: list[Figure]) -> pl.DataFrame:
    """Weighted share of every key figure (options pooled) with its CI, on the survey's design."""
    answers = survey.answers
    if answers is None:
        return pl.DataFrame()
    figures = [f for f in figures if f.statistic == "share" and f.question in answers.columns]
    if not figures:
        return pl.DataFrame()
    questionnaire = survey.questionnaire
    options = survey.options
    hits = answers.select(
        pl.max_horizontal(
            option_selected(questionnaire.question(f.question), code) for code in f.options
        ).alias(f.id)
        for f in figures
    ).to_numpy()
    masks = ~np.isnan(hits)
    population = survey.sample["population"].to_numpy()
    for j, f in enumerate(figures):
        if f.domain and f.domain.get("column") == "population":
            low, high = f.domain.get("min"), f.domain.get("max")
            if low is not None:
                masks[:, j] &= population >= low
            if high is not None:
                masks[:, j] &= population <= high
    overall = Breakdown.overall(answers.height)
    est = domain_means(survey.design, np.nan_to_num(hits), masks, np.arange(len(figures)), overall)
    lo, hi = proportion_ci(
        est.estimate,
        est.se,
        est.n_unweighted,
        est.df,
        options.level,
        options.ci,
        population=est.n_weighted,
    )
    exact = enumerated_levels(survey.design, overall)[:, None] & (est.se == 0)
    lo, hi = np.where(exact, est.estimate, lo), np.where(exact, est.estimate, hi)
    table = pl.DataFrame(
        {
            "id": [f.id for f in figures],
            "label": [f.label for f in figures],
            "question": [f.question for f in figures],
            "options": [" ".join(f.options) for f in figures],
            "estimate": est.estimate[0],
            "se": est.se[0],
            "ci_low": lo[0],
            "ci_high": hi[0],
            "n_unweighted": est.n_unweighted[0].astype(np.int64),
            "n_weighted": est.n_weighted[0],
            "seed_value": pl.Series([f.seed_value for f in figures], dtype=pl.Float64),
            "comparison": [f.comparison for f in figures],
        }
    )
    raw = figure_shares(answers, questionnaire, figures).select(
        "id", pl.col("share").alias("raw_share"), pl.col("n").alias("raw_n")
    )
    flagged = flag_estimates(table, options.min_n, options.imprecise_n, options.imprecise_cv)
    return flagged.join(raw, on="id", how="left", maintain_order="left").with_columns(
        raw_share=pl.when(pl.col("suppressed")).then(None).otherwise(pl.col("raw_share"))
    )


def response_rates(population: pl.DataFrame, sample_codes: pl.Series) -> pl.DataFrame:
    """Respondents / population entities per stratum (kind × size class, région group, overall)."""
    flagged = population.with_columns(responded=pl.col("code").is_in(sample_codes.implode()))
    parts = []
    for name, columns in (
        ("kind_detail × size_class", ["kind_detail", "size_class"]),
        ("region_group", ["region_group"]),
        ("ensemble", []),
    ):
        grouped = (
            flagged.group_by(columns or pl.lit("ensemble").alias("_all"), maintain_order=False)
            .agg(frame_count=pl.len(), respondents=pl.col("responded").sum())
            .with_columns(
                stratum=pl.lit(name),
                stratum_value=pl.concat_str(
                    [pl.col(c).cast(pl.String) for c in columns], separator=" × "
                )
                if columns
                else pl.lit("ensemble"),
            )
            .sort(columns or "stratum_value")
        )
        parts.append(grouped.select("stratum", "stratum_value", "frame_count", "respondents"))
    return pl.concat(parts).with_columns(
        rate=pl.col("respondents") / pl.col("frame_count"),
        respondents=pl.col("respondents").cast(pl.Int64),
        frame_count=pl.col("frame_count").cast(pl.Int64),
    )


def maturity_tables(survey: Survey, warnings: list[str]) -> dict[str, pl.DataFrame]:
    """Maturity tables on the survey's design (empty without maturity items)."""
    from barometre.maturity.analysis import (
        MaturityOptions,
        correlation_tables,
        score_tables,
        typology_tables,
    )
    from barometre.maturity.model import MaturityModel

    if not MaturityModel.from_questionnaire(survey.questionnaire).items or survey.answers is None:
        return {}
    sample = survey.maturity_sample()
    options = MaturityOptions(breakdowns=MATURITY_BREAKDOWNS, n_bootstrap=0, n_init=2)
    try:
        scored = score_tables(sample, options)
        tables = dict(scored.tables)
        if sample.answers.height >= 10:
            tables.update(typology_tables(sample, options, scored.scores).tables)
        tables.update(correlation_tables(sample, options, scored.scores).tables)
    except (StatsError, ValueError) as error:
        warnings.append(f"Maturité non calculée : {error}")
        return {}
    return {name: tables[name] for name in MATURITY_TABLES if name in tables}


def evolution(previous: ReportResults, current: ReportResults) -> pl.DataFrame:
    """Change of every estimate and key figure present in both editions (independent samples)."""
    keys = ["indicator", "kind", "option", "domain", "domain_value"]
    parts = []
    for table in (
        current.estimates.join(
            previous.estimates.select(*keys, "estimate", "se", "suppressed"),
            on=keys,
            suffix="_previous",
        ),
        current.key_figures.rename({"id": "indicator"})
        .with_columns(
            kind=pl.lit("figure"),
            option=pl.col("options"),
            domain=pl.lit("ensemble"),
            domain_value=pl.lit("ensemble"),
        )
        .join(
            previous.key_figures.rename({"id": "indicator"}).select(
                "indicator", "estimate", "se", "suppressed"
            ),
            on="indicator",
            suffix="_previous",
        )
        if current.key_figures.height and previous.key_figures.height
        else pl.DataFrame(),
    ):
        if table.height == 0:
            continue
        table = table.filter(~pl.col("suppressed") & ~pl.col("suppressed_previous"))
        diff = independent_difference(
            table["estimate_previous"].fill_null(np.nan).to_numpy(),
            table["se_previous"].fill_null(np.nan).to_numpy(),
            table["estimate"].fill_null(np.nan).to_numpy(),
            table["se"].fill_null(np.nan).to_numpy(),
        )
        parts.append(
            table.select(*keys, "estimate_previous", "estimate").with_columns(
                difference=diff.estimate,
                diff_ci_low=diff.ci_low,
                diff_ci_high=diff.ci_high,
                p_value=diff.p_value,
                significant=pl.Series(diff.p_value < SIGNIFICANCE),
            )
        )
    if not parts:
        return pl.DataFrame()
    return pl.concat(parts, how="vertical_relaxed").with_columns(
        pl.col("difference", "diff_ci_low", "diff_ci_high", "p_value").fill_nan(None)
    )
