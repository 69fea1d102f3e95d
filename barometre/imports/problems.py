"""Problems found while importing answers: a catalogue of typed problems with French messages.

A problem names the line of the file (the header is line 1, None for the whole file), the column as
written in the file (or the question when several columns make one answer), its type and a French
message. Vectorised checks build problems as table rows (`PROBLEM_SCHEMA`) and turn them into
`Problem` objects only to report them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import polars as pl

PROBLEM_SCHEMA: dict[str, pl.DataType] = {
    "line": pl.Int64(),
    "column": pl.String(),
    "kind": pl.String(),
    "message": pl.String(),
}

PROBLEM_TITLES: dict[str, str] = {
    "unreadable_file": "fichier illisible",
    "uneven_row": "nombre de cellules incorrect",
    "duplicate_column": "en-tête en double",
    "empty_header": "en-tête vide",
    "missing_column": "colonne absente",
    "no_question": "aucune question reconnue",
    "unknown_code": "collectivité inconnue",
    "empty_code": "collectivité non renseignée",
    "outside_campaign": "collectivité hors campagne",
    "outside_scope": "collectivité hors périmètre",
    "ambiguous_name": "nom à confirmer",
    "duplicate_in_file": "collectivité en double dans le fichier",
    "already_answered": "collectivité ayant déjà répondu",
    "unknown_choice": "modalité inconnue",
    "repeated_choice": "modalité répétée",
    "too_many_choices": "trop de modalités cochées",
    "nsp_with_choices": "« ne sait pas » avec d'autres modalités",
    "nsp_not_offered": "« ne sait pas » non proposé",
    "not_a_number": "nombre invalide",
    "out_of_range": "valeur hors limites",
    "constraint_violated": "contrainte non respectée",
    "not_asked": "réponse à une question non posée",
    "required_missing": "réponse obligatoire manquante",
    "too_long": "texte trop long",
    "invalid_datetime": "date invalide",
    "invalid_status": "statut invalide",
    "invalid_value": "valeur invalide",
}


@dataclass(frozen=True)
class Problem:
    """One refused value (or file) with its line, column, type and French message."""

    line: int | None
    column: str
    kind: str
    message: str

    def __str__(self) -> str:
        where = [f"ligne {self.line}"] if self.line is not None else []
        if self.column:
            where.append(f"colonne « {self.column} »")
        return (", ".join(where) + " : " if where else "") + self.message

    @property
    def title(self) -> str:
        """The French title of the problem type."""
        return PROBLEM_TITLES.get(self.kind, self.kind)


def empty_problems() -> pl.DataFrame:
    """A problems table without rows."""
    return pl.DataFrame(schema=PROBLEM_SCHEMA)


def problems_from(
    failing: pl.DataFrame, column: str | pl.Expr, kind: str, message: pl.Expr
) -> pl.DataFrame:
    """Problem rows for the failing rows of a table holding `__line` (message as an expression)."""
    return failing.select(
        pl.col("__line").cast(pl.Int64).alias("line"),
        (pl.lit(column) if isinstance(column, str) else column).alias("column"),
        pl.lit(kind).alias("kind"),
        message.alias("message"),
    ).cast(PROBLEM_SCHEMA)


def as_problems(table: pl.DataFrame) -> list[Problem]:
    """Problem objects from problem rows, by line then column."""
    ordered = table.sort(["line", "column"], nulls_last=False, maintain_order=True)
    return [Problem(*row) for row in ordered.iter_rows()]


def concat(tables: Iterable[pl.DataFrame]) -> pl.DataFrame:
    """Several problem tables as one."""
    return pl.concat([empty_problems(), *tables])
