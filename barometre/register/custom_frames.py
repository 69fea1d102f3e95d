"""Import custom frames (other entities) and attribute tables into the register workspace.

A file is validated whole: every error is collected (line, field, French message) and a file with
any error is rejected without touching the workspace. Accepted files are stored atomically.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import polars as pl

from barometre.register import import_errors as E
from barometre.register.frame import OFFICIAL_KINDS, Register, load_register
from barometre.register.official_frame import ENTITY_SCHEMA
from barometre.register.tabular_files import LINE, RawTable, UnreadableFile, read_raw_table
from barometre.register.workspace import Section, Workspace

ImportAs = Literal["frame", "attributes"]
ColumnType = Literal["integer", "number", "boolean", "text"]

# register columns an import may never provide as an extra attribute
RESERVED_COLUMNS = frozenset(ENTITY_SCHEMA) | {"kind_detail", "size_class", LINE}
# columns of a custom frame with a fixed meaning (French header aliases on the right)
FRAME_COLUMNS: dict[str, tuple[str, ...]] = {
    "code": ("code",),
    "name": ("name", "nom", "libelle", "libellé"),
    "kind": ("kind", "type", "categorie", "catégorie"),
    "population": ("population",),
    "siren": ("siren",),
    "departement": ("departement", "département"),
    "region": ("region", "région"),
    "zone": ("zone",),
    "epci": ("epci",),
}
FRAME_REQUIRED = ("code", "name")
FRENCH_HEADERS = {"code": "code", "name": "nom", "kind": "type"}
COLUMN_TYPES: dict[str, ColumnType] = {
    "entier": "integer",
    "integer": "integer",
    "int": "integer",
    "décimal": "number",
    "decimal": "number",
    "nombre": "number",
    "number": "number",
    "float": "number",
    "booléen": "boolean",
    "booleen": "boolean",
    "boolean": "boolean",
    "bool": "boolean",
    "texte": "text",
    "text": "text",
    "str": "text",
}
TRUE_WORDS = ("oui", "vrai", "true", "o", "yes", "y", "x")
FALSE_WORDS = ("non", "faux", "false", "n", "no")
TYPE_ERRORS: dict[ColumnType, type[E.ValidationError]] = {
    "integer": E.IntegerTypeError,
    "number": E.NumberTypeError,
    "boolean": E.BooleanTypeError,
}
IMPORT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")


@dataclass
class ImportResult:
    """Outcome of one import: errors (empty when accepted), and what was stored."""

    name: str
    section: Section
    errors: list[E.ValidationError] = field(default_factory=list)
    rows: int = 0
    columns: list[str] = field(default_factory=list)
    path: Path | None = None
    table: pl.DataFrame | None = field(default=None, repr=False)

    @property
    def valid(self) -> bool:
        """True when the file has no error (it may not be stored: see `dry_run`)."""
        return not self.errors and self.table is not None

    @property
    def accepted(self) -> bool:
        """True when the file was stored."""
        return self.valid and self.path is not None

    def errors_table(self) -> pl.DataFrame:
        """Errors as a table: ligne, champ, type, message."""
        return E.errors_table(self.errors)


@dataclass(frozen=True)
class Column:
    """A header cell: its position, the column name and an optional declared type."""

    source: str
    name: str
    declared: ColumnType | None


def import_name_for(path: Path) -> str:
    """Default import name: the file stem reduced to letters, digits, `-` and `_`."""
    slug = re.sub(r"[^A-Za-z0-9_-]+", "_", path.stem).strip("_")
    return slug or "import"


def _parse_header(raw: RawTable, errors: list[E.ValidationError]) -> list[Column]:
    """Columns of the header; blank, duplicate and badly typed headers become errors."""
    columns: list[Column] = []
    seen: set[str] = set()
    for position, (cell, source) in enumerate(zip(raw.header, _value_columns(raw), strict=True), 1):
        if not cell:
            if raw.rows.get_column(source).null_count() < raw.rows.height:
                errors.append(E.BlankHeaderError(raw.header_line, "", {"position": position}))
            continue
        name, _, declared = cell.rpartition(":") if ":" in cell else (cell, "", "")
        name = name.strip()
        column_type = None
        if declared:
            column_type = COLUMN_TYPES.get(declared.strip().lower())
            if column_type is None:
                errors.append(E.UnknownColumnTypeError(raw.header_line, name, {"value": declared}))
        if name.lower() in seen:
            errors.append(E.DuplicateColumnError(raw.header_line, name))
            continue
        seen.add(name.lower())
        columns.append(Column(source, name, column_type))
    return columns


def _value_columns(raw: RawTable) -> list[str]:
    """Names of the raw data columns, in header order."""
    return [c for c in raw.rows.columns if c != LINE]


def _parsed(column: str, column_type: ColumnType) -> pl.Expr:
    """Parse a string column to its type; unparsable cells become null."""
    col = pl.col(column)
    if column_type == "integer":
        compact = col.str.replace_all(r"[\s\u00a0\u202f]", "").str.replace(
            r"^([+-]?\d+)[.,]0*$", "${1}"
        )
        return compact.cast(pl.Int64, strict=False)
    if column_type == "number":
        compact = col.str.replace_all(r"[\s\u00a0\u202f]", "").str.replace(",", ".", literal=True)
        return compact.cast(pl.Float64, strict=False)
    if column_type == "boolean":
        words = {**dict.fromkeys(TRUE_WORDS, True), **dict.fromkeys(FALSE_WORDS, False)}
        words |= {"1": True, "0": False}
        return col.str.to_lowercase().replace_strict(words, default=None, return_dtype=pl.Boolean)
    return col


def _infer_type(rows: pl.DataFrame, column: str) -> ColumnType:
    """Type of an undeclared column: boolean words, then integer, then number, else text."""
    values = rows.select(pl.col(column)).drop_nulls()
    if values.height == 0:
        return "text"
    lowered = values.get_column(column).str.to_lowercase()
    if lowered.is_in([*TRUE_WORDS, *FALSE_WORDS]).all():
        return "boolean"
    for column_type in ("integer", "number"):
        if values.select(_parsed(column, column_type).is_not_null().all()).item():
            return column_type
    return "text"


def _typed(
    rows: pl.DataFrame, column: Column, column_type: ColumnType, errors: list[E.ValidationError]
) -> pl.Expr:
    """Expression of the typed column; cells that do not parse are reported."""
    parsed = _parsed(column.source, column_type)
    if column_type in TYPE_ERRORS:
        bad = rows.filter(pl.col(column.source).is_not_null() & parsed.is_null())
        errors += E.errors_from_rows(
            TYPE_ERRORS[column_type],
            bad.select(LINE, pl.col(column.source).alias("value")),
            column.name,
        )
    return parsed.alias(column.name)


def _code_errors(table: pl.DataFrame, code: str, field_name: str) -> list[E.ValidationError]:
    """Empty and duplicate codes of a table holding `__line__` and a code column."""
    errors = E.errors_from_rows(
        E.EmptyCodeError, table.filter(pl.col(code).is_null()).select(LINE), field_name
    )
    duplicates = (
        table.filter(pl.col(code).is_not_null())
        .with_columns(pl.col(LINE).min().over(code).alias("first_line"))
        .filter(pl.col(LINE) != pl.col("first_line"))
        .select(LINE, pl.col(code).alias("value"), "first_line")
    )
    return errors + E.errors_from_rows(E.DuplicateCodeError, duplicates, field_name)


def _other_imports(
    workspace: Workspace, section: Section, name: str
) -> list[tuple[str, pl.DataFrame]]:
    """Stored tables of the workspace other than the one being replaced."""
    return [
        (f"{table.section}/{table.name}", table.read())
        for sec in ("frames", "attributes")
        for table in workspace.tables(sec)
        if not (sec == section and table.name == name)
    ]


def _attribute_collisions(
    columns: list[str], section: Section, others: list[tuple[str, pl.DataFrame]], line: int
) -> list[E.ValidationError]:
    """Attribute columns already provided by another import (frames may share extra columns)."""
    errors: list[E.ValidationError] = []
    for source, table in others:
        if section == "frames" and source.startswith("frames/"):
            continue
        extra = set(table.columns) - set(FRAME_COLUMNS) - {"code"}
        errors += [
            E.AttributeCollisionError(line, c, {"source": source}) for c in columns if c in extra
        ]
    return errors


def _metadata(path: Path, section: Section, rows: int, **extra: str) -> dict[str, str]:
    """Provenance stored with an imported table."""
    return {
        "barometre_section": section,
        "source_file": path.name,
        "source_sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        "imported_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "rows": str(rows),
        **extra,
    }


def _start(path: Path, section: Section, name: str | None) -> tuple[ImportResult, RawTable | None]:
    """Check the import name and read the file; errors end up in the result."""
    result = ImportResult(name=name or import_name_for(path), section=section)
    if not IMPORT_NAME.match(result.name):
        result.errors.append(E.InvalidNameError(0, "", {"value": result.name}))
    try:
        raw = read_raw_table(path)
    except UnreadableFile as exc:
        result.errors.append(E.UnreadableFileError(0, "", {"reason": str(exc)}))
        return result, None
    if raw.rows.height == 0:
        result.errors.append(E.EmptyFileError(0, ""))
        return result, None
    return result, raw


def import_frame(
    path: Path | str,
    workspace: Workspace | Path | str | None = None,
    kind: str | None = None,
    name: str | None = None,
    dry_run: bool = False,
) -> ImportResult:
    """Validate a file of other entities (code, nom, type, population…) and store it if valid.

    With `dry_run`, nothing is stored; the validated table is in `result.table`.
    """
    path = Path(path)
    space = workspace if isinstance(workspace, Workspace) else Workspace.at(workspace)
    result, raw = _start(path, "frames", name)
    if raw is None:
        return result
    errors = result.errors
    columns = _parse_header(raw, errors)
    by_alias = {alias: key for key, aliases in FRAME_COLUMNS.items() for alias in aliases}
    known: dict[str, Column] = {}
    for column in columns:
        key = by_alias.get(column.name.lower())
        if key in known:
            errors.append(E.DuplicateColumnError(raw.header_line, column.name))
        elif key is not None:
            known[key] = column
    extras = [c for c in columns if c.name.lower() not in by_alias]
    required = [*FRAME_REQUIRED, *(() if kind else ("kind",))]
    errors += [
        E.MissingColumnError(raw.header_line, FRENCH_HEADERS[c]) for c in required if c not in known
    ]
    errors += [
        E.ReservedColumnError(raw.header_line, c.name) for c in extras if c.name in RESERVED_COLUMNS
    ]
    rows = raw.rows
    expressions = [pl.col(LINE)]
    for key, column in known.items():
        column_type: ColumnType = "integer" if key == "population" else "text"
        expressions.append(_typed(rows, column, column_type, errors).alias(key))
    for column in extras:
        expressions.append(
            _typed(rows, column, column.declared or _infer_type(rows, column.source), errors)
        )
    table = rows.select(expressions)
    if "kind" not in table.columns and kind:
        table = table.with_columns(pl.lit(kind, pl.String).alias("kind"))
    elif kind:
        table = table.with_columns(pl.col("kind").fill_null(kind))
    if "code" in table.columns:
        errors += _code_errors(table, "code", known["code"].name)
        errors += _official_collisions(table, load_register(), known["code"].name)
    others = _other_imports(space, "frames", result.name)
    if "code" in table.columns:
        errors += _custom_collisions(table, others, known["code"].name)
    for key in ("name", "kind"):
        if key in table.columns:
            label = known[key].name if key in known else key
            missing = table.filter(pl.col(key).is_null()).select(LINE)
            errors += E.errors_from_rows(E.MissingValueError, missing, label)
    if "kind" in table.columns:
        reserved = table.filter(pl.col("kind").is_in(OFFICIAL_KINDS)).select(
            LINE, pl.col("kind").alias("value")
        )
        errors += E.errors_from_rows(
            E.ReservedKindError, reserved, known["kind"].name if "kind" in known else "kind"
        )
    if "population" in table.columns:
        negative = table.filter(pl.col("population") < 0).select(
            LINE, pl.col("population").alias("value")
        )
        errors += E.errors_from_rows(E.NegativeValueError, negative, known["population"].name)
    errors += _attribute_collisions([c.name for c in extras], "frames", others, raw.header_line)
    if errors:
        return result
    stored = table.drop(LINE).select(
        [pl.col(c).cast(ENTITY_SCHEMA[c]) for c in ENTITY_SCHEMA if c in table.columns]
        + [c.name for c in extras]
    )
    result.rows, result.columns, result.table = stored.height, stored.columns, stored
    if dry_run:
        return result
    result.path = space.store(
        "frames", result.name, stored, _metadata(path, "frames", stored.height, kind=kind or "")
    )
    return result


def _official_collisions(
    table: pl.DataFrame, register: Register, field_name: str
) -> list[E.ValidationError]:
    """Custom codes equal to an official code or SIREN."""
    official = pl.concat(
        [
            register.entities.select("code", pl.col("name").alias("official_name")),
            register.entities.filter(pl.col("siren").is_not_null()).select(
                pl.col("siren").alias("code"), pl.col("name").alias("official_name")
            ),
        ]
    ).unique("code", keep="first")
    clashes = table.filter(pl.col("code").is_not_null()).join(official, on="code").sort(LINE)
    return E.errors_from_rows(
        E.OfficialCodeCollisionError,
        clashes.select(LINE, pl.col("code").alias("value"), pl.col("official_name").alias("name")),
        field_name,
    )


def _custom_collisions(
    table: pl.DataFrame, others: list[tuple[str, pl.DataFrame]], field_name: str
) -> list[E.ValidationError]:
    """Custom codes already used by another imported frame."""
    errors: list[E.ValidationError] = []
    for source, other in others:
        if source.startswith("frames/"):
            clashes = table.join(other.select("code"), on="code").sort(LINE)
            errors += E.errors_from_rows(
                E.CustomCodeCollisionError,
                clashes.select(LINE, pl.col("code").alias("value")),
                field_name,
                source=source.removeprefix("frames/"),
            )
    return errors


def import_attributes(
    path: Path | str,
    workspace: Workspace | Path | str | None = None,
    key: str = "code",
    name: str | None = None,
    dry_run: bool = False,
) -> ImportResult:
    """Validate a file of attributes keyed by register codes (or SIRENs) and store it if valid.

    With `dry_run`, nothing is stored; the validated table (`code` + attributes) is in `result.table`.
    """
    path = Path(path)
    space = workspace if isinstance(workspace, Workspace) else Workspace.at(workspace)
    result, raw = _start(path, "attributes", name)
    if raw is None:
        return result
    errors = result.errors
    columns = _parse_header(raw, errors)
    key_column = next((c for c in columns if c.name.lower() == key.lower()), None)
    if key_column is None:
        errors.append(E.MissingColumnError(raw.header_line, key))
        return result
    attributes = [c for c in columns if c is not key_column]
    if not attributes:
        errors.append(E.MissingColumnError(raw.header_line, "(au moins un attribut)"))
    errors += [
        E.ReservedColumnError(raw.header_line, c.name)
        for c in attributes
        if c.name in RESERVED_COLUMNS
    ]
    rows = raw.rows
    register = load_register(space)
    table = rows.select(
        pl.col(LINE),
        pl.col(key_column.source).alias("key"),
        *(_typed(rows, c, c.declared or _infer_type(rows, c.source), errors) for c in attributes),
    ).with_columns(register.resolve(rows.get_column(key_column.source)).alias("code"))
    unknown = table.filter(pl.col("key").is_not_null() & pl.col("code").is_null())
    errors += E.errors_from_rows(
        E.UnknownCodeError, unknown.select(LINE, pl.col("key").alias("value")), key_column.name
    )
    empty = table.filter(pl.col("key").is_null()).select(LINE)
    errors += E.errors_from_rows(E.EmptyCodeError, empty, key_column.name)
    resolved = table.filter(pl.col("code").is_not_null())
    duplicates = (
        resolved.with_columns(pl.col(LINE).min().over("code").alias("first_line"))
        .filter(pl.col(LINE) != pl.col("first_line"))
        .select(LINE, pl.col("key").alias("value"), "first_line")
    )
    errors += E.errors_from_rows(E.DuplicateCodeError, duplicates, key_column.name)
    others = _other_imports(space, "attributes", result.name)
    errors += _attribute_collisions(
        [c.name for c in attributes], "attributes", others, raw.header_line
    )
    if errors:
        return result
    stored = table.select("code", *(c.name for c in attributes))
    result.rows, result.columns, result.table = stored.height, stored.columns, stored
    if dry_run:
        return result
    result.path = space.store(
        "attributes", result.name, stored, _metadata(path, "attributes", stored.height, key=key)
    )
    return result


def import_file(
    path: Path | str,
    as_: ImportAs,
    workspace: Workspace | Path | str | None = None,
    kind: str | None = None,
    key: str = "code",
    name: str | None = None,
    dry_run: bool = False,
) -> ImportResult:
    """Import (or with `dry_run` only validate) a custom frame or an attribute table."""
    if as_ == "frame":
        return import_frame(path, workspace, kind=kind, name=name, dry_run=dry_run)
    return import_attributes(path, workspace, key=key, name=name, dry_run=dry_run)
