"""The respondent reaches its own positioning report from its private space, and only its own."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from django.test import Client

from barometre.edition.private_reports import (
    LINKS_FILE,
    STYLESHEET,
    edition_record,
    write_edition_record,
)

pytestmark = pytest.mark.django_db

TOKENS = {"29019": "a" * 32, "35238": "b" * 32}


def _folder(root: Path, questionnaire_id: str, edition: str, name: str) -> Path:
    """A positioning folder as `barometre report --positionnement` writes it (two reports)."""
    folder = root / name
    folder.mkdir(parents=True)
    with (folder / LINKS_FILE).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["code", "token", "fichier"])
        for code, token in TOKENS.items():
            writer.writerow([code, token, f"{token}.html"])
            (folder / f"{token}.html").write_text(
                f"<!DOCTYPE html><title>Rapport {code} ({name})</title>", encoding="utf-8"
            )
    (folder / STYLESHEET).write_text(".w100{width:100%}", encoding="utf-8")
    write_edition_record(folder, edition_record({"id": name}, questionnaire_id, edition))
    return folder


def _session(link) -> Client:
    client = Client()
    assert client.get(link.path).status_code == 302
    return client


def test_the_landing_promises_then_links_the_report_and_serves_only_ones_own(
    make_link, settings, tmp_path
) -> None:
    settings.BAROMETRE_POSITIONING_DIR = str(tmp_path / "prive")
    brest, rennes = make_link("29019", "Brest"), make_link("35238", "Rennes")
    client = _session(brest)
    before = client.get("/r/accueil/").content.decode()
    assert "il sera accessible ici, avec ce même lien, dès la publication des résultats" in before
    assert client.get("/r/positionnement/").status_code == 404
    # reports of another edition of the same questionnaire are never served
    _folder(tmp_path / "prive", "test-repondant", "2025", "autre-edition")
    assert client.get("/r/positionnement/").status_code == 404
    _folder(tmp_path / "prive", "test-repondant", "2026", "edition-2026")
    landing = client.get("/r/accueil/").content.decode()
    assert 'href="/r/positionnement/"' in landing
    page = client.get("/r/positionnement/")
    assert page.status_code == 200
    assert "Rapport 29019 (edition-2026)" in page.content.decode()
    assert "no-store" in page["Cache-Control"]
    assert page["X-Robots-Tag"].startswith("noindex")
    css = client.get("/r/positionnement/positionnement.css")
    assert css.status_code == 200 and css["Content-Type"].startswith("text/css")
    other = _session(rennes).get("/r/positionnement/").content.decode()
    assert "Rapport 35238" in other and "29019" not in other
    assert Client().get("/r/positionnement/").status_code == 404  # no session, no report
    assert Client().get("/r/positionnement/positionnement.css").status_code == 404
