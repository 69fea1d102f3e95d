"""Every option of `barometre analyse` and every column of the result table is documented."""

from __future__ import annotations

from pathlib import Path

from barometre.cli.analyse_cmd import command
from barometre.stats.analysis import TABLE_COLUMNS

DOC = Path(__file__).parents[2] / "docs" / "stats.md"


def test_every_option_is_documented():
    text = DOC.read_text(encoding="utf-8")
    assert "barometre analyse" in text
    for param in command.params:
        for opt in getattr(param, "opts", []):
            if opt.startswith("-"):
                assert f"`{opt}" in text or f"{opt}`" in text, opt


def test_every_table_column_is_documented():
    text = DOC.read_text(encoding="utf-8")
    for column in TABLE_COLUMNS:
        assert f"`{column}`" in text, column
