"""Reading uploaded files: every unreadable or malformed file is refused with a French message."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from barometre.imports.tables import FileRefused, read_table

ENGLISH_WORDS = ("error", "expected", "found", "invalid", "schema", "consider", "utf-8 codec")


def refused(content: bytes, name: str = "r.csv", encoding: str = "auto") -> list[str]:
    """The French problems of a refused file (the test fails if the file is read)."""
    with pytest.raises(FileRefused) as caught:
        read_table(content, name, encoding)
    texts = [str(p) for p in caught.value.problems]
    for text in texts:
        assert not any(word in text.lower() for word in ENGLISH_WORDS), text
    return texts


def workbook(rows: list[list[object]]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_unreadable_workbooks_are_refused_in_french():
    good = workbook([["code", "q"], ["29019", "oui"]])
    for content in (b"not a workbook at all", good[: len(good) // 2], b"PK\x03\x04" + b"\0" * 50):
        (message,) = refused(content, "reponses.xlsx")
        assert "classeur illisible" in message


def test_a_workbook_named_csv_is_named_as_such():
    (message,) = refused(workbook([["code"], ["1"]]), "reponses.csv")
    assert "classeur" in message and "extension" in message


def test_latin1_text_is_refused_with_its_line_unless_windows_1252_is_chosen():
    content = "code;nom\n29019;Brest\n29232;Quimper\n29151;Morlaix Communauté é\n".encode("latin-1")
    (message,) = refused(content)
    assert message.startswith("ligne 4 : le fichier n'est pas encodé en UTF-8")
    assert "Windows-1252" in message
    table = read_table(content, "r.csv", "windows-1252")
    assert table.rows.get_column("nom").to_list()[-1] == "Morlaix Communauté é"
    assert table.encoding.startswith("Windows-1252")


def test_uneven_rows_are_refused_line_by_line():
    messages = refused(b"code;q1;q2\n29019;a;b\n29232;a\n29151;a;b;c;d\n")
    assert messages[0].startswith("ligne 3 : 2 cellule(s) au lieu de 3")
    assert messages[1].startswith("ligne 4 : 5 cellule(s) au lieu de 3")


def test_duplicated_header_is_refused_not_dropped():
    (message,) = refused(b"code,q1,q1\n29019,a,b\n")
    assert message == (
        "ligne 1, colonne « q1 » : en-tête en double (colonnes 2 et 3) : chaque colonne doit "
        "avoir un en-tête différent"
    )
    (message,) = refused(workbook([["code", "q1", "q1"], ["29019", "a", "b"]]), "r.xlsx")
    assert "colonnes 2 et 3" in message


def test_empty_header_above_values_is_refused_but_empty_trailing_columns_are_not():
    (message,) = refused(b"code,,q\n29019,x,oui\n")
    assert "colonne 2" in message and "en-tête vide" in message
    table = read_table(b"code,q,\n29019,oui,\n", "r.csv")
    assert table.header == ["code", "q"]


def test_empty_files_and_open_quotes():
    assert refused(b"") == ["fichier vide"]
    assert "aucune ligne" in refused(b"\n\n")[0]
    assert "guillemet" in refused(b'code,q\n29019,"oui\n')[0]


def test_separator_bom_lines_and_limesurvey_empty_strings():
    content = '\ufeff"id";"code";"q[SQ001]"\r\n"1";"29019";""\r\n\r\n"2";"29232";\r\n\r\n'
    table = read_table(content.encode("utf-8"), "results-survey1.csv")
    assert table.header == ["id", "code", "q[SQ001]"]
    assert table.separator == "point-virgule"
    assert table.rows.get_column("__line").to_list() == [2, 4]
    # shown but left empty ("") is kept apart from never reached (nothing between separators)
    assert table.rows.get_column("q[SQ001]").to_list() == ["", None]


def test_spreadsheet_cells_become_text():
    table = read_table(workbook([["code", "n", "d"], ["01001", 12.0, 3.5]]), "r.xlsx")
    assert table.rows.row(0) == ("01001", "12", "3.5", 2)
