"""The committed official register matches its source package and keeps its invariants."""

from __future__ import annotations

import json
import time

import polars as pl
import pytest

from barometre.register import add_strata, load_register
from barometre.register.frame import DATA_DIR, SOURCE_FILE, _official
from barometre.register.official_frame import ENTITY_SCHEMA
from barometre.register.package_source import PACKAGE_NAME, PACKAGE_VERSION, PackageContents


@pytest.fixture(scope="module")
def entities() -> pl.DataFrame:
    """The official entities."""
    return load_register().entities


def test_schema_follows_the_contract(entities: pl.DataFrame) -> None:
    assert entities.schema == pl.Schema(ENTITY_SCHEMA)
    assert entities.get_column("code").is_unique().all()
    assert entities.select(pl.col("code", "kind", "name", "population", "zone").null_count()).row(
        0
    ) == (
        0,
        0,
        0,
        0,
        0,
    )


def test_counts_match_source_json(entities: pl.DataFrame) -> None:
    source = json.loads((DATA_DIR / SOURCE_FILE).read_text(encoding="utf-8"))
    assert source["package"] == PACKAGE_NAME and source["version"] == PACKAGE_VERSION
    assert source["cog_vintage"] == load_register().vintage == "2026"
    counts = dict(entities.group_by("kind").len().iter_rows())
    assert counts == source["counts"]["entities"]
    assert counts["commune"] == source["counts"]["source_current_communes"]
    assert counts["epci"] == source["counts"]["source_epci"]
    communes = entities.filter(pl.col("kind") == "commune")
    assert communes.get_column("population").sum() == source["population"]["communes"]


def test_counts_and_populations_equal_the_tarball(
    entities: pl.DataFrame, source_contents: PackageContents
) -> None:
    data = source_contents.data
    current = [c for c in data["communes"] if c["type"] == "commune-actuelle"]
    communes = entities.filter(pl.col("kind") == "commune")
    assert communes.height == len(current)
    assert communes.get_column("population").sum() == sum(c.get("population", 0) for c in current)
    by_zone = dict(communes.group_by("zone").len().iter_rows())
    expected_zones: dict[str, int] = {}
    for commune in current:
        expected_zones[commune["zone"]] = expected_zones.get(commune["zone"], 0) + 1
    assert by_zone == expected_zones
    epci = entities.filter(pl.col("kind") == "epci")
    assert epci.height == len(data["epci"])
    expected_natures: dict[str, int] = {}
    for record in data["epci"]:
        expected_natures[record["type"]] = expected_natures.get(record["type"], 0) + 1
    assert dict(epci.group_by("epci_nature").len().iter_rows()) == expected_natures
    assert set(epci.get_column("code")) == {e["code"] for e in data["epci"]}


def test_every_commune_epci_exists_and_member_counts_agree(entities: pl.DataFrame) -> None:
    epci = entities.filter(pl.col("kind") == "epci")
    communes = entities.filter(pl.col("kind") == "commune")
    linked = communes.filter(pl.col("epci").is_not_null())
    assert linked.join(epci, left_on="epci", right_on="code", how="anti").height == 0
    counted = linked.group_by("epci").len()
    merged = epci.join(counted, left_on="code", right_on="epci", how="left")
    assert (merged.get_column("len") == merged.get_column("member_count")).all()
    # only islands without EPCI and overseas collectivities (COM) stand alone
    alone = communes.filter(pl.col("epci").is_null())
    assert alone.filter(pl.col("zone") != "com").get_column("code").to_list() == [
        "22016",
        "29083",
        "29155",
        "85113",
    ]


def test_epci_population_is_the_sum_of_its_members_as_the_source_gives() -> None:
    register = load_register()
    sums = register.source_members.group_by("epci").agg(pl.col("population").sum().alias("sum"))
    epci = register.of_kind("epci").join(sums, left_on="code", right_on="epci")
    assert epci.height == 1255
    assert (epci.get_column("population") == epci.get_column("sum")).all()


def test_areas_sum_their_communes(entities: pl.DataFrame) -> None:
    communes = entities.filter(pl.col("kind") == "commune")
    for kind, level, prefix in (("departement", "departement", "D"), ("region", "region", "R")):
        sums = communes.group_by(level).agg(pl.col("population").sum().alias("sum"))
        areas = entities.filter(pl.col("kind") == kind).with_columns(
            pl.col("code").str.strip_prefix(prefix).alias(level)
        )
        joined = areas.join(sums, on=level, how="left")
        assert (joined.get_column("population") == joined.get_column("sum")).all()
    assert entities.filter(pl.col("kind") == "departement").height == 101
    assert entities.filter(pl.col("kind") == "region").height == 18
    assert sorted(entities.filter(pl.col("kind") == "com").get_column("code")) == [
        "C975",
        "C977",
        "C978",
        "C986",
        "C987",
        "C988",
    ]
    assert {"D2A", "D974", "R84", "R01"} <= set(entities.get_column("code"))


def test_lookups() -> None:
    register = load_register()
    assert register.get("2A004")["name"] == "Ajaccio"
    assert register.get("212000046")["code"] == "2A004"  # by SIREN
    assert register.get("nope") is None
    assert "D974" in register and "X" not in register
    resolved = register.resolve(["200054781", "01001", "inconnu", "210100012"])
    assert resolved.to_list() == ["200054781", "01001", None, "01001"]
    members = register.members_of("200054781")
    assert "75056" in members.get_column("code").to_list()
    assert register.lookup(["C988", "zzz"]).get_column("name").to_list() == [
        "Nouvelle-Calédonie",
        None,
    ]
    assert register.search("saint-etienne").row(0, named=True)["code"] == "42218"


def test_loading_and_strata_take_less_than_0_3_s() -> None:
    timings = []
    for _ in range(3):
        _official.cache_clear()
        start = time.perf_counter()
        add_strata(load_register().entities)
        timings.append(time.perf_counter() - start)
    assert min(timings) < 0.3, timings
