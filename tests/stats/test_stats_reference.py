"""barometre.stats reproduces R `survey` (weights, estimates, SE, logit CIs) on three datasets."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from stats_reference_data import OUT, design_for, indicator_arrays, r_estimates, r_weights

from barometre.stats.domains import Breakdown, domain_means
from barometre.stats.errors import StatsError
from barometre.stats.evolution import independent_difference, paired_difference
from barometre.stats.intervals import proportion_ci
from barometre.stats.quantiles import domain_quantiles
from barometre.stats.variance import mean_influence, variance

CASES = [
    ("tiny", "none"),
    ("tiny", "raking"),
    ("tiny", "poststrat"),
    ("medium", "raking"),
    ("medium", "linear"),
    ("medium", "logit"),
    ("census", "none"),
    ("census", "raking"),
]


@pytest.fixture(scope="module")
def reference() -> tuple[pl.DataFrame, pl.DataFrame]:
    """R's estimates and weights."""
    return r_estimates(), r_weights()


@pytest.mark.parametrize(("dataset", "method"), CASES)
def test_weights_estimates_se_ci_match_r(dataset, method, reference):
    """Calibrated weights within 1e-8, estimates 1e-10, SE 1e-6 relative, CIs 1e-6 of R."""
    r_est, r_w = reference
    df, design = design_for(dataset, method)
    rw = r_w.filter(dataset=dataset, method=method)
    assert rw["code"].to_list() == df["code"].to_list()
    np.testing.assert_allclose(design.weights, rw["weight"].to_numpy(), rtol=1e-8, atol=0)
    y, masks, mask_of, names = indicator_arrays(df)
    ref = r_est.filter(pl.col("indicator").is_in(names), dataset=dataset, method=method)
    assert ref.height > 0
    checked = 0
    for dom in ref["domain"].unique().to_list():
        b = Breakdown.from_values(dom, df[dom].cast(pl.String).to_numpy())
        res = domain_means(design, y, masks, mask_of, b)
        lo, hi = proportion_ci(res.estimate, res.se, res.n_unweighted, res.df)
        part = ref.filter(domain=dom)
        g = np.array([b.labels.index(lev) for lev in part["level"].to_list()])
        k = np.array([names.index(i) for i in part["indicator"].to_list()])
        np.testing.assert_allclose(
            res.estimate[g, k], part["estimate"].to_numpy(), rtol=0, atol=1e-10
        )
        np.testing.assert_allclose(res.se[g, k], part["se"].to_numpy(), rtol=1e-6, atol=1e-12)
        est = res.estimate[g, k]
        r_lo = part["ci_low"].fill_null(np.nan).to_numpy()
        r_hi = part["ci_high"].fill_null(np.nan).to_numpy()
        # R's svyciprop (a quasibinomial glm) fails in a few tiny domains and returns NA or [0, 0]
        inner = (est > 0) & (est < 1) & (r_lo < r_hi)
        assert inner.sum() >= 0.8 * ((est > 0) & (est < 1)).sum()
        np.testing.assert_allclose(lo[g, k][inner], r_lo[inner], atol=1e-6)
        np.testing.assert_allclose(hi[g, k][inner], r_hi[inner], atol=1e-6)
        checked += part.height
    assert checked == ref.height


@pytest.mark.parametrize(("dataset", "method"), CASES)
def test_numeric_means_match_r(dataset, method, reference):
    """Means of numbers (n7) and of maturity levels (m6) with their SE."""
    r_est, _ = reference
    df, design = design_for(dataset, method)
    y = df.select("n7", "m6").cast(pl.Float64).to_numpy()
    masks = np.ones((df.height, 1), dtype=bool)
    ref = r_est.filter(pl.col("indicator").is_in(["n7", "m6"]), dataset=dataset, method=method)
    for dom in ref["domain"].unique().to_list():
        b = Breakdown.from_values(dom, df[dom].cast(pl.String).to_numpy())
        res = domain_means(design, y, masks, np.array([0, 0]), b, binary=False)
        part = ref.filter(domain=dom)
        g = np.array([b.labels.index(lev) for lev in part["level"].to_list()])
        k = np.array([["n7", "m6"].index(i) for i in part["indicator"].to_list()])
        np.testing.assert_allclose(res.estimate[g, k], part["estimate"].to_numpy(), rtol=1e-10)
        np.testing.assert_allclose(res.se[g, k], part["se"].to_numpy(), rtol=1e-6)


@pytest.mark.parametrize(("dataset", "method"), CASES)
def test_generic_influence_path_agrees_with_domain_path(dataset, method):
    """The dense influence-function variance gives the same SE as the grouped fast path."""
    df, design = design_for(dataset, method)
    y, masks, mask_of, _ = indicator_arrays(df)
    b = Breakdown.from_values("dom", df["ensemble"].to_numpy())
    fast = domain_means(design, y[:, :4], masks, mask_of[:4], b)
    est, z = mean_influence(design, y[:, :4])
    np.testing.assert_allclose(est, fast.estimate[0], rtol=1e-12)
    np.testing.assert_allclose(np.sqrt(variance(design, z)), fast.se[0], rtol=1e-9)


@pytest.mark.parametrize(("dataset", "method"), CASES)
def test_paired_contrast_matches_svycontrast(dataset, method):
    """y2 - y1 on the same respondents: estimate and SE as R `svycontrast`."""
    ref = pl.read_csv(OUT / "contrasts.csv").filter(dataset=dataset, method=method)
    df, design = design_for(dataset, method)
    diff = paired_difference(design, df["y1"].to_numpy(), df["y2"].to_numpy())
    assert diff.estimate == pytest.approx(ref["estimate"][0], abs=1e-10)
    assert diff.se == pytest.approx(ref["se"][0], rel=1e-6)


def test_median_with_woodruff_interval_matches_svyquantile():
    """Median of n7 (calibrated medium design): estimate, CI and SE as R `svyquantile`."""
    ref = pl.read_csv(OUT / "quantile_medium.csv")
    df, design = design_for("medium", "raking")
    y = df["n7"].to_numpy()[:, None]
    q = domain_quantiles(design, y, np.ones((df.height, 1), bool), Breakdown.overall(df.height))
    assert q.estimate[0, 0] == ref["estimate"][0]
    assert q.ci_low[0, 0] == ref["ci_low"][0] and q.ci_high[0, 0] == ref["ci_high"][0]
    assert q.se[0, 0] == pytest.approx(ref["se"][0], rel=1e-6)


def test_independent_difference_adds_variances():
    """Two independent editions: SE² = SE1² + SE2², Wald p-value."""
    d = independent_difference(
        np.array([0.40]), np.array([0.03]), np.array([0.50]), np.array([0.04])
    )
    assert d.estimate[0] == pytest.approx(0.10)
    assert d.se[0] == pytest.approx(0.05)
    assert d.p_value[0] == pytest.approx(2 * (1 - 0.9772498680518208), rel=1e-6)
    assert d.ci_low[0] == pytest.approx(0.10 - 1.959963984540054 * 0.05)


def test_values_outside_the_denominator_are_ignored_even_nan():
    """NaN where a question was not asked is fine; NaN inside the denominator is a French error."""
    df, design = design_for("tiny", "none")
    y = df.select("y8").cast(pl.Float64).to_numpy()
    asked = df["asked8"].to_numpy()[:, None] == 1
    with_nan = np.where(asked, y, np.nan)
    b = Breakdown.overall(df.height)
    a = domain_means(design, y, asked, np.array([0]), b)
    c = domain_means(design, with_nan, asked, np.array([0]), b)
    assert a.estimate[0, 0] == c.estimate[0, 0] and a.se[0, 0] == c.se[0, 0]
    with pytest.raises(StatsError, match="valeur manquante"):
        domain_means(design, with_nan, np.ones_like(asked), np.array([0]), b)


@pytest.mark.parametrize(
    ("dataset", "method"), [("tiny", "raking"), ("medium", "raking"), ("census", "raking")]
)
def test_korn_graubard_matches_svyciprop_beta_and_wilson_is_sane(dataset, method, reference):
    """Korn–Graubard = R `svyciprop(method = "beta")`; Wilson brackets the estimate inside [0, 1]."""
    r_est, _ = reference
    df, design = design_for(dataset, method)
    y, masks, mask_of, names = indicator_arrays(df)
    res = domain_means(design, y, masks, mask_of, Breakdown.overall(df.height))
    ref = r_est.filter(
        pl.col("indicator").is_in(names), dataset=dataset, method=method, domain="ensemble"
    )
    k = np.array([names.index(i) for i in ref["indicator"].to_list()])
    est, se, n, dfree = res.estimate[0, k], res.se[0, k], res.n_unweighted[0, k], res.df[0, k]
    inner = (est > 0) & (est < 1)
    lo, hi = proportion_ci(est, se, n, dfree, method="korn-graubard", n_design=design.n)
    np.testing.assert_allclose(lo[inner], ref["kg_low"].to_numpy()[inner], atol=1e-6)
    np.testing.assert_allclose(hi[inner], ref["kg_high"].to_numpy()[inner], atol=1e-6)
    wl, wh = proportion_ci(est, se, n, dfree, method="wilson")
    assert ((wl <= est) & (est <= wh) & (wl >= 0) & (wh <= 1)).all()


@pytest.mark.parametrize("method", ["raking", "linear"])
def test_panel_differences_match_svymean_on_the_panel_subset(method):
    """Mean change among respondents with both answers, overall and by OPSN: as R `survey`."""
    from barometre.stats.domains import Breakdown
    from barometre.stats.evolution import panel_differences

    ref = pl.read_csv(OUT / "panel_differences.csv", infer_schema=False).filter(method=method)
    df, design = design_for("medium", method)
    panel = pl.read_csv(OUT.parent / "panel.csv", infer_schema=False)
    assert panel["code"].to_list() == df["code"].to_list()
    items = ["y1", "q5_oui", "n7", "y8"]
    after = df.select(pl.col(i).cast(pl.Float64) for i in items).to_numpy()
    after[df["asked8"].to_numpy() == 0, 3] = np.nan  # y8 is asked only where asked8 = 1
    before = panel.select(pl.col(f"before_{i}").cast(pl.Float64) for i in items).to_numpy()
    opsn = Breakdown.from_values("opsn", df["opsn"].cast(pl.String).to_numpy(), ["0", "1"])
    for split, domain in ((None, "ensemble"), (opsn, "opsn")):
        res = panel_differences(design, before, after, split)
        part = ref.filter(domain=domain)
        for row in part.iter_rows(named=True):
            g = list(res.labels).index(row["level"])
            k = items.index(row["item"])
            assert res.estimate[g, k] == pytest.approx(float(row["estimate"]), rel=1e-10)
            assert res.se[g, k] == pytest.approx(float(row["se"]), rel=1e-6)
            assert res.n[g, k] == int(row["n"])
    # the pairing matters: the SE is below that of two independent samples of the same answers
    whole = panel_differences(design, before, after)
    assert whole.p_value[0, 0] < 0.001 and whole.ci_low[0, 0] > 0
