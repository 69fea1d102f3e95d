"""Population figures come from the stats engine and agree with direct computations."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from maturity_fixtures import ey_like_questionnaire, planted_answers
from scipy import stats

from barometre.maturity.levels import EY2019
from barometre.maturity.model import MaturityModel
from barometre.maturity.population import level_distribution, profile_shares, score_means
from barometre.maturity.scores import OVERALL, compute_scores
from barometre.maturity.typology import build_typology
from barometre.stats.design import Design
from barometre.stats.domains import Breakdown
from barometre.stats.errors import StatsError

CENTERS = np.array([[0.9, 0.8, 0.7], [0.2, 0.5, 0.4], [0.05, 0.1, 0.2]])


@pytest.fixture(scope="module")
def sample():
    questionnaire = ey_like_questionnaire(n_themes=3, items_per_theme=3)
    model = MaturityModel.from_questionnaire(questionnaire)
    answers, truth = planted_answers(questionnaire, CENTERS, n=600, noise=0.8, seed=3)
    answers = answers.with_columns(
        pl.when(pl.int_range(pl.len()) % 7 == 0)
        .then(None)
        .otherwise(pl.col("theme1_q0"))
        .alias("theme1_q0"),
        pl.when(pl.int_range(pl.len()) % 5 == 0)
        .then(pl.lit("nsp"))
        .otherwise(pl.col("theme2_q1"))
        .alias("theme2_q1"),
    )
    scores = compute_scores(answers, model, min_answered_share=0.75)
    return model, scores, truth


def test_unweighted_means_match_numpy(sample) -> None:
    _, scores, _ = sample
    design = Design.from_columns(n=len(scores.codes))
    table = score_means(scores, design)
    for j, theme in enumerate(scores.themes):
        row = table.filter(pl.col("theme") == theme).row(0, named=True)
        values = scores.theme_scores[:, j]
        values = values[~np.isnan(values)]
        assert row["estimate"] == pytest.approx(values.mean())
        # domain estimation (R svymean on a subset): everyone outside the domain counts as 0
        n, n_d = len(scores.codes), len(values)
        expected_var = n / (n - 1) * np.sum((values - values.mean()) ** 2) / n_d**2
        assert row["se"] == pytest.approx(np.sqrt(expected_var))
        assert row["n"] == len(values)
        # Student interval with the design degrees of freedom (n in the domain − 1 stratum)
        half = stats.t.ppf(0.975, n_d - 1) * row["se"]
        assert row["ci_high"] - row["estimate"] == pytest.approx(half)
        assert row["estimate"] - row["ci_low"] == pytest.approx(half)
    assert table.filter(pl.col("theme") == OVERALL).height == 1


def test_weighted_means_by_stratum(sample) -> None:
    _, scores, truth = sample
    rng = np.random.default_rng(0)
    weights = rng.uniform(1, 5, len(truth))
    strata = np.where(truth == 0, "grandes", "petites")
    design = Design.from_columns(weights=weights, strata=strata)
    breakdown = Breakdown.from_values("taille", strata)
    table = score_means(scores, design, [breakdown])
    assert set(table["breakdown"].unique()) == {"ensemble", "taille"}
    row = table.filter((pl.col("domain") == "grandes") & (pl.col("theme") == scores.themes[0])).row(
        0, named=True
    )
    members = (strata == "grandes") & ~np.isnan(scores.theme_scores[:, 0])
    assert row["estimate"] == pytest.approx(
        np.average(scores.theme_scores[members, 0], weights=weights[members])
    )
    assert row["n_weighted"] == pytest.approx(weights[members].sum())


def test_level_distribution_sums_to_one(sample) -> None:
    _, scores, _ = sample
    design = Design.from_columns(weights=np.linspace(1, 3, len(scores.codes)))
    table = level_distribution(scores, EY2019, design)
    sums = table.group_by("theme").agg(pl.col("estimate").sum())
    assert np.allclose(sums["estimate"].to_numpy(), 1.0)
    assert table.filter(pl.col("theme") == scores.themes[0]).height == 5
    assert (table["ci_low"] >= 0).all() and (table["ci_high"] <= 1).all()
    inside = table.filter((pl.col("estimate") > 0) & (pl.col("estimate") < 1))
    # logit intervals (R svyciprop): inside (0, 1), around the estimate, asymmetric
    assert (inside["ci_low"] < inside["estimate"]).all()
    assert (inside["ci_high"] > inside["estimate"]).all()
    lo = inside["estimate"] - inside["ci_low"]
    hi = inside["ci_high"] - inside["estimate"]
    assert not np.allclose(lo.to_numpy(), hi.to_numpy())
    # the share at stage 1 is the weighted share of scores below the first threshold
    values, w = scores.theme_scores[:, 0], design.weights
    ok = ~np.isnan(values)
    expected = np.average(values[ok] < EY2019.thresholds[0], weights=w[ok])
    got = table.filter((pl.col("theme") == scores.themes[0]) & (pl.col("level_rank") == 1))
    assert got["estimate"].item() == pytest.approx(expected)


def test_at_least_shares_are_cumulative(sample) -> None:
    _, scores, _ = sample
    design = Design.from_columns(weights=np.linspace(1, 3, len(scores.codes)))
    exact = level_distribution(scores, EY2019, design)
    cumulative = level_distribution(scores, EY2019, design, at_least=True)
    for theme in [*scores.themes, OVERALL]:
        shares = exact.filter(pl.col("theme") == theme)["estimate"].to_numpy()
        at_least = cumulative.filter(pl.col("theme") == theme)["estimate"].to_numpy()
        assert at_least == pytest.approx(np.cumsum(shares[::-1])[::-1])
        assert at_least[0] == pytest.approx(1.0)


def test_profile_shares(sample) -> None:
    model, scores, _ = sample
    typology = build_typology(scores, n_bootstrap=0, strategy_themes=model.strategy_theme_ids())
    design = Design.from_columns(n=len(scores.codes))
    table = profile_shares(typology, design)
    assert table["estimate"].sum() == pytest.approx(1.0)
    classified = typology.profile > 0
    expected = np.bincount(typology.profile[classified], minlength=4)[1:] / classified.sum()
    assert table["estimate"].to_numpy() == pytest.approx(expected)
    assert table["profile_name"].to_list() == typology.names


def test_design_must_match(sample) -> None:
    _, scores, _ = sample
    with pytest.raises(StatsError, match="mêmes répondants"):
        score_means(scores, Design.from_columns(n=10))
