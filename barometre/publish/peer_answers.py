"""What each peer group answered, question by question: weighted shares, weighted quartiles.

Inputs are columns, not rows: the consolidated answers of the edition (one row per collectivité)
are turned once into long frames, then grouped at every level of `peer_groups.LEVELS`.
"""

from __future__ import annotations

import polars as pl

from barometre.publish.peer_groups import LEVELS
from barometre.questionnaire.model import Questionnaire, QuestionType


def closed_questions(questionnaire: Questionnaire) -> list:
    """The questions compared answer by answer (choices, yes/no, maturity levels)."""
    return [q for q in questionnaire.questions if q.type.is_choice]


def numeric_questions(questionnaire: Questionnaire) -> list:
    """The questions compared by their value (numbers, percentages)."""
    return [q for q in questionnaire.questions if q.type.is_numeric]


def own_answers(answers: pl.DataFrame, questionnaire: Questionnaire) -> pl.DataFrame:
    """One row per (`code`, `question`) answered: `own`, the answer (codes separated by spaces)."""
    ids = [q.id for q in closed_questions(questionnaire) if q.id in answers.columns]
    if not ids:
        return pl.DataFrame(schema={"code": pl.String, "question": pl.String, "own": pl.String})
    return (
        answers.select("code", *(pl.col(i).cast(pl.String) for i in ids))
        .unpivot(index="code", on=ids, variable_name="question", value_name="own")
        .with_columns(pl.col("own").str.strip_chars().str.replace_all(r"\s+", " "))
        .filter(pl.col("own").is_not_null() & (pl.col("own") != ""))
    )


def chosen_options(own: pl.DataFrame, questionnaire: Questionnaire) -> pl.DataFrame:
    """One row per (`code`, `question`, `option`) chosen, several for a multiple choice (from
    `own_answers`)."""
    long = own.rename({"own": "option"})
    multiple = [
        q.id for q in closed_questions(questionnaire) if q.type is QuestionType.MULTIPLE_CHOICE
    ]
    return (
        long.with_columns(
            pl.when(pl.col("question").is_in(multiple))
            .then(pl.col("option").str.split(" "))
            .otherwise(pl.concat_list(pl.col("option")))
        )
        .explode("option")
        .filter(pl.col("option") != "")
        .unique(maintain_order=True)
    )


def numeric_values(answers: pl.DataFrame, questionnaire: Questionnaire) -> pl.DataFrame:
    """One row per (`code`, `question`, `value`) of the numeric questions answered."""
    ids = [q.id for q in numeric_questions(questionnaire) if q.id in answers.columns]
    if not ids:
        return pl.DataFrame(schema={"code": pl.String, "question": pl.String, "value": pl.Float64})
    return (
        answers.select("code", *(pl.col(i).cast(pl.String) for i in ids))
        .unpivot(index="code", on=ids, variable_name="question", value_name="value")
        .with_columns(pl.col("value").str.strip_chars().cast(pl.Float64, strict=False))
        .filter(pl.col("value").is_not_null())
    )


def option_shares(chosen: pl.DataFrame, people: pl.DataFrame) -> pl.DataFrame:
    """Weighted share of each option among the group's respondents who answered the question.

    Returns `level`, `group`, `question`, `option`, `share` for every level (options nobody chose
    are absent: their share is 0).
    """
    keyed = chosen.join(
        people.select("code", "weight", *(f"group_{level}" for level in LEVELS)), on="code"
    )
    answered = keyed.unique(["code", "question"])
    parts = []
    for level in LEVELS:
        by = [f"group_{level}", "question"]
        base = answered.group_by(by).agg(pl.col("weight").sum().alias("base"))
        hits = keyed.group_by([*by, "option"]).agg(pl.col("weight").sum().alias("hits"))
        parts.append(
            hits.join(base, on=by).select(
                pl.lit(level).alias("level"),
                pl.col(f"group_{level}").alias("group"),
                "question",
                "option",
                (pl.col("hits") / pl.col("base")).alias("share"),
            )
        )
    return pl.concat(parts)


def weighted_quartiles(
    values: pl.DataFrame, people: pl.DataFrame, value: str = "value", unit: str = "question"
) -> pl.DataFrame:
    """Weighted 1st quartile, median, 3rd quartile and mean of `value` per level × group × unit.

    The quantile is the smallest value whose cumulative weight reaches q of the group's weight
    (the lower weighted quantile).
    """
    keyed = values.join(
        people.select("code", "weight", *(f"group_{level}" for level in LEVELS)), on="code"
    )
    parts = []
    for level in LEVELS:
        by = [f"group_{level}", unit]
        grouped = (
            keyed.sort(value)
            .with_columns(
                cw=pl.col("weight").cum_sum().over(by), tw=pl.col("weight").sum().over(by)
            )
            .group_by(by)
            .agg(
                mean=(pl.col(value) * pl.col("weight")).sum() / pl.col("weight").sum(),
                **{
                    name: pl.col(value).filter(pl.col("cw") >= q * pl.col("tw") - 1e-9).first()
                    for name, q in (("q1", 0.25), ("median", 0.5), ("q3", 0.75))
                },
            )
        )
        parts.append(
            grouped.select(
                pl.lit(level).alias("level"),
                pl.col(f"group_{level}").alias("group"),
                unit,
                "q1",
                "median",
                "q3",
                "mean",
            )
        )
    return pl.concat(parts)


def quarter_of(score: pl.Expr, q1: pl.Expr, median: pl.Expr, q3: pl.Expr) -> pl.Expr:
    """Quarter (1–4) of a value in its group; a value equal to a quartile goes to the quarter below.

    0 when the middle half of the group shares the value (q1 = q3 = value): no quarter is named.
    """
    return (
        pl.when(score.is_null() | q1.is_null())
        .then(None)
        .when((q1 == q3) & (score == q1))
        .then(0)
        .when(score <= q1)
        .then(1)
        .when(score <= median)
        .then(2)
        .when(score <= q3)
        .then(3)
        .otherwise(4)
        .cast(pl.Int8)
    )
