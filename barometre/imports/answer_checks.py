"""Every rule of the web form applied to imported answers, vectorised, with line and column named.

Values are first normalised the way people write them in other tools (choice labels instead of
codes, « Je ne sais pas » for `nsp`, `Y`/`N`, `12,5`, `1 200`) by one pass over the distinct values
of each column, then checked with `parse_value` (the rule of the web form). The rules that depend on
the whole response run on the whole table at once: relevance (an answer to a question the
respondent was not asked is refused), constraints, and required answers of complete responses.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

import polars as pl

from barometre.imports.problems import concat, problems_from
from barometre.questionnaire.answer_input import parse_number, parse_value
from barometre.questionnaire.model import NSP_CODE, Question, Questionnaire, QuestionType
from barometre.questionnaire.skip_logic import constraint_frame, relevance_frame

LINE = "__line"
STATUS = "status"
MAX_TEXT_LENGTH = 20_000

NSP_SYNONYMS = (
    "nsp",
    "ne sait pas",
    "je ne sais pas",
    "sans reponse",
    "ne se prononce pas",
    "nspp",
    "ne sait pas / sans reponse",
    "je ne sais pas / sans reponse",
    "ne sait pas/sans reponse",
    "sans avis",
)
YES_NO_ALIASES = {
    "o": "oui",
    "y": "oui",
    "yes": "oui",
    "vrai": "oui",
    "true": "oui",
    "n": "non",
    "no": "non",
    "faux": "non",
    "false": "non",
}
_SPLITTERS = (r"\s*;\s*", r"\s*\|\s*", r"\s*\n\s*", r"\s*,\s*", r"\s+")


def fold(text: str) -> str:
    """Lower-case, accent-free, single-spaced text with straight apostrophes, for matching labels."""
    decomposed = unicodedata.normalize("NFKD", text.replace("’", "'").replace("`", "'"))
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return re.sub(r"\s+", " ", bare).strip().lower()


NSP_FOLDED = frozenset(fold(text) for text in NSP_SYNONYMS)


@dataclass(frozen=True)
class Normalised:
    """One distinct raw value turned into its stored text, or refused (`kind`, `message`)."""

    value: str | None
    kind: str | None = None
    message: str | None = None


def choice_lookup(question: Question) -> dict[str, str]:
    """Folded code, label and alias → code, for one closed question (`nsp` synonyms included)."""
    lookup: dict[str, str] = {}
    for option in question.options:
        lookup.setdefault(fold(option.label), option.code)
    for option in question.options:
        lookup[fold(option.code)] = option.code
    if question.type is QuestionType.YES_NO:
        for alias, code in YES_NO_ALIASES.items():
            lookup.setdefault(alias, code)
    for synonym in NSP_FOLDED:
        lookup.setdefault(synonym, NSP_CODE)
    return lookup


def _allowed(question: Question) -> str:
    return ", ".join(question.codes)


def _segmented(text: str, lookup: Mapping[str, str]) -> list[str] | None:
    """Codes of a cell of labels joined by spaces (« Médiathèque Espace France services »), when
    the words split into known labels in exactly one way."""
    words = text.split()
    ways: list[list[list[str]]] = [[[]]] + [[] for _ in words]
    for end in range(1, len(words) + 1):
        for start in range(end):
            code = lookup.get(fold(" ".join(words[start:end])))
            if code is not None:
                ways[end] += [[*way, code] for way in ways[start]][:2]
        ways[end] = ways[end][:2]
    return ways[-1][0] if len(ways[-1]) == 1 else None


def _codes_of(text: str, lookup: Mapping[str, str]) -> tuple[list[str], list[str]]:
    """Codes of a multiple-choice cell and the parts not recognised (best way of splitting)."""
    whole = lookup.get(fold(text))
    if whole is not None:
        return [whole], []
    segmented = _segmented(text, lookup)
    if segmented is not None:
        return segmented, []
    best: tuple[list[str], list[str]] | None = None
    for pattern in _SPLITTERS:
        parts = [part for part in re.split(pattern, text.strip()) if part]
        if len(parts) < 2:
            continue
        codes = [lookup.get(fold(part)) for part in parts]
        unknown = [part for part, code in zip(parts, codes, strict=True) if code is None]
        found = ([c for c in codes if c is not None], unknown)
        if not unknown:
            return found
        if best is None or len(unknown) < len(best[1]):
            best = found
    return best if best is not None else ([], [text.strip()])


def normalise_value(question: Question, raw: str, lookup: Mapping[str, str]) -> Normalised:
    """The stored text of one raw value of `question`, or why it is refused (French)."""
    text = raw.strip()
    if text == "":
        return Normalised(None)
    kind = question.type
    folded = fold(text)
    if folded in NSP_FOLDED and not question.allow_nsp:
        return Normalised(
            None,
            "nsp_not_offered",
            f"« {text} » : la réponse « Ne sait pas / sans réponse » n'est pas proposée pour "
            "cette question",
        )
    if kind.is_choice:
        if kind is QuestionType.MULTIPLE_CHOICE:
            codes, unknown = _codes_of(text, lookup)
        else:
            code = lookup.get(folded)
            codes, unknown = ([code], []) if code is not None else ([], [text])
        if unknown:
            names = ", ".join(f"« {part} »" for part in unknown)
            return Normalised(
                None,
                "unknown_choice",
                f"{names} ne correspond à aucune modalité (codes ou libellés ; codes permis : "
                f"{_allowed(question)})",
            )
        if len(set(codes)) != len(codes):
            return Normalised(None, "repeated_choice", f"« {text} » : modalité répétée")
        if kind is QuestionType.MULTIPLE_CHOICE and NSP_CODE in codes and len(codes) > 1:
            return Normalised(
                None,
                "nsp_with_choices",
                f"« {text} » : « Ne sait pas / sans réponse » ne peut pas être coché avec "
                "d'autres modalités",
            )
        if question.max_choices is not None and len(codes) > question.max_choices:
            return Normalised(
                None,
                "too_many_choices",
                f"« {text} » : {len(codes)} modalités cochées, {question.max_choices} au plus",
            )
        value, error = parse_value(question, codes)
        if error:
            return Normalised(None, "invalid_value", f"« {text} » : {error}")
        return Normalised(value)
    if folded in NSP_FOLDED:
        return Normalised(NSP_CODE)
    if kind.is_numeric:
        number = parse_number(text)
        if number is None:
            return Normalised(None, "not_a_number", f"« {text} » n'est pas un nombre")
        value, error = parse_value(question, [text])
        if error:
            return Normalised(
                None, "out_of_range", f"{text} n'est pas un pourcentage compris entre 0 et 100"
            )
        return Normalised(value)
    if len(text) > MAX_TEXT_LENGTH:
        return Normalised(
            None,
            "too_long",
            f"texte de {len(text)} caractères, {MAX_TEXT_LENGTH} au plus",
        )
    value, error = parse_value(question, [text])
    return Normalised(value, "invalid_value" if error else None, error)


def _normalise_column(
    frame: pl.DataFrame, question: Question, column_label: str
) -> tuple[pl.Series, pl.DataFrame]:
    """Normalised values of one question column and the problems of its refused values."""
    raw = frame.get_column(question.id).cast(pl.String)
    distinct = raw.drop_nulls().unique().to_list()
    lookup = choice_lookup(question) if question.type.is_choice else {}
    decided = {value: normalise_value(question, value, lookup) for value in distinct}
    table = pl.DataFrame(
        {
            "__raw": list(decided),
            "__value": [d.value for d in decided.values()],
            "__kind": [d.kind for d in decided.values()],
            "__message": [d.message for d in decided.values()],
        },
        schema={
            "__raw": pl.String,
            "__value": pl.String,
            "__kind": pl.String,
            "__message": pl.String,
        },
    )
    joined = frame.select(LINE, raw.alias("__raw")).join(
        table, on="__raw", how="left", maintain_order="left"
    )
    refused = joined.filter(pl.col("__kind").is_not_null())
    problems = [
        problems_from(part, column_label, kind, pl.col("__message"))
        for (kind,), part in refused.group_by("__kind")
    ]
    return joined.get_column("__value").alias(question.id), concat(problems)


def _relevance_problems(
    answers: pl.DataFrame,
    asked: pl.DataFrame,
    questionnaire: Questionnaire,
    labels: Mapping[str, str],
) -> pl.DataFrame:
    """Answers given to questions the respondent was not asked (XLSForm cascade of `relevant`)."""
    found = []
    for question in questionnaire.questions:
        if question.id not in answers.columns:
            continue
        wrong = answers.filter(pl.col(question.id).is_not_null() & ~asked.get_column(question.id))
        condition = question.relevant or "condition d'affichage de son thème"
        found.append(
            problems_from(
                wrong,
                labels.get(question.id, question.id),
                "not_asked",
                pl.lit(
                    "réponse donnée à une question qui n'est pas posée à ce répondant "
                    f"(condition d'affichage : {condition})"
                ),
            )
        )
    return concat(found)


def _constraint_problems(
    answers: pl.DataFrame,
    raw: pl.DataFrame,
    questionnaire: Questionnaire,
    labels: Mapping[str, str],
) -> pl.DataFrame:
    """Asked, answered questions whose value breaks its `constraint` (same message as the form)."""
    constrained = [
        q for q in questionnaire.questions if q.constraint is not None and q.id in answers.columns
    ]
    if not constrained:
        return concat([])
    broken = constraint_frame(questionnaire, answers.drop(LINE))
    found = []
    for question in constrained:
        rows = raw.filter(broken.get_column(question.id))
        rule = question.constraint_message or f"règle « {question.constraint} » non respectée"
        found.append(
            problems_from(
                rows,
                labels.get(question.id, question.id),
                "constraint_violated",
                pl.format(
                    f"valeur « {{}} » refusée : {rule}", pl.col(question.id).str.strip_chars()
                ),
            )
        )
    return concat(found)


def _required_problems(
    answers: pl.DataFrame,
    asked: pl.DataFrame,
    complete: pl.Series,
    questionnaire: Questionnaire,
    labels: Mapping[str, str],
) -> pl.DataFrame:
    """Complete responses without the answer of a required question they were asked."""
    found = []
    for question in questionnaire.questions:
        if not question.required:
            continue
        value = (
            answers.get_column(question.id)
            if question.id in answers.columns
            else pl.Series([None] * answers.height, dtype=pl.String)
        )
        missing = complete & asked.get_column(question.id) & value.is_null()
        found.append(
            problems_from(
                answers.filter(missing),
                labels.get(question.id, question.id),
                "required_missing",
                pl.lit(
                    "réponse obligatoire manquante dans une réponse complète (complétez-la, ou "
                    "indiquez que la réponse est partielle)"
                ),
            )
        )
    return concat(found)


def check_answers(
    wide: pl.DataFrame,
    questionnaire: Questionnaire,
    labels: Mapping[str, str] | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Normalised answers (`__line` plus one column per question present) and every problem.

    `wide` holds `__line`, optionally `status` (`complete`/`partial`, default complete) and raw
    question columns named by question id; `labels` name each question's column(s) in the file.
    Relevance and required-answer problems are not reported on a line whose values were refused
    (they would follow from the refusal).
    """
    labels = dict(labels or {})
    questions = [q for q in questionnaire.questions if q.id in wide.columns]
    normalised: list[pl.Series] = []
    found: list[pl.DataFrame] = []
    for question in questions:
        values, problems = _normalise_column(wide, question, labels.get(question.id, question.id))
        normalised.append(values)
        found.append(problems)
    answers = wide.select(LINE).with_columns(normalised)
    value_problems = concat(found)
    asked = relevance_frame(questionnaire, answers.drop(LINE))
    complete = (
        wide.get_column(STATUS) == "complete"
        if STATUS in wide.columns
        else pl.Series([True] * wide.height)
    )
    dependent = concat(
        [
            _relevance_problems(answers, asked, questionnaire, labels),
            _required_problems(answers, asked, complete, questionnaire, labels),
        ]
    ).filter(~pl.col("line").is_in(value_problems.get_column("line").implode()))
    found = [value_problems, dependent, _constraint_problems(answers, wide, questionnaire, labels)]
    return answers, concat(found)
