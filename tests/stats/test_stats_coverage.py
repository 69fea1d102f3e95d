"""Coverage of the calibrated 95 % logit intervals on a synthetic population over the real frame."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from stats_reference_data import REF

from barometre.stats.calibration import Margin, calibrate
from barometre.stats.design import Design
from barometre.stats.domains import Breakdown, domain_means
from barometre.stats.intervals import proportion_ci

SAMPLES = 1200
N_SAMPLE = 900


@pytest.mark.slow
def test_calibrated_logit_intervals_cover_95_percent():
    """Biased (size × region dependent) samples, raking on those margins: 93.5 %–96.5 % coverage."""
    frame = pl.read_csv(REF / "frame.csv.gz", infer_schema=False)
    rng = np.random.default_rng(12345)
    kd = np.unique(frame["kd_size"].to_numpy(), return_inverse=True)[1]
    reg = np.unique(frame["region_group"].to_numpy(), return_inverse=True)[1]
    n_pop = frame.height
    # three indicators depending on the calibration variables and on noise
    lin = np.stack([0.3 * kd - 1.0, -0.2 * kd + 0.1 * (reg % 4), 0.15 * kd - 0.05 * reg])
    y = (rng.random((3, n_pop)) < 1 / (1 + np.exp(-lin))).astype(float).T
    truth = y.mean(axis=0)
    kd_labels = frame["kd_size"].to_numpy()
    reg_labels = frame["region_group"].to_numpy()
    tot_kd = dict(zip(*np.unique(kd_labels, return_counts=True), strict=True))
    tot_reg = dict(zip(*np.unique(reg_labels, return_counts=True), strict=True))
    # response propensity: larger units and some regions answer more (biased, MAR on the margins)
    p = (1 + kd) * (1 + 0.5 * (reg % 3))
    p = p * N_SAMPLE / p.sum()
    covered = 0
    total = 0
    for _ in range(SAMPLES):
        idx = np.flatnonzero(rng.random(n_pop) < p)
        base = Design.from_columns(weights=np.full(idx.size, n_pop / idx.size))
        margins = [
            Margin("kd", kd_labels[idx], {k: float(v) for k, v in tot_kd.items()}),
            Margin("reg", reg_labels[idx], {k: float(v) for k, v in tot_reg.items()}),
        ]
        d = calibrate(base, margins, "raking")
        r = domain_means(
            d, y[idx], np.ones((idx.size, 1), bool), np.zeros(3, int), Breakdown.overall(idx.size)
        )
        lo, hi = proportion_ci(r.estimate, r.se, r.n_unweighted, r.df)
        covered += int(((lo[0] <= truth) & (truth <= hi[0])).sum())
        total += 3
    coverage = covered / total
    assert 0.935 <= coverage <= 0.965, coverage
