"""Import answers collected elsewhere: LimeSurvey, KoboToolbox/ODK, or any CSV/XLSX with a mapping.

Every file is first turned into one wide Polars frame (one row per submission, one column per
question id, values as text codes), then validated column by column; an import with one bad line
stores nothing, and the French report lists every rejected line with its field and reason.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

import polars as pl
from django.db import transaction
from django.utils import timezone

from barometre.collection.models import (
    Answer,
    Campaign,
    ImportBatch,
    Response,
    Target,
    audit,
)
from barometre.questionnaire.model import NSP_CODE, Question, Questionnaire, QuestionType

META_COLUMNS = ("code", "submitted_at", "status", "respondent_role")
YES_NO_ALIASES = {"y": "oui", "yes": "oui", "o": "oui", "n": "non", "no": "non"}


@dataclass(frozen=True)
class RejectedLine:
    """One rejected value: file line number (header = line 1), field, reason in French."""

    line: int
    field: str
    reason: str

    def __str__(self) -> str:
        return f"ligne {self.line}, champ « {self.field} » : {self.reason}"


@dataclass
class ImportReport:
    """Outcome of an import: rows read, rows stored (0 when any line was rejected), rejections."""

    source: str
    file_name: str
    rows_read: int = 0
    rows_stored: int = 0
    rejected: list[RejectedLine] = field(default_factory=list)
    batch_id: int | None = None

    @property
    def ok(self) -> bool:
        """True when the import was stored."""
        return not self.rejected and self.batch_id is not None

    def text(self) -> str:
        """The report in French, one rejected value a line."""
        head = f"Import « {self.file_name} » ({self.source}) : {self.rows_read} ligne(s) lue(s), "
        if self.ok:
            return head + f"{self.rows_stored} réponse(s) importée(s)."
        lines = [head + "aucune réponse importée (l'import est tout ou rien)."]
        lines += [f"- {r}" for r in self.rejected]
        return "\n".join(lines)


def read_table(content: bytes, file_name: str) -> pl.DataFrame:
    """Read a CSV (UTF-8, `,` or `;`) or XLSX file into a frame of strings (header on line 1)."""
    if file_name.lower().endswith((".xlsx", ".xlsm", ".xls", ".ods")):
        from python_calamine import CalamineWorkbook

        sheet = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0)
        rows = sheet.to_python(skip_empty_area=False)
        if not rows:
            return pl.DataFrame()
        header = [str(h).strip() for h in rows[0]]
        body = [[_cell_text(v) for v in row] for row in rows[1:]]
        return pl.DataFrame(body, schema=header, orient="row")
    text = content.decode("utf-8-sig")
    first = text.split("\n", 1)[0]
    separator = ";" if first.count(";") > first.count(",") else ","
    if first.count("\t") > max(first.count(";"), first.count(",")):
        separator = "\t"
    return pl.read_csv(io.StringIO(text), separator=separator, infer_schema=False)


def _cell_text(value: object) -> str:
    """Text of one spreadsheet cell (integers without `.0`)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def _alnum(text: str) -> str:
    """Lower-case alphanumerics only (LimeSurvey codes cannot hold `_` or `-`)."""
    return re.sub(r"[^0-9a-z]", "", text.lower())


def from_limesurvey(
    raw: pl.DataFrame, questionnaire: Questionnaire, code_column: str = "code"
) -> pl.DataFrame:
    """Wide frame from a LimeSurvey response export ("answer codes", question codes as headings).

    Single questions are columns `Q`; multiple choice are `Q[SQ]` columns holding `Y` when chosen.
    LimeSurvey codes are matched to question ids ignoring case and non-alphanumerics.
    """
    by_alnum = {_alnum(q.id): q for q in questionnaire.questions}
    columns: dict[str, pl.Expr] = {}
    multi: dict[str, list[pl.Expr]] = {}
    for name in raw.columns:
        match = re.fullmatch(r"(.+?)\[(.+)\]", name)
        base = match.group(1) if match else name
        question = by_alnum.get(_alnum(base))
        if question is None:
            continue
        if match and question.type is QuestionType.MULTIPLE_CHOICE:
            sub = match.group(2)
            codes = {_alnum(c): c for c in question.codes}
            code = codes.get(_alnum(sub), sub)
            chosen = pl.col(name).str.strip_chars().str.to_uppercase().is_in(["Y", "1", "OUI"])
            multi.setdefault(question.id, []).append(
                pl.when(chosen).then(pl.lit(code)).otherwise(None)
            )
        elif not match:
            columns[question.id] = pl.col(name)
    exprs = [pl.col(code_column).alias("code")] if code_column in raw.columns else []
    exprs += [e.alias(qid) for qid, e in columns.items()]
    exprs += [
        pl.concat_str(parts, separator=" ", ignore_nulls=True).alias(qid)
        for qid, parts in multi.items()
    ]
    if "submitdate" in raw.columns:
        exprs.append(pl.col("submitdate").alias("submitted_at"))
        exprs.append(
            pl.when(pl.col("submitdate").str.strip_chars() != "")
            .then(pl.lit("complete"))
            .otherwise(pl.lit("partial"))
            .alias("status")
        )
    return raw.select(exprs)


def from_kobo(
    raw: pl.DataFrame, questionnaire: Questionnaire, code_column: str = "code"
) -> pl.DataFrame:
    """Wide frame from a KoboToolbox/ODK CSV export (`group/question` headings, space-separated multi)."""
    ids = {q.id for q in questionnaire.questions}
    exprs: list[pl.Expr] = []
    seen: set[str] = set()
    for name in raw.columns:
        last = name.rsplit("/", 1)[-1]
        if last == code_column and "code" not in seen:
            exprs.append(pl.col(name).alias("code"))
            seen.add("code")
        elif last in ids and last not in seen:
            exprs.append(pl.col(name).alias(last))
            seen.add(last)
    for column, target in (("_submission_time", "submitted_at"), ("end", "submitted_at")):
        if column in raw.columns and target not in seen:
            exprs.append(pl.col(column).alias(target))
            seen.add(target)
    return raw.select(exprs)


def from_mapping(raw: pl.DataFrame, mapping: Mapping[str, str]) -> pl.DataFrame:
    """Wide frame from any table and a mapping {file column: question id or meta column}."""
    missing = [c for c in mapping if c not in raw.columns]
    if missing:
        raise KeyError(", ".join(missing))
    return raw.select([pl.col(column).alias(target) for column, target in mapping.items()])


def parse_mapping(text: str) -> dict[str, str]:
    """Parse a mapping written one `colonne du fichier = identifiant` per line."""
    mapping: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if "=" not in line:
            raise ValueError(f"Correspondance, ligne {number} : « colonne = identifiant » attendu.")
        column, target = (part.strip() for part in line.split("=", 1))
        mapping[column] = target
    return mapping


def _check_question(column: pl.Series, question: Question) -> tuple[pl.Series, pl.Series, str]:
    """Normalised values, invalid mask and reason for one question column (vectorised)."""
    text = column.cast(pl.String).fill_null("").str.strip_chars()
    present = text != ""
    if question.type.is_choice:
        codes = list(question.codes)
        lowered = text.str.to_lowercase()
        if question.type is QuestionType.YES_NO:
            lowered = lowered.replace(YES_NO_ALIASES)
        labels = {o.label.lower(): o.code for o in question.options}
        if question.allow_nsp:
            labels["ne sait pas"] = NSP_CODE
        if question.type is QuestionType.MULTIPLE_CHOICE:
            parts = lowered.str.replace_all(r"[;,|]", " ").str.split(" ")
            parts = parts.list.eval(pl.element().filter(pl.element() != ""))
            bad = parts.list.eval(~pl.element().is_in(codes)).list.any().fill_null(False)
            too_many = (
                parts.list.len() > question.max_choices
                if question.max_choices
                else pl.Series([False] * len(text))
            )
            normalised = parts.list.join(" ")
            reason = f"codes attendus parmi {', '.join(codes)}"
            if question.max_choices:
                reason += f", au plus {question.max_choices}"
            return normalised, present & (bad | too_many), reason
        normalised = lowered.replace(labels)
        valid = normalised.is_in(codes)
        return normalised, present & ~valid, f"code attendu parmi {', '.join(codes)}"
    if question.type.is_numeric:
        number = text.str.replace(",", ".").cast(pl.Float64, strict=False)
        bad = number.is_null()
        reason = "nombre attendu"
        if question.type is QuestionType.PERCENTAGE:
            bad = bad | (number < 0) | (number > 100)
            reason = "pourcentage entre 0 et 100 attendu"
        return text.str.replace(",", "."), present & bad.fill_null(True), reason
    return text, pl.Series([False] * len(text)), ""


def _timestamps(column: pl.Series) -> tuple[pl.Series, pl.Series]:
    """Parsed submission times (UTC) and invalid mask."""
    text = column.cast(pl.String).fill_null("").str.strip_chars()
    parsed = text.str.to_datetime(time_zone="UTC", strict=False, ambiguous="earliest")
    date_only = text.str.to_date(strict=False).cast(pl.Datetime("us", "UTC"))
    parsed = parsed.fill_null(date_only)
    return parsed, (text != "") & parsed.is_null()


def validate(
    wide: pl.DataFrame, questionnaire: Questionnaire, known_codes: Iterable[str]
) -> tuple[pl.DataFrame, list[RejectedLine]]:
    """Normalise a wide frame and list every invalid value (vectorised per column)."""
    rejected: list[RejectedLine] = []
    lines = pl.Series("line", range(2, wide.height + 2))
    if "code" not in wide.columns:
        return wide, [RejectedLine(1, "code", "colonne du code de la collectivité absente")]
    codes = wide["code"].cast(pl.String).fill_null("").str.strip_chars()
    unknown = ~codes.is_in(list(known_codes))
    rejected += [
        RejectedLine(line, "code", f"code « {c} » absent du registre" if c else "code vide")
        for line, c in zip(lines.filter(unknown), codes.filter(unknown), strict=True)
    ]
    columns: dict[str, pl.Series] = {"code": codes}
    by_id = {q.id: q for q in questionnaire.questions}
    for name in wide.columns:
        if name in META_COLUMNS:
            continue
        if name not in by_id:
            rejected.append(RejectedLine(1, name, "question inconnue du questionnaire"))
            continue
        values, bad, reason = _check_question(wide[name], by_id[name])
        rejected += [
            RejectedLine(line, name, f"valeur « {v} » invalide : {reason}")
            for line, v in zip(lines.filter(bad), wide[name].filter(bad), strict=True)
        ]
        columns[name] = values
    if "submitted_at" in wide.columns:
        stamps, bad = _timestamps(wide["submitted_at"])
        rejected += [
            RejectedLine(line, "submitted_at", f"date « {v} » illisible (ISO 8601 attendu)")
            for line, v in zip(lines.filter(bad), wide["submitted_at"].filter(bad), strict=True)
        ]
        columns["submitted_at"] = stamps
    if "status" in wide.columns:
        status = wide["status"].cast(pl.String).fill_null("").str.strip_chars().str.to_lowercase()
        status = status.replace({"": "complete", "complète": "complete", "partielle": "partial"})
        bad = ~status.is_in(["complete", "partial"])
        rejected += [
            RejectedLine(line, "status", f"statut « {v} » invalide : complete ou partial attendu")
            for line, v in zip(lines.filter(bad), wide["status"].filter(bad), strict=True)
        ]
        columns["status"] = status
    if "respondent_role" in wide.columns:
        columns["respondent_role"] = wide["respondent_role"].cast(pl.String).fill_null("")
    rejected.sort(key=lambda r: (r.line, r.field))
    return pl.DataFrame(columns), rejected


def store(
    campaign: Campaign,
    clean: pl.DataFrame,
    source: str,
    file_name: str,
    actor: object = None,
) -> ImportBatch:
    """Store a validated wide frame as responses and answers (call inside a transaction)."""
    now = timezone.now()
    batch = ImportBatch.objects.create(
        campaign=campaign,
        source=source,
        file_name=file_name,
        row_count=clean.height,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    meta = clean.select(
        pl.col("code"),
        (pl.col("submitted_at") if "submitted_at" in clean.columns else pl.lit(None))
        .cast(pl.Datetime("us", "UTC"))
        .alias("submitted_at"),
        (pl.col("status") if "status" in clean.columns else pl.lit("complete")).alias("status"),
        (pl.col("respondent_role") if "respondent_role" in clean.columns else pl.lit("")).alias(
            "respondent_role"
        ),
    )
    responses = Response.objects.bulk_create(
        [
            Response(
                campaign=campaign,
                code=code,
                status=status,
                source=source,
                respondent_role=role or "",
                submitted_at=submitted or now,
                created_at=now,
                updated_at=now,
                import_batch=batch,
            )
            for code, submitted, status, role in meta.iter_rows()
        ]
    )
    questions = [c for c in clean.columns if c not in META_COLUMNS]
    long = (
        clean.select(questions)
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
    audit(
        "import",
        actor=actor,
        obj=batch,
        source=source,
        file=file_name,
        rows=clean.height,
        answers=long.height,
    )
    return batch


def campaign_codes(campaign: Campaign) -> list[str]:
    """Codes accepted by an import: the campaign's targets, or the whole register if it has none."""
    codes = list(Target.objects.filter(campaign=campaign).values_list("code", flat=True))
    if codes:
        return codes
    from barometre.collection.targets import register_frame

    return register_frame()["code"].to_list()


def import_answers(
    campaign: Campaign,
    content: bytes,
    file_name: str,
    source: str,
    *,
    mapping: Mapping[str, str] | None = None,
    code_column: str = "code",
    known_codes: Iterable[str] | None = None,
    actor: object = None,
) -> ImportReport:
    """Import one file into a campaign, all or nothing; return the French report."""
    report = ImportReport(source=source, file_name=file_name)
    questionnaire = campaign.edition.questionnaire
    try:
        raw = read_table(content, file_name)
    except (UnicodeDecodeError, pl.exceptions.PolarsError, ValueError) as exc:
        report.rejected.append(RejectedLine(1, "fichier", f"fichier illisible ({exc})"))
        return report
    report.rows_read = raw.height
    try:
        if source == Response.Source.LIMESURVEY:
            wide = from_limesurvey(raw, questionnaire, code_column)
        elif source == Response.Source.KOBO:
            wide = from_kobo(raw, questionnaire, code_column)
        else:
            wide = from_mapping(raw, mapping or {})
    except KeyError as exc:
        report.rejected.append(
            RejectedLine(1, str(exc.args[0]), "colonne absente du fichier (voir la correspondance)")
        )
        return report
    if known_codes is None:
        known_codes = campaign_codes(campaign)
    clean, rejected = validate(wide, questionnaire, list(known_codes))
    report.rejected = rejected
    if rejected:
        return report
    try:
        with transaction.atomic():
            batch = store(campaign, clean, source, file_name, actor)
            report.batch_id = batch.pk
            report.rows_stored = clean.height
    except Exception:
        report.batch_id = None
        report.rows_stored = 0
        raise
    return report
