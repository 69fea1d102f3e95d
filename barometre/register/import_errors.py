"""Catalogue of typed import errors (frictionless style): type, French title and message template."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

import polars as pl


@dataclass(frozen=True)
class ValidationError:
    """One problem found in an imported file; `line` is the file line (header = 1), 0 for the file."""

    type: ClassVar[str] = "erreur"
    title: ClassVar[str] = "Erreur"
    template: ClassVar[str] = "{note}"

    line: int
    field: str
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def message(self) -> str:
        """The French message, with the template filled in."""
        return self.template.format(field=self.field, line=self.line, **self.params)

    def as_row(self) -> dict[str, Any]:
        """The error as a table row."""
        return {"ligne": self.line, "champ": self.field, "type": self.type, "message": self.message}


class UnreadableFileError(ValidationError):
    """The file cannot be read as CSV or XLSX."""

    type = "fichier-illisible"
    title = "Fichier illisible"
    template = "fichier illisible : {reason}"


class EmptyFileError(ValidationError):
    """The file has no data row."""

    type = "fichier-vide"
    title = "Fichier vide"
    template = "le fichier ne contient aucune ligne de données"


class MissingColumnError(ValidationError):
    """A required column is absent from the header."""

    type = "colonne-manquante"
    title = "Colonne obligatoire absente"
    template = "colonne obligatoire « {field} » absente de l'en-tête"


class DuplicateColumnError(ValidationError):
    """Two header cells give the same column name."""

    type = "colonne-en-double"
    title = "Colonne en double"
    template = "la colonne « {field} » apparaît plusieurs fois dans l'en-tête"


class BlankHeaderError(ValidationError):
    """A header cell is empty although its column holds values."""

    type = "en-tete-vide"
    title = "En-tête vide"
    template = "la colonne n° {position} n'a pas de nom"


class ReservedColumnError(ValidationError):
    """An attribute column would overwrite a register column."""

    type = "colonne-reservee"
    title = "Colonne réservée"
    template = "la colonne « {field} » est réservée au registre et ne peut pas être importée comme attribut"


class AttributeCollisionError(ValidationError):
    """An attribute column is already provided by another import."""

    type = "attribut-existant"
    title = "Attribut déjà importé"
    template = "l'attribut « {field} » est déjà fourni par l'import « {source} »"


class UnknownColumnTypeError(ValidationError):
    """A `name:type` header declares an unknown type."""

    type = "type-de-colonne-inconnu"
    title = "Type de colonne inconnu"
    template = (
        "type « {value} » inconnu pour la colonne « {field} » (entier, décimal, booléen, texte)"
    )


class EmptyCodeError(ValidationError):
    """A row has no code."""

    type = "code-vide"
    title = "Code vide"
    template = "code vide"


class DuplicateCodeError(ValidationError):
    """The same code appears on several rows."""

    type = "code-en-double"
    title = "Code en double"
    template = "code « {value} » en double (déjà présent ligne {first_line})"


class UnknownCodeError(ValidationError):
    """An attribute row names a code absent from the register."""

    type = "code-inconnu"
    title = "Code inconnu"
    template = (
        "code « {value} » absent du registre (ni code INSEE, ni SIREN, ni code d'un cadre importé)"
    )


class OfficialCodeCollisionError(ValidationError):
    """A custom entity reuses a code of the official register."""

    type = "code-officiel"
    title = "Code du registre officiel"
    template = "le code « {value} » existe déjà dans le registre officiel ({name})"


class CustomCodeCollisionError(ValidationError):
    """A custom entity reuses a code of another imported frame."""

    type = "code-deja-importe"
    title = "Code déjà importé"
    template = "le code « {value} » est déjà utilisé par le cadre importé « {source} »"


class MissingValueError(ValidationError):
    """A required cell is empty."""

    type = "valeur-manquante"
    title = "Valeur manquante"
    template = "valeur obligatoire manquante pour « {field} »"


class IntegerTypeError(ValidationError):
    """A cell is not an integer."""

    type = "type-entier"
    title = "Entier attendu"
    template = "« {value} » n'est pas un nombre entier"


class NumberTypeError(ValidationError):
    """A cell is not a number."""

    type = "type-nombre"
    title = "Nombre attendu"
    template = "« {value} » n'est pas un nombre"


class BooleanTypeError(ValidationError):
    """A cell is not a boolean."""

    type = "type-booleen"
    title = "Booléen attendu"
    template = "« {value} » n'est pas une valeur booléenne (oui/non, vrai/faux, 1/0)"


class NegativeValueError(ValidationError):
    """A population is negative."""

    type = "valeur-negative"
    title = "Valeur négative"
    template = "« {value} » : une population ne peut pas être négative"


class ReservedKindError(ValidationError):
    """A custom entity claims an official kind."""

    type = "type-reserve"
    title = "Type d'entité réservé"
    template = "le type « {value} » est réservé au registre officiel ; choisissez un autre nom (ex. syndicat)"


class InvalidNameError(ValidationError):
    """The import name cannot be used as a file name."""

    type = "nom-invalide"
    title = "Nom d'import invalide"
    template = "nom d'import « {value} » invalide (lettres, chiffres, - et _ uniquement)"


ERROR_TYPES: tuple[type[ValidationError], ...] = tuple(ValidationError.__subclasses__())


def errors_from_rows(
    error_type: type[ValidationError], rows: pl.DataFrame, field: str, **constant: Any
) -> list[ValidationError]:
    """One error per row of `rows` (a `__line__` column plus template parameters)."""
    params = [c for c in rows.columns if c != "__line__"]
    return [
        error_type(
            line=row["__line__"], field=field, params={**constant, **{c: row[c] for c in params}}
        )
        for row in rows.iter_rows(named=True)
    ]


def errors_table(errors: list[ValidationError]) -> pl.DataFrame:
    """The errors as a table (ligne, champ, type, message), sorted by line."""
    schema = {"ligne": pl.Int64, "champ": pl.String, "type": pl.String, "message": pl.String}
    return pl.DataFrame([e.as_row() for e in errors], schema=schema).sort(
        "ligne", maintain_order=True
    )
