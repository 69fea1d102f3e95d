"""Skip logic: which questions are asked (relevance) and which answers break their constraint.

XLSForm semantics: a question whose theme or own `relevant` is false is not asked and its answer is
treated as empty, so questions that depend on it are not asked either. The same rules run on one answer
dict (web form) and vectorised on a wide answers frame (whole sample).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import polars as pl

from barometre.questionnaire.expressions import (
    Scope,
    evaluate_condition,
    to_polars_condition,
)
from barometre.questionnaire.model import NSP_CODE, Questionnaire

RELEVANT_PREFIX = "__relevant__"


def scope_for(questionnaire: Questionnaire, current: str | None = None) -> Scope:
    """The expression scope of a questionnaire (question types, optional current question)."""
    return Scope({question.id: question.type for question in questionnaire.questions}, current)


def relevance(questionnaire: Questionnaire, answers: Mapping[str, Any]) -> dict[str, bool]:
    """For one respondent, whether each question is asked, in questionnaire order."""
    return _cascade(questionnaire, answers)[0]


def effective_answers(questionnaire: Questionnaire, answers: Mapping[str, Any]) -> dict[str, Any]:
    """The answers with those of questions not asked replaced by None."""
    return _cascade(questionnaire, answers)[1]


def _cascade(
    questionnaire: Questionnaire, answers: Mapping[str, Any]
) -> tuple[dict[str, bool], dict[str, Any]]:
    """Relevance and effective answers, computed question after question."""
    scope = scope_for(questionnaire)
    asked: dict[str, bool] = {}
    effective: dict[str, Any] = {}
    for theme in questionnaire.themes:
        theme_asked = theme.relevant is None or evaluate_condition(theme.relevant, effective, scope)
        for question in theme.questions:
            is_asked = theme_asked and (
                question.relevant is None or evaluate_condition(question.relevant, effective, scope)
            )
            asked[question.id] = is_asked
            effective[question.id] = answers.get(question.id) if is_asked else None
    return asked, effective


def constraint_violations(questionnaire: Questionnaire, answers: Mapping[str, Any]) -> list[str]:
    """Ids of asked, answered (not `nsp`) questions whose constraint is false."""
    asked, effective = _cascade(questionnaire, answers)
    violated = []
    for question in questionnaire.questions:
        value = effective.get(question.id)
        if question.constraint is None or not asked[question.id] or _is_empty(value):
            continue
        scope = scope_for(questionnaire, question.id)
        if not evaluate_condition(question.constraint, effective, scope, current=value):
            violated.append(question.id)
    return violated


def _is_empty(value: Any) -> bool:
    """No answer, or the explicit "ne sait pas"."""
    return value is None or (isinstance(value, str) and value.strip() in {"", NSP_CODE})


def _with_all_columns(
    frame: pl.DataFrame | pl.LazyFrame, questionnaire: Questionnaire
) -> pl.LazyFrame:
    """The frame as lazy, with a null column for every question it lacks."""
    lazy = frame.lazy()
    present = set(lazy.collect_schema().names())
    missing = [q.id for q in questionnaire.questions if q.id not in present]
    return lazy.with_columns(pl.lit(None, dtype=pl.Utf8).alias(name) for name in missing)


def _masked(lazy: pl.LazyFrame, questionnaire: Questionnaire) -> pl.LazyFrame:
    """Add a `__relevant__<id>` column per question and blank the answers of questions not asked."""
    scope = scope_for(questionnaire)
    for theme in questionnaire.themes:
        theme_condition = (
            pl.lit(True) if theme.relevant is None else to_polars_condition(theme.relevant, scope)
        )
        theme_column = f"{RELEVANT_PREFIX}theme__{theme.id}"
        lazy = lazy.with_columns(theme_condition.alias(theme_column))
        for question in theme.questions:
            condition = pl.col(theme_column)
            if question.relevant is not None:
                condition = condition & to_polars_condition(question.relevant, scope)
            column = f"{RELEVANT_PREFIX}{question.id}"
            lazy = lazy.with_columns(condition.alias(column)).with_columns(
                pl.when(pl.col(column)).then(pl.col(question.id)).otherwise(None).alias(question.id)
            )
        lazy = lazy.drop(theme_column)
    return lazy


def relevance_frame(
    questionnaire: Questionnaire, frame: pl.DataFrame | pl.LazyFrame
) -> pl.DataFrame:
    """For every respondent (row), whether each question is asked: one boolean column per question."""
    lazy = _masked(_with_all_columns(frame, questionnaire), questionnaire)
    return lazy.select(
        pl.col(f"{RELEVANT_PREFIX}{q.id}").alias(q.id) for q in questionnaire.questions
    ).collect()


def apply_relevance(
    questionnaire: Questionnaire, frame: pl.DataFrame | pl.LazyFrame
) -> pl.DataFrame:
    """The answers frame with the answers of questions not asked set to null."""
    lazy = _with_all_columns(frame, questionnaire)
    names = lazy.collect_schema().names()
    return _masked(lazy, questionnaire).select(names).collect()


def constraint_frame(
    questionnaire: Questionnaire, frame: pl.DataFrame | pl.LazyFrame
) -> pl.DataFrame:
    """For every respondent, whether each constrained question breaks its constraint (asked, answered)."""
    lazy = _masked(_with_all_columns(frame, questionnaire), questionnaire)
    checks = []
    for question in questionnaire.questions:
        if question.constraint is None:
            continue
        scope = scope_for(questionnaire, question.id)
        value = pl.col(question.id).cast(pl.Utf8).str.strip_chars()
        answered = value.is_not_null() & ~value.is_in(["", NSP_CODE])
        holds = to_polars_condition(question.constraint, scope)
        checks.append((answered.fill_null(False) & ~holds).alias(question.id))
    return lazy.select(checks).collect() if checks else pl.DataFrame()
