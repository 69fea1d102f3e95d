"""The import engine: a file in, checked answers in the edition format and a French report out.

`prepare_import` reads the file, maps its columns (LimeSurvey, KoboToolbox/ODK or an explicit
mapping), resolves the typed identifiers against the register, refuses lines outside the
destination (campaign targets, account scope) and collectivités present twice in the file, and checks
every answer with the rules of the web form. `existing_decisions` applies the rule chosen for
collectivités that already answered (refuse, replace, keep). Both are pure: the collection app and
`barometre import` store the result, all or nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import polars as pl

from barometre.imports.answer_checks import check_answers
from barometre.imports.columns import LINE, META, IdentityColumns, Mapped, from_mapping
from barometre.imports.identifiers import RULE_LABELS, resolve_identifiers
from barometre.imports.kobo import from_kobo
from barometre.imports.limesurvey import from_limesurvey
from barometre.imports.problems import Problem, as_problems, concat, problems_from
from barometre.imports.report import ImportReport, LineNote
from barometre.imports.tables import FileRefused, Table, read_table
from barometre.questionnaire.model import Questionnaire
from barometre.register.frame import Register

SOURCES = ("limesurvey", "kobo", "mapped")
ON_EXISTING = ("refuse", "replace", "keep")
STATUS_ALIASES = {
    "": "complete",
    "complete": "complete",
    "complète": "complete",
    "complet": "complete",
    "terminée": "complete",
    "partial": "partial",
    "partielle": "partial",
    "partiel": "partial",
    "incomplete": "partial",
    "incomplète": "partial",
}
DATETIME_FORMATS = (
    "%Y-%m-%dT%H:%M:%S%.f%:z",
    "%Y-%m-%dT%H:%M:%S%.fZ",
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
)
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")


@dataclass(frozen=True)
class ImportOptions:
    """What the operator chose for one import."""

    source: str = "mapped"
    code_column: str = "code"
    name_column: str = ""
    mapping: Mapping[str, str] | None = None
    encoding: str = "auto"
    on_existing: str = "refuse"
    out_of_frame: bool = False
    confirmations: Mapping[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Destination:
    """The collectivités an import may write to: campaign targets and the operator's scope.

    None means no restriction (every register code, or a national account).
    """

    accepted: frozenset[str] | None = None
    scope: frozenset[str] | None = None
    scope_label: str = ""


@dataclass
class Prepared:
    """Checked answers (one row per line of the file kept) and the report."""

    responses: pl.DataFrame
    report: ImportReport
    question_ids: list[str] = field(default_factory=list)


def _map(table: Table, questionnaire: Questionnaire, options: ImportOptions) -> Mapped:
    """The reader of the chosen source format."""
    identity = IdentityColumns(options.code_column, options.name_column)
    if options.source == "limesurvey":
        return from_limesurvey(table.rows, table.header, questionnaire, identity)
    if options.source == "kobo":
        return from_kobo(table.rows, table.header, questionnaire, identity)
    ids = {q.id for q in questionnaire.questions}
    return from_mapping(table.rows, table.header, ids, options.mapping or {})


def parse_timestamps(column: pl.Series) -> tuple[pl.Series, pl.Series]:
    """Submission times as UTC datetimes (naive times read as UTC) and the mask of unreadable ones."""
    text = column.cast(pl.String).fill_null("").str.strip_chars()
    aware = [
        text.str.strptime(pl.Datetime("us", "UTC"), fmt, strict=False)
        for fmt in DATETIME_FORMATS[:2]
    ]
    naive = [
        text.str.strptime(pl.Datetime("us"), fmt, strict=False).dt.replace_time_zone("UTC")
        for fmt in DATETIME_FORMATS[2:]
    ]
    dates = [
        text.str.strptime(pl.Date, fmt, strict=False)
        .cast(pl.Datetime("us"))
        .dt.replace_time_zone("UTC")
        for fmt in DATE_FORMATS
    ]
    parsed = pl.select(pl.coalesce([*aware, *naive, *dates])).to_series()
    return parsed.alias("submitted_at"), (text != "") & parsed.is_null()


def _meta(wide: pl.DataFrame, labels: Mapping[str, str]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Submission time, status and role normalised, with their problems."""
    found = []
    columns: list[pl.Series] = [wide.get_column(LINE)]
    if "submitted_at" in wide.columns:
        stamps, bad = _parse(wide, "submitted_at")
        found.append(
            problems_from(
                wide.filter(bad),
                labels.get("submitted_at", "submitted_at"),
                "invalid_datetime",
                pl.format(
                    "date « {} » illisible (attendu : 2026-03-15 10:30:00, 2026-03-15 ou 15/03/2026)",
                    pl.col("submitted_at"),
                ),
            )
        )
        columns.append(stamps)
    else:
        columns.append(pl.Series("submitted_at", [None] * wide.height, pl.Datetime("us", "UTC")))
    if "status" in wide.columns:
        raw = wide.get_column("status").cast(pl.String).fill_null("").str.strip_chars()
        status = raw.str.to_lowercase().replace_strict(STATUS_ALIASES, default=None)
        found.append(
            problems_from(
                wide.filter(status.is_null()),
                labels.get("status", "status"),
                "invalid_status",
                pl.format(
                    "statut « {} » inconnu (attendu : complète ou partielle)", pl.col("status")
                ),
            )
        )
        columns.append(status.alias("status"))
    else:
        columns.append(pl.Series("status", ["complete"] * wide.height))
    role = (
        wide.get_column("respondent_role").cast(pl.String).fill_null("").str.strip_chars()
        if "respondent_role" in wide.columns
        else pl.Series([""] * wide.height, dtype=pl.String)
    )
    columns.append(role.alias("respondent_role"))
    return pl.DataFrame(columns), concat(found)


def _parse(wide: pl.DataFrame, column: str) -> tuple[pl.Series, pl.Series]:
    return parse_timestamps(wide.get_column(column))


def _identifiers(
    wide: pl.DataFrame,
    register: Register,
    destination: Destination,
    options: ImportOptions,
    label: str,
) -> tuple[pl.DataFrame, pl.DataFrame, list[LineNote], list[LineNote]]:
    """Register code of every line, the refused lines, the notes of non-exact matches and the
    respondents kept outside the register (« hors base de sondage »)."""
    lines = wide.get_column(LINE)
    typed = wide.get_column("identifier").cast(pl.String).fill_null("").str.strip_chars()
    name = (
        wide.get_column("name").cast(pl.String).fill_null("").str.strip_chars()
        if "name" in wide.columns
        else pl.Series([""] * wide.height, dtype=pl.String)
    )
    # a line without identifier is looked up by its name (candidates for the operator)
    typed = pl.select(pl.when(typed == "").then(name).otherwise(typed)).to_series()
    resolved = resolve_identifiers(
        typed, register, options.confirmations, lines, name if "name" in wide.columns else None
    ).with_columns(name.alias("name"))
    unresolved = (pl.col("typed") != "") & pl.col("code").is_null()
    keep_out = pl.col("confirmed_out") | (
        unresolved & pl.lit(options.out_of_frame) & pl.col("candidates").is_null()
    )
    resolved = resolved.with_columns(keep_out.alias("out_of_frame")).with_columns(
        pl.when(pl.col("out_of_frame"))
        .then(pl.col("out_of_frame_code"))
        .otherwise(pl.col("code"))
        .alias("code"),
        pl.when(pl.col("out_of_frame"))
        .then(pl.lit("out_of_frame"))
        .otherwise(pl.col("rule"))
        .alias("rule"),
    )
    found = []
    empty = resolved.filter(pl.col("typed") == "")
    found.append(
        problems_from(empty, label, "empty_code", pl.lit("identifiant de la collectivité vide"))
    )
    pending = resolved.filter(unresolved & ~pl.col("out_of_frame"))
    names = pending.filter(pl.col("candidates").is_not_null())
    found.append(
        problems_from(
            names,
            label,
            "ambiguous_name",
            pl.format(
                "« {} » : {} ; candidats : {}. Confirmez la collectivité "
                "(« {} = code », ou « {} = hors base ») ou corrigez le fichier",
                pl.col("typed"),
                pl.when(pl.col("siren").is_not_null())
                .then(pl.lit("SIREN absent du registre"))
                .otherwise(pl.lit("nom sans code")),
                pl.col("candidates"),
                pl.col("__line"),
                pl.col("__line"),
            ),
        )
    )
    unknown = pending.filter(pl.col("candidates").is_null())
    found.append(
        problems_from(
            unknown,
            label,
            "unknown_code",
            pl.format(
                "« {} » ne correspond à aucune collectivité du registre{} (pour garder ce "
                "répondant à part, choisissez « garder les répondants hors base de sondage »)",
                pl.col("typed"),
                pl.when(pl.col("detail").fill_null("") != "")
                .then(pl.format(" ({})", pl.col("detail")))
                .otherwise(pl.lit("")),
            ),
        )
    )
    outside = resolved.filter(pl.col("out_of_frame"))
    if destination.scope is not None:
        found.append(
            problems_from(
                outside,
                label,
                "outside_scope",
                pl.lit(
                    "répondant hors base de sondage : seul un compte de périmètre national peut "
                    "l'importer (son territoire n'est pas connu du registre)"
                ),
            )
        )
    known = resolved.filter(pl.col("code").is_not_null() & ~pl.col("out_of_frame"))
    if destination.accepted is not None:
        wrong = known.filter(~pl.col("code").is_in(list(destination.accepted)))
        found.append(
            problems_from(
                wrong,
                label,
                "outside_campaign",
                pl.format("collectivité {} non ciblée par la campagne", pl.col("code")),
            )
        )
        known = known.filter(pl.col("code").is_in(list(destination.accepted)))
    if destination.scope is not None:
        wrong = known.filter(~pl.col("code").is_in(list(destination.scope)))
        found.append(
            problems_from(
                wrong,
                label,
                "outside_scope",
                pl.format(
                    "collectivité {} hors de votre périmètre{}",
                    pl.col("code"),
                    pl.lit(f" ({destination.scope_label})" if destination.scope_label else ""),
                ),
            )
        )
    notes = [
        LineNote(
            line,
            f"« {typed_value} » → {code} ({RULE_LABELS[rule]}{', ' + detail if detail else ''})",
        )
        for line, typed_value, code, rule, detail in resolved.filter(
            pl.col("code").is_not_null() & ~pl.col("out_of_frame") & (pl.col("rule") != "exact")
        )
        .select("__line", "typed", "code", "rule", "detail")
        .iter_rows()
    ]
    kept_apart = [
        LineNote(
            line,
            f"« {typed_value} »{f' ({name_value})' if name_value and name_value != typed_value else ''}"
            f" gardé hors base de sondage sous le code {code}",
        )
        for line, typed_value, name_value, code in outside.select(
            "__line", "typed", "name", "code"
        ).iter_rows()
    ]
    return (
        resolved.select(LINE, "typed", "code", "rule", "out_of_frame", "name"),
        concat(found),
        notes,
        kept_apart,
    )


def _duplicates(codes: pl.DataFrame, label: str) -> pl.DataFrame:
    """Lines naming a collectivité already named on an earlier line of the file."""
    known = codes.filter(pl.col("code").is_not_null())
    repeated = known.with_columns(pl.col(LINE).min().over("code").alias("__first")).filter(
        pl.col(LINE) != pl.col("__first")
    )
    return problems_from(
        repeated,
        label,
        "duplicate_in_file",
        pl.format(
            "collectivité {} déjà présente ligne {} : une collectivité ne figure qu'une fois par "
            "fichier",
            pl.col("code"),
            pl.col("__first"),
        ),
    )


def prepare_import(
    content: bytes,
    file_name: str,
    questionnaire: Questionnaire,
    options: ImportOptions,
    register: Register,
    destination: Destination | None = None,
) -> Prepared:
    """Read, map, resolve and check a file; the report lists every problem (nothing is stored here)."""
    destination = destination or Destination()
    report = ImportReport(
        source=options.source, file_name=file_name, on_existing=options.on_existing
    )
    empty = Prepared(pl.DataFrame(), report)
    try:
        table = read_table(content, file_name, options.encoding)
    except FileRefused as refused:
        report.problems = refused.problems
        return empty
    report.rows_read = table.height
    report.encoding, report.separator = table.encoding, table.separator
    mapped = _map(table, questionnaire, options)
    report.columns = mapped.columns
    report.notes += mapped.notes
    problems = list(mapped.problems)
    questions = mapped.question_ids
    if not questions and not problems:
        problems.append(
            Problem(
                1,
                "",
                "no_question",
                "aucune colonne du fichier ne correspond à une question du questionnaire : "
                "vérifiez le format choisi et les en-têtes (codes des questions attendus)",
            )
        )
    id_label = mapped.labels.get("identifier", options.code_column)
    if "identifier" not in mapped.wide.columns and not problems:
        problems.append(
            Problem(
                1,
                options.code_column,
                "missing_column",
                "colonne de l'identifiant de la collectivité absente du fichier (indiquez la "
                "colonne qui porte le code Insee ou le SIREN)",
            )
        )
    if problems:
        report.problems = problems
        return empty
    wide = mapped.wide
    meta, meta_problems = _meta(wide, mapped.labels)
    codes, code_problems, notes, kept_apart = _identifiers(
        wide, register, destination, options, id_label
    )
    report.identifiers = notes
    report.out_of_frame = kept_apart
    duplicate_problems = _duplicates(codes, id_label)
    answers, answer_problems = check_answers(
        wide.select(LINE, *questions).with_columns(meta.get_column("status")),
        questionnaire,
        mapped.labels,
    )
    report.problems = as_problems(
        concat([meta_problems, code_problems, duplicate_problems, answer_problems])
    )
    responses = (
        codes.select(
            LINE,
            "code",
            pl.col("typed").alias("identifier"),
            "rule",
            "out_of_frame",
            pl.when(pl.col("name") != "")
            .then(pl.col("name"))
            .otherwise(pl.col("typed"))
            .alias("respondent_name"),
        )
        .join(meta, on=LINE)
        .join(answers, on=LINE)
    )
    return Prepared(responses, report, questions)


def existing_decisions(
    responses: pl.DataFrame,
    existing: pl.DataFrame,
    rule: str,
    id_label: str = "code",
) -> tuple[pl.DataFrame, list[int], list[Problem], list[LineNote]]:
    """Apply the rule chosen for collectivités that already answered (refuse, replace or keep).

    `existing` has `code`, `response_id`, `status`, `source` (French label) and `when` (French
    date) of the responses already stored. Returns the rows to store, the ids of the responses to
    delete (replace), the problems (refuse) and one note per line concerned.
    """
    if rule not in ON_EXISTING:
        raise ValueError(f"règle inconnue : {rule} (refuse, replace ou keep)")
    described = existing.group_by("code", maintain_order=True).agg(
        pl.col("response_id"),
        pl.format("{} ({}, {})", pl.col("status"), pl.col("source"), pl.col("when"))
        .str.join(" ; ")
        .alias("__what"),
    )
    hit = responses.select(LINE, "code").join(described, on="code", how="inner")
    problems: list[Problem] = []
    notes: list[LineNote] = []
    replaced: list[int] = []
    keep_out: set[int] = set()
    for line, code, ids, what in hit.sort(LINE).iter_rows():
        if rule == "refuse":
            problems.append(
                Problem(
                    line,
                    id_label,
                    "already_answered",
                    f"la collectivité {code} a déjà répondu : {what}. Choisissez « remplacer » "
                    "ou « conserver » pour l'importer quand même",
                )
            )
        elif rule == "replace":
            replaced += ids
            notes.append(LineNote(line, f"{code} : remplace la réponse existante — {what}"))
        else:
            keep_out.add(line)
            notes.append(
                LineNote(line, f"{code} : réponse existante conservée — {what} ; ligne ignorée")
            )
    kept = responses.filter(~pl.col(LINE).is_in(list(keep_out)))
    return kept, replaced, problems, notes


__all__ = [
    "META",
    "ON_EXISTING",
    "SOURCES",
    "Destination",
    "ImportOptions",
    "Prepared",
    "existing_decisions",
    "prepare_import",
]
