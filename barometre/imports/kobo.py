"""KoboToolbox / ODK exports (CSV, XLSX) read into answers named by question id.

Headers are the XLSForm field names, with their groups (`groupe/question`) or not; a multiple
choice is one column of space-separated codes (its per-choice columns `question/choix` are then
redundant); the technical columns of the server (`_id`, `_uuid`, `_submission_time`, `start`,
`end`, `meta/instanceID`…) are ignored, except the submission time.
"""

from __future__ import annotations

import polars as pl

from barometre.imports.columns import LINE, ColumnUse, IdentityColumns, Mapped
from barometre.questionnaire.model import Questionnaire, QuestionType

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
    "instanceid": "identifiant de soumission (technique)",
    "instanceID": "identifiant de soumission (technique)",
    "formhub/uuid": "identifiant du formulaire (technique)",
    "meta/instanceID": "identifiant de soumission (technique)",
    "meta/deprecatedID": "identifiant de soumission (technique)",
    "meta/rootUuid": "identifiant de soumission (technique)",
    "meta/instanceName": "nom de soumission (technique)",
}
SUBMISSION_TIME = ("_submission_time", "SubmissionDate")


def from_kobo(
    rows: pl.DataFrame,
    header: list[str],
    questionnaire: Questionnaire,
    identity: IdentityColumns | None = None,
) -> Mapped:
    """Answers of a KoboToolbox/ODK export with field names (and groups) as headers."""
    identity = identity or IdentityColumns()
    questions = {q.id: q for q in questionnaire.questions}
    uses: list[ColumnUse] = []
    exprs: list[pl.Expr] = [pl.col(LINE)]
    labels: dict[str, str] = {}
    seen: set[str] = set()
    for name in header:
        parts = name.split("/")
        last = parts[-1]
        if name in SUBMISSION_TIME and "submitted_at" not in seen:
            exprs.append(pl.col(name).alias("submitted_at"))
            seen.add("submitted_at")
            uses.append(ColumnUse(name, "meta", "submitted_at"))
        elif identity.role(name) is not None and identity.role(name) not in seen:
            role = identity.role(name) or ""
            exprs.append(pl.col(name).alias(role))
            labels[role] = name
            seen.add(role)
            uses.append(ColumnUse(name, "meta", role))
        elif name in TECHNICAL or last in TECHNICAL:
            uses.append(ColumnUse(name, "ignored", reason=TECHNICAL.get(name, TECHNICAL.get(last))))
        elif last in questions and last not in seen:
            exprs.append(pl.col(name).alias(last))
            labels[last] = name
            seen.add(last)
            uses.append(ColumnUse(name, "question", last))
        elif (
            len(parts) >= 2
            and parts[-2] in questions
            and questions[parts[-2]].type is QuestionType.MULTIPLE_CHOICE
        ):
            uses.append(
                ColumnUse(
                    name,
                    "ignored",
                    parts[-2],
                    "colonne d'une modalité : la colonne de la question est utilisée",
                )
            )
        else:
            uses.append(ColumnUse(name, "unknown", reason="aucune question ne correspond"))
    return Mapped(rows.select(exprs), uses, labels)
