"""`domain_means_by`: every breakdown at once, the prepared matrix by chunks of columns, with the
same figures as R `survey` and as one `domain_means` per breakdown."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from barometre.stats.domains import Breakdown, domain_means, domain_means_by
from tests.stats.test_stats_design_reference import INDICATORS, OUT, build

FIELDS = ("estimate", "se", "n_unweighted", "n_weighted", "n_positive", "df")


@pytest.fixture(scope="module")
def r_estimates() -> pl.DataFrame:
    """R's estimates and SEs of the design references."""
    return pl.read_csv(
        OUT / "design_estimates.csv", schema_overrides={"level": pl.String}, null_values="NA"
    )


def breakdowns(sample: pl.DataFrame) -> list[Breakdown]:
    """The whole sample and the reference datasets' domains."""
    return [Breakdown.overall(sample.height)] + [
        Breakdown.from_values(name, sample[name].to_numpy().astype(str))
        for name in ("dom", "cell", "departement")
        if name in sample.columns
    ]


@pytest.mark.parametrize("chunk_bytes", [1, 10**9])
@pytest.mark.parametrize("design", ["none", "raking"])
def test_chunked_breakdowns_match_r(design: str, chunk_bytes: int, r_estimates) -> None:
    """One column per chunk or all in one: R's estimates and SEs for every domain."""
    sample, built = build("bzh", design, "adjust")
    ref = r_estimates.filter(dataset="bzh", design=design, lonely="adjust")
    y = sample.select(INDICATORS).cast(pl.Float64).to_numpy()
    masks = np.ones((sample.height, 1), dtype=bool)
    found = breakdowns(sample)
    results = domain_means_by(
        built, y, masks, np.zeros(3, np.int64), found, binary=False, chunk_bytes=chunk_bytes
    )
    checked = 0
    for b, r in zip(found, results, strict=True):
        part = ref.filter(domain=b.name)
        g = np.array([b.labels.index(level) for level in part["level"].to_list()], dtype=int)
        k = np.array([INDICATORS.index(i) for i in part["indicator"].to_list()], dtype=int)
        np.testing.assert_allclose(r.estimate[g, k], part["estimate"], rtol=0, atol=1e-10)
        r_se = part["se"].fill_null(np.nan).to_numpy()
        np.testing.assert_allclose(r.se[g, k], r_se, rtol=1e-9, atol=1e-13)
        checked += part.height
    assert checked == ref.filter(pl.col("domain").is_in([b.name for b in found])).height >= 60


@pytest.mark.parametrize("design", ["none", "raking"])
def test_chunks_with_their_own_masks_equal_one_product_per_breakdown(design: str) -> None:
    """0/1 indicators behind three different denominators (skip logic), cut in chunks of 2
    columns whose masks differ: every field equals `domain_means` breakdown by breakdown."""
    sample, built = build("bzh", design, "adjust")
    n = sample.height
    rng = np.random.default_rng(7)
    y = rng.random((n, 7)) < np.linspace(0.05, 0.9, 7)
    masks = np.column_stack([np.ones(n, bool), rng.random(n) < 0.6, rng.random(n) < 0.3])
    mask_of = np.array([0, 1, 1, 2, 0, 2, 1])
    found = breakdowns(sample)
    chunked = domain_means_by(built, y, masks, mask_of, found, chunk_bytes=2 * 4 * n)
    for b, r in zip(found, chunked, strict=True):
        one = domain_means(built, y, masks, mask_of, b)
        assert r.breakdown is b
        for field in FIELDS:
            np.testing.assert_allclose(
                getattr(r, field), getattr(one, field), rtol=1e-10, atol=1e-15, err_msg=field
            )
