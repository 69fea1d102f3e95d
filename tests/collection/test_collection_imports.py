"""Imports into a campaign: all or nothing, one response per collectivité, scope, existing answers.

Every refusal is checked against the database counts before and after (responses, answers, import
batches, audit entries). These tests run on SQLite and again on PostgreSQL (`postgres_rerun`).
"""

from __future__ import annotations

import io

import polars as pl
import pytest
from openpyxl import Workbook

from barometre.collection.exports import answers_frame
from barometre.collection.imports import import_answers, parse_mapping
from barometre.collection.models import Account, Answer, AuditLog, ImportBatch, Response
from barometre.collection.monitoring import response_rates, status_counts
from barometre.collection.services import issue_invitation, response_for, save_answers
from barometre.edition.consolidation import consolidate

pytestmark = pytest.mark.django_db


@pytest.fixture
def targeted(campaign, make_target):
    """The campaign with three targets (two in Finistère, one in Ille-et-Vilaine)."""
    for code in ("29001", "29002", "35001"):
        make_target(campaign, code)
    return campaign


def counts() -> tuple[int, int, int, int]:
    """Rows that an import writes: responses, answers, import batches, import audit entries."""
    return (
        Response.objects.count(),
        Answer.objects.count(),
        ImportBatch.objects.count(),
        AuditLog.objects.filter(action="import").count(),
    )


def refused(campaign, content: bytes, name: str, source: str, **options):
    """Import that must be refused: nothing written; returns the report."""
    before = counts()
    report = import_answers(campaign, content, name, source, **options)
    assert not report.ok and report.problems, report.text()
    assert counts() == before
    return report


def where(report) -> set[tuple[int | None, str]]:
    return {(p.line, p.column) for p in report.problems}


LIMESURVEY_OK = (
    "id,submitdate,lastpage,code,inclieux,inctypes[mediatheque],inctypes[tierslieu],"
    "inctypes[mairie],stratplan,agentsnombre\n"
    "1,2026-03-02 10:00:00,3,29001,Y,Y,,Y,en_cours,12\n"
    "2,,1,29002,N,,,,,\n"
)
MAPPING = {
    "code": "code",
    "inc_lieux": "inc_lieux",
    "strat_plan": "strat_plan",
    "agents_nombre": "agents_nombre",
}


def mapped_csv(*rows: str) -> bytes:
    return ("code,inc_lieux,strat_plan,agents_nombre\n" + "\n".join(rows) + "\n").encode()


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
    ignored = {c.column: c.reason for c in report.columns_of("ignored")}
    assert set(ignored) == {"id", "lastpage"}


def test_limesurvey_bad_lines_store_nothing_and_are_all_reported(targeted):
    bad = LIMESURVEY_OK + "3,2026-03-03 11:00:00,3,99999,peut-être,,,,oui,-x\n"
    report = refused(targeted, bad.encode(), "survey_123.csv", "limesurvey")
    assert where(report) == {(4, "code"), (4, "inclieux"), (4, "agentsnombre")}
    assert "ligne 4" in report.text() and "tout ou rien" in report.text()


def test_duplicates_inside_a_file_are_refused_with_both_lines_named(targeted):
    report = refused(
        targeted,
        mapped_csv("29001,oui,oui,3", "29002,non,non,4", " 29001 ,non,non,5"),
        "r.csv",
        "mapped",
        mapping=MAPPING,
    )
    (problem,) = report.problems
    assert (problem.line, problem.column, problem.kind) == (4, "code", "duplicate_in_file")
    assert "déjà présente ligne 2" in problem.message


def test_importing_the_same_file_twice_is_refused_by_default(targeted):
    content = mapped_csv("29001,oui,oui,3", "29002,non,non,4")
    assert import_answers(targeted, content, "r.csv", "mapped", mapping=MAPPING).ok
    report = refused(targeted, content, "r.csv", "mapped", mapping=MAPPING)
    assert [(p.line, p.kind) for p in report.problems] == [
        (2, "already_answered"),
        (3, "already_answered"),
    ]
    assert "29001 a déjà répondu : complète (import csv/xlsx" in report.problems[0].message
    assert Response.objects.count() == 2


def test_keep_rule_keeps_existing_answers_and_reports_each_line(targeted):
    assert import_answers(
        targeted, mapped_csv("29001,oui,oui,3"), "r.csv", "mapped", mapping=MAPPING
    ).ok
    report = import_answers(
        targeted,
        mapped_csv("29001,non,non,9", "29002,non,non,4"),
        "r2.csv",
        "mapped",
        mapping=MAPPING,
        on_existing="keep",
    )
    assert report.ok and report.rows_stored == 1
    assert str(report.existing[0]).startswith("ligne 2 : 29001 : réponse existante conservée")
    assert Response.objects.get(code="29001").answer_dict()["agents_nombre"] == "3"
    assert Response.objects.filter(code="29002").count() == 1


def test_replace_rule_replaces_imported_and_web_responses(targeted, make_target):
    web_target = make_target(targeted, "29003")
    invitation, _ = issue_invitation(web_target)
    save_answers(response_for(invitation), {"inc_lieux": "non"}, 0)
    assert import_answers(
        targeted, mapped_csv("29001,oui,oui,3"), "r.csv", "mapped", mapping=MAPPING
    ).ok
    report = import_answers(
        targeted,
        mapped_csv("29001,non,non,9", "29003,oui,oui,1"),
        "r2.csv",
        "mapped",
        mapping=MAPPING,
        on_existing="replace",
    )
    assert report.ok, report.text()
    assert [n.line for n in report.existing] == [2, 3]
    assert "remplace la réponse existante" in report.existing[1].text
    assert Response.objects.filter(code="29001").count() == 1
    assert Response.objects.get(code="29001").answer_dict()["agents_nombre"] == "9"
    assert Response.objects.get(code="29003").source == "mapped"
    assert Answer.objects.count() == 6


def test_one_response_per_collectivite_in_every_figure(targeted, make_target):
    """A web response and an import of the same collectivité never count twice."""
    web_target = make_target(targeted, "29003")
    invitation, _ = issue_invitation(web_target)
    save_answers(response_for(invitation), {"inc_lieux": "non"}, 0)
    report = import_answers(
        targeted,
        mapped_csv("29001,oui,oui,3", "29003,oui,oui,1"),
        "r.csv",
        "mapped",
        mapping=MAPPING,
        on_existing="keep",
    )
    assert report.ok
    exported = answers_frame(targeted)
    assert exported.get_column("code").sort().to_list() == ["29001", "29003"]
    one_each = consolidate(
        exported.with_columns(pl.col("submitted_at").str.to_datetime())
    ).get_column("code")
    assert one_each.is_unique().all() and one_each.len() == 2
    overall = response_rates(status_counts(targeted)).row(0, named=True)
    assert overall["cibles"] == 4 and overall["completes"] + overall["partielles"] == 2


def test_constraints_types_relevance_and_required_are_enforced(targeted):
    report = refused(
        targeted,
        mapped_csv("29001,oui,oui,-5", "29002,non,peut-être,1000000000", "35001,non,non,douze"),
        "r.csv",
        "mapped",
        mapping=MAPPING,
    )
    assert {
        (2, "agents_nombre"),
        (3, "agents_nombre"),
        (3, "strat_plan"),
        (4, "agents_nombre"),
    } == where(report)
    assert "Le nombre d'agents doit être compris entre 0 et 100 000." in report.text()
    not_asked = refused(
        targeted,
        b"code,inc_lieux,inc_types\n29001,non,mairie\n",
        "r.csv",
        "mapped",
        mapping={"code": "code", "inc_lieux": "inc_lieux", "inc_types": "inc_types"},
    )
    assert not_asked.problems[0].kind == "not_asked"


def test_unreadable_files_are_refused_in_french_and_store_nothing(targeted):
    report = refused(
        targeted, b"garbage, not a workbook", "reponses.xlsx", "mapped", mapping=MAPPING
    )
    assert "classeur illisible" in report.text()
    latin = "code,inc_lieux\n29001,Oui\n29002,Non é\n".encode("latin-1")
    report = refused(targeted, latin, "r.csv", "mapped", mapping={"code": "code"})
    assert "ligne 3 : le fichier n'est pas encodé en UTF-8" in report.text()
    report = refused(targeted, b"code,inc_lieux\n29001\n", "r.csv", "mapped", mapping=MAPPING)
    assert "ligne 2 : 1 cellule(s) au lieu de 2" in report.text()
    report = refused(
        targeted, b"code,inc_lieux,inc_lieux\n29001,oui,non\n", "r.csv", "mapped", mapping=MAPPING
    )
    assert "en-tête en double (colonnes 2 et 3)" in report.text()


def test_windows_1252_is_accepted_when_chosen(targeted):
    latin = "code;inc_lieux;strat_plan\n29001;Oui;Non\n".encode("cp1252")
    report = import_answers(
        targeted,
        latin,
        "r.csv",
        "mapped",
        mapping={"code": "code", "inc_lieux": "inc_lieux", "strat_plan": "strat_plan"},
        encoding="windows-1252",
    )
    assert report.ok, report.text()
    assert "Windows-1252" in report.text()


def test_an_analyst_cannot_import_outside_its_scope(targeted, django_user_model):
    user = django_user_model.objects.create_user("finistere", password="x")
    account = Account.objects.create(
        user=user, role="analyst", scope_departements=["29"], scope_label="Finistère"
    )
    report = refused(
        targeted,
        mapped_csv("29001,oui,oui,3", "35001,non,non,4"),
        "r.csv",
        "mapped",
        mapping=MAPPING,
        account=account,
    )
    (problem,) = report.problems
    assert (problem.line, problem.kind) == (3, "outside_scope")
    assert problem.message == "collectivité 35001 hors de votre périmètre (Finistère)"
    report = import_answers(
        targeted, mapped_csv("29001,oui,oui,3"), "r.csv", "mapped", mapping=MAPPING, account=account
    )
    assert report.ok


def test_codes_outside_the_campaign_are_refused(targeted):
    report = refused(targeted, mapped_csv("75056,oui,oui,3"), "r.csv", "mapped", mapping=MAPPING)
    assert report.problems[0].message == "collectivité 75056 non ciblée par la campagne"


def test_kobo_export_with_groups_and_space_separated_multi(targeted):
    csv = (
        "start,end,identification/code,g_inclusion/inc_lieux,g_inclusion/inc_types,"
        "g_inclusion/inc_types/mairie,g_strat/strat_plan,_id,_submission_time\n"
        "x,y,35001,oui,mairie tiers_lieu,1,non,17,2026-03-05T09:12:00\n"
    )
    report = import_answers(targeted, csv.encode(), "kobo.csv", "kobo")
    assert report.ok, report.text()
    response = Response.objects.get(code="35001")
    assert response.answer_dict()["inc_types"] == "tiers_lieu mairie"
    assert response.submitted_at.isoformat().startswith("2026-03-05T09:12")


def test_kobo_unknown_choice_is_rejected(targeted):
    csv = "code,grp/inc_lieux,grp/inc_types\n35001,oui,mairie piscine\n"
    report = refused(targeted, csv.encode(), "kobo.csv", "kobo")
    assert [(p.line, p.column) for p in report.problems] == [(2, "grp/inc_types")]


def test_zero_recognised_question_is_an_error_not_a_success(targeted):
    report = refused(targeted, b"code,autre\n29001,x\n", "kobo.csv", "kobo")
    assert report.problems[0].kind == "no_question"
    assert [c.column for c in report.columns_of("unknown")] == ["autre"]


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
    wrong = refused(
        targeted, out.getvalue(), "reponses.xlsx", "mapped", mapping={"Absente": "inc_lieux"}
    )
    assert wrong.problems[0].column == "Absente"


def test_mapping_syntax_error_names_the_line():
    with pytest.raises(ValueError, match="ligne 2"):
        parse_mapping("a = b\nsans signe égal\n")


def test_semicolon_csv_with_decimal_comma(campaign, make_target):
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


def test_out_of_frame_respondents_are_kept_apart_only_on_request(targeted, django_user_model):
    content = b"code,nom,inc_lieux\n29001,Argol,oui\n282 900 018,SDIS du Finistere,non\n"
    mapping = {"code": "code", "nom": "nom", "inc_lieux": "inc_lieux"}
    report = refused(targeted, content, "r.csv", "mapped", mapping=mapping)
    assert report.problems[0].kind == "unknown_code" and report.problems[0].line == 3
    user = django_user_model.objects.create_user("bzh", password="x")
    scoped = Account.objects.create(user=user, role="analyst", scope_departements=["29"])
    report = refused(
        targeted, content, "r.csv", "mapped", mapping=mapping, out_of_frame=True, account=scoped
    )
    assert "seul un compte de périmètre national" in report.problems[0].message
    report = import_answers(
        targeted, content, "r.csv", "mapped", mapping=mapping, out_of_frame=True
    )
    assert report.ok, report.text()
    kept = Response.objects.get(out_of_frame=True)
    assert (kept.code, kept.respondent_name) == ("HB:282900018", "SDIS du Finistere")
    exported = answers_frame(targeted)
    assert exported.filter(pl.col("out_of_frame") == "1")["code"].to_list() == ["HB:282900018"]
    assert exported.filter(pl.col("code") == "29001")["out_of_frame"].to_list() == [""]
