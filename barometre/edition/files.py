"""Edition folders on disk (docs/contracts.md): write them atomically, read and validate them.

An edition folder holds `edition.yaml`, `questionnaire.yaml`, `responses.csv` and optionally
`frame_attributes.csv`. Reading validates everything (vectorised) and raises one EditionError that
lists every problem with its file, line and column, in French; nothing is returned half-checked.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import yaml

from barometre.edition.answer_columns import mark_nothing_ticked
from barometre.edition.chunk_layout import with_aligned_columns
from barometre.edition.consolidation import STATUSES, consolidate
from barometre.edition.problems import (
    EditionError,
    empty_problems,
    problem,
    problems_from,
)
from barometre.questionnaire.issues import QuestionnaireError
from barometre.questionnaire.model import NSP_CODE, Question, Questionnaire, QuestionType
from barometre.questionnaire.skip_logic import apply_relevance, constraint_frame
from barometre.questionnaire.yaml_format import loads_questionnaire
from barometre.register.spreadsheet_cells import neutralise_frame, restore_frame

EDITION_FILE = "edition.yaml"
QUESTIONNAIRE_FILE = "questionnaire.yaml"
RESPONSES_FILE = "responses.csv"
FRAME_ATTRIBUTES_FILE = "frame_attributes.csv"

FIXED_COLUMNS = ("response_id", "code", "submitted_at", "status", "respondent_role")
REQUIRED_COLUMNS = ("response_id", "code", "submitted_at", "status")
# optional: respondents outside the register kept apart (« hors base de sondage »), never weighted
OUT_OF_FRAME_COLUMNS = ("out_of_frame", "respondent_name")
OUT_OF_FRAME_VALUES = ("1", "true", "oui", "vrai", "hors_base")
DATETIME_FORMATS = ("%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M", "%Y-%m-%d")
TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%S"


@dataclass(frozen=True)
class Edition:
    """A validated edition: metadata, questionnaire and Polars frames."""

    folder: Path
    meta: dict[str, Any]
    questionnaire: Questionnaire
    responses: pl.DataFrame
    frame_attributes: pl.DataFrame | None = None
    out_of_frame: pl.DataFrame | None = None
    """Submissions of respondents outside the register (`out_of_frame` = 1): listed, never estimated."""

    def consolidated(self) -> pl.DataFrame:
        """One response per collectivité (see `consolidate`)."""
        return consolidate(self.responses)


# ------------------------------------------------------------------------------------------ write


def response_columns(questionnaire: Questionnaire) -> list[str]:
    """Columns of `responses.csv` in order: the fixed ones, then one per question."""
    return [*FIXED_COLUMNS, *(question.id for question in questionnaire.questions)]


def write_edition(
    folder: str | Path,
    *,
    meta: Mapping[str, Any],
    questionnaire_text: str,
    responses: pl.DataFrame,
    frame_attributes: pl.DataFrame | None = None,
) -> Path:
    """Write an edition folder atomically (built in a temporary sibling, then moved into place).

    An existing edition folder (one holding `edition.yaml`) is replaced; any other non-empty folder is
    left untouched and a FileExistsError is raised.
    """
    target = Path(folder).resolve()
    if target.exists() and any(target.iterdir()) and not (target / EDITION_FILE).is_file():
        raise FileExistsError(
            f"le dossier {target} existe et ne contient pas d'édition : il n'est pas remplacé"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        (staging / EDITION_FILE).write_text(
            yaml.safe_dump(dict(meta), allow_unicode=True, sort_keys=False), encoding="utf-8"
        )
        (staging / QUESTIONNAIRE_FILE).write_text(questionnaire_text, encoding="utf-8")
        neutralise_frame(responses).write_csv(staging / RESPONSES_FILE, line_terminator="\n")
        if frame_attributes is not None:
            frame_attributes.write_csv(staging / FRAME_ATTRIBUTES_FILE, line_terminator="\n")
        os.chmod(staging, 0o755)
        if target.exists():
            retired = Path(tempfile.mkdtemp(prefix=f".{target.name}.old.", dir=target.parent))
            os.replace(target, retired / target.name)
            os.replace(staging, target)
            shutil.rmtree(retired)
        else:
            os.replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


# ------------------------------------------------------------------------------------------- read


def read_text_csv(path: Path, restore: bool = True) -> pl.DataFrame:
    """A CSV file with every column as text (codes such as `01001` or `0` stay text), formula-safe
    cells read back as answered (`spreadsheet_cells`; `restore=False`: as written)."""
    frame = pl.read_csv(path, infer_schema=False)
    return restore_frame(frame) if restore else frame


def _read_csv(
    path: Path, name: str, text_only: bool = False, restore: bool = True
) -> tuple[pl.DataFrame | None, pl.DataFrame]:
    """A CSV file (all text, or typed with `code` as text) and the problem if it cannot be parsed."""
    try:
        if text_only:
            return read_text_csv(path, restore), empty_problems()
        return pl.read_csv(path, schema_overrides={"code": pl.String}), empty_problems()
    except (pl.exceptions.PolarsError, UnicodeDecodeError) as error:
        first_line = (
            str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        )
        detail = f"fichier CSV illisible (UTF-8, séparateur virgule attendus) : {first_line}"
        return None, problem(name, None, "", "unreadable_file", detail)


def with_lines(frame: pl.DataFrame) -> pl.DataFrame:
    """Add `__line` (Int64), the line number in the CSV file (the header is line 1), in the
    frame's own chunks (`chunk_layout`: no copy of the table)."""
    lines = pl.DataFrame({"__line": np.arange(2, frame.height + 2, dtype=np.int64)})
    return with_aligned_columns(frame, lines)


def _value(column: str) -> pl.Expr:
    """The stripped text of a cell; empty strings become null."""
    text = pl.col(column).str.strip_chars()
    return pl.when(text == "").then(None).otherwise(text)


def distinct_values(frame: pl.DataFrame) -> dict[str, list]:
    """The distinct values of every column, in one parallel pass (the checks and the cleaning of a
    national table look at these few values rather than at every cell)."""
    return dict(zip(frame.columns, frame.select(pl.all().unique().implode()).row(0), strict=True))


def answer_values(raw: pl.DataFrame) -> tuple[pl.DataFrame, dict[str, list]]:
    """A `responses.csv` read as written: its formula-safe cells restored (`spreadsheet_cells`)
    and the distinct values of its answer columns (the fixed columns, one value per row, are
    checked cell by cell instead). Each answer column is looked at once, in one parallel pass."""
    answers = [c for c in raw.columns if c not in FIXED_COLUMNS]
    distinct = distinct_values(raw.select(answers))
    escaped = [c for c in answers if any(v is not None and v[:1] == "'" for v in distinct[c])]
    looked_at = [*escaped, *(c for c in raw.columns if c in FIXED_COLUMNS)]
    restored = restore_frame(raw, looked_at) if looked_at else raw
    if escaped:
        distinct.update(distinct_values(restored.select(escaped)))
    return restored, distinct


def _cleaned(
    frame: pl.DataFrame, columns: list[str], distinct: dict[str, list] | None = None
) -> list[pl.Expr]:
    """`_value` of each column, skipped where no cell is blank or padded (most columns: stripping
    every cell of a national table costs more than looking at its few distinct values). Columns
    without their distinct values in `distinct` are checked with one Polars pass."""
    if not columns:
        return []
    if distinct is None:
        distinct = distinct_values(frame.select(columns))
    dirty = {
        c
        for c in columns
        if c in distinct and any(v is not None and (v == "" or v != v.strip()) for v in distinct[c])
    }
    unknown = [c for c in columns if c not in distinct]
    if unknown:
        hits = frame.select(
            ((pl.col(c) != pl.col(c).str.strip_chars()) | (pl.col(c) == "")).any() for c in unknown
        ).row(0)
        dirty |= {c for c, hit in zip(unknown, hits, strict=True) if hit}
    return [_value(c).alias(c) if c in dirty else pl.col(c) for c in columns]


def _parse_datetime(column: str) -> pl.Expr:
    """ISO 8601 timestamps (several accepted layouts); null when unparseable."""
    text = _value(column)
    return pl.coalesce(
        [text.str.strptime(pl.Datetime("us"), fmt, strict=False) for fmt in DATETIME_FORMATS]
    )


def _parse_number(column: str) -> pl.Expr:
    """A number (decimal point or comma); null when empty or unparseable."""
    return _value(column).str.replace(",", ".", literal=True).cast(pl.Float64, strict=False)


def _quoted(codes: Iterable[str]) -> str:
    """Codes as a French list for messages."""
    return ", ".join(codes)


def out_of_frame_rows(frame: pl.DataFrame) -> pl.Expr:
    """True on the rows of respondents outside the register (`out_of_frame` column set)."""
    if "out_of_frame" not in frame.columns:
        return pl.lit(False)
    flag = pl.col("out_of_frame").cast(pl.String).str.strip_chars().str.to_lowercase()
    return flag.is_in(list(OUT_OF_FRAME_VALUES)).fill_null(False)


def _check_fixed_columns(frame: pl.DataFrame, known_codes: pl.Series | None) -> list[pl.DataFrame]:
    """Problems in response_id, code, submitted_at and status."""
    found: list[pl.DataFrame] = []
    for column in ("response_id", "code"):
        empty = frame.filter(_value(column).is_null())
        found.append(
            problems_from(empty, RESPONSES_FILE, column, "empty_value", pl.lit("valeur vide"))
        )
    ids = frame.with_columns(_value("response_id").alias("__id")).filter(
        pl.col("__id").is_not_null()
    )
    duplicates = ids.with_columns(pl.col("__line").min().over("__id").alias("__first")).filter(
        pl.col("__line") != pl.col("__first")
    )
    found.append(
        problems_from(
            duplicates,
            RESPONSES_FILE,
            "response_id",
            "duplicate_response_id",
            pl.format(
                "identifiant de réponse « {} » en double (déjà utilisé ligne {})",
                pl.col("__id"),
                pl.col("__first"),
            ),
        )
    )
    if known_codes is not None:
        unknown = frame.filter(
            _value("code").is_not_null()
            & ~_value("code").is_in(known_codes.implode())
            & ~out_of_frame_rows(frame)
        )
        found.append(
            problems_from(
                unknown,
                RESPONSES_FILE,
                "code",
                "unknown_register_code",
                pl.format("code « {} » absent du registre", _value("code")),
            )
        )
    bad_dates = frame.filter(_parse_datetime("submitted_at").is_null())
    found.append(
        problems_from(
            bad_dates,
            RESPONSES_FILE,
            "submitted_at",
            "invalid_datetime",
            pl.format(
                "date « {} » invalide (format ISO 8601 attendu, par exemple 2024-03-15T10:30:00)",
                pl.col("submitted_at").fill_null(""),
            ),
        )
    )
    bad_status = frame.filter(~_value("status").is_in(list(STATUSES)).fill_null(True))
    found.append(
        problems_from(
            bad_status,
            RESPONSES_FILE,
            "status",
            "invalid_status",
            pl.format(
                "statut « {} » invalide (attendu : complete ou partial)",
                pl.col("status").fill_null(""),
            ),
        )
    )
    return found


def _choice_flag(question: Question, values: list) -> bool:
    """Whether some distinct answer breaks a check of `_check_choice` (stripped, blanks empty)."""
    codes = set(question.codes)
    for raw in values:
        value = raw.strip() if raw is not None else ""
        if not value:
            continue
        if question.type is not QuestionType.MULTIPLE_CHOICE:
            if value not in codes:
                return True
            continue
        tokens = [t for t in value.split(" ") if t]
        if not set(tokens) <= codes or (NSP_CODE in tokens and len(tokens) > 1):
            return True
        if question.max_choices is not None and len(tokens) > question.max_choices:
            return True
    return False


def _questions_with_problems(
    frame: pl.DataFrame, questions: list[Question], distinct: dict[str, list] | None = None
) -> set[str]:
    """Ids of the questions with at least one bad answer.

    Answers repeat (a few codes in tens of thousands of rows): closed questions are judged on the
    distinct values of their column, numbers with one Polars pass over their columns.
    """
    closed = [q for q in questions if q.type.is_choice]
    numbers = [q for q in questions if q.type.is_numeric]
    flagged = set()
    if closed:
        if distinct is None:
            distinct = distinct_values(frame.select(q.id for q in closed))
        flagged |= {q.id for q in closed if _choice_flag(q, distinct[q.id])}
    if numbers:
        bad = []
        for q in numbers:
            value, number = _value(q.id), _parse_number(q.id)
            flag = value.is_not_null() & (value != NSP_CODE) & number.is_null()
            if q.type is QuestionType.PERCENTAGE:
                flag = flag | (number < 0) | (number > 100)
            bad.append(flag.fill_null(False).any().alias(q.id))
        hits = frame.select(bad).row(0)
        flagged |= {q.id for q, hit in zip(numbers, hits, strict=True) if hit}
    return flagged


def _check_choice(frame: pl.DataFrame, question: Question) -> list[pl.DataFrame]:
    """Problems in the answers of a closed question (codes, number of choices, `nsp`)."""
    codes = list(question.codes)
    allowed = f"modalités possibles : {_quoted(codes)}"
    value = _value(question.id)
    if question.type is not QuestionType.MULTIPLE_CHOICE:
        unknown = frame.filter(value.is_not_null() & ~value.is_in(codes))
        return [
            problems_from(
                unknown,
                RESPONSES_FILE,
                question.id,
                "unknown_choice",
                pl.format(f"réponse « {{}} » inconnue ({allowed})", value),
            )
        ]
    selected = frame.with_columns(
        value.str.split(" ").list.eval(pl.element().filter(pl.element() != "")).alias("__codes")
    ).filter(pl.col("__codes").is_not_null())
    unknown = selected.with_columns(
        pl.col("__codes")
        .list.eval(pl.element().filter(~pl.element().is_in(codes)))
        .list.join(", ")
        .alias("__unknown")
    ).filter(pl.col("__unknown") != "")
    found = [
        problems_from(
            unknown,
            RESPONSES_FILE,
            question.id,
            "unknown_choice",
            pl.format(f"modalité(s) « {{}} » inconnue(s) ({allowed})", pl.col("__unknown")),
        )
    ]
    if question.max_choices is not None:
        too_many = selected.filter(pl.col("__codes").list.len() > question.max_choices)
        found.append(
            problems_from(
                too_many,
                RESPONSES_FILE,
                question.id,
                "too_many_choices",
                pl.format(
                    f"{{}} modalités cochées pour {question.max_choices} au plus",
                    pl.col("__codes").list.len(),
                ),
            )
        )
    with_nsp = selected.filter(
        pl.col("__codes").list.contains(NSP_CODE) & (pl.col("__codes").list.len() > 1)
    )
    found.append(
        problems_from(
            with_nsp,
            RESPONSES_FILE,
            question.id,
            "nsp_with_choices",
            pl.lit("« nsp » (ne sait pas) ne peut pas être coché avec d'autres modalités"),
        )
    )
    return found


def _check_number(frame: pl.DataFrame, question: Question) -> list[pl.DataFrame]:
    """Problems in the answers of a number or percentage question (parse, 0–100)."""
    value = _value(question.id)
    number = _parse_number(question.id)
    not_number = frame.filter(value.is_not_null() & (value != NSP_CODE) & number.is_null())
    found = [
        problems_from(
            not_number,
            RESPONSES_FILE,
            question.id,
            "not_a_number",
            pl.format("« {} » n'est pas un nombre", value),
        )
    ]
    if question.type is QuestionType.PERCENTAGE:
        outside = frame.filter((number < 0) | (number > 100))
        found.append(
            problems_from(
                outside,
                RESPONSES_FILE,
                question.id,
                "out_of_range",
                pl.format("pourcentage {} hors de l'intervalle 0 à 100", value),
            )
        )
    return found


def _check_constraints(frame: pl.DataFrame, questionnaire: Questionnaire) -> list[pl.DataFrame]:
    """Problems where an asked, answered question breaks its `constraint`."""
    questions = [q for q in questionnaire.questions if q.constraint is not None]
    if not questions:
        return []
    answers = frame.select(
        [_value(q.id).alias(q.id) for q in questionnaire.questions if q.id in frame.columns]
    )
    broken = constraint_frame(questionnaire, answers).with_columns(frame.get_column("__line"))
    found = []
    for question in questions:
        failing = broken.filter(pl.col(question.id)).join(
            frame.select("__line", pl.col(question.id).alias("__raw")), on="__line"
        )
        detail = (
            question.constraint_message or f"contrainte « {question.constraint} » non respectée"
        )
        found.append(
            problems_from(
                failing,
                RESPONSES_FILE,
                question.id,
                "constraint_violated",
                pl.format(f"valeur « {{}} » refusée : {detail}", pl.col("__raw")),
            )
        )
    return found


def validate_responses(
    raw: pl.DataFrame,
    questionnaire: Questionnaire,
    known_codes: pl.Series | None = None,
    distinct: dict[str, list] | None = None,
) -> pl.DataFrame:
    """Every problem of a text-typed `responses.csv` table (empty table when valid).

    `distinct` (from `distinct_values(raw)`) saves looking for each column's distinct values again.
    """
    header = raw.columns
    questions = {question.id: question for question in questionnaire.questions}
    found = [
        problem(RESPONSES_FILE, 1, column, "missing_column", "colonne obligatoire absente")
        for column in REQUIRED_COLUMNS
        if column not in header
    ]
    found += [
        problem(
            RESPONSES_FILE,
            1,
            column,
            "unknown_column",
            "colonne inconnue : ni colonne fixe ni identifiant de question du questionnaire",
        )
        for column in header
        if column not in FIXED_COLUMNS
        and column not in questions
        and column not in OUT_OF_FRAME_COLUMNS
    ]
    if any(column not in header for column in REQUIRED_COLUMNS):
        return pl.concat(found)
    frame = with_lines(raw)
    kept = ("__line", *REQUIRED_COLUMNS, *(c for c in ("out_of_frame",) if c in header))
    narrow = pl.DataFrame([frame[c] for c in kept])
    found += _check_fixed_columns(narrow, known_codes)
    flagged = _questions_with_problems(
        frame, [questions[c] for c in header if c in questions], distinct
    )
    for question_id in header:
        question = questions.get(question_id)
        if question is None or question_id not in flagged:
            continue
        column = pl.DataFrame([frame["__line"], frame[question_id]])  # cheap narrow filters
        if question.type.is_choice:
            found += _check_choice(column, question)
        elif question.type.is_numeric:
            found += _check_number(column, question)
    found += _check_constraints(frame, questionnaire)
    return pl.concat([empty_problems(), *found]).sort(["line", "column"], maintain_order=True)


def typed_responses(
    raw: pl.DataFrame, questionnaire: Questionnaire, distinct: dict[str, list] | None = None
) -> pl.DataFrame:
    """Valid text responses as typed columns, with the answers of questions not asked set to null.

    Columns are always those of `response_columns` (absent ones null). `submitted_at` becomes a datetime, number and percentage answers Float64 (`nsp` → null); other
    answers stay text (multiple choice: space-separated codes, `NOTHING_TICKED` when the respondent
    ticked no option, see `barometre.edition.answer_columns.nothing_ticked`).
    """
    questions = questionnaire.questions
    present = [c for c in (*FIXED_COLUMNS, *(q.id for q in questions)) if c in raw.columns]
    answers = raw.select(
        [pl.lit(None, pl.String).alias(c) for c in FIXED_COLUMNS if c not in raw.columns]
        + _cleaned(raw, present, distinct)
    )
    masked = mark_nothing_ticked(apply_relevance(questionnaire, answers), questionnaire)
    numeric = [q.id for q in questions if q.type.is_numeric]
    return masked.with_columns(
        _parse_datetime("submitted_at").alias("submitted_at"),
        *[_parse_number(column).alias(column) for column in numeric],
    ).select(response_columns(questionnaire))


def _read_meta(folder: Path) -> tuple[dict[str, Any], pl.DataFrame]:
    """The parsed `edition.yaml` and its problems."""
    path = folder / EDITION_FILE
    if not path.is_file():
        return {}, problem(EDITION_FILE, None, "", "missing_file", "fichier absent")
    try:
        meta = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        line = getattr(getattr(error, "problem_mark", None), "line", None)
        return {}, problem(
            EDITION_FILE,
            None if line is None else line + 1,
            "",
            "invalid_metadata",
            f"YAML illisible : {getattr(error, 'problem', error)}",
        )
    if not isinstance(meta, dict) or not meta.get("id"):
        return {}, problem(
            EDITION_FILE, None, "id", "invalid_metadata", "identifiant d'édition (id) absent"
        )
    return meta, empty_problems()


def _check_frame_attributes(
    attributes: pl.DataFrame, known_codes: pl.Series | None
) -> pl.DataFrame:
    """Problems of `frame_attributes.csv`: `code` column, unique and known codes."""
    if "code" not in attributes.columns:
        return problem(
            FRAME_ATTRIBUTES_FILE, 1, "code", "missing_column", "colonne obligatoire absente"
        )
    frame = with_lines(attributes)
    duplicates = frame.with_columns(pl.col("__line").min().over("code").alias("__first")).filter(
        pl.col("__line") != pl.col("__first")
    )
    found = [
        problems_from(
            duplicates,
            FRAME_ATTRIBUTES_FILE,
            "code",
            "duplicate_code",
            pl.format("code « {} » en double (déjà ligne {})", pl.col("code"), pl.col("__first")),
        )
    ]
    if known_codes is not None:
        unknown = frame.filter(~pl.col("code").is_in(known_codes.implode()))
        found.append(
            problems_from(
                unknown,
                FRAME_ATTRIBUTES_FILE,
                "code",
                "unknown_register_code",
                pl.format("code « {} » absent du registre", pl.col("code")),
            )
        )
    return pl.concat([empty_problems(), *found])


def read_edition(folder: str | Path, known_codes: pl.Series | None = None) -> Edition:
    """Read and validate an edition folder; EditionError listing every problem if it is invalid.

    `known_codes` are the valid register codes; by default the official register's codes.
    """
    path = Path(folder)
    if known_codes is None:
        from barometre.register.frame import load_register

        known_codes = load_register().entities.get_column("code")
    meta, problems = _read_meta(path)
    found = [problems]
    questionnaire_path = path / QUESTIONNAIRE_FILE
    questionnaire: Questionnaire | None = None
    if not questionnaire_path.is_file():
        found.append(problem(QUESTIONNAIRE_FILE, None, "", "missing_file", "fichier absent"))
    else:
        try:
            questionnaire = loads_questionnaire(
                questionnaire_path.read_text(encoding="utf-8"), QUESTIONNAIRE_FILE
            )
        except QuestionnaireError as error:
            found += [
                problem(QUESTIONNAIRE_FILE, issue.line, issue.path, issue.code, issue.message)
                for issue in error.issues
            ]
    raw: pl.DataFrame | None = None
    distinct: dict[str, list] | None = None
    if not (path / RESPONSES_FILE).is_file():
        found.append(problem(RESPONSES_FILE, None, "", "missing_file", "fichier absent"))
    else:
        raw, unreadable = _read_csv(
            path / RESPONSES_FILE, RESPONSES_FILE, text_only=True, restore=False
        )
        found.append(unreadable)
        if raw is not None:
            raw, distinct = answer_values(raw)
        if questionnaire is not None and raw is not None:
            found.append(validate_responses(raw, questionnaire, known_codes, distinct))
    attributes: pl.DataFrame | None = None
    if (path / FRAME_ATTRIBUTES_FILE).is_file():
        attributes, unreadable = _read_csv(path / FRAME_ATTRIBUTES_FILE, FRAME_ATTRIBUTES_FILE)
        found.append(unreadable)
        if attributes is not None:
            found.append(_check_frame_attributes(attributes, known_codes))
    problems = pl.concat([empty_problems(), *found])
    if problems.height or questionnaire is None or raw is None:
        raise EditionError(problems, str(path))
    outside = raw.filter(out_of_frame_rows(raw)) if "out_of_frame" in raw.columns else None
    if outside is None or outside.height == 0:
        typed = typed_responses(raw, questionnaire, distinct)
        return Edition(path, meta, questionnaire, typed, attributes)
    names = (
        outside.get_column("respondent_name")
        if "respondent_name" in outside.columns
        else pl.Series("respondent_name", [None] * outside.height, pl.String)
    )
    kept_apart = typed_responses(outside, questionnaire, distinct).with_columns(
        names.alias("respondent_name")
    )
    inside = raw.filter(~out_of_frame_rows(raw))
    typed = typed_responses(inside, questionnaire, distinct)
    return Edition(path, meta, questionnaire, typed, attributes, kept_apart)
