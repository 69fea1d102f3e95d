"""The published interval `logit-floor`: R's logit interval with a design effect of at least 1."""

from __future__ import annotations

import numpy as np
from stats_reference_data import design_for, indicator_arrays

from barometre.stats.domains import Breakdown, domain_means
from barometre.stats.intervals import DEFAULT_CI, proportion_ci


def test_logit_floor_is_logit_when_the_design_effect_is_at_least_one():
    df, design = design_for("medium", "raking")
    y, masks, mask_of, _ = indicator_arrays(df)
    r = domain_means(design, y, masks, mask_of, Breakdown.overall(df.height))
    srs = np.sqrt(
        r.estimate * (1 - r.estimate) * (1 - r.n_unweighted / r.n_weighted) / r.n_unweighted
    )
    above = r.se >= srs
    assert above.any()
    floor = proportion_ci(
        r.estimate, r.se, r.n_unweighted, r.df, method="logit-floor", population=r.n_weighted
    )
    logit = proportion_ci(r.estimate, r.se, r.n_unweighted, r.df, method="logit")
    np.testing.assert_array_equal(floor[0][above], logit[0][above])
    np.testing.assert_array_equal(floor[1][above], logit[1][above])
    assert DEFAULT_CI == "logit-floor"


def test_one_positive_answer_gets_at_least_the_simple_random_sample_width():
    p, n, population = np.array([1 / 37]), np.array([37.0]), np.array([1200.0])
    tiny_se = np.array([0.004])  # what the calibrated linearisation can give for one answer
    lo, hi = proportion_ci(
        p, tiny_se, n, np.array([30.0]), method="logit-floor", population=population
    )
    lo0, hi0 = proportion_ci(p, tiny_se, n, np.array([30.0]), method="logit")
    assert hi[0] - lo[0] > 5 * (hi0[0] - lo0[0])
    srs = np.sqrt(p * (1 - p) * (1 - n / population) / n)
    same = proportion_ci(p, srs, n, np.array([30.0]), method="logit")
    np.testing.assert_allclose((lo, hi), same, rtol=1e-12)
    # a near-census keeps its small variance: the floor shrinks with the sampling fraction
    lo_c, hi_c = proportion_ci(
        p, tiny_se, n, np.array([30.0]), method="logit-floor", population=np.array([37.5])
    )
    assert hi_c[0] - lo_c[0] < hi[0] - lo[0]
