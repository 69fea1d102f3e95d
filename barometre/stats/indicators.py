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


def _suspects(
    frame: pl.DataFrame, questions: list[Question], distinct: dict[str, list]
) -> list[Question]:
    """Questions holding a value that may be invalid, judged on each column's distinct values
    (answers repeat: a few codes in tens of thousands of rows)."""
    closed = [q for q in questions if q.type.is_choice]
    numbers = [q for q in questions if q.type.is_numeric]
    out = []
    if closed:
        for q in closed:
            values = [v.strip() or None for v in distinct.get(q.id, []) if v is not None]
            allowed = {o.code for o in q.options} | {NSP_CODE}
            if q.type is QuestionType.MULTIPLE_CHOICE:
                odd = any(v is not None and not set(v.split(" ")) <= allowed | {""} for v in values)
            else:
                odd = any(v is not None and v not in allowed for v in values)
            if odd:
                out.append(q)
    if numbers:
        ids = [q.id for q in numbers]
        text = pl.col(ids)
        odd = text.is_not_null() & (text != NSP_CODE)
        odd = odd & text.str.replace(",", ".").cast(pl.Float64, strict=False).is_null()
        hits = frame.select(odd.any()).row(0)
        out.extend(q for q, hit in zip(numbers, hits, strict=True) if hit)
    return out


def _check(
    frame: pl.DataFrame, questions: list[Question], lines: np.ndarray, distinct: dict[str, list]
) -> None:
    """French error naming line and field for the first invalid answer (asked and answered)."""
    suspects = _suspects(frame, questions, distinct)
    exprs = [e.fill_null(False).alias(q.id) for q in suspects if (e := _invalid(q)) is not None]
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


def _single_codes(frame: pl.DataFrame, single: list[Question]) -> pl.DataFrame:
    """Int16 codes of one-answer questions: option index, len(options) for `nsp`, null for an
    empty cell or a value that is not a code.

    Questions sharing a list of codes are cast together to an Enum of those codes (+ `nsp`),
    whose physical value is the option index: one Polars expression per list of codes.
    """
    groups: dict[tuple[str, ...], list[str]] = {}
    for q in single:
        groups.setdefault(tuple(o.code for o in q.options), []).append(q.id)
    return frame.select(
        pl.col(ids)
        .cast(pl.Enum([*codes, NSP_CODE] if NSP_CODE not in codes else list(codes)), strict=False)
        .to_physical()
        .cast(pl.Int16)
        .clip(upper_bound=len(codes))
        for codes, ids in groups.items()
    )


@dataclass
class _Builder:
    """Columns of the indicator matrices in questionnaire order, with their denominator masks."""

    n: int
    masks: list[np.ndarray] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)
    binary_meta: list[dict] = field(default_factory=list)
    binary_den: list[int] = field(default_factory=list)
    numeric_meta: list[dict] = field(default_factory=list)
    numeric_den: list[int] = field(default_factory=list)

    def denominator(self, mask: np.ndarray, rule: str) -> int:
        """Register a denominator mask; its index."""
        self.masks.append(mask)
        self.rules.append(rule)
        return len(self.masks) - 1

    def share_columns(self, q: Question, kind: str, den: int, with_no_answer: bool) -> None:
        """Meta of the option columns (then « sans réponse ») of a closed question."""
        self.binary_meta.extend(
            {"indicator": q.id, "kind": kind, "option": o.code, "option_label": o.label}
            for o in q.options
        )
        if with_no_answer:
            self.binary_meta.append(
                {
                    "indicator": q.id,
                    "kind": kind,
                    "option": NO_ANSWER,
                    "option_label": NO_ANSWER_LABEL,
                }
            )
        self.binary_den.extend([den] * (len(q.options) + with_no_answer))


def _expand(
    blocks: list[tuple[str, int, int, int]], codes: np.ndarray, mc: np.ndarray, n: int, width: int
) -> np.ndarray:
    """The (n, K) row-major 0/1 matrix: one scatter for all one-answer columns (a code c of the
    question whose columns start at f sets column f + c, when 0 ≤ c < its width), then the
    multiple-choice columns."""
    binary = np.zeros((n, width), dtype=bool)
    single = [(col, first, w) for source, col, first, w in blocks if source == "single"]
    if single and n:
        index = np.int32 if n * width < 2**31 else np.int64
        src, first, w = (np.array(v, dtype=index) for v in zip(*single, strict=True))
        code = np.ascontiguousarray(codes[:, src]).astype(index)
        inside = (code >= 0) & (code < w)
        code += np.arange(n, dtype=index)[:, None] * index(width) + first
        binary.ravel()[code[inside]] = True
    for source, col, first, w in blocks:
        if source == "mc":
            binary[:, first : first + w] = mc[:, col : col + w]
    return binary


def _dedupe(masks: list[np.ndarray], rules: list[str], n: int):
    """Identical denominators (same skip logic) kept once: masks (n, M), rules, index per input."""
    if not masks:
        return np.ones((n, 1), dtype=bool), [RULE_ASKED], np.zeros(0, np.int64)
    seen: dict[bytes, int] = {}
    index = np.empty(len(masks), dtype=np.int64)
    kept = []
    for i, mask in enumerate(masks):
        key = np.packbits(mask).tobytes()
        if key not in seen:
            seen[key] = len(kept)
            kept.append(i)
        index[i] = seen[key]
    return np.column_stack([masks[i] for i in kept]), [rules[i] for i in kept], index


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
    One-answer questions become one integer code column each (a single Polars pass), expanded to
    their 0/1 columns in NumPy; the 0/1 matrix is row-major, as the domain sums read it.
    """
    n = answers.height
    lines = np.arange(n) + 2 if lines is None else np.asarray(lines)
    questions = [q for q in questionnaire.questions if q.type is not QuestionType.TEXT]
    present = [q.id for q in questionnaire.questions if q.id in answers.columns]
    single = [
        q for q in questions if q.type.is_choice and q.type is not QuestionType.MULTIPLE_CHOICE
    ]
    raw = answers.select(pl.col(present).cast(pl.String))
    # one-answer questions: their codes in one pass; a column whose cells are not all exact codes
    # (or empty) is "dirty" and goes through the careful path below with the other columns
    single_codes = _single_codes(raw, [q for q in single if q.id in present])
    dirty = [c for c in single_codes.columns if single_codes[c].null_count() != raw[c].null_count()]
    clean = set(single_codes.columns) - set(dirty)
    careful = [c for c in present if c not in clean]
    # answers repeat: look at each column's distinct values once, strip and blank only where needed
    distinct = (
        dict(zip(careful, raw.select(pl.col(careful).unique().implode()).row(0), strict=True))
        if careful
        else {}
    )
    padded = [c for c in careful if any(v is not None and v != v.strip() for v in distinct[c])]
    blank = [c for c in careful if any(v is not None and not v.strip() for v in distinct[c])]
    stripped = raw.with_columns(pl.col(padded).str.strip_chars()) if padded else raw
    text = stripped.select(
        pl.col(present).exclude(blank),
        pl.col(blank).replace("", None),
        *(
            pl.lit(None, pl.String).alias(q.id)
            for q in questionnaire.questions
            if q.id not in answers.columns
        ),
    ).select(q.id for q in questionnaire.questions)
    if dirty:
        single_codes = single_codes.with_columns(
            _single_codes(text, [q for q in single if q.id in dirty])
        )
    relevant = relevance_frame(questionnaire, text)
    asked = relevant.select(pl.col(q.id).fill_null(False).alias(ASKED + q.id) for q in questions)
    if "status" in answers.columns:
        stripped = stripped.with_columns(answers["status"].cast(pl.String))
    flags = nothing_ticked(stripped, questionnaire, relevant)
    multiple = [q for q in questions if q.type is QuestionType.MULTIPLE_CHOICE]
    nothing = pl.DataFrame(
        [
            flags[q.id].alias(NOTHING + q.id)
            if q.id in flags.columns
            else pl.Series(NOTHING + q.id, np.zeros(n, bool))
            for q in multiple
        ]
    )
    frame = pl.concat([text, asked, nothing] if multiple else [text, asked], how="horizontal")
    _check(frame, questions, lines, distinct)

    numbers = [q for q in questions if q.type.is_numeric]
    asked_np = asked.to_numpy()
    asked_of = {q.id: j for j, q in enumerate(questions)}
    codes = (
        single_codes.select(
            pl.col(q.id).fill_null(len(q.options))
            if q.id in single_codes.columns
            else pl.lit(len(q.options), pl.Int16).alias(q.id)
            for q in single
        ).to_numpy(writable=True)
        if single
        else np.zeros((n, 0), np.int16)
    )
    for j, q in enumerate(single):
        codes[~asked_np[:, asked_of[q.id]], j] = -1
    mc_exprs: list[pl.Expr] = []
    for q in multiple:
        a, selected = _asked(q), _value(q).str.split(" ")
        mc_exprs.extend(
            (selected.list.contains(o.code).fill_null(False) & a).alias(f"__mc{q.id}__{o.code}")
            for o in q.options
        )
        mc_exprs.append((_no_answer(q) & a).alias(f"__mc{q.id}__{NO_ANSWER}"))
    mc = frame.select(mc_exprs).to_numpy() if mc_exprs else np.zeros((n, 0), bool)
    number_values = (
        frame.select(
            pl.col([q.id for q in numbers]).str.replace(",", ".").cast(pl.Float64, strict=False)
        ).to_numpy(writable=True)
        if numbers
        else np.zeros((n, 0))
    )
    for j, q in enumerate(numbers):  # `nsp` and non-numbers are already NaN
        number_values[~asked_np[:, asked_of[q.id]], j] = np.nan

    build = _Builder(n)
    blocks: list[tuple[str, int, int, int]] = []  # (source, source column, first column, width)
    numeric_cols: list[np.ndarray] = []
    single_at = {q.id: j for j, q in enumerate(single)}
    mc_at = 0
    number_at = {q.id: j for j, q in enumerate(numbers)}
    width = 0
    for q in questions:
        a = asked_np[:, asked_of[q.id]]
        if q.type is QuestionType.MULTIPLE_CHOICE:
            k = len(q.options)
            answered = a & ~mc[:, mc_at + k]
            den = (
                build.denominator(answered, RULE_ANSWERED)
                if exclude_nsp
                else build.denominator(a, RULE_ASKED)
            )
            build.share_columns(q, "option", den, not exclude_nsp)
            blocks.append(("mc", mc_at, width, k + (not exclude_nsp)))
            width += k + (not exclude_nsp)
            mc_at += k + 1
        elif q.type.is_choice:
            code = codes[:, single_at[q.id]]
            k = len(q.options)
            answered = (code >= 0) & (code < k)
            den = (
                build.denominator(answered, RULE_ANSWERED)
                if exclude_nsp
                else build.denominator(a, RULE_ASKED)
            )
            build.share_columns(q, "share", den, not exclude_nsp)
            blocks.append(("single", single_at[q.id], width, k + (not exclude_nsp)))
            width += k + (not exclude_nsp)
            if q.type is QuestionType.MATURITY:
                numeric_cols.append(np.where(answered, code, 0).astype(float))
                build.numeric_meta.append(
                    {
                        "indicator": q.id,
                        "kind": "mean_level",
                        "option": "",
                        "option_label": "Niveau moyen (rang, 0 = le plus bas)",
                    }
                )
                build.numeric_den.append(build.denominator(answered, RULE_ANSWERED))
        elif q.type.is_numeric:
            value = number_values[:, number_at[q.id]]
            ok = ~np.isnan(value)
            numeric_cols.append(np.where(ok, value, 0.0))
            build.numeric_meta.append(
                {"indicator": q.id, "kind": "mean", "option": "", "option_label": q.unit or ""}
            )
            build.numeric_den.append(build.denominator(ok, RULE_NUMBER))

    binary = _expand(blocks, codes, mc, n, width)
    masks, rules, index = _dedupe(build.masks, build.rules, n)
    return IndicatorSet(
        binary=binary,
        binary_mask=index[np.array(build.binary_den, dtype=np.int64)]
        if build.binary_den
        else np.zeros(0, np.int64),
        binary_meta=build.binary_meta,
        numeric=np.column_stack(numeric_cols) if numeric_cols else np.zeros((n, 0)),
        numeric_mask=index[np.array(build.numeric_den, dtype=np.int64)]
        if build.numeric_den
        else np.zeros(0, np.int64),
        numeric_meta=build.numeric_meta,
        masks=masks,
        mask_rules=rules if build.masks else [RULE_ASKED],
    )
