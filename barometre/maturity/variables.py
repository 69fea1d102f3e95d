"""Numeric variables a correlation can use, resolved by name on the respondents of a sample.

A name is, in this order: `_global` (overall index), a theme id (theme score), a question id
(maturity: item score; number/percentage: the value; multiple choice: number of options ticked;
yes/no: 1 for `oui`, 0 for `non`), or a column of the frame (register or frame attributes, e.g.
`population`, `opsn`, `age_median`). `log10(name)` takes the decimal log (values ≤ 0 left out),
`log(name)` the natural log.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import polars as pl

from barometre.maturity.scores import OVERALL, Scores
from barometre.questionnaire.model import NSP_CODE, QuestionType

_TRANSFORM = re.compile(r"^\s*(log10|log)\(\s*([^)]+?)\s*\)\s*$")


@dataclass(frozen=True)
class Variable:
    """A resolved variable: its name, values per respondent (NaN = missing) and a French label."""

    name: str
    values: np.ndarray
    label: str


class VariableError(ValueError):
    """A variable name that cannot be used as a numeric variable (French message)."""


def resolve_variable(
    name: str, scores: Scores, answers: pl.DataFrame, frame: pl.DataFrame, questionnaire=None
) -> Variable:
    """Values of the named variable for each respondent (rows of `scores`, `answers`, `frame`)."""
    match = _TRANSFORM.match(name)
    if match:
        func, inner = match.groups()
        base = resolve_variable(inner, scores, answers, frame, questionnaire)
        with np.errstate(divide="ignore", invalid="ignore"):
            positive = np.where(base.values > 0, base.values, np.nan)
            values = np.log10(positive) if func == "log10" else np.log(positive)
        return Variable(name, values, f"{func}({base.label})")
    if name in (OVERALL, "global"):
        return Variable(name, scores.overall, "indice global de maturité")
    if name in scores.themes:
        return Variable(name, scores.theme_scores[:, scores.themes.index(name)], f"score {name}")
    if questionnaire is not None and name in answers.columns:
        try:
            question = questionnaire.question(name)
        except KeyError:
            question = None
        if question is not None:
            return Variable(name, _question_values(question, scores, answers), question.label)
    if name in frame.columns:
        column = frame.get_column(name)
        if column.dtype.is_numeric() or column.dtype == pl.Boolean:
            return Variable(name, column.cast(pl.Float64).fill_null(np.nan).to_numpy(), name)
        as_number = column.cast(pl.Utf8).str.replace(",", ".").cast(pl.Float64, strict=False)
        if as_number.null_count() == column.null_count():
            return Variable(name, as_number.fill_null(np.nan).to_numpy(), name)
        raise VariableError(f"Variable « {name} » : colonne non numérique, corrélation impossible.")
    known = [OVERALL, *scores.themes]
    raise VariableError(
        f"Variable « {name} » inconnue : ni score (thèmes : {', '.join(known)}), ni question, "
        "ni colonne du registre ou des attributs."
    )


def _question_values(question, scores: Scores, answers: pl.DataFrame) -> np.ndarray:
    """Numeric reading of a question's answers (see module docstring)."""
    column = answers.get_column(question.id)
    if question.type is QuestionType.MATURITY:
        return scores.item_scores[:, scores.items.index(question.id)]
    if question.type.is_numeric:
        return column.cast(pl.Float64, strict=False).fill_null(np.nan).to_numpy()
    text = column.cast(pl.Utf8)
    if question.type is QuestionType.MULTIPLE_CHOICE:
        codes = text.str.split(" ").list.eval(pl.element().filter(pl.element() != ""))
        count = codes.list.len().cast(pl.Float64)
        unknown = text.is_null() | (text.str.strip_chars() == NSP_CODE)
        return count.set(unknown, None).fill_null(np.nan).to_numpy()
    if question.type is QuestionType.YES_NO:
        return (
            text.replace_strict({"oui": 1.0, "non": 0.0}, default=None, return_dtype=pl.Float64)
            .fill_null(np.nan)
            .to_numpy()
        )
    raise VariableError(
        f"Question « {question.id} » ({question.type.value}) : pas de lecture numérique possible."
    )
