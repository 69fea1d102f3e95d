"""French labels of register codes, natural order of population classes, French numbers."""

from __future__ import annotations

import math
import random

import polars as pl
import pytest

from barometre.register import labels, load_register
from barometre.register.labels import (
    NNBSP,
    count,
    departement_label,
    kind_label,
    kind_rank,
    number,
    percent,
    region_label,
    size_class_label,
    size_class_rank,
    sorted_size_classes,
    stratum_label,
    stratum_rank,
)
from barometre.register.strata import add_strata, size_class_labels


def test_every_kind_detail_of_the_register_has_a_french_label() -> None:
    entities = add_strata(load_register().entities)
    for code in entities["kind_detail"].unique().to_list():
        label = kind_label(code)
        assert code in labels.KIND_LABELS, code
        assert "_" not in label and label[0].isupper(), label
    assert kind_label("epci_CA") == "Communauté d'agglomération"
    assert kind_label("epci_MET69") == "Métropole de Lyon"
    assert kind_label("com") == "Collectivité d'outre-mer"
    assert kind_label("epci_CC", plural=True) == "Communautés de communes"
    assert kind_label("departement") == "Département"


def test_custom_kinds_are_humanised_and_listed_after_official_ones() -> None:
    assert kind_label("service_public") == "Service public"
    assert kind_label("") == labels.MISSING
    kinds = ["service_public", "region", "epci_CA", "commune", "province", "epci_CC"]
    assert sorted(kinds, key=kind_rank) == [
        "commune",
        "epci_CC",
        "epci_CA",
        "region",
        "province",
        "service_public",
    ]


def test_population_classes_sort_in_their_natural_order() -> None:
    natural = size_class_labels()
    shuffled = natural[:]
    random.Random(4).shuffle(shuffled)
    assert sorted_size_classes(shuffled) == natural
    assert sorted(natural) != natural  # alphabetical order is wrong: the test can fail
    custom = size_class_labels([1000])
    assert sorted_size_classes(custom[::-1]) == ["moins de 1 000 hab.", "1 000 hab. et plus"]
    assert sorted(["", "autre", *natural[:2]], key=size_class_rank) == [*natural[:2], "autre", ""]
    # the register's own classes, as stored on targets, come out in the same order
    classes = add_strata(load_register().entities)["size_class"].cast(pl.String).unique()
    assert sorted_size_classes(classes.drop_nulls().to_list()) == natural


def test_size_class_label_keeps_thousands_together() -> None:
    assert size_class_label("de 10 000 à 19 999 hab.") == f"de 10{NNBSP}000 à 19{NNBSP}999 hab."
    assert size_class_label("moins de 500 hab.") == "moins de 500 hab."


def test_places_are_named_from_the_register() -> None:
    assert region_label("84") == "Auvergne-Rhône-Alpes"
    assert region_label("988") == "Nouvelle-Calédonie"
    assert region_label("outre-mer") == "Outre-mer (regroupé)"
    assert departement_label("2A") == "Corse-du-Sud (2A)"
    assert departement_label("29", with_code=False) == "Finistère"
    assert departement_label("984").startswith("Terres australes")
    entities = load_register().entities
    for code in entities["departement"].drop_nulls().unique().to_list():
        assert departement_label(code) != code, code
    for code in entities["region"].drop_nulls().unique().to_list():
        assert region_label(code) != code, code


def test_stratum_label_and_rank_dispatch_on_the_column() -> None:
    assert stratum_label("kind_detail", "epci_CU") == "Communauté urbaine"
    assert stratum_label("region_group", "53") == "Bretagne"
    assert stratum_label("zone", "drom") == "Départements et régions d'outre-mer"
    assert stratum_label("opsn", None) == "non renseigné"
    departements = ["971", "2B", "01", "2A", "10"]
    assert sorted(departements, key=lambda c: stratum_rank("departement", c)) == [
        "01",
        "10",
        "2A",
        "2B",
        "971",
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (36343, f"36{NNBSP}343"),
        (1234567, f"1{NNBSP}234{NNBSP}567"),
        (0, "0"),
        (None, "–"),
        (math.nan, "–"),
    ],
)
def test_counts_in_french(value, expected) -> None:
    assert count(value) == expected


def test_numbers_and_percentages_in_french() -> None:
    assert number(12.5, 1) == "12,5"
    assert number(-3.25, 1) == "−3,2"
    assert number(-0.01, 1) == "0,0"
    assert percent(0.48) == f"48{NNBSP}%"
    assert percent(0.1234, 1) == f"12,3{NNBSP}%"
    assert percent(None) == "–"
