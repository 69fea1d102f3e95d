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
    keeps the input's columns and the order of first appearance of each code. The rule is applied
    to the few columns it reads, then the wide table is gathered once (not at all when every row is
    kept in place).
    """
    return gather(responses, kept_rows(responses))


def kept_rows(responses: pl.DataFrame) -> pl.Series:
    """Row numbers of the submissions `consolidate` keeps, in its output order."""
    ranked = responses.select(
        "code",
        (pl.col("status") == STATUS_COMPLETE).cast(pl.Int8).alias("__complete"),
        "submitted_at",
        "response_id",
        pl.int_range(pl.len(), dtype=pl.UInt32).alias("__row"),
    )
    kept = ranked.sort(
        ["code", "__complete", "submitted_at", "response_id"], nulls_last=False
    ).unique(subset="code", keep="last", maintain_order=True)
    first_seen = ranked.group_by("code").agg(pl.col("__row").min().alias("__first"))
    return kept.join(first_seen, on="code").sort("__first").get_column("__row")


def gather(frame: pl.DataFrame, rows: pl.Series) -> pl.DataFrame:
    """`frame`'s rows in the order of `rows` (one copy; none when `rows` is 0, 1, … n−1)."""
    if (
        rows.len() == frame.height
        and rows.is_sorted()
        and (rows.len() == 0 or (rows[0] == 0 and rows[-1] == frame.height - 1))
    ):
        return frame
    return frame[rows]


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
