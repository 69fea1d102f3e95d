"""Answer checks against the questionnaire: valid codes, numbers, ranges, `max_choices`, `nsp`.

One answer at a time (web form, import line by line) or vectorised over a wide answers frame.
Messages are French and name the question; callers add the line.
"""

from __future__ import annotations

import math
import re
from typing import Any

import polars as pl

from barometre.questionnaire.model import NSP_CODE, Question, Questionnaire, QuestionType
from barometre.register.labels import count

MAX_ANSWER_CHARS = 10_000  # one answer (free text included), on the web form and in imports
_NUMBER = re.compile(r"^\s*-?(?:\d+(?:\.\d*)?|\.\d+)\s*$")
_NUMBER_PATTERN = r"^\s*-?(?:\d+(?:\.\d*)?|\.\d+)\s*$"


def is_empty(value: Any) -> bool:
    """No answer: None, NaN, blank text or an empty list."""
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    if isinstance(value, str):
        return value.strip() == ""
    if isinstance(value, list | tuple | set | frozenset):
        return len(value) == 0
    return False


def answer_problem(question: Question, value: Any) -> str | None:
    """Why `value` is not a valid answer to `question` (None when valid or empty)."""
    if is_empty(value):
        return None
    if isinstance(value, list | tuple | set | frozenset):
        text = " ".join(str(item) for item in value)
    elif isinstance(value, float) and value.is_integer() and not question.type.is_numeric:
        text = str(int(value))
    else:
        text = str(value).strip()
    if len(text) > MAX_ANSWER_CHARS:
        return (
            f"réponse de {count(len(text))} caractères à la question « {question.id} », "
            f"{count(MAX_ANSWER_CHARS)} au plus"
        )
    if text == NSP_CODE:
        if question.allow_nsp:
            return None
        return f"« {NSP_CODE} » (ne sait pas) n'est pas proposé pour la question « {question.id} »"
    if question.type.is_choice:
        codes = text.split() if question.type is QuestionType.MULTIPLE_CHOICE else [text]
        unknown = [code for code in codes if code not in question.codes or code == NSP_CODE]
        if unknown:
            return (
                f"code(s) {', '.join(f'« {c} »' for c in unknown)} inconnu(s) pour la question"
                f" « {question.id} » (codes permis : {', '.join(question.codes)})"
            )
        if len(set(codes)) != len(codes):
            return f"code répété dans la réponse à « {question.id} »"
        if question.max_choices is not None and len(codes) > question.max_choices:
            return (
                f"{len(codes)} modalités cochées pour « {question.id} », {question.max_choices}"
                " au plus"
            )
        return None
    if question.type.is_numeric:
        if isinstance(value, bool) or not (
            isinstance(value, int | float) or _NUMBER.match(text.replace(",", ".", 1))
        ):
            return f"« {text} » n'est pas un nombre (question « {question.id} »)"
        number = float(value) if isinstance(value, int | float) else float(text.replace(",", "."))
        if question.type is QuestionType.PERCENTAGE and not 0 <= number <= 100:
            return f"{text} n'est pas un pourcentage entre 0 et 100 (question « {question.id} »)"
    return None


def answer_problems(questionnaire: Questionnaire, answers: dict[str, Any]) -> dict[str, str]:
    """Invalid answers of one respondent: question id → French message."""
    problems = {}
    for question in questionnaire.questions:
        problem = answer_problem(question, answers.get(question.id))
        if problem is not None:
            problems[question.id] = problem
    return problems


def _column_text(name: str, dtype: pl.DataType) -> pl.Expr:
    """A column as text, floats written like the dict checks (integral without decimals, NaN empty)."""
    column = pl.col(name)
    if dtype.is_float():
        column = column.fill_nan(None)
        return (
            pl.when(column == column.floor())
            .then(column.cast(pl.Int64).cast(pl.Utf8))
            .otherwise(column.cast(pl.Utf8))
        )
    return column.cast(pl.Utf8)


def _valid_expr(question: Question, dtype: pl.DataType) -> pl.Expr:
    """Polars: true where the column holds a valid (or empty) answer to `question`."""
    text = _column_text(question.id, dtype).str.strip_chars()
    empty = text.is_null() | (text == "")
    nsp = text == NSP_CODE
    nsp_ok = pl.lit(question.allow_nsp)
    if question.type.is_choice:
        codes = [code for code in question.codes if code != NSP_CODE]
        if question.type is QuestionType.MULTIPLE_CHOICE:
            tokens = text.str.extract_all(r"\S+")
            valid = tokens.list.eval(pl.element().is_in(codes)).list.all() & (
                tokens.list.len() == tokens.list.unique().list.len()
            )
            if question.max_choices is not None:
                valid = valid & (tokens.list.len() <= question.max_choices)
        else:
            valid = text.is_in(codes)
    elif question.type.is_numeric:
        normalised = text.str.replace(",", ".", literal=True)
        is_number = normalised.str.contains(_NUMBER_PATTERN)
        valid = is_number
        if question.type is QuestionType.PERCENTAGE:
            number = normalised.cast(pl.Float64, strict=False)
            valid = is_number & number.is_between(0, 100)
    else:
        valid = pl.lit(True)
    valid = valid & (text.str.len_chars() <= MAX_ANSWER_CHARS)
    return (empty | (nsp & nsp_ok) | (~nsp & valid)).fill_null(False)


def invalid_answers_frame(
    questionnaire: Questionnaire, frame: pl.DataFrame | pl.LazyFrame
) -> pl.DataFrame:
    """For every row, whether each question's answer is invalid (one boolean column per question)."""
    lazy = frame.lazy()
    schema = lazy.collect_schema()
    checks = [
        (~_valid_expr(question, schema[question.id])).alias(question.id)
        for question in questionnaire.questions
        if question.id in schema
    ]
    return lazy.select(checks).collect()
