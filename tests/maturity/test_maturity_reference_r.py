"""Population figures of maturity on a raked design match R `survey` (the variance reference)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from maturity_fixtures import raked_reference_case

from barometre.maturity.levels import EY2019
from barometre.maturity.population import level_distribution, score_means

REFERENCE = Path(__file__).resolve().parent / "reference"


@pytest.fixture(scope="module")
def raked():
    """The reference case, checked to be the one R was given, and R `survey`'s figures on it.

    `reference/make_reference.py` wrote the inputs and ran `reference/make_reference.R` (R survey
    4.1); the test compares with its committed output, so it needs no R.
    """
    scores, design, breakdown, rows, totals = raked_reference_case()
    given = pl.read_csv(REFERENCE / "d.csv", schema_overrides={"code": pl.String})
    assert given.select("code", "a", "b").equals(rows.select("code", "a", "b"))
    for column in ("w0", "score", "stage1"):
        ours, theirs = rows[column].to_numpy(), given[column].to_numpy()
        assert np.array_equal(np.isnan(ours), np.isnan(theirs)), column
        np.testing.assert_allclose(ours, theirs, rtol=1e-15, equal_nan=True)
    assert pl.read_csv(REFERENCE / "tot.csv").equals(totals)
    ref = json.loads((REFERENCE / "r_output.json").read_text(encoding="utf-8"))
    return scores, design, breakdown, ref


def test_mean_scores_match_r(raked) -> None:
    scores, design, breakdown, ref = raked
    assert np.isnan(scores.theme_scores[:, 0]).sum() > 20  # the domain handling is exercised
    table = score_means(scores, design, [breakdown]).filter(pl.col("theme") == "strategie")
    overall = table.filter(pl.col("breakdown") == "ensemble").row(0, named=True)
    assert overall["estimate"] == pytest.approx(ref["mean"][0], rel=1e-9)
    assert overall["se"] == pytest.approx(ref["se"][0], rel=1e-7)
    by = table.filter(pl.col("breakdown") == "a")
    for level, mean, se in zip(ref["by_levels"], ref["by_mean"], ref["by_se"], strict=True):
        row = by.filter(pl.col("domain") == level).row(0, named=True)
        assert row["estimate"] == pytest.approx(mean, rel=1e-9)
        assert row["se"] == pytest.approx(se, rel=1e-7)


def test_level_share_and_logit_interval_match_r(raked) -> None:
    scores, design, _, ref = raked
    table = level_distribution(scores, EY2019, design).filter(
        (pl.col("theme") == "strategie") & (pl.col("level_rank") == 1)
    )
    row = table.row(0, named=True)
    assert row["estimate"] == pytest.approx(ref["share"][0], rel=1e-9)
    assert row["se"] == pytest.approx(ref["share_se"][0], rel=1e-7)
    # R svyciprop(method = "logit") uses the design degrees of freedom: same as barometre.stats
    assert row["ci_low"] == pytest.approx(ref["share_ci"][0], rel=1e-6)
    assert row["ci_high"] == pytest.approx(ref["share_ci"][1], rel=1e-6)
