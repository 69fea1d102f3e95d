"""Wide answers → analysis columns: one 0/1 indicator per option of each closed question."""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

from barometre.edition.figures import Figure
from barometre.questionnaire.model import Question, Questionnaire, QuestionType

SEPARATOR = "__"


def indicator_name(question_id: str, code: str) -> str:
    """Name of the indicator column of one option: `<question>__<code>`."""
    return f"{question_id}{SEPARATOR}{code}"


def option_selected(question: Question, code: str) -> pl.Expr:
    """1.0 when the respondent chose `code`, 0.0 when they answered otherwise, null when unanswered."""
    answer = pl.col(question.id).cast(pl.String).str.strip_chars()
    if question.type is QuestionType.MULTIPLE_CHOICE:
        chosen = answer.str.split(" ").list.contains(code)
    else:
        chosen = answer == code
    answered = answer.is_not_null() & (answer != "")
    return pl.when(answered).then(chosen.cast(pl.Float64)).otherwise(None)


def option_indicators(
    responses: pl.DataFrame,
    questionnaire: Questionnaire,
    question_ids: Iterable[str] | None = None,
) -> pl.DataFrame:
    """`code` plus one 0/1 column per option (`nsp` included when offered) of each closed question.

    The column mean (nulls skipped) is the share among respondents asked who answered, `nsp`
    included: the definition of the published figures.
    """
    wanted = None if question_ids is None else set(question_ids)
    expressions = [
        option_selected(question, code).alias(indicator_name(question.id, code))
        for question in questionnaire.questions
        if question.type.is_choice
        and question.id in responses.columns
        and (wanted is None or question.id in wanted)
        for code in question.codes
    ]
    return responses.select(pl.col("code"), *expressions)


def figure_shares(
    responses: pl.DataFrame, questionnaire: Questionnaire, figures: Iterable[Figure]
) -> pl.DataFrame:
    """Raw (unweighted) share and base of each figure on one response per collectivité."""
    figures = [f for f in figures if f.question in responses.columns]
    hits = responses.select(
        pl.max_horizontal(
            option_selected(questionnaire.question(f.question), code) for code in f.options
        ).alias(f.id)
        for f in figures
    )
    return pl.DataFrame(
        {
            "id": [f.id for f in figures],
            "label": [f.label for f in figures],
            "question": [f.question for f in figures],
            "seed_value": [f.seed_value for f in figures],
            "share": [hits.get_column(f.id).mean() for f in figures],
            "n": [hits.get_column(f.id).count() for f in figures],
        },
        schema={
            "id": pl.String,
            "label": pl.String,
            "question": pl.String,
            "seed_value": pl.Float64,
            "share": pl.Float64,
            "n": pl.Int64,
        },
    )
