"""Problems found in an edition folder: a catalogue of typed errors with French messages.

Problems are rows (file, line, column, type, message), frictionless-style, so that the CLI, the web
app and a CSV export can all show them as a table.
"""

from __future__ import annotations

import polars as pl

PROBLEM_SCHEMA: dict[str, pl.DataType] = {
    "file": pl.String(),
    "line": pl.Int64(),
    "column": pl.String(),
    "type": pl.String(),
    "message": pl.String(),
}

PROBLEM_TITLES: dict[str, str] = {
    "missing_file": "fichier absent",
    "unreadable_file": "fichier illisible",
    "missing_column": "colonne obligatoire absente",
    "unknown_column": "colonne inconnue",
    "empty_value": "valeur obligatoire vide",
    "duplicate_response_id": "identifiant de réponse en double",
    "duplicate_code": "code en double",
    "unknown_register_code": "code absent du registre",
    "invalid_datetime": "date invalide",
    "invalid_status": "statut invalide",
    "unknown_choice": "modalité inconnue",
    "too_many_choices": "trop de modalités cochées",
    "nsp_with_choices": "« ne sait pas » coché avec d'autres modalités",
    "not_a_number": "nombre invalide",
    "out_of_range": "valeur hors limites",
    "constraint_violated": "contrainte non respectée",
    "invalid_metadata": "métadonnées invalides",
}


def empty_problems() -> pl.DataFrame:
    """A problems table with no row."""
    return pl.DataFrame(schema=PROBLEM_SCHEMA)


def problem(file: str, line: int | None, column: str, kind: str, detail: str) -> pl.DataFrame:
    """A one-row problems table."""
    return pl.DataFrame(
        [{"file": file, "line": line, "column": column, "type": kind, "message": detail}],
        schema=PROBLEM_SCHEMA,
    )


def problems_from(
    failing: pl.DataFrame, file: str, column: str, kind: str, message: pl.Expr
) -> pl.DataFrame:
    """Problems for the failing rows of a table that has a `__line` column (message as an expression)."""
    return failing.select(
        pl.lit(file).alias("file"),
        pl.col("__line").cast(pl.Int64).alias("line"),
        pl.lit(column).alias("column"),
        pl.lit(kind).alias("type"),
        message.alias("message"),
    ).cast(PROBLEM_SCHEMA)


def render(problems: pl.DataFrame, limit: int = 30) -> str:
    """The problems as French lines: "responses.csv, ligne 5, colonne « x » : message"."""
    rows = problems.head(limit).iter_rows(named=True)
    lines = [
        f"{row['file']}"
        + (f", ligne {row['line']}" if row["line"] is not None else "")
        + (f", colonne « {row['column']} »" if row["column"] else "")
        + f" : {row['message']}"
        for row in rows
    ]
    if problems.height > limit:
        lines.append(f"… et {problems.height - limit} autre(s) erreur(s)")
    return "\n".join(lines)


class EditionError(ValueError):
    """An edition folder is invalid; `problems` lists every problem found (not only the first)."""

    def __init__(self, problems: pl.DataFrame, folder: str = "") -> None:
        self.problems = problems
        self.folder = folder
        where = f" dans l'édition {folder}" if folder else ""
        super().__init__(f"{problems.height} erreur(s){where} :\n{render(problems)}")
