"""Export a campaign's answers in the edition format `barometre analyse` reads (CSV, XLSX, Parquet).

The wide table has the columns of `responses.csv` (docs/contracts.md): `response_id`, `code`,
`submitted_at` (ISO 8601), `status`, `respondent_role`, then one column per question id in
questionnaire order. Drafts without any answer are left out. When the campaign holds respondents
outside the register (« hors base de sondage »), two columns follow `respondent_role`:
`out_of_frame` (1 for them) and `respondent_name`; `barometre analyse` keeps those rows apart.
"""

from __future__ import annotations

import io
from pathlib import Path

import polars as pl

from barometre.collection.models import Account, Answer, Campaign, Response
from barometre.collection.scopes import responses_q
from barometre.register.spreadsheet_cells import neutralise_frame, workbook_cell

FORMATS = ("csv", "xlsx", "parquet", "edition")
TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%S"  # UTC, as barometre.edition reads it
META = ("response_id", "code", "submitted_at", "status", "respondent_role")


def answers_frame(campaign: Campaign, account: Account | None = None) -> pl.DataFrame:
    """The wide answers table of a campaign (restricted to the account's scope when given)."""
    responses = Response.objects.filter(campaign=campaign).exclude(status=Response.Status.DRAFT)
    if account is not None:
        responses = responses.filter(responses_q(account.scope, campaign))
    meta = pl.DataFrame(
        list(
            responses.values_list(
                "pk",
                "code",
                "submitted_at",
                "updated_at",
                "status",
                "respondent_role",
                "out_of_frame",
                "respondent_name",
            )
        ),
        schema={
            "pk": pl.Int64,
            "code": pl.String,
            "submitted_at": pl.Datetime("us", "UTC"),
            "updated_at": pl.Datetime("us", "UTC"),
            "status": pl.String,
            "respondent_role": pl.String,
            "out_of_frame": pl.Boolean,
            "respondent_name": pl.String,
        },
        orient="row",
    )
    long = pl.DataFrame(
        list(
            Answer.objects.filter(response__in=responses).values_list(
                "response_id", "question_id", "value"
            )
        ),
        schema={"pk": pl.Int64, "question_id": pl.String, "value": pl.String},
        orient="row",
    )
    question_ids = [q.id for q in campaign.edition.questionnaire.questions]
    wide = (
        long.pivot(on="question_id", index="pk", values="value")
        if long.height
        else pl.DataFrame(schema={"pk": pl.Int64})
    )
    missing = [
        pl.lit(None, dtype=pl.String).alias(q) for q in question_ids if q not in wide.columns
    ]
    wide = wide.with_columns(missing) if missing else wide
    apart = (
        [
            pl.when(pl.col("out_of_frame"))
            .then(pl.lit("1"))
            .otherwise(pl.lit(""))
            .alias("out_of_frame"),
            pl.when(pl.col("out_of_frame"))
            .then(pl.col("respondent_name"))
            .otherwise(pl.lit(""))
            .alias("respondent_name"),
        ]
        if meta.get_column("out_of_frame").any()
        else []
    )
    return (
        meta.join(wide, on="pk", how="left")
        .with_columns(
            pl.format("r{}", pl.col("pk")).alias("response_id"),
            pl.coalesce("submitted_at", "updated_at")
            .dt.convert_time_zone("UTC")
            .dt.strftime(TIMESTAMP_FORMAT)
            .alias("submitted_at"),
            pl.col("respondent_role").fill_null(""),
        )
        .sort("pk")
        .select([*META, *apart, *question_ids])
    )


def frame_bytes(frame: pl.DataFrame, fmt: str) -> bytes:
    """Serialise the wide table as CSV (UTF-8), XLSX or Parquet; formula-safe text cells
    (`barometre.register.spreadsheet_cells`: an apostrophe in CSV, the string type in XLSX)."""
    out = io.BytesIO()
    if fmt == "csv":
        neutralise_frame(frame).write_csv(out)
    elif fmt == "parquet":
        frame.write_parquet(out)
    elif fmt == "xlsx":
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet("reponses")
        sheet.append([workbook_cell(sheet, name) for name in frame.columns])
        for row in frame.iter_rows():
            sheet.append([workbook_cell(sheet, value) for value in row])
        book.save(out)
    else:
        raise ValueError(f"format inconnu : {fmt} (formats : {', '.join(FORMATS[:3])})")
    return out.getvalue()


def edition_metadata(campaign: Campaign) -> dict:
    """Content of `edition.yaml` for an exported campaign."""
    edition = campaign.edition
    return {
        "id": edition.slug,
        "title": edition.title,
        "year": edition.year,
        "template": edition.source_name if edition.source == edition.Source.TEMPLATE else None,
        "campaign": campaign.name,
        "questionnaire": {"id": edition.questionnaire_id, "version": edition.questionnaire_version},
    }


def write_edition(campaign: Campaign, folder: Path, account: Account | None = None) -> Path:
    """Write an edition folder (edition.yaml, questionnaire.yaml, responses.csv) for analysis."""
    from barometre.edition.files import write_edition as write_edition_folder

    return write_edition_folder(
        folder,
        meta=edition_metadata(campaign),
        questionnaire_text=campaign.edition.questionnaire_yaml,
        responses=answers_frame(campaign, account),
    )
