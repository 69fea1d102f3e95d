"""Strata: population classes (DGCL and custom boundaries), kind detail, stratum totals."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from barometre.register import (
    DGCL_BOUNDARIES,
    add_strata,
    load_register,
    parse_class_option,
    size_class_labels,
    stratum_totals,
)
from barometre.register.strata import size_class_enum

EDGES = [0, 1, 499, 500, 1999, 2000, 3499, 3500, 4999, 5000, 9999, 10000, 19999, 20000, 49999]
EDGES += [50000, 99999, 100000, 2_500_000]


def classes_of(populations: list[int | None], classes=None, kinds: list[str] | None = None) -> list:
    """Size class labels for the given populations."""
    frame = pl.DataFrame(
        {
            "kind": kinds or ["commune"] * len(populations),
            "epci_nature": [None] * len(populations),
            "population": pl.Series(populations, dtype=pl.Int64),
        }
    )
    return add_strata(frame, classes).get_column("size_class").cast(pl.String).to_list()


def test_dgcl_labels() -> None:
    assert size_class_labels() == [
        "moins de 500 hab.",
        "de 500 à 1 999 hab.",
        "de 2 000 à 3 499 hab.",
        "de 3 500 à 4 999 hab.",
        "de 5 000 à 9 999 hab.",
        "de 10 000 à 19 999 hab.",
        "de 20 000 à 49 999 hab.",
        "de 50 000 à 99 999 hab.",
        "100 000 hab. et plus",
    ]


def test_dgcl_boundaries_at_the_edges() -> None:
    labels = size_class_labels()
    got = classes_of(EDGES)
    # each boundary b opens a new class: b - 1 is in the class below, b in the next one
    for boundary in DGCL_BOUNDARIES:
        below, at = got[EDGES.index(boundary - 1)], got[EDGES.index(boundary)]
        assert labels.index(at) == labels.index(below) + 1, boundary
    assert got[0] == got[1] == got[2] == "moins de 500 hab."
    assert got[EDGES.index(1999)] == "de 500 à 1 999 hab."
    assert got[-1] == got[-2] == "100 000 hab. et plus"


def test_coarse_classes_as_in_seed_004() -> None:
    spec = parse_class_option(["1000"])
    assert spec == (1000,)
    assert classes_of([999, 1000, None], spec) == [
        "moins de 1 000 hab.",
        "1 000 hab. et plus",
        None,
    ]


def test_per_kind_boundaries_and_ordered_enum() -> None:
    spec = parse_class_option(["epci=20000,50000"])
    got = classes_of([19999, 19999, 50000], spec, kinds=["epci", "commune", "epci"])
    assert got == ["moins de 20 000 hab.", "de 10 000 à 19 999 hab.", "50 000 hab. et plus"]
    categories = size_class_enum(spec).categories.to_list()
    assert categories.index("moins de 500 hab.") < categories.index("moins de 20 000 hab.")
    assert categories.index("50 000 hab. et plus") < categories.index("100 000 hab. et plus")


@pytest.mark.parametrize("values", [["0"], ["500,500"], ["2000,500"], ["abc"], ["epci=1,x"]])
def test_bad_class_options_are_refused_in_french(values: list[str]) -> None:
    with pytest.raises(ValueError, match="bornes"):
        parse_class_option(values)


def test_kind_detail() -> None:
    strata = add_strata(load_register().entities)
    details = dict(strata.group_by("kind_detail").len().iter_rows())
    assert details["epci_CC"] == 989 and details["epci_CA"] == 230 and details["epci_METRO"] == 21
    assert details["epci_CU"] == 14 and details["epci_MET69"] == 1
    assert details["commune"] == 34969


def test_stratum_totals_are_margins_of_the_frame() -> None:
    entities = load_register().of_kind("commune", "epci")
    totals = stratum_totals(entities)
    assert totals.get_column("count").sum() == entities.height
    assert totals.get_column("population").sum() == entities.get_column("population").sum()
    communes = totals.filter(pl.col("kind_detail") == "commune")
    assert communes.get_column("size_class").cast(pl.String).to_list() == size_class_labels()
    small = entities.filter((pl.col("kind") == "commune") & (pl.col("population") < 500))
    first = communes.row(0, named=True)
    assert (first["count"], first["population"]) == (
        small.height,
        small.get_column("population").sum(),
    )
    by_region = stratum_totals(entities, by=("region",))
    assert by_region.get_column("count").sum() == entities.height
    coarse = stratum_totals(entities.filter(pl.col("kind") == "commune"), classes=[1000])
    assert coarse.height == 2


def test_region_group_puts_overseas_in_one_cell() -> None:
    entities = load_register().of_kind("commune", "epci")
    groups = stratum_totals(entities, by=("region_group",))
    assert groups.height == 14
    overseas = groups.filter(pl.col("region_group") == "outre-mer").row(0, named=True)
    expected = entities.filter(pl.col("zone") != "metro")
    assert overseas["count"] == expected.height == 129 + 94 + 23


@settings(max_examples=60, deadline=None)
@given(
    boundaries=st.lists(st.integers(1, 10**6), min_size=1, max_size=10, unique=True).map(sorted),
    populations=st.lists(st.integers(0, 2 * 10**6), min_size=1, max_size=50),
)
def test_size_class_agrees_with_searchsorted(boundaries: list[int], populations: list[int]) -> None:
    labels = size_class_labels(boundaries)
    got = classes_of(populations, boundaries)
    expected = np.searchsorted(np.array(boundaries), np.array(populations), side="right")
    assert [labels.index(label) for label in got] == expected.tolist()
