"""Corpus of initiatives: import from CSV/XLSX, validated against the register and the taxonomy.

A corpus row is one initiative published by a collectivité: register code, title, description,
year and, when known, its domain. Import is all-or-nothing: any error (named by file line and
field, in French) means no corpus is returned, so nothing half-valid is ever stored.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from barometre.initiatives.taxonomy import DATA_DIR, Taxonomy, default_taxonomy, fold
from barometre.register import Register, load_register
from barometre.register.import_errors import (
    DuplicateColumnError,
    EmptyFileError,
    IntegerTypeError,
    MissingColumnError,
    MissingValueError,
    UnknownCodeError,
    UnreadableFileError,
    ValidationError,
    errors_from_rows,
    errors_table,
)
from barometre.register.spreadsheet_cells import neutralise_frame
from barometre.register.tabular_files import LINE, UnreadableFile, read_raw_table

EXAMPLE_CORPUS_FILE = DATA_DIR / "initiatives_exemple.csv"
MIN_YEAR, MAX_YEAR = 1990, 2100

# internal column -> accepted header names (folded); the first one is written back
HEADERS: dict[str, tuple[str, ...]] = {
    "id": ("id", "identifiant"),
    "code": ("code", "code_insee", "code insee", "siren", "collectivite_code"),
    "title": ("titre", "title", "intitule"),
    "description": ("description", "texte", "resume"),
    "year": ("annee", "year"),
    "domain": ("domaine", "domain", "domaine_id"),
}
REQUIRED = ("code", "title")
CORPUS_SCHEMA = {
    "id": pl.String,
    "code": pl.String,
    "title": pl.String,
    "description": pl.String,
    "year": pl.Int32,
    "domain": pl.String,
    "line": pl.Int64,
}


class EmptyTextError(ValidationError):
    """An initiative has neither title nor description."""

    type = "texte-vide"
    title = "Texte vide"
    template = "texte vide : ni titre ni description"


class YearRangeError(ValidationError):
    """The year is outside the plausible range."""

    type = "annee-hors-plage"
    title = "Année hors plage"
    template = "année « {value} » hors de la plage 1990–2100"


class UnknownDomainError(ValidationError):
    """The domain label is not in the taxonomy."""

    type = "domaine-inconnu"
    title = "Domaine inconnu"
    template = "domaine « {value} » absent de la taxonomie ({known})"


class DuplicateInitiativeError(ValidationError):
    """The same initiative (or id) appears twice."""

    type = "initiative-en-double"
    title = "Initiative en double"
    template = "initiative « {value} » en double (déjà présente ligne {first_line})"


class CorpusImportError(ValueError):
    """The corpus file has errors; `errors` lists them (line, field, French message)."""

    def __init__(self, errors: list[ValidationError]) -> None:
        self.errors = errors
        lines = [f"ligne {e.line}, champ « {e.field} » : {e.message}" for e in errors[:20]]
        more = f"\n… et {len(errors) - 20} autres erreurs" if len(errors) > 20 else ""
        super().__init__(f"{len(errors)} erreur(s) dans le corpus :\n" + "\n".join(lines) + more)


@dataclass(frozen=True)
class CorpusImport:
    """Result of an import: the corpus (None when there are errors) and the errors."""

    corpus: pl.DataFrame | None
    errors: list[ValidationError] = field(default_factory=list)
    rows_read: int = 0

    @property
    def ok(self) -> bool:
        """True when the file had no error."""
        return not self.errors

    def errors_table(self) -> pl.DataFrame:
        """Errors as a table (ligne, champ, type, message)."""
        return errors_table(self.errors)


def initiative_ids(codes: pl.Series, titles: pl.Series, descriptions: pl.Series) -> pl.Series:
    """Stable content ids (12 hex digits of SHA-1 over code, title and description)."""
    keys = pl.DataFrame({"c": codes, "t": titles, "d": descriptions}).select(
        pl.concat_str([pl.all().fill_null("")], separator="\x1f")
    )
    digests = [hashlib.sha1(k.encode("utf-8")).hexdigest()[:12] for k in keys.to_series()]
    return pl.Series("id", digests, dtype=pl.String)


def _map_header(
    header: list[str], raw_columns: list[str]
) -> tuple[dict[str, str], list[ValidationError]]:
    """Map internal columns to the raw column names; errors for missing or doubled columns."""
    accepted = {alias: name for name, aliases in HEADERS.items() for alias in aliases}
    found: dict[str, str] = {}
    errors: list[ValidationError] = []
    for position, raw in enumerate(header, start=1):
        name = accepted.get(fold(raw))
        if name is None:
            continue
        if name in found:
            errors.append(DuplicateColumnError(line=1, field=raw))
            continue
        found[name] = raw_columns[position - 1]
    for name in REQUIRED:
        if name not in found:
            errors.append(MissingColumnError(line=1, field=HEADERS[name][0]))
    return found, errors


def _rows_with(frame: pl.DataFrame, mask: pl.Expr, value: pl.Expr | None = None) -> pl.DataFrame:
    """The `__line__` (and `value`) of rows matching `mask`."""
    columns = [pl.col(LINE)] + ([value.alias("value")] if value is not None else [])
    return frame.filter(mask).select(columns)


def import_corpus(
    path: Path | str, register: Register | None = None, taxonomy: Taxonomy | None = None
) -> CorpusImport:
    """Read and validate a corpus file (CSV or XLSX); errors name the file line and the field."""
    path = Path(path)
    taxonomy = taxonomy or default_taxonomy()
    try:
        raw = read_raw_table(path)
    except UnreadableFile as exc:
        return CorpusImport(None, [UnreadableFileError(0, "fichier", {"reason": str(exc)})])
    if not raw.header:
        return CorpusImport(None, [EmptyFileError(0, "fichier")])
    columns, errors = _map_header(raw.header, [c for c in raw.rows.columns if c != LINE])
    if errors:
        return CorpusImport(None, errors)
    if raw.rows.height == 0:
        return CorpusImport(None, [EmptyFileError(0, "fichier")])
    register = register or load_register()
    rows = raw.rows.select(
        pl.col(LINE),
        *[
            (pl.col(columns[name]) if name in columns else pl.lit(None, pl.String)).alias(name)
            for name in HEADERS
        ],
    )
    rows = rows.with_columns(
        register.resolve(rows.get_column("code")).alias("resolved"),
        pl.col("year").cast(pl.Int32, strict=False).alias("year_int"),
        pl.col("domain")
        .str.normalize("NFKD")
        .str.replace_all(r"\p{Mn}", "")
        .str.to_lowercase()
        .str.strip_chars()
        .replace_strict(taxonomy.lookup(), default=None)
        .alias("domain_id"),
    )
    errors += errors_from_rows(
        MissingValueError, _rows_with(rows, pl.col("code").is_null()), "code"
    )
    errors += errors_from_rows(
        UnknownCodeError,
        _rows_with(
            rows, pl.col("code").is_not_null() & pl.col("resolved").is_null(), pl.col("code")
        ),
        "code",
    )
    errors += errors_from_rows(
        EmptyTextError,
        _rows_with(rows, pl.col("title").is_null() & pl.col("description").is_null()),
        "titre",
    )
    errors += errors_from_rows(
        IntegerTypeError,
        _rows_with(
            rows, pl.col("year").is_not_null() & pl.col("year_int").is_null(), pl.col("year")
        ),
        "annee",
    )
    errors += errors_from_rows(
        YearRangeError,
        _rows_with(rows, ~pl.col("year_int").is_between(MIN_YEAR, MAX_YEAR), pl.col("year")),
        "annee",
    )
    errors += errors_from_rows(
        UnknownDomainError,
        _rows_with(
            rows, pl.col("domain").is_not_null() & pl.col("domain_id").is_null(), pl.col("domain")
        ),
        "domaine",
        known=", ".join(taxonomy.ids),
    )
    ids = rows.get_column("id").fill_null(
        initiative_ids(
            rows.get_column("resolved"), rows.get_column("title"), rows.get_column("description")
        )
    )
    rows = rows.with_columns(ids.alias("id"))
    first = rows.group_by("id").agg(pl.col(LINE).min().alias("first_line"))
    doubled = rows.join(first, on="id").filter(pl.col(LINE) > pl.col("first_line"))
    errors += errors_from_rows(
        DuplicateInitiativeError,
        doubled.select(LINE, pl.col("id").alias("value"), "first_line"),
        "id" if "id" in columns else "titre",
    )
    if errors:
        errors.sort(key=lambda e: (e.line, e.field))
        return CorpusImport(None, errors, rows.height)
    corpus = rows.select(
        pl.col("id"),
        pl.col("resolved").alias("code"),
        pl.col("title").fill_null(""),
        pl.col("description").fill_null(""),
        pl.col("year_int").alias("year"),
        pl.col("domain_id").alias("domain"),
        pl.col(LINE).alias("line"),
    ).cast(CORPUS_SCHEMA)
    return CorpusImport(corpus, [], rows.height)


def read_corpus(
    path: Path | str, register: Register | None = None, taxonomy: Taxonomy | None = None
) -> pl.DataFrame:
    """The validated corpus of a file; raise CorpusImportError listing every error."""
    result = import_corpus(path, register, taxonomy)
    if result.corpus is None:
        raise CorpusImportError(result.errors)
    return result.corpus


def example_corpus(register: Register | None = None) -> pl.DataFrame:
    """The labelled French example corpus shipped with barometre (demo and tests)."""
    return read_corpus(EXAMPLE_CORPUS_FILE, register)


def corpus_texts(corpus: pl.DataFrame) -> list[str]:
    """The text the classifier reads: title, then description."""
    return (
        corpus.select(pl.concat_str([pl.col("title"), pl.col("description")], separator=". "))
        .to_series()
        .to_list()
    )


def write_corpus(corpus: pl.DataFrame, path: Path | str) -> Path:
    """Write a validated corpus as CSV (French headers), atomically (never a half-written file)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    table = corpus.select(
        pl.col("id"),
        pl.col("code"),
        pl.col("title").alias("titre"),
        pl.col("description"),
        pl.col("year").alias("annee"),
        pl.col("domain").alias("domaine"),
    )
    write_csv_atomic(table, path)
    return path


def write_csv_atomic(table: pl.DataFrame, path: Path) -> None:
    """Write a CSV through a temporary file and a rename (never half-written), formula-safe."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        neutralise_frame(table).write_csv(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
