"""Peer groups of the private positioning reports: same kind × size class, widened when too small.

A respondent is compared, for each question and each maturity score, with the respondents of its
group that have a value there (its own included): first the same kind and size class, then the
same kind of every size, then all respondents. A group with fewer than `peer_min` values is
widened; below `MIN_GROUP_SIZE` (the documented floor, as ODI's Pathway) nothing about peers is
shown, not even at the last step. Everything is computed for all respondents at once (Polars).
"""

from __future__ import annotations

import polars as pl

from barometre.publish.wording import KIND_LABELS

MIN_GROUP_SIZE = 5
LEVELS = ("kind_size", "kind", "all")
LEVEL_KEYS: dict[str, tuple[str, ...]] = {
    "kind_size": ("kind_detail", "size_class"),
    "kind": ("kind_detail",),
    "all": (),
}


def group_key(level: str) -> pl.Expr:
    """The text key of a respondent's group at `level` (`commune|de 500 à 1 999 hab.`, `*`)."""
    keys = LEVEL_KEYS[level]
    if not keys:
        return pl.lit("*").alias(f"group_{level}")
    return pl.concat_str(
        [pl.col(k).cast(pl.String).fill_null("?") for k in keys], separator="|"
    ).alias(f"group_{level}")


def with_group_keys(people: pl.DataFrame) -> pl.DataFrame:
    """Respondents (`code`, `kind_detail`, `size_class`, …) with a `group_<level>` key per level."""
    return people.with_columns(group_key(level) for level in LEVELS)


def check_peer_min(peer_min: int) -> int:
    """The widening threshold, never below the documented floor (French error otherwise)."""
    if peer_min < MIN_GROUP_SIZE:
        raise ValueError(
            f"Taille minimale d'un groupe de pairs : {peer_min} est inférieur au seuil de "
            f"{MIN_GROUP_SIZE} répondants sous lequel rien n'est montré sur les pairs."
        )
    return peer_min


def choose_groups(
    values: pl.DataFrame, people: pl.DataFrame, peer_min: int, unit: str = "unit"
) -> pl.DataFrame:
    """The group used for every respondent × unit where the respondent has a value.

    `values` has one row per (`code`, `unit`) where the respondent has a value (a question answered,
    a score computed); `people` comes from `with_group_keys`. Returns `code`, `unit`, `level` (null
    when even all respondents number fewer than `MIN_GROUP_SIZE`), `group` (key) and `peer_n`
    (respondents with a value in that group, the respondent included).
    """
    check_peer_min(peer_min)
    keys = [f"group_{level}" for level in LEVELS]
    rows = values.select("code", unit).join(people.select("code", *keys), on="code", how="inner")
    counts = {
        level: rows.group_by(f"group_{level}", unit).agg(pl.len().alias(f"n_{level}"))
        for level in LEVELS
    }
    for level in LEVELS:
        rows = rows.join(counts[level], on=[f"group_{level}", unit], how="left")
    rows = rows.with_columns(pl.col(f"n_{level}").fill_null(0) for level in LEVELS)
    chosen = pl.when(pl.col("n_kind_size") >= peer_min).then(pl.lit("kind_size"))
    chosen = chosen.when(pl.col("n_kind") >= peer_min).then(pl.lit("kind"))
    chosen = chosen.when(pl.col("n_all") >= MIN_GROUP_SIZE).then(pl.lit("all"))
    rows = rows.with_columns(level=chosen.otherwise(pl.lit(None, dtype=pl.String)))

    def pick(prefix: str, dtype: pl.DataType) -> pl.Expr:
        expr = pl.when(pl.lit(False)).then(pl.lit(None, dtype=dtype))
        for level in LEVELS:
            expr = expr.when(pl.col("level") == level).then(pl.col(f"{prefix}{level}"))
        return expr.otherwise(pl.lit(None, dtype=dtype))

    return rows.select(
        "code",
        unit,
        "level",
        pick("group_", pl.String()).alias("group"),
        pick("n_", pl.UInt32()).cast(pl.Int64).alias("peer_n"),
    )


def group_label(level: str | None, kind_detail: str | None, size_class: str | None) -> str:
    """French name of a peer group (`communes de 500 à 1 999 hab.`)."""
    kind = KIND_LABELS.get(kind_detail or "", kind_detail or "collectivités")
    kind = kind[:1].lower() + kind[1:] if not kind.startswith("Métropole de") else kind
    if level == "kind_size":
        if not size_class:
            return kind
        return f"{kind} {size_class if size_class.startswith('de ') else 'de ' + size_class}"
    if level == "kind":
        return f"{kind}, toutes tailles"
    return "toutes les collectivités répondantes"
