"""Read a CSV or spreadsheet (XLSX via python-calamine) as a table of strings with file line numbers."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

import polars as pl
from python_calamine import CalamineError, CalamineWorkbook

from barometre.register.spreadsheet_cells import restore_frame

SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods"}
LINE = "__line__"


class UnreadableFile(Exception):
    """The file cannot be parsed; the message is in French."""


@dataclass(frozen=True)
class RawTable:
    """Header names as written and the data rows as strings (`__line__` = line in the file)."""

    header: list[str]
    header_line: int
    rows: pl.DataFrame


def _decode(content: bytes) -> str:
    """Decode UTF-8 (with or without BOM), falling back to Windows-1252 as spreadsheets export it."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("cp1252")


def _separator(first_line: str) -> str:
    """The most frequent of `;`, `,`, tab in the header line."""
    return max((";", ",", "\t"), key=first_line.count)


def _cell_text(value: object) -> str | None:
    """Spreadsheet cell as text: integral floats without `.0`, booleans as vrai/faux, ISO dates."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "vrai" if value else "faux"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    return str(value)


def _read_csv(path: Path) -> tuple[list[list[str | None]] | pl.DataFrame, int]:
    """CSV cells as a headerless string DataFrame; the header is its first row."""
    text = _decode(path.read_bytes())
    if not text.strip():
        return pl.DataFrame(), 1
    separator = _separator(text.splitlines()[0])
    frame = pl.read_csv(
        io.BytesIO(text.encode("utf-8")),
        has_header=False,
        separator=separator,
        infer_schema=False,
        truncate_ragged_lines=False,
    )
    return restore_frame(frame), 1


def _read_spreadsheet(path: Path) -> tuple[pl.DataFrame, int]:
    """First sheet's cells as a headerless string DataFrame, and the file line of its first row."""
    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
    rows = sheet.to_python(skip_empty_area=True)
    if not rows:
        return pl.DataFrame(), 1
    width = max(len(r) for r in rows)
    cells = [[_cell_text(v) for v in row] + [None] * (width - len(row)) for row in rows]
    schema = {f"column_{i + 1}": pl.String for i in range(width)}
    first_line = (sheet.start[0] + 1) if sheet.start else 1
    return pl.DataFrame(cells, schema=schema, orient="row"), first_line


def read_raw_table(path: Path) -> RawTable:
    """Read the file; raise UnreadableFile with a French reason when it cannot be parsed."""
    try:
        if path.suffix.lower() in SPREADSHEET_SUFFIXES:
            frame, first_line = _read_spreadsheet(path)
        else:
            frame, first_line = _read_csv(path)
    except FileNotFoundError as exc:
        raise UnreadableFile(f"fichier introuvable : {path}") from exc
    except (pl.exceptions.PolarsError, CalamineError, OSError, ValueError) as exc:
        raise UnreadableFile(f"{path.name} n'est ni un CSV ni un classeur lisible ({exc})") from exc
    if frame.height == 0:
        return RawTable([], first_line, pl.DataFrame({LINE: pl.Series([], dtype=pl.Int64)}))
    header = [(h or "").strip() for h in frame.row(0)]
    data = frame.slice(1).with_columns(
        pl.all().str.strip_chars().replace("", None),
        pl.int_range(first_line + 1, first_line + frame.height, dtype=pl.Int64).alias(LINE),
    )
    values = [c for c in data.columns if c != LINE]
    data = data.filter(~pl.all_horizontal(pl.col(values).is_null()))
    return RawTable(header, first_line, data)
