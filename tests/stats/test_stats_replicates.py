"""Replicate weights (JK1, bootstrap) with re-calibration, compared with R `as.svrepdesign`."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from stats_reference_data import OUT, design_for

from barometre.stats.replicates import Replicates, bootstrap, jackknife, replicate_means


@pytest.fixture(scope="module")
def tiny():
    """Tiny dataset raked as in R, with y1..y3."""
    df, design = design_for("tiny", "raking")
    return design, df.select("y1", "y2", "y3").cast(pl.Float64).to_numpy()


def test_jackknife_factors_and_se_match_r(tiny):
    design, y = tiny
    ref = pl.read_csv(OUT / "replicates_JK1.csv")
    reps = jackknife(design)
    np.testing.assert_allclose(reps.factors, pl.read_csv(OUT / "repfactors_JK1.csv").to_numpy())
    assert reps.scale == pytest.approx(ref["scale"][0], rel=1e-12)
    est, se = replicate_means(design, reps, y)
    np.testing.assert_allclose(est, ref["estimate"].to_numpy(), atol=1e-10)
    np.testing.assert_allclose(se, ref["se"].to_numpy(), rtol=1e-6)


def test_bootstrap_with_r_factors_matches_r_and_own_draws_are_consistent(tiny):
    design, y = tiny
    ref = pl.read_csv(OUT / "replicates_bootstrap.csv")
    factors = pl.read_csv(OUT / "repfactors_bootstrap.csv").to_numpy().astype(float)
    reps = Replicates(factors, float(ref["scale"][0]), np.ones(factors.shape[1]), "bootstrap")
    _est, se = replicate_means(design, reps, y)
    np.testing.assert_allclose(se, ref["se"].to_numpy(), rtol=1e-6)
    own = bootstrap(design, replicates=50, seed=1)
    assert own.scale == pytest.approx(ref["scale"][0], rel=1e-12)
    assert np.allclose(own.factors.sum(axis=0), design.n)  # n − 1 draws rescaled by n/(n − 1)
    _, se_own = replicate_means(design, bootstrap(design, replicates=2000, seed=2), y)
    _, se_jk = replicate_means(design, jackknife(design), y)
    np.testing.assert_allclose(se_own, se_jk, rtol=0.2)
