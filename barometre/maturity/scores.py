"""Maturity scores: level codes → 0–100 item scores → weighted theme scores → overall index."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
from threadpoolctl import threadpool_limits

from barometre.maturity.model import MaturityModel
from barometre.questionnaire.model import NSP_CODE

OVERALL = "_global"
DEFAULT_MIN_ANSWERED_SHARE = 0.5


class AnswerError(ValueError):
    """Answers that do not fit the questionnaire; `errors` lists (line, field, message) rows."""

    def __init__(self, errors: list[tuple[int, str, str]]) -> None:
        self.errors = errors
        shown = "\n".join(
            f"ligne {line}, champ « {fld} » : {msg}" for line, fld, msg in errors[:20]
        )
        more = f"\n… et {len(errors) - 20} autres erreurs." if len(errors) > 20 else ""
        super().__init__(f"{len(errors)} réponse(s) invalide(s) :\n{shown}{more}")


@dataclass(frozen=True)
class Scores:
    """Scores of N respondents: item scores, theme scores, overall index and answered shares."""

    codes: np.ndarray  # (N,) respondent codes
    themes: list[str]  # scored theme ids, in questionnaire order
    items: list[str]  # maturity item ids
    item_scores: np.ndarray  # (N, I) 0–100, NaN when not answered
    theme_scores: np.ndarray  # (N, T) 0–100, NaN when too few items answered
    overall: np.ndarray  # (N,) overall index, NaN when too few themes scored
    answered_share: np.ndarray  # (N, T) answered share of the theme's item weight
    n_answered: np.ndarray  # (N, T) number of answered items per theme
    n_items: np.ndarray  # (N, T) number of items asked per theme
    min_answered_share: float

    def to_frame(self, id_column: str = "code") -> pl.DataFrame:
        """Wide table: one row per respondent, one column per theme plus the overall index."""
        data: dict[str, object] = {id_column: self.codes}
        for j, t in enumerate(self.themes):
            data[t] = self.theme_scores[:, j]
        data[OVERALL] = self.overall
        return pl.DataFrame(data).with_columns(pl.exclude(id_column).fill_nan(None))

    def to_long(self, id_column: str = "code") -> pl.DataFrame:
        """Tidy table: one row per respondent × theme (then `_global`), with answered counts."""
        n, t = self.theme_scores.shape
        values = np.column_stack([self.theme_scores, self.overall])
        n_items = np.column_stack([self.n_items, self.n_items.sum(axis=1)])
        n_answered = np.column_stack([self.n_answered, self.n_answered.sum(axis=1)])
        themes_scored = np.mean(~np.isnan(self.theme_scores), axis=1) if t else np.zeros(n)
        share = np.column_stack([self.answered_share, themes_scored])
        return pl.DataFrame(
            {
                id_column: pl.Series(self.codes, dtype=pl.Utf8).gather(
                    pl.Series(np.repeat(np.arange(n), t + 1))
                ),
                "theme": pl.Series([*self.themes, OVERALL], dtype=pl.Utf8).gather(
                    pl.Series(np.tile(np.arange(t + 1), n))
                ),
                "score": values.ravel(),
                "n_items": n_items.ravel(),
                "n_answered": n_answered.ravel(),
                "answered_share": share.ravel(),
            }
        ).with_columns(pl.col("score", "answered_share").fill_nan(None))

    def missing_summary(self) -> pl.DataFrame:
        """Per theme: respondents scored and missing (too few answered items)."""
        missing = np.isnan(self.theme_scores).sum(axis=0)
        n = len(self.codes)
        return pl.DataFrame(
            {
                "theme": [*self.themes, OVERALL],
                "n_scored": [*(n - missing).tolist(), int((~np.isnan(self.overall)).sum())],
                "n_missing": [*missing.tolist(), int(np.isnan(self.overall).sum())],
            }
        )


def item_score_matrix(
    answers: pl.DataFrame, model: MaturityModel, line_offset: int = 2
) -> np.ndarray:
    """N × I matrix of item scores (0–100, NaN for empty or `nsp`); unknown codes raise AnswerError.

    One Polars query maps every item column through its code → score table at once; codes outside
    the table get the sentinel -1 and are reported with their line (row + `line_offset`) and field.
    """
    absent = [item.id for item in model.items if item.id not in answers.columns]
    if absent:
        raise AnswerError([(1, qid, "colonne absente du fichier de réponses") for qid in absent])
    if not model.items:
        return np.empty((answers.height, 0))
    expressions = []
    for item in model.items:
        mapping = {**item.scores(), NSP_CODE: np.nan, "": np.nan}
        code = pl.col(item.id).cast(pl.Utf8).str.strip_chars()
        expressions.append(
            pl.when(code.is_null())
            .then(pl.lit(np.nan))
            .otherwise(code.replace_strict(mapping, default=-1.0, return_dtype=pl.Float64))
            .alias(item.id)
        )
    matrix = answers.select(expressions).to_numpy()
    if (matrix < 0).any():
        rows, cols = np.nonzero(matrix < 0)
        errors = []
        for r, c in zip(rows.tolist(), cols.tolist(), strict=True):
            item = model.items[c]
            allowed = ", ".join([*item.scores(), NSP_CODE])
            value = answers.get_column(item.id)[r]
            errors.append(
                (r + line_offset, item.id, f"niveau « {value} » inconnu (attendu : {allowed})")
            )
        raise AnswerError(sorted(errors))
    return matrix


def weighted_share_mean(
    values: np.ndarray, weights: np.ndarray, asked: np.ndarray, min_share: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Group means of `values` (N×I, NaN = missing) with an I×G weight matrix and the min-share rule.

    Returns (means N×G, answered share of asked weight N×G, answered weight N×G).
    """
    answered = ~np.isnan(values) & asked
    num = np.where(answered, values, 0.0) @ weights
    den = answered @ weights
    total = asked @ weights
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(total > 0, den / total, 0.0)
        means = np.where((den > 0) & (share >= min_share - 1e-12), num / den, np.nan)
    return means, share, den


def compute_scores(
    answers: pl.DataFrame,
    model: MaturityModel,
    min_answered_share: float = DEFAULT_MIN_ANSWERED_SHARE,
    asked: np.ndarray | None = None,
    id_column: str = "code",
) -> Scores:
    """Score every respondent: theme = weighted mean of answered items when enough are answered.

    A theme score exists when the answered items carry at least `min_answered_share` of the
    weight of the theme's items asked to the respondent (`asked`: N × I booleans, all by default);
    the overall index applies the same rule to theme weights.
    """
    if not 0.0 <= min_answered_share <= 1.0:
        raise ValueError("La part minimale de réponses doit être comprise entre 0 et 1.")
    if id_column not in answers.columns:
        raise AnswerError([(1, id_column, "colonne absente du fichier de réponses")])
    item_scores = item_score_matrix(answers, model)
    n = answers.height
    asked_mask = np.ones_like(item_scores, dtype=bool) if asked is None else np.asarray(asked, bool)
    if asked_mask.shape != item_scores.shape:
        raise ValueError("Le masque des questions posées n'a pas la forme réponses × questions.")
    item_weights = model.item_theme_weights()
    member = (item_weights > 0).astype(float)
    theme_w = model.theme_weights()[:, None]
    with threadpool_limits(limits=1):  # tiny matrix products: threads cost more than they gain
        theme_scores, share, _ = weighted_share_mean(
            item_scores, item_weights, asked_mask, min_answered_share
        )
        answered = ~np.isnan(item_scores) & asked_mask
        n_answered = np.rint(answered @ member).astype(np.int64)
        n_items = np.rint(asked_mask @ member).astype(np.int64)
        theme_asked = n_items > 0
        overall, _, _ = weighted_share_mean(theme_scores, theme_w, theme_asked, min_answered_share)
    return Scores(
        codes=answers.get_column(id_column).cast(pl.Utf8).to_numpy(),
        themes=model.theme_ids,
        items=model.item_ids,
        item_scores=item_scores,
        theme_scores=theme_scores,
        overall=overall[:, 0] if n else np.empty(0),
        answered_share=share,
        n_answered=n_answered,
        n_items=n_items,
        min_answered_share=min_answered_share,
    )
