"""LimeSurvey: the structure file (.lss, two database layouts) and exports in every heading and
answer mode, imported with the same answers, identifiers resolved and every column accounted for."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from barometre.imports.engine import ImportOptions, prepare_import
from barometre.imports.limesurvey_structure import (
    StructureError,
    questionnaire_from_lss,
    read_lss,
    translate_relevance,
)
from barometre.register import load_register

DATA = Path(__file__).resolve().parent / "data" / "limesurvey"
ID_TEXT = "Numéro SIRET ou SIREN de votre collectivité"
NAME_TEXT = "Nom de votre collectivité"
EXPORTS = {
    "export_codes_codes.csv": ("ID1", "NOM"),
    "export_textes_textes.csv": (ID_TEXT, NAME_TEXT),
    "export_textes_textes.xlsx": (ID_TEXT, NAME_TEXT),
    "export_abreges_codes.csv": ("Numéro SIRET ou..", "Nom de votre co.."),
    "export_codetexte_y1n2.csv": (f"ID1. {ID_TEXT}", f"NOM. {NAME_TEXT}"),
}
EXPECTED = {
    "29019": {
        "FONCT": "A3",
        "LIEUX": "oui",
        "TYPES": "SQ001 SQ004 -oth-",
        "AGENTS": "12",
        "MATU_SQ001": "A4",
        "PLAN": "A1",
        "PRIO_rang1": "A1",
        "PRIO_rang2": "A3",
        "BUDGET_SQ001": "120.5",
    },
    "29232": {"FONCT": "A2", "LIEUX": "non", "TYPES": None, "AGENTS": None},
    "200068120": {"LIEUX": "oui", "TYPES": None, "AGENTS": "0", "PRIO_rang1": "A2"},
    "29151": {"FONCT": "-oth-", "TYPES": "SQ003", "PLAN": "nsp", "PRIO_rang1": None},
    "D29": {"TYPES": "SQ001 SQ002 SQ003", "BUDGET_SQ001": "2500"},
    "HB:282900018": {"LIEUX": "non", "PLAN": "A3"},
}


@pytest.fixture(scope="module")
def questionnaire():
    return questionnaire_from_lss(read_lss((DATA / "barometre_bretagne_ls6.lss").read_bytes()))


def test_both_lss_layouts_give_the_same_questionnaire(questionnaire):
    old = questionnaire_from_lss(read_lss((DATA / "barometre_bretagne_ls3.lss").read_bytes()))
    assert old.data == questionnaire.data and questionnaire.notes == []
    q = questionnaire.questionnaire
    assert [t.label for t in q.themes] == [
        "Votre collectivité",
        "Inclusion numérique",
        "Stratégie numérique",
    ]
    types = {x.id: x.type.value for x in q.questions}
    assert types == {
        "ID1": "text",
        "NOM": "text",
        "FONCT": "single_choice",
        "LIEUX": "yes_no",
        "TYPES": "multiple_choice",
        "AGENTS": "number",
        "MATU_SQ001": "single_choice",
        "MATU_SQ002": "single_choice",
        "MATU_SQ003": "single_choice",
        "PLAN": "single_choice",
        "PRIO_rang1": "single_choice",
        "PRIO_rang2": "single_choice",
        "BUDGET_SQ001": "number",
        "BUDGET_SQ002": "number",
        "COMM": "text",
    }
    assert q.question("LIEUX").label == "Disposez-vous de lieux de médiation numérique ?"
    assert q.question("LIEUX").required and q.question("ID1").required
    assert q.question("TYPES").relevant == "((${LIEUX} = 'oui'))"
    assert q.question("TYPES").max_choices == 3
    assert [c.code for c in q.question("TYPES").choices][-1] == "-oth-"
    assert q.question("AGENTS").constraint == ". >= 0 and . <= 500"
    assert q.question("PRIO_rang2").relevant == "((${PLAN} = 'A1' or ${PLAN} = 'A2'))"
    plan = q.question("PLAN")
    assert plan.allow_nsp and "A9" not in plan.codes  # « Je ne sais pas » is the nsp answer


@pytest.mark.parametrize("name", sorted(EXPORTS))
def test_every_export_mode_imports_the_same_answers(name, questionnaire):
    code_column, name_column = EXPORTS[name]
    options = ImportOptions(
        source="limesurvey",
        code_column=code_column,
        name_column=name_column,
        out_of_frame=True,
        confirmations={6: "D29"},
    )
    prepared = prepare_import(
        (DATA / name).read_bytes(), name, questionnaire.questionnaire, options, load_register()
    )
    report = prepared.report
    assert report.problems == [], report.text()
    assert report.rows_read == 8 and not report.columns_of("unknown")
    ignored = {c.column for c in report.columns_of("ignored")}
    assert len(ignored) == 7  # six technical columns and the « Autre » text of FONCT
    rows = {row["code"]: row for row in prepared.responses.iter_rows(named=True)}
    assert set(rows) == {
        "29019",
        "29232",
        "200068120",
        "29151",
        "D29",
        "HB:282900018",
        "29103",
        "200067072",
    }
    for code, expected in EXPECTED.items():
        for question_id, value in expected.items():
            assert rows[code][question_id] == value, (name, code, question_id)
    assert rows["29232"]["status"] == "partial" and rows["29019"]["status"] == "complete"
    assert str(rows["29232"]["submitted_at"]).startswith("2026-02-12 10:00")
    assert rows["HB:282900018"]["out_of_frame"] and not rows["29019"]["out_of_frame"]
    assert rows["HB:282900018"]["respondent_name"] == "SDIS du Finistère"
    rules = {n.line: n.text for n in report.identifiers}
    assert "SIRET ramené au SIREN" in rules[2] and "SIREN converti" in rules[5]
    assert "nom confirmé" in rules[6] and "HB:282900018" in str(report.out_of_frame[0])


def test_unticked_but_shown_differs_from_not_reached(questionnaire):
    """LimeSurvey writes "" for a box left unticked and nothing for a question never reached."""
    from barometre.imports.limesurvey import from_limesurvey
    from barometre.imports.tables import read_table

    table = read_table((DATA / "export_codes_codes.csv").read_bytes(), "e.csv")
    mapped = from_limesurvey(table.rows, table.header, questionnaire.questionnaire)
    types = dict(zip(table.rows["ID1"], mapped.wide["TYPES"], strict=True))
    assert types["200 068 120"] == ""  # shown, nothing ticked (NOTHING_TICKED)
    assert types["29232"] is None  # never reached


def test_a_name_without_code_waits_for_the_operator(questionnaire):
    options = ImportOptions(source="limesurvey", code_column="ID1", out_of_frame=True)
    prepared = prepare_import(
        (DATA / "export_codes_codes.csv").read_bytes(),
        "e.csv",
        questionnaire.questionnaire,
        options,
        load_register(),
    )
    (problem,) = prepared.report.problems
    assert problem.line == 6 and problem.kind == "ambiguous_name"
    assert "candidats : Finistère (departement, D29)" in problem.message


def test_without_out_of_frame_option_the_unknown_body_is_refused(questionnaire):
    options = ImportOptions(source="limesurvey", code_column="ID1", confirmations={6: "D29"})
    prepared = prepare_import(
        (DATA / "export_codes_codes.csv").read_bytes(),
        "e.csv",
        questionnaire.questionnaire,
        options,
        load_register(),
    )
    (problem,) = prepared.report.problems
    assert (problem.line, problem.kind) == (7, "unknown_code")
    assert "hors base de sondage" in problem.message


def test_hostile_or_foreign_structure_files_are_refused_in_french():
    with pytest.raises(StructureError, match="XML LimeSurvey"):
        read_lss(b"<document><LimeSurveyDocType>Survey")
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><document>&b;</document>'
    )
    with pytest.raises(StructureError):
        read_lss(bomb)
    with pytest.raises(StructureError, match="type trouvé : « Responses »"):
        read_lss(b"<document><LimeSurveyDocType>Responses</LimeSurveyDocType></document>")


def test_relevance_equations_translate_or_are_reported():
    questions = {
        "A": {"type": "single_choice"},
        "B": {"type": "multiple_choice"},
        "N": {"type": "number"},
        "Y1": {"type": "yes_no"},
    }
    targets = {
        "A": {"question": "A"},
        "B_SQ1": {"question": "B", "option": "SQ1"},
        "N": {"question": "N"},
        "Y1": {"question": "Y1"},
    }
    assert translate_relevance('A.NAOK == "A2"', questions, targets) == "${A} = 'A2'"
    assert (
        translate_relevance('B_SQ1.NAOK == "Y" && N > 3', questions, targets)
        == "selected(${B}, 'SQ1') and ${N} > 3"
    )
    assert translate_relevance('Y1 == "N"', questions, targets) == "${Y1} = 'non'"
    assert translate_relevance("!is_empty(N)", questions, targets) == "${N} != ''"
    assert translate_relevance("1", questions, targets) is None
    with pytest.raises(ValueError):
        translate_relevance("sum(N, 2) > 3 ? 1 : 0", questions, targets)


def test_untranslated_conditions_are_listed_not_silently_dropped():
    content = (DATA / "barometre_bretagne_ls6.lss").read_text(encoding="utf-8")
    content = content.replace("((LIEUX.NAOK == &quot;Y&quot;))", "regexMatch('/^a/', NOM)").replace(
        '((LIEUX.NAOK == "Y"))', "regexMatch('/^a/', NOM)"
    )
    converted = questionnaire_from_lss(read_lss(content.encode("utf-8")))
    assert converted.questionnaire.question("TYPES").relevant is None
    assert any(n.startswith("TYPES : condition d'affichage non traduite") for n in converted.notes)


def test_column_headings_map_kept_in_the_questionnaire(questionnaire):
    columns = questionnaire.questionnaire.settings["import_columns"]["columns"]
    by_code = {c["code"]: c for c in columns}
    assert by_code["TYPES[SQ004]"] == {
        "code": "TYPES[SQ004]",
        "headings": ["Quels lieux ? [Espace France services]"],
        "question": "TYPES",
        "option": "SQ004",
    }
    assert by_code["PRIO[1]"]["headings"] == [
        "Classez vos priorités [Classement 1]",
        "Classez vos priorités [Rank 1]",
    ]
    assert by_code["FONCT[other]"]["ignore"] == "texte saisi pour « Autre »"
    assert pl.DataFrame(columns).height == len(columns)
