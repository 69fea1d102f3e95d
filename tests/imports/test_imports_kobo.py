"""KoboToolbox (exports made by formpack, KoboToolbox's own export library) and ODK Central CSV,
read with the XLSForm: every header and value mode gives the same answers."""

from __future__ import annotations

from pathlib import Path

import pytest

from barometre.imports.engine import ImportOptions, prepare_import
from barometre.questionnaire.xlsform import load_xlsform
from barometre.register import load_register

DATA = Path(__file__).resolve().parent / "data" / "kobo"
MODES = {
    "kobo_xml_groupes_deux.csv": "code",
    "kobo_libelles_colonnes.csv": "Code Insee ou SIREN de la collectivité",
    "kobo_libelles_groupes_resume.csv": "Identification.Code Insee ou SIREN de la collectivité",
    "kobo_xml_sans_groupes.xlsx": "code",
}
EXPECTED = [
    ("35238", "oui", "mediatheque france_services", "25", "oui"),
    ("56260", "non", None, "2", "en_cours"),
    ("243500139", "oui", "tiers_lieu", "6", "oui"),
    ("22278", "oui", None, "0", "non"),
    ("2A004", "non", None, None, "non"),
]


@pytest.fixture(scope="module")
def questionnaire():
    return load_xlsform(DATA / "barometre_kobo_xlsform.xlsx")


def _prepare(name: str, questionnaire, column: str):
    options = ImportOptions(source="kobo", code_column=column)
    return prepare_import((DATA / name).read_bytes(), name, questionnaire, options, load_register())


@pytest.mark.parametrize("name", sorted(MODES))
def test_every_kobo_export_mode_gives_the_same_answers(name, questionnaire):
    prepared = _prepare(name, questionnaire, MODES[name])
    report = prepared.report
    assert report.problems == [], report.text()
    assert not report.columns_of("unknown")
    assert {c.column for c in report.columns_of("ignored")} >= {"start", "end", "_uuid", "_id"}
    rows = prepared.responses.select(
        "code", "inc_lieux", "inc_types", "agents", "strat_plan"
    ).rows()
    assert rows == EXPECTED
    assert set(prepared.responses["status"]) == {"complete"}
    assert str(prepared.responses["submitted_at"][0]).startswith("2026-04-01 07:05:01")
    assert [n.line for n in report.identifiers] == [4]  # « 243 500 139 »: spaces removed


def test_per_choice_columns_say_ticked_nothing_or_not_asked(questionnaire):
    from barometre.imports.kobo import from_kobo
    from barometre.imports.tables import read_table

    table = read_table((DATA / "kobo_libelles_colonnes.csv").read_bytes(), "k.csv")
    mapped = from_kobo(table.rows, table.header, questionnaire)
    # Saint-Brieuc: shown, nothing ticked (every choice 0); Vannes: not asked (every cell empty)
    assert mapped.wide["inc_types"].to_list() == [
        "mediatheque france_services",
        None,
        "tiers_lieu",
        "",
        None,
    ]


def test_odk_central_csv(questionnaire):
    prepared = _prepare("odk_central.csv", questionnaire, "identification-code")
    assert prepared.report.problems == [], prepared.report.text()
    assert prepared.responses.select("code", "inc_types", "strat_plan").rows() == [
        ("29232", "tiers_lieu mairie", "en_cours"),
        ("29151", None, "non"),
    ]
    ignored = {c.column for c in prepared.report.columns_of("ignored")}
    assert {"KEY", "meta-instanceID", "ReviewState", "SubmitterName"} <= ignored
    assert str(prepared.responses["submitted_at"][0]).startswith("2026-04-06 10:12:45")
