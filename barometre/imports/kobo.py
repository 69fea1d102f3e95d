"""KoboToolbox and ODK exports (CSV, XLSX) in their modes, read with the XLSForm's questionnaire.

KoboToolbox writes its exports with formpack (`formpack/schema/fields.py`): headers are the XML
names (`inc_lieux`) or the labels (« Disposez-vous… ? »), with their groups (`inclusion/inc_lieux`,
« Inclusion numérique/Disposez-vous… ? », any group separator) or not; values are the XML values
(`oui`) or the labels (« Oui »). A multiple choice is one column of space-separated values, one
column per choice (`inclusion/inc_types/mairie`, « Quels lieux ?/Mairie ») holding `1` or `0`
(all empty when the question has no answer), or both. ODK Central joins groups with `-`
(`inclusion-inc_lieux`). Technical columns (`start`, `end`, `_id`, `_uuid`, `_submission_time`,
`meta/instanceID`, `SubmissionDate`, `KEY`…) are ignored and listed, except the submission time.
A submission is a finalised form: `complete`.
"""

from __future__ import annotations

import re

import polars as pl

from barometre.edition.answer_columns import NOTHING_TICKED
from barometre.imports.answer_checks import fold
from barometre.imports.columns import LINE, ColumnUse, IdentityColumns, Mapped
from barometre.questionnaire.model import Question, Questionnaire, QuestionType

TECHNICAL = {
    "start": "début de saisie (technique)",
    "end": "fin de saisie (technique)",
    "today": "date du jour (technique)",
    "deviceid": "identifiant de l'appareil (technique)",
    "username": "compte de saisie (technique)",
    "_id": "numéro de soumission KoboToolbox",
    "_uuid": "identifiant de soumission (technique)",
    "_validation_status": "statut de validation KoboToolbox",
    "_notes": "notes KoboToolbox",
    "_status": "statut de soumission (technique)",
    "_submitted_by": "compte de soumission (technique)",
    "__version__": "version du formulaire (technique)",
    "_version_": "version du formulaire (technique)",
    "_tags": "étiquettes KoboToolbox",
    "_index": "numéro de ligne de l'export",
    "_parent_index": "numéro de ligne de l'export",
    "instanceID": "identifiant de soumission (technique)",
    "instanceName": "nom de soumission (technique)",
    "deprecatedID": "identifiant de soumission (technique)",
    "rootUuid": "identifiant de soumission (technique)",
    "formhub/uuid": "identifiant du formulaire (technique)",
    "KEY": "identifiant de soumission ODK (technique)",
    "SubmitterID": "compte de soumission ODK",
    "SubmitterName": "compte de soumission ODK",
    "AttachmentsPresent": "pièces jointes (technique)",
    "AttachmentsExpected": "pièces jointes (technique)",
    "Status": "statut ODK (technique)",
    "ReviewState": "état de relecture ODK",
    "DeviceID": "identifiant de l'appareil (technique)",
    "Edits": "nombre de modifications ODK",
    "FormVersion": "version du formulaire (technique)",
}
SUBMISSION_TIME = ("_submission_time", "SubmissionDate")
SEPARATORS = "/.-:"
TICKED = frozenset({"1", "1.0", "true", "vrai", "oui", "yes", "x"})
UNTICKED = frozenset({"0", "0.0", "false", "faux", "non", "no"})


def _suffixes(header: str) -> list[str]:
    """The header and what follows each group separator in it (groups stripped one by one)."""
    found = [header]
    for position, char in enumerate(header):
        if char in SEPARATORS:
            found.append(header[position + 1 :])
    return found


class _Keys:
    """Names and labels of the questions (and of their choices) as they can appear in headers."""

    def __init__(self, questionnaire: Questionnaire) -> None:
        self.by_id: dict[str, Question] = {q.id: q for q in questionnaire.questions}
        self.by_label: dict[str, Question] = {}
        for question in questionnaire.questions:
            self.by_label.setdefault(fold(question.label), question)

    def question(self, header: str) -> Question | None:
        for part in _suffixes(header):
            if part in self.by_id:
                return self.by_id[part]
        for part in _suffixes(header):
            if fold(part) in self.by_label:
                return self.by_label[fold(part)]
        return None

    def option(self, header: str) -> tuple[Question, str] | None:
        """A per-choice column: (multiple-choice question, choice code)."""
        for position in range(len(header) - 1, 0, -1):
            if header[position] not in SEPARATORS:
                continue
            left, right = header[:position], header[position + 1 :]
            question = self.question(left)
            if question is None or question.type is not QuestionType.MULTIPLE_CHOICE:
                continue
            for choice in question.options:
                if right == choice.code or fold(right) == fold(choice.label):
                    return question, choice.code
            if fold(right) == "other":
                return question, "other"
        return None


def _technical(header: str) -> str | None:
    """The reason to ignore a technical column, if it is one."""
    if header in TECHNICAL:
        return TECHNICAL[header]
    last = re.split(rf"[{re.escape(SEPARATORS)}]", header)[-1]
    if header.startswith(("meta/", "meta-", "meta.")) or last in ("instanceID", "instanceName"):
        return TECHNICAL.get(last, "métadonnée de soumission (technique)")
    return TECHNICAL.get(last) if last.startswith("_") else None


def _ticked(column: str) -> pl.Expr:
    value = pl.col(column).cast(pl.String).str.strip_chars().str.to_lowercase()
    return (
        pl.when(value.is_in(list(TICKED)))
        .then(True)
        .when(value.is_in(list(UNTICKED)))
        .then(False)
        .otherwise(None)
    )


def from_kobo(
    rows: pl.DataFrame,
    header: list[str],
    questionnaire: Questionnaire,
    identity: IdentityColumns | None = None,
) -> Mapped:
    """Answers of a KoboToolbox/ODK export, whatever its header and value modes."""
    identity = identity or IdentityColumns()
    keys = _Keys(questionnaire)
    uses: list[ColumnUse] = []
    exprs: list[pl.Expr] = [pl.col(LINE)]
    labels: dict[str, str] = {}
    single: dict[str, str] = {}
    details: dict[str, list[tuple[str, str]]] = {}
    for name in header:
        role = identity.role(name)
        if role is not None and role not in labels:
            exprs.append(pl.col(name).alias(role))
            labels[role] = name
            uses.append(ColumnUse(name, "meta", role))
            question = keys.question(name)
            if question is not None and question.id not in single:
                single[question.id] = name
            continue
        if name in SUBMISSION_TIME and "submitted_at" not in labels:
            exprs.append(pl.col(name).alias("submitted_at"))
            labels["submitted_at"] = name
            uses.append(ColumnUse(name, "meta", "submitted_at"))
            continue
        reason = _technical(name)
        if reason is not None:
            uses.append(ColumnUse(name, "ignored", reason=reason))
            continue
        question = keys.question(name)
        if question is not None and question.id not in single:
            single[question.id] = name
            uses.append(ColumnUse(name, "question", question.id))
            continue
        option = keys.option(name)
        if option is not None:
            question, code = option
            if code == "other":
                uses.append(ColumnUse(name, "ignored", question.id, "texte saisi pour « Autre »"))
            else:
                details.setdefault(question.id, []).append((name, code))
                uses.append(ColumnUse(name, "question", question.id, f"modalité {code}"))
            continue
        reason = "autre colonne pour la même question" if question else ""
        uses.append(ColumnUse(name, "unknown", reason=reason or "aucune question ne correspond"))
    for question_id, column in single.items():
        exprs.append(pl.col(column).alias(question_id))
        labels.setdefault(question_id, column)
    for question_id, parts in details.items():
        if question_id in single:
            for column, _ in parts:  # the single column is used; these columns say the same
                for i, use in enumerate(uses):
                    if use.column == column:
                        uses[i] = ColumnUse(
                            column,
                            "ignored",
                            question_id,
                            "colonne d'une modalité : la colonne de la question est utilisée",
                        )
            continue
        flags = [(_ticked(column), code) for column, code in parts]
        codes = pl.concat_str(
            [pl.when(flag).then(pl.lit(code)) for flag, code in flags],
            separator=" ",
            ignore_nulls=True,
        )
        unticked = pl.any_horizontal([(flag == False).fill_null(False) for flag, _ in flags])  # noqa: E712
        exprs.append(
            pl.when(codes != "")
            .then(codes)
            .when(unticked)
            .then(pl.lit(NOTHING_TICKED))
            .otherwise(None)
            .alias(question_id)
        )
        labels[question_id] = f"{parts[0][0].rsplit('/', 1)[0]}/…"
    return Mapped(rows.select(exprs), uses, labels)
