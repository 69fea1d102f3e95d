"""Wide answers → analysis columns: one 0/1 indicator per option of each closed question, and the
reading rule of multiple choice (« ticked nothing » versus « no answer »).

Multiple choice, in memory (after reading a file, an import or the web export): a cell holds
space-separated option codes, `nsp` (« ne sait pas »), null (no answer: not reached, not collected)
or `NOTHING_TICKED` (the empty string: the respondent was asked the question and ticked no option).
Files cannot carry that difference in an empty cell, so it is derived by `nothing_ticked` from the
status of the submission and the answers around the question; see docs/contracts.md.
"""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

from barometre.edition.consolidation import STATUS_COMPLETE
from barometre.edition.figures import Figure
from barometre.questionnaire.model import Question, Questionnaire, QuestionType
from barometre.questionnaire.skip_logic import relevance_frame

SEPARATOR = "__"
NOTHING_TICKED = ""
TICKED = ("1", "1.0", "y", "yes", "o", "oui", "true", "vrai", "x")
UNTICKED = ("0", "0.0", "n", "no", "non", "false", "faux")


def _blank(name: str) -> pl.Expr:
    """True where the cell is empty (null or blank text)."""
    text = pl.col(name).cast(pl.String).str.strip_chars()
    return text.is_null() | (text == "")


def merge_option_columns(frame: pl.DataFrame, questionnaire: Questionnaire) -> pl.DataFrame:
    """One 0/1 column per option (LimeSurvey `q[opt]`, KoboToolbox `q/opt`, `q_opt`; `nsp` too when
    offered) → the XLSForm column `q`.

    Per respondent: ticked codes (`1`, `Y`, `oui`, `vrai`, `x`…) joined by spaces; when no cell is
    ticked but at least one says « not ticked » (`0`, `N`, `non`…), `NOTHING_TICKED`; when every cell
    is empty, null (the file says nothing: `nothing_ticked` decides from the status).
    A question that already has its own column keeps it.
    """
    extra: list[pl.Expr] = []
    drop: list[str] = []
    for q in questionnaire.questions:
        if q.type is not QuestionType.MULTIPLE_CHOICE or q.id in frame.columns:
            continue
        ticked, unticked = [], []
        for code in q.codes:
            for name in (f"{q.id}[{code}]", f"{q.id}/{code}", f"{q.id}_{code}"):
                if name in frame.columns:
                    flag = pl.col(name).cast(pl.String).str.strip_chars().str.to_lowercase()
                    ticked.append(pl.when(flag.is_in(TICKED)).then(pl.lit(code)))
                    unticked.append(flag.is_in(UNTICKED).fill_null(False))
                    drop.append(name)
                    break
        if ticked:
            codes = pl.concat_str(ticked, separator=" ", ignore_nulls=True)
            extra.append(
                pl.when(codes != "")
                .then(codes)
                .when(pl.any_horizontal(unticked))
                .then(pl.lit(NOTHING_TICKED))
                .otherwise(None)
                .alias(q.id)
            )
    if not extra:
        return frame
    return frame.with_columns(extra).drop(drop)


def _theme_groups(questionnaire: Questionnaire) -> list[list[int]]:
    """Indices of the themes of each wave (one group for the whole questionnaire without waves)."""
    groups: dict[str | None, list[int]] = {}
    for i, theme in enumerate(questionnaire.themes):
        groups.setdefault(theme.wave if questionnaire.waves else None, []).append(i)
    return list(groups.values())


def nothing_ticked(
    frame: pl.DataFrame, questionnaire: Questionnaire, asked: pl.DataFrame | None = None
) -> pl.DataFrame:
    """Whether each multiple choice was answered with no option ticked (one bool column per question).

    An empty cell of a multiple-choice question means « ticked nothing » when all of these hold,
    otherwise it is no answer (« sans réponse »):

    - the question is asked (its `relevant` and its theme's hold);
    - the respondent reached it: the submission is `complete` (no `status` column: complete) and
      answered at least one question of the question's wave (the whole questionnaire without waves),
      or the submission is partial but answered a question of the same theme or of a later theme
      of the same wave (the respondent went past it);
    - the column was collected: at least one row of the frame has a value in it (a column that is
      empty everywhere is a question the source did not carry, never « nobody ticked anything »).

    A cell already holding `NOTHING_TICKED` (explicit « not ticked » per-option cells) counts as
    ticked nothing wherever the question is asked. `asked` (from `relevance_frame`) saves
    recomputing the skip logic.
    """
    multiple = [
        q
        for q in questionnaire.questions
        if q.type is QuestionType.MULTIPLE_CHOICE and q.id in frame.columns
    ]
    if not multiple:
        return pl.DataFrame()
    if asked is None:
        answers = frame.select(
            pl.when(_blank(q.id)).then(None).otherwise(pl.col(q.id).cast(pl.String)).alias(q.id)
            for q in questionnaire.questions
            if q.id in frame.columns
        )
        asked = relevance_frame(questionnaire, answers)
    themes = questionnaire.themes
    any_answer = [
        pl.any_horizontal(
            [~_blank(q.id) for q in t.questions if q.id in frame.columns] or [pl.lit(False)]
        )
        for t in themes
    ]
    theme_index = {q.id: i for i, t in enumerate(themes) for q in t.questions}
    group_of = {i: g for g in _theme_groups(questionnaire) for i in g}
    complete = (
        (pl.col("status").cast(pl.String).str.strip_chars() == STATUS_COMPLETE).fill_null(False)
        if "status" in frame.columns
        else pl.lit(True)
    )
    exprs = []
    for q in multiple:
        i = theme_index[q.id]
        group = group_of[i]
        later = pl.any_horizontal([any_answer[j] for j in group if j >= i])
        reached = later | (complete & pl.any_horizontal([any_answer[j] for j in group]))
        value = pl.col(q.id).cast(pl.String)
        marked = (value == NOTHING_TICKED).fill_null(False)
        collected = (~_blank(q.id) | marked).any()
        empty = value.is_null() | (value.str.strip_chars() == "")
        exprs.append((marked | (empty & reached & collected)).fill_null(False).alias(q.id))
    flags = frame.select(exprs)
    return flags.select(pl.col(c) & asked[c].fill_null(False) for c in flags.columns)


def mark_nothing_ticked(frame: pl.DataFrame, questionnaire: Questionnaire) -> pl.DataFrame:
    """The frame with `NOTHING_TICKED` in the multiple-choice cells `nothing_ticked` finds, null in the
    other empty ones: the in-memory reading every analysis uses. Idempotent."""
    flags = nothing_ticked(frame, questionnaire)
    if not flags.width:
        return frame
    return frame.with_columns(
        pl.when(flags[c])
        .then(pl.lit(NOTHING_TICKED))
        .when(_blank(c))
        .then(None)
        .otherwise(pl.col(c).cast(pl.String).str.strip_chars())
        .alias(c)
        for c in flags.columns
    )


def indicator_name(question_id: str, code: str) -> str:
    """Name of the indicator column of one option: `<question>__<code>`."""
    return f"{question_id}{SEPARATOR}{code}"


def option_selected(question: Question, code: str) -> pl.Expr:
    """1.0 when the respondent chose `code`, 0.0 when they answered otherwise, null when unanswered.

    For a multiple choice, `NOTHING_TICKED` is an answer (0.0 for every option): the frame should
    come from `mark_nothing_ticked` (as `read_edition` responses do).
    """
    answer = pl.col(question.id).cast(pl.String).str.strip_chars()
    if question.type is QuestionType.MULTIPLE_CHOICE:
        chosen = answer.str.split(" ").list.contains(code)
        answered = answer.is_not_null()
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
