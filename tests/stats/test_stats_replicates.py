"""Replicate weights (JK1, bootstrap) with re-calibration, compared with R `as.svrepdesign`."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from stats_reference_data import OUT, REF, design_for, replicate_design

from barometre.stats.calibration import Margin, calibrate
from barometre.stats.domains import prepare_indicators
from barometre.stats.errors import StatsError
from barometre.stats.replicates import (
    Replicates,
    bootstrap,
    degrees_of_freedom,
    jackknife,
    replicate_domain_se,
    replicate_means,
    replicate_weights,
)


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


# --- as.svrepdesign on a stratified design with fpc, re-calibration, domains, lonely strata ---
# (make_replicates.py / make_replicates.R; bootstrap factors drawn here, given to R)

BOOTSTRAP = {"tiny": (50, 11), "strat": (100, 12)}


def reference_rows() -> pl.DataFrame:
    """R's estimates, SEs and degrees of freedom of make_replicates.R."""
    return pl.read_csv(
        OUT / "replicates_reference.csv",
        schema_overrides={"level": pl.String, "lonely": pl.String},
        null_values="NA",
    ).with_columns(pl.col("lonely").fill_null(""))


def reference_design(dataset: str, calibration: str, lonely: str = ""):
    """The design of one R case, and its y1..y3 and domain column."""
    if dataset == "tiny":
        df, design = design_for("tiny", calibration)
        domain = "kind"
    else:
        df, design = replicate_design(lonely=bool(lonely), calibrated=calibration == "raking")
        domain = "dom"
        if calibration == "poststrat":
            cells = pl.read_csv(REF / "strat_cells.csv")
            label = (df["opsn"].cast(pl.String) + " × " + df["rg3"]).to_numpy()
            totals = dict(zip(cells["category"], cells["total"].cast(pl.Float64), strict=True))
            design = calibrate(design, [Margin("cell", label, totals)], "poststrat")
    y = df.select("y1", "y2", "y3").cast(pl.Float64).to_numpy()
    return df, design, y, df[domain].cast(pl.String).to_numpy()


def replicates_for(design, dataset: str, variance: str, lonely: str) -> Replicates:
    """Jackknife as R builds it, or the committed bootstrap factors with R's scale."""
    if variance != "bootstrap":
        return jackknife(design, lonely=lonely or None)
    factors = pl.read_csv(REF / f"bootstrap_factors_{dataset}.csv").to_numpy().astype(float)
    own = bootstrap(design, *BOOTSTRAP[dataset])
    np.testing.assert_array_equal(own.factors, factors)  # same seed, same factors
    return own


CASES = sorted(
    {
        (r["dataset"], r["variance"], r["calibration"], r["lonely"])
        for r in reference_rows().iter_rows(named=True)
    }
)


@pytest.mark.parametrize(("dataset", "variance", "calibration", "lonely"), CASES)
def test_replicate_variance_matches_r(dataset, variance, calibration, lonely):
    ref = reference_rows().filter(
        dataset=dataset, variance=variance, calibration=calibration, lonely=lonely
    )
    _, design, y, domain = reference_design(dataset, calibration, lonely)
    reps = replicates_for(design, dataset, variance, lonely)
    est, se = replicate_means(design, reps, y)
    overall = ref.filter(domain="ensemble").sort("indicator")
    np.testing.assert_allclose(est, overall["estimate"], atol=1e-10)
    np.testing.assert_allclose(se, overall["se"], rtol=1e-9)
    weights = replicate_weights(design, reps)
    assert degrees_of_freedom(weights) == overall["degf"][0]
    # domains: the full design's replicates restricted to each level (R svyby)
    levels = sorted(set(domain.tolist()))
    x = prepare_indicators(y, np.ones((design.n, 1), bool), np.zeros(3, np.int64))
    codes = np.searchsorted(levels, domain)
    by = replicate_domain_se(reps, weights, x, 3, np.zeros(3, np.int64), 1, codes, len(levels))
    for i, level in enumerate(levels):
        rows = ref.filter(pl.col("domain") != "ensemble", level=level).sort("indicator")
        est_d, se_d = replicate_means(design, reps, y, domain == level)
        np.testing.assert_allclose(est_d, rows["estimate"], atol=1e-10)
        np.testing.assert_allclose(se_d, rows["se"], rtol=1e-9)
        np.testing.assert_allclose(by[i], rows["se"], rtol=1e-9)


def test_jackknife_scales_drop_the_census_stratum_like_r():
    _, design = replicate_design()
    reps = jackknife(design)
    ref = pl.read_csv(OUT / "replicates_jkn_scales.csv")
    census = design.strata_labels.index("epci_CU")
    assert reps.count == design.n - int((design.strata == census).sum()) == ref.height
    np.testing.assert_allclose(np.sort(reps.rscales), np.sort(ref["rscales"]), rtol=1e-12)
    assert reps.scale == ref["scale"][0]


def test_bootstrap_with_population_sizes_is_a_finite_population_bootstrap():
    _, design = replicate_design()
    reps = bootstrap(design, 400, seed=3)
    n_h = np.bincount(design.strata)
    census = design.strata == design.strata_labels.index("epci_CU")
    assert (reps.factors[census] == 1).all()  # a census stratum never varies
    sums = np.stack([reps.factors[design.strata == h].sum(axis=0) for h in range(len(n_h))])
    assert (sums == n_h[:, None]).all()  # n_h draws per stratum and replicate
    # without replacement from N_h: per-unit variance (1 − f)(n − 1)/n·… smaller than with it
    small = design.strata == design.strata_labels.index("epci_CC")
    f = (
        n_h[design.strata_labels.index("epci_CC")]
        / design.population_sizes[design.strata_labels.index("epci_CC")]
    )
    assert reps.factors[small].var() < (1 - f / 2) * reps.factors[~census & ~small].var() * 1.5
    with pytest.raises(StatsError, match="un répondant"):
        jackknife(replicate_design(lonely=True)[1], lonely="fail")
