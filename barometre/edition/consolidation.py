"""One response per collectivité: the consolidation rule, never double counting."""

from __future__ import annotations

import polars as pl

STATUS_COMPLETE = "complete"
STATUS_PARTIAL = "partial"
STATUSES = (STATUS_COMPLETE, STATUS_PARTIAL)


def consolidate(responses: pl.DataFrame) -> pl.DataFrame:
    """Keep one submission per `code`: the last complete one by `submitted_at`, else the last partial.

    Complete submissions always win over partial ones, whatever their dates; among submissions of the
    same status the latest `submitted_at` wins, ties broken by the largest `response_id`. The result
    keeps the input's columns and the order of first appearance of each code.
    """
    order = pl.int_range(pl.len()).alias("__order")
    ranked = responses.with_columns(
        order,
        (pl.col("status") == STATUS_COMPLETE).cast(pl.Int8).alias("__complete"),
    )
    first_seen = ranked.group_by("code").agg(pl.col("__order").min().alias("__first"))
    return (
        ranked.sort(["code", "__complete", "submitted_at", "response_id"], nulls_last=False)
        .unique(subset="code", keep="last", maintain_order=True)
        .join(first_seen, on="code")
        .sort("__first")
        .drop("__order", "__complete", "__first")
    )


def submissions_per_code(responses: pl.DataFrame) -> pl.DataFrame:
    """How many submissions (complete, partial) each collectivité sent: `code`, `complete`, `partial`."""
    return (
        responses.group_by("code")
        .agg(
            (pl.col("status") == STATUS_COMPLETE).sum().alias(STATUS_COMPLETE),
            (pl.col("status") == STATUS_PARTIAL).sum().alias(STATUS_PARTIAL),
        )
        .sort("code")
    )
