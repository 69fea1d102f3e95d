"""Weighted correlations: agree with SciPy when unweighted, weights and controls behave."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from barometre.maturity.correlations import correlate, effect_label, weighted_ranks


@pytest.fixture(scope="module")
def rng() -> np.random.Generator:
    return np.random.default_rng(42)


def test_weighted_ranks_with_ties() -> None:
    ranks = weighted_ranks(np.array([3.0, 1.0, 3.0, 2.0]), np.array([1.0, 2.0, 1.0, 4.0]))
    # 1 has weight 2 → mid-rank 1; 2 (weight 4) → 2 + 2; the two 3s (weight 2) → 6 + 1
    assert ranks.tolist() == [7.0, 1.0, 7.0, 4.0]


def test_unweighted_spearman_matches_scipy(rng: np.random.Generator) -> None:
    x = rng.normal(size=300)
    y = np.round(0.3 * x + rng.normal(size=300), 1)
    ours = correlate(x, y)
    ref = stats.spearmanr(x, y)
    assert ours.r == pytest.approx(ref.statistic, abs=1e-12)
    assert ours.p_value == pytest.approx(ref.pvalue, rel=1e-9)
    assert ours.ci_low < ours.r < ours.ci_high
    pearson = correlate(x, y, method="pearson")
    assert pearson.r == pytest.approx(stats.pearsonr(x, y).statistic, abs=1e-12)
    assert pearson.slope == pytest.approx(stats.linregress(x, y).slope, rel=1e-9)


def test_integer_weights_equal_duplicated_rows(rng: np.random.Generator) -> None:
    x = rng.normal(size=120)
    y = x + rng.normal(size=120)
    w = rng.integers(1, 4, 120).astype(float)
    weighted = correlate(x, y, w)
    duplicated = stats.spearmanr(np.repeat(x, w.astype(int)), np.repeat(y, w.astype(int)))
    assert weighted.r == pytest.approx(duplicated.statistic, abs=1e-12)
    assert weighted.n == 120 and weighted.n_effective < 120


def test_control_removes_a_confounder(rng: np.random.Generator) -> None:
    log_pop = rng.normal(8, 1.5, 2000)
    services = 2 * log_pop + rng.normal(size=2000)
    age = 45 - 2 * log_pop + rng.normal(size=2000) * 3
    raw = correlate(age, services, x_name="age", y_name="services")
    partial = correlate(age, services, controls=log_pop, control_names="population")
    assert raw.r < -0.5 and raw.p_value < 1e-10 and raw.effect == "fort"
    assert abs(partial.r) < 0.1 and partial.p_value > 0.001
    assert partial.controls == "population"


def test_permutation_p_value(rng: np.random.Generator) -> None:
    x = rng.normal(size=200)
    strong = correlate(x, x + rng.normal(size=200) * 0.5, n_permutations=199, seed=1)
    assert strong.p_permutation == pytest.approx(1 / 200)
    none = correlate(x, rng.normal(size=200), n_permutations=199, seed=1)
    assert none.p_permutation > 0.01
    assert np.isnan(correlate(x, x, n_permutations=0).p_permutation)
    y = x + rng.normal(size=200) * 8
    first = correlate(x, y, n_permutations=99, seed=4).p_permutation
    assert correlate(x, y, n_permutations=99, seed=4).p_permutation == first


def test_missing_values_are_dropped_and_labels() -> None:
    x = np.array([1.0, 2, np.nan, 4, 5, 6])
    y = np.array([2.0, 1, 3, np.nan, 5, 7])
    result = correlate(x, y)
    assert result.n == 4
    assert effect_label(0.05) == "négligeable" and effect_label(-0.35) == "moyen"
    with pytest.raises(ValueError, match="inconnue"):
        correlate(x, y, method="kendall")


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(1, 10**6),
            st.integers(0, 5),
            st.floats(0.2, 20, allow_nan=False),
        ),
        min_size=5,
        max_size=60,
    )
)
def test_weighted_spearman_is_rank_invariant(rows) -> None:
    """A strictly increasing transform of x (log population) leaves weighted Spearman unchanged."""
    x, y, w = (np.array(col, dtype=float) for col in zip(*rows, strict=True))
    plain = correlate(x, y, w)
    logged = correlate(np.log10(x), y, w)
    if np.isnan(plain.r):
        assert np.isnan(logged.r)
    else:
        assert logged.r == pytest.approx(plain.r, abs=1e-9)
        assert -1 - 1e-9 <= plain.r <= 1 + 1e-9


def test_sentence_in_french() -> None:
    x = np.arange(40.0)
    result = correlate(x, -x, x_name="population", y_name="services", control_names="")
    sentence = result.sentence()
    assert sentence.startswith("services selon population : ρ = -1,00")
    assert "p < 0,001" in sentence and "effet fort" in sentence and "n = 40" in sentence
    empty = correlate(np.array([1.0, np.nan]), np.array([np.nan, 2.0]), x_name="a", y_name="b")
    assert "p non calculable" in empty.sentence() and "ρ = –" in empty.sentence()
