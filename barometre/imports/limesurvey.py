"""LimeSurvey response exports (CSV, XLSX) read into answers named by question id.

LimeSurvey writes one column per answer field (its « fieldmap »): `Q` for a single answer, `Q[SQ]`
for a sub-question (multiple choice, array), `Q[other]` / `Q[comment]` for the typed « Autre » and
comments, `Q[1]`, `Q[2]`… for ranking positions, `Q[filecount]` for uploads, and the response's
technical columns (`id`, `submitdate`, `lastpage`, `startlanguage`, `seed`, `token`, `startdate`,
`datestamp`, `ipaddr`, `refurl`). Question codes are matched to question ids ignoring case and
non-alphanumerics (LimeSurvey codes cannot hold `_`): `inclieux` ↔ `inc_lieux`.

Multiple choice: a sub-question column holds `Y` when ticked, an empty string `""` when the question
was shown and the box left unticked, and nothing when the question was never reached.
"""

from __future__ import annotations

import re

import polars as pl

from barometre.imports.columns import LINE, ColumnUse, Mapped
from barometre.questionnaire.model import Question, Questionnaire, QuestionType

TECHNICAL = {
    "id": "numéro de réponse LimeSurvey",
    "lastpage": "dernière page vue (technique)",
    "startlanguage": "langue de départ (technique)",
    "seed": "graine aléatoire (technique)",
    "token": "code d'accès LimeSurvey",
    "startdate": "date de début (technique)",
    "datestamp": "date de dernière action (technique)",
    "ipaddr": "adresse IP (non importée)",
    "refurl": "adresse de provenance (non importée)",
}
TICKED = ("y", "yes", "oui", "1")
_FIELD = re.compile(r"^(?P<base>[^\[\]]+?)(?:\[(?P<sub>[^\]]*)\])?(?:\[(?P<sub2>[^\]]*)\])?$")


def alnum(text: str) -> str:
    """Lower-case alphanumerics only (how LimeSurvey codes relate to question ids)."""
    return re.sub(r"[^0-9a-z]", "", text.lower())


def _ticked(column: str) -> pl.Expr:
    """True when a sub-question box is ticked, False when left unticked, null when not reached."""
    value = pl.col(column).str.strip_chars()
    return (
        pl.when(value.is_null()).then(None).otherwise(value.str.to_lowercase().is_in(list(TICKED)))
    )


def from_limesurvey(
    rows: pl.DataFrame,
    header: list[str],
    questionnaire: Questionnaire,
    code_column: str = "code",
) -> Mapped:
    """Answers of a LimeSurvey export with question codes as headers."""
    by_alnum: dict[str, Question] = {alnum(q.id): q for q in questionnaire.questions}
    uses: list[ColumnUse] = []
    single: dict[str, pl.Expr] = {}
    labels: dict[str, str] = {}
    multi: dict[str, list[tuple[str, str]]] = {}
    meta: list[pl.Expr] = []
    for name in header:
        if name == code_column:
            meta.append(pl.col(name).alias("identifier"))
            uses.append(ColumnUse(name, "meta", "identifier"))
            continue
        if name == "submitdate":
            meta.append(pl.col(name).alias("submitted_at"))
            meta.append(
                pl.when(pl.col(name).str.strip_chars().fill_null("") != "")
                .then(pl.lit("complete"))
                .otherwise(pl.lit("partial"))
                .alias("status")
            )
            uses.append(ColumnUse(name, "meta", "submitted_at"))
            continue
        if name in TECHNICAL:
            uses.append(ColumnUse(name, "ignored", reason=TECHNICAL[name]))
            continue
        match = _FIELD.match(name)
        if match is None:
            uses.append(ColumnUse(name, "unknown", reason="aucune question ne correspond"))
            continue
        base, sub, sub2 = match.group("base"), match.group("sub"), match.group("sub2")
        question = by_alnum.get(alnum(base + (sub or "") + (sub2 or "")))
        if question is not None and question.id not in single and question.id not in multi:
            single[question.id] = pl.col(name)
            labels[question.id] = name
            uses.append(ColumnUse(name, "question", question.id))
            continue
        question = by_alnum.get(alnum(base))
        if question is None:
            uses.append(ColumnUse(name, "unknown", reason="aucune question ne correspond"))
            continue
        if sub is not None and sub.lower() in ("other", "comment", "filecount"):
            reason = {
                "other": "texte saisi pour « Autre »",
                "comment": "commentaire libre",
                "filecount": "nombre de fichiers déposés (technique)",
            }[sub.lower()]
            uses.append(ColumnUse(name, "ignored", question.id, reason))
            continue
        if question.type is QuestionType.MULTIPLE_CHOICE and sub is not None and sub2 is None:
            codes = {alnum(code): code for code in question.codes}
            code = codes.get(alnum(sub))
            if code is None:
                uses.append(ColumnUse(name, "unknown", question.id, f"modalité « {sub} » inconnue"))
                continue
            multi.setdefault(question.id, []).append((name, code))
            uses.append(ColumnUse(name, "question", question.id, f"modalité {code}"))
            continue
        if sub is None and question.id not in single:
            single[question.id] = pl.col(name)
            labels[question.id] = name
            uses.append(ColumnUse(name, "question", question.id))
            continue
        uses.append(ColumnUse(name, "unknown", question.id, "colonne en double pour la question"))
    exprs = [pl.col(LINE), *meta]
    exprs += [expr.alias(question_id) for question_id, expr in single.items()]
    for question_id, parts in multi.items():
        exprs.append(
            pl.concat_str(
                [pl.when(_ticked(column)).then(pl.lit(code)) for column, code in parts],
                separator=" ",
                ignore_nulls=True,
            )
            .replace("", None)
            .alias(question_id)
        )
        labels[question_id] = f"{parts[0][0].split('[')[0]}[…]"
    return Mapped(rows.select(exprs), uses, labels)
