"""Pick the collectivités a campaign targets from the register, by strata or by a list of codes."""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field
from functools import cache

import polars as pl
from django.db import connection, transaction
from django.utils import timezone

from barometre.collection.models import Account, Campaign, Target, audit

TARGET_COLUMNS = (
    "code",
    "name",
    "kind",
    "kind_detail",
    "size_class",
    "population",
    "departement",
    "region",
    "epci",
    "opsn",
)


@cache
def register_frame() -> pl.DataFrame:
    """The register's entities with strata columns (`kind_detail`, `size_class`), loaded once."""
    try:
        from barometre.register import load_register
    except ImportError:  # the package does not re-export it yet
        from barometre.register.frame import load_register
    with warnings.catch_warnings():  # the register's strata helper may use deprecated Polars API
        warnings.filterwarnings("ignore", category=DeprecationWarning, module="polars")
        warnings.filterwarnings("ignore", message=".*deprecated.*", category=DeprecationWarning)
        frame = load_register().with_strata()
    return frame.with_columns(pl.col("size_class").cast(pl.String))


@dataclass
class TargetFilter:
    """Selection criteria; empty lists mean "no restriction" on that criterion."""

    kinds: list[str] = field(default_factory=list)
    size_classes: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    departements: list[str] = field(default_factory=list)
    epcis: list[str] = field(default_factory=list)
    opsn_only: bool = False
    codes: list[str] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        """True when no criterion is set."""
        return not (
            self.kinds
            or self.size_classes
            or self.regions
            or self.departements
            or self.epcis
            or self.opsn_only
            or self.codes
        )


def scope_filter(frame: pl.DataFrame, account: Account | None) -> pl.DataFrame:
    """Rows of `frame` inside the account's territorial scope (all rows for a national account)."""
    if account is None or account.is_national:
        return frame
    return frame.filter(account.scope.condition())


def select_entities(
    frame: pl.DataFrame, criteria: TargetFilter, account: Account | None = None
) -> pl.DataFrame:
    """Entities matching every criterion, restricted to the account's scope (vectorised)."""
    condition = pl.lit(True)
    if criteria.kinds:
        condition &= pl.col("kind").is_in(criteria.kinds) | pl.col("kind_detail").is_in(
            criteria.kinds
        )
    if criteria.size_classes:
        condition &= pl.col("size_class").is_in(criteria.size_classes)
    if criteria.regions:
        condition &= pl.col("region").is_in(criteria.regions)
    if criteria.departements:
        condition &= pl.col("departement").is_in(criteria.departements)
    if criteria.epcis:
        condition &= pl.col("epci").is_in(criteria.epcis) | pl.col("code").is_in(criteria.epcis)
    if criteria.opsn_only:
        if "opsn" not in frame.columns:
            return frame.clear()
        condition &= pl.col("opsn").cast(pl.String).fill_null("").is_in(["", "0"]).not_()
    if criteria.codes:
        condition &= pl.col("code").is_in(criteria.codes)
    return scope_filter(frame.filter(condition), account)


def parse_codes(text: str, frame: pl.DataFrame) -> tuple[list[str], list[str]]:
    """Register codes from a pasted or uploaded list (INSEE codes or SIREN); and French errors.

    Codes are separated by line breaks, spaces, commas or semicolons; a header word (`code`,
    `siren`, `insee`) is skipped. Errors name the line of the unknown code.
    """
    header = {"code", "siren", "code_insee", "insee"}
    pairs = [
        (number, token)
        for number, line in enumerate(text.splitlines(), start=1)
        for token in re.split(r"[\s,;]+", line)
        if token and token.lower() not in header
    ]
    keys = pl.DataFrame(
        {
            "line": pl.Series([n for n, _ in pairs], dtype=pl.Int64),
            "key": pl.Series([t for _, t in pairs], dtype=pl.String),
        }
    ).with_row_index("position")
    by_code = frame.select(pl.col("code").alias("key"), pl.col("code").alias("found"))
    by_siren = frame.filter(pl.col("siren").is_not_null()).select(
        pl.col("siren").alias("key"), pl.col("code").alias("found_siren")
    )
    resolved = (
        keys.join(by_code, on="key", how="left")
        .join(by_siren.unique("key"), on="key", how="left")
        .with_columns(pl.coalesce("found", "found_siren").alias("code"))
        .sort("position")
    )
    unknown = resolved.filter(pl.col("code").is_null())
    errors = [
        f"ligne {line} : code « {key} » absent du registre"
        for line, key in unknown.select("line", "key").iter_rows()
    ]
    codes = resolved.get_column("code").drop_nulls().unique(maintain_order=True).to_list()
    return codes, errors


def strata_counts(selected: pl.DataFrame) -> pl.DataFrame:
    """Number of selected entities per stratum (kind detail × size class), largest first."""
    return (
        selected.group_by("kind_detail", "size_class")
        .agg(pl.len().alias("count"))
        .sort(["kind_detail", "size_class"])
    )


def add_targets(campaign: Campaign, selected: pl.DataFrame, actor: object = None) -> int:
    """Add the selected entities to the campaign's targets (already present ones are kept)."""
    rows = selected.select(
        [
            (
                pl.col(c).cast(pl.String).fill_null("")
                if c in selected.columns
                else pl.lit("").alias(c)
            )
            if c != "population"
            else (pl.col(c) if c in selected.columns else pl.lit(None)).alias(c)
            for c in TARGET_COLUMNS
        ]
    )
    now = timezone.now()
    table = Target._meta.db_table
    names = ["campaign_id", *TARGET_COLUMNS, "email", "added_at"]
    columns = ", ".join(connection.ops.quote_name(n) for n in names)
    marks = ", ".join(["%s"] * len(names))
    sql = f"INSERT INTO {table} ({columns}) VALUES ({marks}) ON CONFLICT DO NOTHING"
    values = rows.with_columns(
        pl.lit(campaign.pk).alias("campaign_id"),
        pl.lit("").alias("email"),
        pl.lit(now).alias("added_at"),
    ).select(names)
    with transaction.atomic():
        before = Target.objects.filter(campaign=campaign).count()
        with connection.cursor() as cursor:
            cursor.executemany(sql, values.rows())
        added = Target.objects.filter(campaign=campaign).count() - before
        audit("targets_added", actor=actor, obj=campaign, count=added)
    return added
