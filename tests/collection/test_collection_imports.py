"""Imports of answers: LimeSurvey, KoboToolbox/ODK, mapped CSV/XLSX; all or nothing."""

from __future__ import annotations

import io

import polars as pl
import pytest
from openpyxl import Workbook

from barometre.collection.imports import import_answers, parse_mapping
from barometre.collection.models import Answer, AuditLog, ImportBatch, Response

pytestmark = pytest.mark.django_db


@pytest.fixture
def targeted(campaign, make_target):
    """The campaign with three targets."""
    for code in ("29001", "29002", "35001"):
        make_target(campaign, code)
    return campaign


def _nothing_stored() -> bool:
    return not (
        Response.objects.exists() or Answer.objects.exists() or ImportBatch.objects.exists()
    )


LIMESURVEY_OK = (
    "id,submitdate,lastpage,code,inclieux,inctypes[mediatheque],inctypes[tierslieu],"
    "inctypes[mairie],stratplan,agentsnombre\n"
    "1,2026-03-02 10:00:00,3,29001,Y,Y,,Y,en_cours,12\n"
    "2,,1,29002,N,,,,,\n"
)


def test_limesurvey_export_is_imported_with_codes_and_multi_columns(targeted):
    report = import_answers(targeted, LIMESURVEY_OK.encode(), "survey_123.csv", "limesurvey")
    assert report.ok, report.text()
    assert report.rows_stored == 2
    first = Response.objects.get(code="29001")
    assert first.status == "complete" and first.source == "limesurvey"
    assert first.answer_dict() == {
        "inc_lieux": "oui",
        "inc_types": "mediatheque mairie",
        "strat_plan": "en_cours",
        "agents_nombre": "12",
    }
    second = Response.objects.get(code="29002")
    assert second.status == "partial" and second.answer_dict() == {"inc_lieux": "non"}
    assert AuditLog.objects.filter(action="import").count() == 1


def test_limesurvey_bad_lines_store_nothing_and_are_all_reported(targeted):
    bad = LIMESURVEY_OK + "3,2026-03-03 11:00:00,3,99999,peut-être,,,,oui,-x\n"
    report = import_answers(targeted, bad.encode(), "survey_123.csv", "limesurvey")
    assert not report.ok
    assert _nothing_stored()
    where = {(r.line, r.field) for r in report.rejected}
    assert {(4, "code"), (4, "inc_lieux"), (4, "agents_nombre")} <= where
    assert "ligne 4" in report.text() and "tout ou rien" in report.text()


def test_kobo_export_with_groups_and_space_separated_multi(targeted):
    csv = (
        "start,end,identification/code,g_inclusion/inc_lieux,g_inclusion/inc_types,"
        "g_inclusion/inc_types/mairie,g_strat/strat_plan,_id,_submission_time\n"
        "x,y,35001,oui,mairie tiers_lieu,1,non,17,2026-03-05T09:12:00\n"
    )
    report = import_answers(targeted, csv.encode(), "kobo.csv", "kobo")
    assert report.ok, report.text()
    response = Response.objects.get(code="35001")
    assert response.answer_dict()["inc_types"] == "mairie tiers_lieu"
    assert response.submitted_at.isoformat().startswith("2026-03-05T09:12")


def test_kobo_unknown_choice_is_rejected(targeted):
    csv = "code,grp/inc_types\n35001,mairie piscine\n"
    report = import_answers(targeted, csv.encode(), "kobo.csv", "kobo")
    assert [(r.line, r.field) for r in report.rejected] == [(2, "inc_types")]
    assert _nothing_stored()


def test_mapped_xlsx_accepts_labels_and_reports_missing_columns(targeted):
    book = Workbook()
    sheet = book.active
    sheet.append(["Code INSEE", "Médiation ?", "Nb agents", "Date"])
    sheet.append(["29001", "Oui", 40, "2026-03-01"])
    sheet.append(["29002", "non", 3.0, "2026-03-04"])
    out = io.BytesIO()
    book.save(out)
    mapping = parse_mapping(
        "Code INSEE = code\nMédiation ? = inc_lieux\nNb agents = agents_nombre\nDate = submitted_at"
    )
    report = import_answers(targeted, out.getvalue(), "reponses.xlsx", "mapped", mapping=mapping)
    assert report.ok, report.text()
    assert Response.objects.get(code="29002").answer_dict() == {
        "inc_lieux": "non",
        "agents_nombre": "3",
    }
    wrong = import_answers(
        targeted, out.getvalue(), "reponses.xlsx", "mapped", mapping={"Absente": "inc_lieux"}
    )
    assert not wrong.ok and wrong.rejected[0].field == "Absente"
    assert Response.objects.count() == 2


def test_mapping_syntax_error_names_the_line():
    with pytest.raises(ValueError, match="ligne 2"):
        parse_mapping("a = b\nsans signe égal\n")


def test_semicolon_csv_with_percent_out_of_range(campaign, make_target):
    make_target(campaign, "29001")
    frame = pl.DataFrame({"code": ["29001"], "strat_plan": ["oui"], "agents_nombre": ["1,5"]})
    content = frame.write_csv(separator=";").encode()
    report = import_answers(
        campaign,
        content,
        "x.csv",
        "mapped",
        mapping={"code": "code", "strat_plan": "strat_plan", "agents_nombre": "agents_nombre"},
    )
    assert report.ok, report.text()
    assert Response.objects.get().answer_dict()["agents_nombre"] == "1.5"
