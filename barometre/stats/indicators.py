"""Indicator matrices from a questionnaire and wide answers: one 0/1 column per category or option,
denominator masks from skip logic, numeric columns for numbers and maturity levels."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import polars as pl

from barometre.questionnaire.model import NSP_CODE, Questionnaire, QuestionType
from barometre.questionnaire.skip_logic import relevance_frame
from barometre.stats.errors import StatsError

NO_ANSWER = "sans_reponse"
NO_ANSWER_LABEL = "Sans réponse / ne sait pas"


@dataclass
class IndicatorSet:
    """Binary indicators (share of a category/option) and numeric ones (mean, median, mean level)."""

    binary: np.ndarray  # (n, K) float 0/1
    binary_mask: np.ndarray  # (K,) index of each column's denominator mask
    binary_meta: list[dict] = field(default_factory=list)
    numeric: np.ndarray | None = None  # (n, L)
    numeric_mask: np.ndarray | None = None
    numeric_meta: list[dict] = field(default_factory=list)
    masks: np.ndarray | None = None  # (n, M) bool
    mask_rules: list[str] = field(default_factory=list)


def _text(frame: pl.DataFrame, column: str) -> pl.Series:
    """Stripped text answers; null for empty."""
    if column not in frame.columns:
        return pl.Series(column, [None] * frame.height, dtype=pl.String)
    s = frame[column].cast(pl.String).str.strip_chars()
    return s.replace("", None)


def _is(values: pl.Series, code: str) -> np.ndarray:
    """Boolean array: answer equals code (null → False)."""
    return (values == code).fill_null(False).to_numpy()


class _Masks:
    """Deduplicated denominator masks."""

    def __init__(self, n: int) -> None:
        self.columns: list[np.ndarray] = []
        self.rules: list[str] = []
        self._index: dict[bytes, int] = {}

    def add(self, mask: np.ndarray, rule: str) -> int:
        key = np.packbits(mask).tobytes()
        if key not in self._index:
            self._index[key] = len(self.columns)
            self.columns.append(mask)
            self.rules.append(rule)
        return self._index[key]


def build_indicators(
    answers: pl.DataFrame,
    questionnaire: Questionnaire,
    exclude_nsp: bool = False,
    lines: np.ndarray | None = None,
) -> IndicatorSet:
    """All indicators of a questionnaire over one row per respondent (question ids as columns).

    `lines` are the file line numbers of the rows, for error messages (default: row + 2).
    """
    n = answers.height
    lines = np.arange(n) + 2 if lines is None else np.asarray(lines)
    text_frame = answers.select(
        [
            pl.col(c).cast(pl.String)
            for c in answers.columns
            if c in {q.id for q in questionnaire.questions}
        ]
    )
    asked_frame = relevance_frame(questionnaire, text_frame)
    masks = _Masks(n)
    bin_cols: list[np.ndarray] = []
    bin_mask: list[int] = []
    bin_meta: list[dict] = []
    num_cols: list[np.ndarray] = []
    num_mask: list[int] = []
    num_meta: list[dict] = []
    for q in questionnaire.questions:
        if q.type is QuestionType.TEXT:
            continue
        asked = asked_frame[q.id].fill_null(False).to_numpy()
        values = _text(answers, q.id)
        empty = values.is_null().to_numpy()
        nsp = _is(values, NSP_CODE) | empty
        answered = asked & ~nsp
        if exclude_nsp:
            den = masks.add(answered, "répondants hors « sans réponse »")
        else:
            den = masks.add(asked, "toutes les collectivités interrogées (sans réponse inclus)")
        if q.type.is_choice:
            codes = [o.code for o in q.options]
            labels = {o.code: o.label for o in q.options}
            if q.type is QuestionType.MULTIPLE_CHOICE:
                lists = values.fill_null("").str.split(" ")
                for c in codes:
                    col = lists.list.contains(c).to_numpy() & asked
                    bin_cols.append(col.astype(float))
                    bin_mask.append(den)
                    bin_meta.append(
                        {
                            "indicator": q.id,
                            "kind": "option",
                            "option": c,
                            "option_label": labels[c],
                            "question": q,
                        }
                    )
            else:
                known = set(codes) | {NSP_CODE}
                bad = np.flatnonzero(
                    asked & ~empty & ~values.is_in(list(known)).fill_null(False).to_numpy()
                )
                if bad.size:
                    raise StatsError(
                        f"Ligne {lines[int(bad[0])]}, champ « {q.id} » : code « {values[int(bad[0])]} » inconnu "
                        f"(codes admis : {', '.join(sorted(known))})."
                    )
                for c in codes:
                    bin_cols.append((_is(values, c) & asked).astype(float))
                    bin_mask.append(den)
                    bin_meta.append(
                        {
                            "indicator": q.id,
                            "kind": "share",
                            "option": c,
                            "option_label": labels[c],
                            "question": q,
                        }
                    )
            if not exclude_nsp:
                bin_cols.append((nsp & asked).astype(float))
                bin_mask.append(den)
                bin_meta.append(
                    {
                        "indicator": q.id,
                        "kind": "share" if q.type is not QuestionType.MULTIPLE_CHOICE else "option",
                        "option": NO_ANSWER,
                        "option_label": NO_ANSWER_LABEL,
                        "question": q,
                    }
                )
            if q.type is QuestionType.MATURITY:
                rank = {c: float(i) for i, c in enumerate(codes)}
                level = (
                    values.replace_strict(rank, default=0.0, return_dtype=pl.Float64)
                    .fill_null(0.0)
                    .to_numpy()
                )
                num_cols.append(np.where(answered, level, 0.0))
                num_mask.append(masks.add(answered, "répondants hors « sans réponse »"))
                num_meta.append(
                    {
                        "indicator": q.id,
                        "kind": "mean_level",
                        "option": "",
                        "option_label": "Niveau moyen (rang, 0 = le plus bas)",
                        "question": q,
                    }
                )
        elif q.type.is_numeric:
            nums = (
                values.str.replace(",", ".")
                .cast(pl.Float64, strict=False)
                .fill_null(np.nan)
                .to_numpy()
            )
            bad = np.flatnonzero(asked & ~nsp & np.isnan(nums))
            if bad.size:
                raise StatsError(
                    f"Ligne {lines[int(bad[0])]}, champ « {q.id} » : « {values[int(bad[0])]} » n'est pas un nombre."
                )
            ok = asked & ~nsp & np.isfinite(nums)
            num_cols.append(np.where(ok, nums, 0.0))
            num_mask.append(masks.add(ok, "répondants ayant donné un nombre"))
            num_meta.append(
                {
                    "indicator": q.id,
                    "kind": "mean",
                    "option": "",
                    "option_label": q.unit or "",
                    "question": q,
                }
            )
    mask_matrix = np.column_stack(masks.columns) if masks.columns else np.ones((n, 1), bool)
    return IndicatorSet(
        binary=np.column_stack(bin_cols) if bin_cols else np.zeros((n, 0)),
        binary_mask=np.array(bin_mask, dtype=np.int64),
        binary_meta=bin_meta,
        numeric=np.column_stack(num_cols) if num_cols else np.zeros((n, 0)),
        numeric_mask=np.array(num_mask, dtype=np.int64),
        numeric_meta=num_meta,
        masks=mask_matrix,
        mask_rules=masks.rules,
    )


def merge_option_columns(frame: pl.DataFrame, questionnaire: Questionnaire) -> pl.DataFrame:
    """LimeSurvey-style multiple choice (`q[opt]` or `q_opt` 0/1 columns) → XLSForm `q` codes."""
    truthy = ["1", "1.0", "y", "yes", "oui", "true", "vrai", "x"]
    extra = []
    drop: list[str] = []
    for q in questionnaire.questions:
        if q.type is not QuestionType.MULTIPLE_CHOICE or q.id in frame.columns:
            continue
        parts = []
        for o in q.options:
            for name in (f"{q.id}[{o.code}]", f"{q.id}_{o.code}"):
                if name in frame.columns:
                    flag = frame[name].cast(pl.String).str.strip_chars().str.to_lowercase()
                    parts.append(pl.when(pl.lit(flag).is_in(truthy)).then(pl.lit(o.code)))
                    drop.append(name)
                    break
        if parts:
            extra.append(pl.concat_str(parts, separator=" ", ignore_nulls=True).alias(q.id))
    if not extra:
        return frame
    return frame.with_columns(extra).drop(drop)
