"""Derive the official register table (one row per entity) from the source package's JSON data."""

from __future__ import annotations

from typing import Any

import polars as pl

# COM codes of the source that are not collectivities with an elected assembly (TAAF, Clipperton):
# their districts stay in the commune list (the source counts them) but no `C…` row is made.
NON_COLLECTIVITY_COM = ("984", "989")

ENTITY_SCHEMA: dict[str, pl.DataType] = {
    "code": pl.String(),
    "kind": pl.String(),
    "epci_nature": pl.String(),
    "siren": pl.String(),
    "name": pl.String(),
    "population": pl.Int64(),
    "departement": pl.String(),
    "region": pl.String(),
    "zone": pl.String(),
    "epci": pl.String(),
    "member_count": pl.Int32(),
    "epci_tax_regime": pl.String(),
}

KIND_ORDER = ("commune", "epci", "departement", "region", "com")


def _frame(records: list[dict[str, Any]]) -> pl.DataFrame:
    """Build a DataFrame from heterogeneous JSON records (missing keys become nulls)."""
    return pl.DataFrame(records, infer_schema_length=None)


def epci_members(data: dict[str, list[dict[str, Any]]]) -> pl.DataFrame:
    """Members table of the EPCI à fiscalité propre: commune code → EPCI SIREN, as the source gives."""
    return (
        _frame(data["epci"])
        .select(pl.col("code").alias("epci"), "membres")
        .explode("membres")
        .select(
            pl.col("membres").struct.field("code").alias("commune"),
            "epci",
            pl.col("membres").struct.field("siren").alias("siren"),
            pl.col("membres").struct.field("nom").alias("name"),
            pl.col("membres")
            .struct.field("populationMunicipale")
            .cast(pl.Int64)
            .alias("population"),
        )
    )


def _communes(data: dict[str, list[dict[str, Any]]], members: pl.DataFrame) -> pl.DataFrame:
    """Current communes with their EPCI; absent populations (TAAF, Clipperton) become 0."""
    communes = _frame(data["communes"]).filter(pl.col("type") == "commune-actuelle")
    return communes.join(
        members.select(pl.col("commune").alias("code"), "epci"), on="code", how="left"
    ).select(
        "code",
        pl.lit("commune").alias("kind"),
        pl.lit(None, pl.String).alias("epci_nature"),
        "siren",
        pl.col("nom").alias("name"),
        pl.col("population").fill_null(0).cast(pl.Int64),
        "departement",
        "region",
        "zone",
        "epci",
        pl.lit(None, pl.Int32).alias("member_count"),
        pl.lit(None, pl.String).alias("epci_tax_regime"),
    )


def _epcis(
    data: dict[str, list[dict[str, Any]]], members: pl.DataFrame, communes: pl.DataFrame
) -> pl.DataFrame:
    """EPCI rows; département, région and zone are those holding most of the members' population."""
    main_area = (
        members.select("commune", "epci")
        .join(
            communes.select(
                pl.col("code").alias("commune"), "departement", "region", "zone", "population"
            ),
            on="commune",
        )
        .group_by("epci", "departement", "region", "zone")
        .agg(pl.col("population").sum())
        .sort(["epci", "population", "departement"], descending=[False, True, False])
        .group_by("epci", maintain_order=True)
        .first()
        .drop("population")
    )
    epci = _frame(data["epci"])
    return epci.join(main_area, left_on="code", right_on="epci", how="left").select(
        "code",
        pl.lit("epci").alias("kind"),
        pl.col("type").alias("epci_nature"),
        pl.col("code").alias("siren"),
        pl.col("nom").alias("name"),
        pl.col("populationMunicipale").cast(pl.Int64).alias("population"),
        "departement",
        "region",
        "zone",
        pl.lit(None, pl.String).alias("epci"),
        pl.col("membres").list.len().cast(pl.Int32).alias("member_count"),
        pl.col("modeFinancement").alias("epci_tax_regime"),
    )


def _areas(
    records: list[dict[str, Any]], communes: pl.DataFrame, level: str, prefix: str, kind: str
) -> pl.DataFrame:
    """Départements, régions or COM: population is the sum of their communes' populations."""
    totals = communes.group_by(level).agg(pl.col("population").sum())
    areas = _frame(records)
    if "region" not in areas.columns:
        areas = areas.with_columns(pl.col("code").alias("region"))
    return areas.join(totals, left_on="code", right_on=level, how="left").select(
        (pl.lit(prefix) + pl.col("code")).alias("code"),
        pl.lit(kind).alias("kind"),
        pl.lit(None, pl.String).alias("epci_nature"),
        pl.lit(None, pl.String).alias("siren"),
        pl.col("nom").alias("name"),
        pl.col("population").fill_null(0).cast(pl.Int64),
        (pl.col("code") if kind != "region" else pl.lit(None, pl.String)).alias("departement"),
        pl.col("region"),
        "zone",
        pl.lit(None, pl.String).alias("epci"),
        pl.lit(None, pl.Int32).alias("member_count"),
        pl.lit(None, pl.String).alias("epci_tax_regime"),
    )


def derive_entities(data: dict[str, list[dict[str, Any]]]) -> pl.DataFrame:
    """Return the register table of docs/contracts.md from the source package's data files."""
    members = epci_members(data)
    communes = _communes(data, members)
    epcis = _epcis(data, members, communes)
    departement_records = [d for d in data["departements"] if d["zone"] != "com"]
    region_records = [r for r in data["regions"] if r["zone"] != "com"]
    com_records = [
        r for r in data["regions"] if r["zone"] == "com" and r["code"] not in NON_COLLECTIVITY_COM
    ]
    frames = (
        communes,
        epcis,
        _areas(departement_records, communes, "departement", "D", "departement"),
        _areas(region_records, communes, "region", "R", "region"),
        _areas(com_records, communes, "region", "C", "com"),
    )
    return pl.concat([frame.select(ENTITY_SCHEMA.keys()).cast(ENTITY_SCHEMA) for frame in frames])
