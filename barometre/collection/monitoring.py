"""Campaign monitoring: response rates overall and by stratum, partial vs complete, daily curve."""

from __future__ import annotations

import polars as pl

from barometre.collection.models import Account, Campaign, Invitation, Response, Target
from barometre.collection.scopes import responses_q

STRATA = {
    "kind_size": (["kind_detail", "size_class"], "Nature × taille"),
    "region": (["region"], "Région"),
    "departement": (["departement"], "Département"),
    "opsn": (["opsn"], "OPSN"),
}
STATUS_RANK = {Response.Status.DRAFT: 0, Response.Status.PARTIAL: 1, Response.Status.COMPLETE: 2}


def targets_status(campaign: Campaign, account: Account | None = None) -> pl.DataFrame:
    """One row per target (within the account's scope) with its best response status.

    Columns: target strata, `invited` (has a link), `opened`, `partial`, `complete` (booleans).
    """
    targets = Target.objects.filter(campaign=campaign)
    if account is not None:
        targets = targets.filter(account.scope_q())
    schema = {
        "code": pl.String,
        "kind_detail": pl.String,
        "size_class": pl.String,
        "region": pl.String,
        "departement": pl.String,
        "opsn": pl.String,
    }
    frame = pl.DataFrame(list(targets.values(*schema)), schema=schema, orient="row")
    invited = pl.DataFrame(
        list(
            Invitation.objects.filter(target__campaign=campaign).values_list(
                "target__code", "first_opened_at"
            )
        ),
        schema={"code": pl.String, "first_opened_at": pl.Datetime("us", "UTC")},
        orient="row",
    )
    responses = pl.DataFrame(
        list(Response.objects.filter(campaign=campaign).values_list("code", "status")),
        schema={"code": pl.String, "status": pl.String},
        orient="row",
    )
    best = responses.group_by("code").agg(
        pl.col("status").replace_strict(STATUS_RANK, return_dtype=pl.Int8).max().alias("rank")
    )
    return (
        frame.join(invited, on="code", how="left")
        .join(best, on="code", how="left")
        .with_columns(
            pl.col("first_opened_at").is_not_null().alias("opened"),
            pl.col("code").is_in(invited["code"].implode()).alias("invited"),
            (pl.col("rank").fill_null(0) == 1).alias("partial"),
            (pl.col("rank").fill_null(0) == 2).alias("complete"),
        )
        .drop("rank", "first_opened_at")
    )


def _rates(frame: pl.LazyFrame | pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """Counts and rates per group of `by` (no group: one overall row)."""
    aggregations = [
        pl.len().alias("cibles"),
        pl.col("invited").sum().alias("invitees"),
        pl.col("opened").sum().alias("ouvertes"),
        pl.col("partial").sum().alias("partielles"),
        pl.col("complete").sum().alias("completes"),
    ]
    grouped = frame.group_by(by).agg(aggregations).sort(by) if by else frame.select(aggregations)
    return grouped.with_columns(
        (pl.col("completes") / pl.col("cibles")).alias("taux_complet"),
        ((pl.col("completes") + pl.col("partielles")) / pl.col("cibles")).alias("taux_reponse"),
    )


def response_rates(status: pl.DataFrame, stratum: str | None = None) -> pl.DataFrame:
    """Response rates overall (`stratum` None) or by one of `STRATA`."""
    if stratum is None:
        return _rates(status, [])
    columns, _ = STRATA[stratum]
    return _rates(status.with_columns(pl.col(columns).fill_null("")), columns)


def daily_curve(campaign: Campaign, account: Account | None = None) -> pl.DataFrame:
    """Per day: new complete submissions, responses started, and their cumulative totals.

    With an account, only the responses within its territorial scope count.
    """
    responses = Response.objects.filter(campaign=campaign)
    if account is not None:
        responses = responses.filter(responses_q(account.scope, campaign))
    rows = list(responses.values_list("created_at", "submitted_at", "status"))
    frame = pl.DataFrame(
        rows,
        schema={
            "created_at": pl.Datetime("us", "UTC"),
            "submitted_at": pl.Datetime("us", "UTC"),
            "status": pl.String,
        },
        orient="row",
    )
    local = "Europe/Paris"
    started = frame.group_by(
        pl.col("created_at").dt.convert_time_zone(local).dt.date().alias("jour")
    ).agg(pl.len().alias("commencees"))
    completed = (
        frame.filter(pl.col("status") == Response.Status.COMPLETE)
        .group_by(pl.col("submitted_at").dt.convert_time_zone(local).dt.date().alias("jour"))
        .agg(pl.len().alias("completes"))
    )
    return (
        started.join(completed, on="jour", how="full", coalesce=True)
        .fill_null(0)
        .sort("jour")
        .with_columns(
            pl.col("commencees").cum_sum().alias("commencees_cumul"),
            pl.col("completes").cum_sum().alias("completes_cumul"),
        )
    )
