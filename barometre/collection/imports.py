"""Import answers collected elsewhere into a campaign: LimeSurvey, KoboToolbox/ODK, any CSV/XLSX.

The checks are those of `barometre.imports` (the engine shared with `barometre import`); this module
decides which collectivités the operator may write to (campaign targets within the account's
scope), applies the rule chosen for collectivités that already answered (refuse, replace, keep) and
stores everything in one transaction: an import with one refused line stores nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import polars as pl
from django.db import transaction
from django.utils import timezone

from barometre.collection.models import (
    Account,
    Answer,
    Campaign,
    ImportBatch,
    Response,
    Target,
    audit,
)
from barometre.edition.files import out_of_frame_rows, validate_responses
from barometre.edition.problems import render
from barometre.imports.columns import LINE, parse_mapping
from barometre.imports.engine import (
    Destination,
    ImportOptions,
    existing_decisions,
    parse_timestamps,
    prepare_import,
)
from barometre.imports.report import ImportReport
from barometre.register.frame import load_register

__all__ = [
    "ImportReport",
    "destination_for",
    "import_answers",
    "out_of_frame_responses",
    "parse_mapping",
    "store_edition_rows",
]

META_COLUMNS = (LINE, "code", "identifier", "rule", "submitted_at", "status", "respondent_role")


def destination_for(
    campaign: Campaign, account: Account | None, known_codes: Iterable[str] | None = None
) -> Destination:
    """Codes an import may write: the campaign's targets (or any register code if it has none),
    restricted to the account's territorial scope (`barometre.collection.scopes`)."""
    targets = Target.objects.filter(campaign=campaign)
    accepted = None
    if known_codes is not None:
        accepted = frozenset(known_codes)
    elif targets.exists():
        accepted = frozenset(targets.values_list("code", flat=True))
    if account is None or account.is_national:
        return Destination(accepted)
    scope = account.scope
    if accepted is not None and known_codes is None:
        inside = frozenset(targets.filter(scope.q()).values_list("code", flat=True))
    else:
        entities = load_register().entities
        inside = frozenset(entities.filter(scope.condition()).get_column("code").to_list())
    return Destination(accepted, inside, account.scope_label or scope.describe())


def out_of_frame_responses(campaign: Campaign, account: Account | None = None) -> list[Response]:
    """The campaign's respondents outside the register (« hors base »), for a national account."""
    if account is not None and not account.is_national:
        return []
    return list(
        Response.objects.filter(campaign=campaign, out_of_frame=True)
        .exclude(status=Response.Status.DRAFT)
        .order_by("respondent_name", "code")
    )


def _existing(campaign: Campaign, codes: list[str]) -> pl.DataFrame:
    """Responses already stored (not empty drafts) for these codes, described in French."""
    rows = (
        Response.objects.filter(campaign=campaign, code__in=codes)
        .exclude(status=Response.Status.DRAFT)
        .order_by("code", "pk")
    )
    sources = dict(Response.Source.choices)
    statuses = dict(Response.Status.choices)
    data = [
        (
            r.code,
            r.pk,
            statuses[r.status].lower(),
            sources.get(r.source, r.source).lower(),
            timezone.localtime(r.submitted_at or r.updated_at).strftime("%d/%m/%Y"),
        )
        for r in rows
    ]
    return pl.DataFrame(
        data,
        schema={
            "code": pl.String,
            "response_id": pl.Int64,
            "status": pl.String,
            "source": pl.String,
            "when": pl.String,
        },
        orient="row",
    )


def store(
    campaign: Campaign,
    clean: pl.DataFrame,
    question_ids: list[str],
    source: str,
    file_name: str,
    actor: object = None,
) -> ImportBatch:
    """Store checked rows as responses and answers (call inside a transaction)."""
    now = timezone.now()
    batch = ImportBatch.objects.create(
        campaign=campaign,
        source=source,
        file_name=file_name[:300],
        row_count=clean.height,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    meta = clean.select(
        "code",
        "submitted_at",
        "status",
        "respondent_role",
        (
            pl.col("out_of_frame").fill_null(False)
            if "out_of_frame" in clean.columns
            else pl.lit(False)
        ).alias("out_of_frame"),
        (
            pl.col("respondent_name").fill_null("")
            if "respondent_name" in clean.columns
            else pl.lit("")
        ).alias("respondent_name"),
    )
    responses = Response.objects.bulk_create(
        [
            Response(
                campaign=campaign,
                code=code,
                status=status,
                source=source,
                respondent_role=(role or "")[:200],
                submitted_at=submitted or now,
                created_at=now,
                updated_at=now,
                import_batch=batch,
                out_of_frame=outside,
                respondent_name=(name or "")[:300] if outside else "",
            )
            for code, submitted, status, role, outside, name in meta.iter_rows()
        ]
    )
    long = (
        clean.select(question_ids)
        .with_columns(pl.Series("response_id", [r.pk for r in responses]))
        .unpivot(index="response_id", variable_name="question_id", value_name="value")
        .filter(pl.col("value").is_not_null() & (pl.col("value") != ""))
    )
    label = f"import {source}"
    Answer.objects.bulk_create(
        [
            Answer(response_id=rid, question_id=qid, value=value, updated_at=now, updated_by=label)
            for rid, qid, value in long.iter_rows()
        ],
        batch_size=2000,
    )
    return batch


def store_edition_rows(
    campaign: Campaign,
    raw: pl.DataFrame,
    known_codes: pl.Series,
    source: str,
    file_name: str,
    actor: object = None,
) -> str:
    """Store the text rows of an edition's `responses.csv` (checked by the edition reader's rules).

    Returns the French problems (nothing stored) or an empty string once stored.
    """
    questionnaire = campaign.edition.questionnaire
    problems = validate_responses(raw, questionnaire, known_codes)
    if problems.height:
        return render(problems)
    question_ids = [q.id for q in questionnaire.questions if q.id in raw.columns]
    text = [
        pl.col(c).str.strip_chars().replace("", None).alias(c)
        for c in ("code", "status", "respondent_role", *question_ids)
        if c in raw.columns
    ]
    clean = raw.select(text).with_columns(
        parse_timestamps(raw.get_column("submitted_at"))[0],
        *([] if "respondent_role" in raw.columns else [pl.lit("").alias("respondent_role")]),
        raw.with_columns(out_of_frame_rows(raw).alias("__out"))
        .get_column("__out")
        .alias("out_of_frame"),
        (
            raw.get_column("respondent_name").fill_null("")
            if "respondent_name" in raw.columns
            else pl.Series("respondent_name", [""] * raw.height)
        ),
    )
    with transaction.atomic():
        batch = store(campaign, clean, question_ids, source, file_name, actor)
        audit("import", actor=actor, obj=batch, source=source, file=file_name, rows=clean.height)
    return ""


def import_answers(
    campaign: Campaign,
    content: bytes,
    file_name: str,
    source: str,
    *,
    mapping: Mapping[str, str] | None = None,
    code_column: str = "code",
    name_column: str = "",
    encoding: str = "auto",
    on_existing: str = "refuse",
    out_of_frame: bool = False,
    confirmations: Mapping[int, str] | None = None,
    account: Account | None = None,
    known_codes: Iterable[str] | None = None,
    actor: object = None,
) -> ImportReport:
    """Import one file into a campaign, all or nothing; return the French report.

    `account` restricts the collectivités to its territorial scope (None: no restriction, as on the
    command line); `on_existing` is the rule for collectivités that already answered.
    """
    options = ImportOptions(
        source=source,
        code_column=code_column or "code",
        name_column=name_column or "",
        mapping=mapping,
        encoding=encoding,
        on_existing=on_existing,
        out_of_frame=out_of_frame,
        confirmations=dict(confirmations or {}),
    )
    questionnaire = campaign.edition.questionnaire
    destination = destination_for(campaign, account, known_codes)
    prepared = prepare_import(
        content, file_name, questionnaire, options, load_register(), destination
    )
    report = prepared.report
    report.destination = campaign.name
    if report.problems:
        return report
    id_label = next((c.column for c in report.columns if c.target == "identifier"), code_column)
    with transaction.atomic():
        # one import at a time per campaign (PostgreSQL row lock; SQLite serialises writers)
        Campaign.objects.select_for_update().filter(pk=campaign.pk).first()
        codes = prepared.responses.get_column("code").to_list()
        kept, replaced, problems, notes = existing_decisions(
            prepared.responses, _existing(campaign, codes), on_existing, id_label
        )
        report.existing = notes
        if problems:
            report.problems = problems
            return report
        if replaced:
            Response.objects.filter(pk__in=replaced).delete()
        batch = store(campaign, kept, prepared.question_ids, source, file_name, actor)
        report.batch_id = batch.pk
        report.rows_stored = kept.height
        audit(
            "import",
            actor=actor,
            obj=batch,
            source=source,
            file=file_name,
            rows=kept.height,
            replaced=len(replaced),
            out_of_frame=len(report.out_of_frame),
            kept_existing=sum(1 for n in notes if "conservée" in n.text),
            rule=on_existing,
        )
    return report
