"""Indicator matrices from a questionnaire and wide answers: one 0/1 column per category or option,
denominator masks from skip logic, numeric columns for numbers and maturity levels.

Everything is built with one Polars `select` per matrix (expressions per question and option), so
the work is vectorised over respondents.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import polars as pl

from barometre.edition.answer_columns import merge_option_columns, nothing_ticked
from barometre.questionnaire.model import NSP_CODE, Question, Questionnaire, QuestionType
from barometre.questionnaire.skip_logic import relevance_frame
from barometre.stats.errors import StatsError

NO_ANSWER = "sans_reponse"
NO_ANSWER_LABEL = "Sans réponse / ne sait pas"
RULE_ASKED = "toutes les collectivités interrogées (sans réponse inclus)"
RULE_ANSWERED = "répondants hors « sans réponse »"
RULE_NUMBER = "répondants ayant donné un nombre"
ASKED = "__asked__"
NOTHING = "__nothing__"
__all__ = ["build_indicators", "merge_option_columns"]


@dataclass
class IndicatorSet:
    """Binary indicators (share of a category/option) and numeric ones (mean, median, mean level)."""

    binary: np.ndarray  # (n, K) bool
    binary_mask: np.ndarray  # (K,) index of each column's denominator mask
    binary_meta: list[dict] = field(default_factory=list)
    numeric: np.ndarray | None = None  # (n, L)
    numeric_mask: np.ndarray | None = None
    numeric_meta: list[dict] = field(default_factory=list)
    masks: np.ndarray | None = None  # (n, M) bool
    mask_rules: list[str] = field(default_factory=list)


def _value(q: Question) -> pl.Expr:
    """The answer text of a question."""
    return pl.col(q.id)


def _asked(q: Question) -> pl.Expr:
    """Whether the question was asked (skip logic)."""
    return pl.col(ASKED + q.id)


def _no_answer(q: Question) -> pl.Expr:
    """Empty answer or the explicit "ne sait pas" (a multiple choice with nothing ticked is an answer)."""
    empty = _value(q).is_null() | (_value(q) == NSP_CODE)
    if q.type is QuestionType.MULTIPLE_CHOICE:
        return empty & ~pl.col(NOTHING + q.id)
    return empty


def _number(q: Question) -> pl.Expr:
    """Numeric answer (decimal comma accepted), null if not a number."""
    return _value(q).str.replace(",", ".").cast(pl.Float64, strict=False)


def _invalid(q: Question) -> pl.Expr | None:
    """Rows whose answer is not acceptable for the question type (asked and answered)."""
    answered = _asked(q) & ~_no_answer(q)
    if q.type.is_numeric:
        return answered & _number(q).is_null()
    codes = [o.code for o in q.options]
    if q.type is QuestionType.MULTIPLE_CHOICE:
        tokens = _value(q).str.split(" ").list.eval(pl.element().is_in([*codes, ""]))
        return answered & ~tokens.list.all()
    if q.type.is_choice:
        return answered & ~_value(q).is_in(codes)
    return None


def _check(frame: pl.DataFrame, questions: list[Question], lines: np.ndarray) -> None:
    """French error naming line and field for the first invalid answer."""
    exprs = [e.fill_null(False).alias(q.id) for q in questions if (e := _invalid(q)) is not None]
    if not exprs:
        return
    bad = frame.select(exprs)
    hits = bad.select(pl.all().any()).row(0)
    for q_id, hit in zip(bad.columns, hits, strict=True):
        if hit:
            row = int(bad[q_id].arg_max())
            q = next(q for q in questions if q.id == q_id)
            value = frame[q_id][row]
            if q.type.is_numeric:
                raise StatsError(
                    f"Ligne {lines[row]}, champ « {q_id} » : « {value} » n'est pas un nombre."
                )
            known = sorted({o.code for o in q.options} | {NSP_CODE})
            raise StatsError(
                f"Ligne {lines[row]}, champ « {q_id} » : code « {value} » inconnu "
                f"(codes admis : {', '.join(known)})."
            )


def build_indicators(
    answers: pl.DataFrame,
    questionnaire: Questionnaire,
    exclude_nsp: bool = False,
    lines: np.ndarray | None = None,
) -> IndicatorSet:
    """All indicators of a questionnaire over one row per respondent (question ids as columns).

    `lines` are the file line numbers of the rows, for error messages (default: row + 2).
    A multiple choice answered with no option ticked (`barometre.edition.answer_columns.
    nothing_ticked`, read from `status` when present) is in the denominator with every option at 0.
    """
    n = answers.height
    lines = np.arange(n) + 2 if lines is None else np.asarray(lines)
    questions = [q for q in questionnaire.questions if q.type is not QuestionType.TEXT]
    stripped = answers.select(
        pl.col(q.id).cast(pl.String).str.strip_chars().alias(q.id)
        for q in questionnaire.questions
        if q.id in answers.columns
    )
    text = stripped.select(
        (pl.col(q.id) if q.id in answers.columns else pl.lit(None, pl.String))
        .replace("", None)
        .alias(q.id)
        for q in questionnaire.questions
    )
    relevant = relevance_frame(questionnaire, text)
    asked = relevant.select(pl.col(q.id).fill_null(False).alias(ASKED + q.id) for q in questions)
    if "status" in answers.columns:
        stripped = stripped.with_columns(answers["status"].cast(pl.String))
    flags = nothing_ticked(stripped, questionnaire, relevant)
    multiple = [q.id for q in questions if q.type is QuestionType.MULTIPLE_CHOICE]
    nothing = pl.DataFrame(
        [
            flags[q_id].alias(NOTHING + q_id)
            if q_id in flags.columns
            else pl.Series(NOTHING + q_id, np.zeros(n, bool))
            for q_id in multiple
        ]
    )
    frame = pl.concat([text, asked, nothing] if multiple else [text, asked], how="horizontal")
    _check(frame, questions, lines)

    bin_exprs: list[pl.Expr] = []
    bin_meta: list[dict] = []
    bin_den: list[int] = []
    num_exprs: list[pl.Expr] = []
    num_meta: list[dict] = []
    num_den: list[int] = []
    den_exprs: list[pl.Expr] = []
    den_rules: list[str] = []

    def denominator(expr: pl.Expr, rule: str) -> int:
        den_exprs.append(expr.alias(f"__den{len(den_exprs)}"))
        den_rules.append(rule)
        return len(den_exprs) - 1

    for q in questions:
        a, v = _asked(q), _value(q)
        answered = a & ~_no_answer(q)
        if q.type.is_choice:
            den = (
                denominator(answered, RULE_ANSWERED) if exclude_nsp else denominator(a, RULE_ASKED)
            )
            multiple = q.type is QuestionType.MULTIPLE_CHOICE
            kind = "option" if multiple else "share"
            selected = v.str.split(" ") if multiple else None
            for o in q.options:
                hit = selected.list.contains(o.code) if multiple else v == o.code
                bin_exprs.append((hit.fill_null(False) & a).alias(f"__b{len(bin_exprs)}"))
                bin_meta.append(
                    {"indicator": q.id, "kind": kind, "option": o.code, "option_label": o.label}
                )
                bin_den.append(den)
            if not exclude_nsp:
                bin_exprs.append((_no_answer(q) & a).alias(f"__b{len(bin_exprs)}"))
                bin_meta.append(
                    {
                        "indicator": q.id,
                        "kind": kind,
                        "option": NO_ANSWER,
                        "option_label": NO_ANSWER_LABEL,
                    }
                )
                bin_den.append(den)
            if q.type is QuestionType.MATURITY:
                rank = {o.code: float(i) for i, o in enumerate(q.options)}
                level = v.replace_strict(rank, default=None, return_dtype=pl.Float64)
                num_exprs.append(
                    pl.when(answered).then(level).otherwise(0.0).alias(f"__n{len(num_exprs)}")
                )
                num_meta.append(
                    {
                        "indicator": q.id,
                        "kind": "mean_level",
                        "option": "",
                        "option_label": "Niveau moyen (rang, 0 = le plus bas)",
                    }
                )
                num_den.append(denominator(answered, RULE_ANSWERED))
        elif q.type.is_numeric:
            ok = answered & _number(q).is_not_null()
            num_exprs.append(
                pl.when(ok).then(_number(q)).otherwise(0.0).alias(f"__n{len(num_exprs)}")
            )
            num_meta.append(
                {"indicator": q.id, "kind": "mean", "option": "", "option_label": q.unit or ""}
            )
            num_den.append(denominator(ok, RULE_NUMBER))

    binary = frame.select(bin_exprs).to_numpy() if bin_exprs else np.zeros((n, 0), dtype=bool)
    numeric = frame.select(num_exprs).to_numpy() if num_exprs else np.zeros((n, 0))
    all_masks = frame.select(den_exprs).to_numpy() if den_exprs else np.ones((n, 1), dtype=bool)
    # identical denominators (same skip logic) are summed once
    _, first, inverse = np.unique(
        np.packbits(all_masks, axis=0).T, axis=0, return_index=True, return_inverse=True
    )
    order = np.argsort(first)
    remap = np.empty_like(order)
    remap[order] = np.arange(len(order))
    inverse = remap[inverse.ravel()]
    rules = den_rules or [RULE_ASKED]
    return IndicatorSet(
        binary=binary.astype(bool, copy=False),
        binary_mask=inverse[np.array(bin_den, dtype=np.int64)]
        if bin_den
        else np.zeros(0, np.int64),
        binary_meta=bin_meta,
        numeric=numeric.astype(float, copy=False),
        numeric_mask=inverse[np.array(num_den, dtype=np.int64)]
        if num_den
        else np.zeros(0, np.int64),
        numeric_meta=num_meta,
        masks=all_masks[:, first[order]],
        mask_rules=[rules[i] for i in first[order]],
    )
