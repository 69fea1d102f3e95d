"""Finding a respondent's report in a private positioning folder: only plain files of the folder."""

from __future__ import annotations

from pathlib import Path

from barometre.edition.private_reports import (
    LINKS_FILE,
    edition_record,
    report_by_token,
    report_of,
    reports_of_code,
    write_edition_record,
)


def test_links_never_lead_outside_the_folder(tmp_path: Path) -> None:
    folder = tmp_path / "prive"
    folder.mkdir()
    (tmp_path / "secret.html").write_text("hors du dossier", encoding="utf-8")
    token = "c" * 32
    (folder / f"{token}.html").write_text("rapport", encoding="utf-8")
    (folder / LINKS_FILE).write_text(
        f"code,token,fichier\n29019,{token},../secret.html\n35238,zz,../secret.html\n",
        encoding="utf-8",
    )
    write_edition_record(folder, edition_record({"id": "e"}, "q", "2026"))
    assert report_of(folder, "q", "2026", "29019") == folder / f"{token}.html"
    assert report_of(folder, "q", "2026", "35238") is None
    assert report_of(folder, "q", "2025", "29019") is None
    assert reports_of_code(tmp_path, "35238") == []
    assert report_by_token(tmp_path, token) == folder / f"{token}.html"
    assert report_by_token(tmp_path, "../secret") is None
