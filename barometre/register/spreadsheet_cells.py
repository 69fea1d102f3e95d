"""Formula-safe text cells for every CSV and workbook barometre writes, reversibly.

A spreadsheet opening a CSV runs a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage
return as a formula (CSV injection: `=HYPERLINK(...)`, `=cmd|...`). Every text cell barometre
writes that could be read so gets one leading apostrophe, which spreadsheets show as text and hide.
Numbers written as text (`-5`, `+3,5`) are numbers to a spreadsheet and stay as they are.

The rule is reversible, so that barometre reads back exactly what was answered: a cell is escaped
when it matches `'*` followed by a trigger character, and unescaped (one apostrophe removed) when
it matches `'` `'*` trigger. A genuine answer `'=x` is written `''=x` and read back `'=x`.
Workbooks need no apostrophe: their text cells are written with the string type, never as
formulas (`workbook_cell`).
"""

from __future__ import annotations

import re
from typing import Any

import polars as pl

TRIGGERS = "=+-@\t\r"
_NEEDS = r"^'*[=+\-@\t\r]"
_ESCAPED = r"^''*[=+\-@\t\r]"
_NUMBER = r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$"


def neutralise(text: str) -> str:
    """One cell made formula-safe (see the module docstring)."""
    stripped = text.lstrip("'")
    if stripped[:1] in TRIGGERS and stripped and not _is_number(text):
        return "'" + text
    return text


def restore(text: str) -> str:
    """The answer a neutralised cell holds (inverse of `neutralise`)."""
    if text[:1] == "'" and text[1:].lstrip("'")[:1] in TRIGGERS and text[1:].lstrip("'"):
        return text[1:]
    return text


def _is_number(text: str) -> bool:
    return re.match(_NUMBER, text.strip()) is not None


def neutralise_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """Every text column of a table made formula-safe, vectorised."""
    columns = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    if not columns:
        return frame
    return frame.with_columns(
        pl.when(pl.col(c).str.contains(_NEEDS) & ~pl.col(c).str.strip_chars().str.contains(_NUMBER))
        .then(pl.lit("'") + pl.col(c))
        .otherwise(pl.col(c))
        .alias(c)
        for c in columns
    )


def restore_frame(frame: pl.DataFrame, columns: list[str] | None = None) -> pl.DataFrame:
    """Text columns as they were before `neutralise_frame` (all text columns by default)."""
    names = columns or [name for name, dtype in frame.schema.items() if dtype == pl.String]
    names = [c for c in names if frame.schema.get(c) == pl.String]
    if not names:
        return frame
    flagged = frame.select(pl.col(c).str.starts_with("'").any() for c in names).row(0)
    names = [c for c, escaped in zip(names, flagged, strict=True) if escaped]
    if not names:
        return frame
    return frame.with_columns(
        pl.when(pl.col(c).str.contains(_ESCAPED))
        .then(pl.col(c).str.slice(1))
        .otherwise(pl.col(c))
        .alias(c)
        for c in names
    )


def workbook_cell(sheet: Any, value: Any) -> Any:
    """A write-only openpyxl cell: text always of the string type (never a formula)."""
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    return cell
