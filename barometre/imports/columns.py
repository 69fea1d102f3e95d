"""How the columns of a file are used: every column accounted for, and the mapped answers table.

A reader of a source format (LimeSurvey, KoboToolbox/ODK, a column mapping) turns a `Table` into a
`Mapped`: a wide table of raw answers named by question id (plus the meta columns `identifier`,
`name`, `submitted_at`, `status`, `respondent_role`) and one `ColumnUse` per column of the file —
used for a question, used as meta data, ignored (with the reason) or unknown.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import polars as pl

from barometre.imports.problems import Problem

LINE = "__line"
META = ("identifier", "name", "submitted_at", "status", "respondent_role")
META_LABELS = {
    "identifier": "identifiant de la collectivité",
    "name": "nom de la collectivité",
    "submitted_at": "date de transmission",
    "status": "statut (complète / partielle)",
    "respondent_role": "fonction du répondant",
}
MAPPING_TARGETS = {
    "code": "identifier",
    "identifiant": "identifier",
    "nom": "name",
    "name": "name",
    "submitted_at": "submitted_at",
    "date": "submitted_at",
    "status": "status",
    "statut": "status",
    "respondent_role": "respondent_role",
    "fonction": "respondent_role",
}
USE_LABELS = {
    "question": "question",
    "meta": "métadonnée",
    "ignored": "ignorée",
    "unknown": "inconnue",
}


@dataclass(frozen=True)
class IdentityColumns:
    """The operator's choice of the columns naming the respondent: identifier, and name (optional).

    Headers are compared as written, ignoring surrounding spaces and case (a Kobo or ODK header
    may also be given without its group: `code` for `identification/code`).
    """

    identifier: str = "code"
    name: str = ""

    def role(self, header: str) -> str | None:
        """`identifier`, `name` or None for one header of the file."""
        for role, wanted in (("identifier", self.identifier), ("name", self.name)):
            if not wanted.strip():
                continue
            given = header.strip().casefold()
            if given == wanted.strip().casefold() or given.rsplit("/", 1)[-1] == wanted.strip():
                return role
        return None


@dataclass(frozen=True)
class ColumnUse:
    """What was done with one column of the file."""

    column: str
    use: str  # question | meta | ignored | unknown
    target: str = ""
    reason: str = ""

    def __str__(self) -> str:
        text = f"« {self.column} »"
        if self.use == "question":
            return f"{text} → question {self.target}" + (f" ({self.reason})" if self.reason else "")
        if self.use == "meta":
            return f"{text} → {META_LABELS.get(self.target, self.target)}"
        return f"{text} : {self.reason}" if self.reason else text


@dataclass
class Mapped:
    """Raw answers named by question id and meta names, with the use of every column of the file."""

    wide: pl.DataFrame
    columns: list[ColumnUse]
    labels: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def question_ids(self) -> list[str]:
        """Question ids present in the wide table."""
        return [c for c in self.wide.columns if c != LINE and c not in META]


def parse_mapping(text: str) -> dict[str, str]:
    """A mapping written one `colonne du fichier = identifiant` per line (ValueError in French)."""
    mapping: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if "=" not in line:
            raise ValueError(f"Correspondance, ligne {number} : « colonne = identifiant » attendu.")
        column, target = (part.strip() for part in line.rsplit("=", 1))
        if not column or not target:
            raise ValueError(f"Correspondance, ligne {number} : colonne ou identifiant vide.")
        if column in mapping:
            raise ValueError(
                f"Correspondance, ligne {number} : colonne « {column} » déjà associée."
            )
        mapping[column] = target
    return mapping


def parse_confirmations(text: str) -> dict[int, str]:
    """Lines confirmed by the operator, one `numéro de ligne = code` (or `= hors base`) per line."""
    confirmed: dict[int, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        left, sign, right = line.partition("=")
        if not sign or not left.strip().isdigit() or not right.strip():
            raise ValueError(
                f"Confirmations, ligne {number} : « numéro de ligne = code » attendu "
                "(par exemple « 7 = 29019 » ou « 7 = hors base »)."
            )
        confirmed[int(left.strip())] = right.strip()
    return confirmed


def from_mapping(
    rows: pl.DataFrame,
    header: list[str],
    question_ids: set[str],
    mapping: Mapping[str, str],
) -> Mapped:
    """Columns named by an explicit mapping {file column: question id or meta name}."""
    problems: list[Problem] = []
    uses: list[ColumnUse] = []
    selected: list[pl.Expr] = [pl.col(LINE)]
    labels: dict[str, str] = {}
    targets_seen: dict[str, str] = {}
    for column, target in mapping.items():
        meta = MAPPING_TARGETS.get(target.lower())
        name = meta or target
        if column not in header:
            problems.append(
                Problem(
                    1,
                    column,
                    "missing_column",
                    "colonne absente du fichier (voir la correspondance)",
                )
            )
            continue
        if meta is None and target not in question_ids:
            problems.append(
                Problem(
                    1,
                    column,
                    "missing_column",
                    f"« {target} » n'est ni une question du questionnaire ni une colonne spéciale "
                    "(code, submitted_at, status, respondent_role, nom)",
                )
            )
            continue
        if name in targets_seen:
            problems.append(
                Problem(
                    1,
                    column,
                    "duplicate_column",
                    f"« {target} » est déjà associé à la colonne « {targets_seen[name]} »",
                )
            )
            continue
        targets_seen[name] = column
        selected.append(pl.col(column).alias(name))
        labels[name] = column
        uses.append(ColumnUse(column, "meta" if meta else "question", name))
    uses += [
        ColumnUse(c, "ignored", reason="absente de la correspondance")
        for c in header
        if c not in mapping
    ]
    return Mapped(rows.select(selected), uses, labels, problems)
