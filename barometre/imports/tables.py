"""Read an uploaded answers file (CSV, XLSX, XLS, ODS) into a table of text cells, or refuse it in French.

Every cell is kept as text exactly as written; an empty cell written `""` in a CSV stays an empty
string while a cell with nothing between separators is null (LimeSurvey writes reached-but-empty
answers the first way and answers never reached the second way). Line numbers are those a
spreadsheet shows: the header is line 1, the first answer line 2. Rows without any value are
skipped (they keep their number for the lines after them).

Refused, with a French message and nothing read: an unreadable workbook, a text file that is not
UTF-8 (unless the operator chose Windows-1252), rows with more or fewer cells than the header, two
columns with the same header, a header cell left empty above values, an empty file.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
from dataclasses import dataclass, field

import polars as pl

from barometre.imports.problems import Problem

LINE = "__line"
SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
ENCODINGS = {
    "auto": "UTF-8 (détecté)",
    "utf-8": "UTF-8",
    "windows-1252": "Windows-1252 (Latin-1)",
}
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"


class FileRefused(Exception):
    """The file cannot be read as a table; `problems` say why, in French."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(frozen=True)
class Table:
    """The file's header (as written) and its rows as text columns named by the header, plus `__line`."""

    header: list[str]
    rows: pl.DataFrame
    encoding: str = ""
    separator: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def height(self) -> int:
        """Number of answer lines (empty rows excluded)."""
        return self.rows.height


def _refuse(message: str, line: int | None = None, column: str = "") -> FileRefused:
    return FileRefused([Problem(line, column, "unreadable_file", message)])


def _cell_text(value: object) -> str | None:
    """A spreadsheet cell as text: integral floats without `.0`, dates in ISO 8601, empty as null."""
    if value is None or (isinstance(value, str) and value == ""):
        return None
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def _decode(content: bytes, encoding: str) -> tuple[str, str]:
    """The text of a CSV file and the encoding used; refused in French when it cannot be decoded."""
    if content.startswith(codecs.BOM_UTF8):
        return content[len(codecs.BOM_UTF8) :].decode("utf-8", errors="strict"), "UTF-8"
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return content.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError as error:
            raise _refuse("fichier UTF-16 illisible : octets invalides") from error
    if encoding == "windows-1252":
        try:
            return content.decode("cp1252"), ENCODINGS["windows-1252"]
        except UnicodeDecodeError as error:
            line = content[: error.start].count(b"\n") + 1
            raise _refuse(
                f"octet 0x{content[error.start]:02X} sans caractère en Windows-1252 : "
                "le fichier n'est pas dans cet encodage",
                line,
            ) from error
    try:
        return content.decode("utf-8"), ENCODINGS["utf-8"]
    except UnicodeDecodeError as error:
        line = content[: error.start].count(b"\n") + 1
        raise _refuse(
            f"le fichier n'est pas encodé en UTF-8 (octet 0x{content[error.start]:02X}). "
            "Enregistrez-le en UTF-8 (« CSV UTF-8 » dans un tableur) ou choisissez l'encodage "
            "« Windows-1252 (Latin-1) » si le fichier vient d'Excel sous Windows",
            line,
        ) from error


def _separator(text: str) -> str:
    """The separator of the header line (`;`, `,` or tab, outside quotes), `,` when there is none."""
    counts = {";": 0, ",": 0, "\t": 0}
    quoted = False
    for char in text:
        if char == '"':
            quoted = not quoted
        elif char in "\r\n" and not quoted:
            break
        elif char in counts and not quoted:
            counts[char] += 1
    best = max(counts, key=lambda key: counts[key])
    return best if counts[best] else ","


def _check_shape(text: str, separator: str) -> int:
    """Number of header cells; refused when a row has another number of cells or a quote is open."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator, strict=True)
    width = 0
    uneven: list[Problem] = []
    try:
        for number, record in enumerate(reader, start=1):
            if number == 1:
                width = len(record)
                continue
            if not record or (len(record) == 1 and record[0] == ""):
                continue
            if len(record) != width:
                uneven.append(
                    Problem(
                        number,
                        "",
                        "uneven_row",
                        f"{len(record)} cellule(s) au lieu de {width} (autant que de colonnes "
                        "dans l'en-tête) : vérifiez les séparateurs et les guillemets de la ligne",
                    )
                )
    except csv.Error as error:
        raise _refuse(
            "guillemet non refermé ou mal placé : le fichier n'est pas un CSV valide",
            reader.line_num or None,
        ) from error
    if uneven:
        raise FileRefused(uneven[:50])
    return width


def _header_problems(header: list[str], rows: list[list[str | None]] | None) -> list[Problem]:
    """Duplicated or empty header cells (an empty header above an empty column is allowed)."""
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for position, name in enumerate(header, start=1):
        if name == "":
            continue
        if name in seen:
            problems.append(
                Problem(
                    1,
                    name,
                    "duplicate_column",
                    f"en-tête en double (colonnes {seen[name]} et {position}) : chaque colonne "
                    "doit avoir un en-tête différent",
                )
            )
        else:
            seen[name] = position
    return problems


def _frame(header: list[str], columns: list[pl.Series]) -> pl.DataFrame:
    """Rows as text columns named by the header; empty-header columns must be empty (then dropped)."""
    problems = _header_problems(header, None)
    kept: dict[str, pl.Series] = {}
    for position, (name, column) in enumerate(zip(header, columns, strict=True), start=1):
        if name == "":
            filled = column.is_not_null() & (column != "")
            if filled.any():
                problems.append(
                    Problem(
                        1,
                        f"colonne {position}",
                        "empty_header",
                        "en-tête vide au-dessus de valeurs : nommez cette colonne",
                    )
                )
            continue
        kept[name] = column.alias(name)
    if problems:
        raise FileRefused(problems)
    frame = pl.DataFrame(list(kept.values())) if kept else pl.DataFrame()
    return frame


def _without_empty_rows(frame: pl.DataFrame) -> pl.DataFrame:
    """Add `__line` (header = 1) and drop rows where every cell is null or blank."""
    lines = pl.int_range(2, pl.len() + 2, dtype=pl.Int64).alias(LINE)
    if not frame.columns:
        return frame.with_columns(lines)
    blank = pl.all_horizontal(
        pl.col(name).is_null() | (pl.col(name).str.strip_chars() == "") for name in frame.columns
    )
    return frame.with_columns(lines).filter(~blank)


def read_csv_text(text: str, encoding_label: str = "UTF-8") -> Table:
    """A CSV text as a table (header on the first line, separator detected)."""
    if not text.strip():
        raise _refuse("fichier vide : aucune ligne d'en-tête")
    separator = _separator(text)
    width = _check_shape(text, separator)
    try:
        frame = pl.read_csv(
            io.StringIO(text),
            has_header=False,
            separator=separator,
            infer_schema=False,
            skip_rows=0,
        )
    except pl.exceptions.PolarsError as error:
        raise _refuse("fichier CSV illisible : structure des lignes incohérente") from error
    header = [("" if v is None else str(v)).strip() for v in frame.row(0)] if frame.height else []
    header += [""] * (width - len(header))
    body = frame.slice(1)
    columns = [body.get_column(name) for name in body.columns]
    table = _frame(header, columns)
    names = {",": "virgule", ";": "point-virgule", "\t": "tabulation"}
    return Table(
        header=[h for h in header if h],
        rows=_without_empty_rows(table),
        encoding=encoding_label,
        separator=names[separator],
    )


def read_spreadsheet(content: bytes) -> Table:
    """The first sheet of a workbook (XLSX, XLSM, XLS, ODS) as a table."""
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(content))
        sheet = book.get_sheet_by_index(0)
        rows = sheet.to_python(skip_empty_area=False)
    except Exception as error:  # calamine raises several error types for damaged files
        raise _refuse(
            "classeur illisible : le fichier n'est pas un classeur XLSX, XLS ou ODS valide "
            "(fichier abîmé, protégé par mot de passe ou d'un autre format)"
        ) from error
    while rows and all(v in (None, "") for v in rows[-1]):
        rows.pop()
    if not rows:
        raise _refuse("classeur vide : la première feuille n'a aucune ligne d'en-tête")
    width = max(len(row) for row in rows)
    header = [(_cell_text(v) or "").strip() for v in rows[0]] + [""] * (width - len(rows[0]))
    body = [[_cell_text(v) for v in row] + [None] * (width - len(row)) for row in rows[1:]]
    columns = [pl.Series(f"c{i}", [row[i] for row in body], dtype=pl.String) for i in range(width)]
    table = _frame(header, columns)
    return Table(
        header=[h for h in header if h],
        rows=_without_empty_rows(table),
        encoding="classeur",
        separator="",
    )


def read_table(content: bytes, file_name: str, encoding: str = "auto") -> Table:
    """Read an uploaded file as a table of text cells; FileRefused (French problems) otherwise."""
    if encoding not in ENCODINGS:
        raise _refuse(f"encodage « {encoding} » inconnu (choix : {', '.join(ENCODINGS)})")
    if not content:
        raise _refuse("fichier vide")
    lowered = file_name.lower()
    if lowered.endswith(SPREADSHEET_SUFFIXES):
        return read_spreadsheet(content)
    if content.startswith((ZIP_MAGIC, OLE_MAGIC)):
        raise _refuse(
            "ce fichier est un classeur (XLSX, XLS ou ODS) mais son nom n'en a pas l'extension : "
            "renommez-le (.xlsx, .xls ou .ods) ou enregistrez-le en CSV"
        )
    text, label = _decode(content, encoding)
    return read_csv_text(text, label)
