"""XLSForm I/O: lossless round trips, a valid XForm for pyxform, and real forms written by others."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from pyxform.xls2xform import convert
from shared_files import shared_path

from barometre.questionnaire import (
    QuestionType,
    compare,
    list_templates,
    load_questionnaire,
    load_template,
)
from barometre.questionnaire.xlsform import read_xlsform, write_xlsform

HERE = Path(__file__).parent
RICH = HERE / "rich_questionnaire.yaml"


def _sources() -> list[str]:
    return ["rich", *list_templates()]


def _load(source: str):
    return load_questionnaire(RICH) if source == "rich" else load_template(source)


@pytest.mark.parametrize("source", _sources())
def test_yaml_xlsform_yaml_is_lossless(source: str, tmp_path: Path) -> None:
    questionnaire = _load(source)
    path = tmp_path / "form.xlsx"
    write_xlsform(questionnaire, path)
    result = read_xlsform(path)
    assert result.notes == [], result.report()
    assert compare(questionnaire, result.questionnaire) == []
    assert result.questionnaire == questionnaire


@pytest.mark.parametrize("source", _sources())
def test_exported_xlsform_converts_with_pyxform(source: str, tmp_path: Path) -> None:
    questionnaire = _load(source)
    path = tmp_path / "form.xlsx"
    write_xlsform(questionnaire, path)
    warnings: list[str] = []
    xform = convert(xlsform=str(path), warnings=warnings).xform
    assert f'id="{questionnaire.id}"' in xform
    for question in questionnaire.questions:
        assert f"/{question.theme}/{question.id}" in xform
    if any(q.allow_nsp and q.type.is_choice for q in questionnaire.questions):
        assert "<name>nsp</name>" in xform


def test_xlsform_layout(tmp_path: Path) -> None:
    questionnaire = load_questionnaire(RICH)
    path = tmp_path / "rich.xlsx"
    write_xlsform(questionnaire, path)
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames == ["survey", "choices", "settings"]
    survey = list(workbook["survey"].iter_rows(values_only=True))
    header = survey[0]
    rows = {row[header.index("name")]: dict(zip(header, row, strict=True)) for row in survey[1:]}
    assert rows["profil"]["type"] == "begin_group"
    assert rows["strat_domaines"]["type"] == "select_multiple strat_domaines"
    assert rows["strat_domaines"]["barometre::max_choices"] == 2
    assert rows["strat_maturite"]["type"] == "select_one stades"
    assert rows["strat_existe"]["type"] == "select_one oui_encours_non_nsp"
    assert rows["agents"]["type"] == "decimal"
    assert rows["part_teletravail"]["barometre::type"] == "percentage"
    # type-implied checks are enforced by ODK/Kobo too; the original constraint is kept aside
    assert rows["part_teletravail"]["constraint"] == "(. >= 0 and . <= 100)"
    assert rows["strat_domaines"]["constraint"] == (
        "(count-selected(.) <= 2) and (count-selected(.) >= 1)"
    )
    assert rows["strat_domaines"]["barometre::constraint"] == "count-selected(.) >= 1"
    assert rows["agents"]["constraint"] == ". >= 0 and . <= 100000"
    choices = list(workbook["choices"].iter_rows(values_only=True))
    level = next(row for row in choices if row[0] == "stades" and row[1] == "0")
    assert level[3] == "Rien n'est engagé."


def test_foreign_lists_with_nsp_and_oui_non(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    survey = workbook.active
    survey.title = "survey"
    for row in [
        ["type", "name", "label::Français (fr)", "label::English (en)", "relevant", "required"],
        ["begin group", "g", "Groupe", "Group", "", ""],
        ["select_one on", "q1", "Q1 ?", "Q1?", "", "yes"],
        ["select one from couleurs", "q2", "Couleur ?", "Colour?", "${q1} = 'oui'", ""],
        ["begin group", "sub", "Sous-groupe", "", "${q2} != 'nsp'", ""],
        ["integer", "q3", "Combien ?", "", "", ""],
        ["end group", "", "", "", "", ""],
        ["text", "q4", "", "", "today() > 2", ""],
        ["end group", "", "", "", "", ""],
    ]:
        survey.append(row)
    choices = workbook.create_sheet("choices")
    for row in [
        ["list_name", "name", "label::Français (fr)", "label::English (en)"],
        ["on", "oui", "Oui", "Yes"],
        ["on", "non", "Non", "No"],
        ["couleurs", "bleu", "Bleu", "Blue"],
        ["couleurs", "nsp", "Je ne sais pas", "Don't know"],
    ]:
        choices.append(row)
    path = tmp_path / "foreign.xlsx"
    workbook.save(path)
    result = read_xlsform(path)
    questionnaire = result.questionnaire
    assert questionnaire is not None, result.report()
    assert questionnaire.question("q1").type is QuestionType.YES_NO
    assert questionnaire.question("q1").required
    q2 = questionnaire.question("q2")
    assert q2.allow_nsp and [c.code for c in q2.choices] == ["bleu"]
    assert q2.label == "Couleur ?"  # French labels preferred
    assert questionnaire.question("q3").relevant == "(${q2} != 'nsp')"
    assert questionnaire.question("q4").relevant is None  # today() unsupported: dropped, reported
    report = result.report()
    assert "today()" in report and "survey ligne 8" in report
    assert "traduction « English (en) » ignorée" in report
    assert "groupe imbriqué aplati" in report


def test_unreadable_files_give_a_report_not_a_traceback(tmp_path: Path) -> None:
    bogus = tmp_path / "pas-un-classeur.xlsx"
    bogus.write_text("ceci n'est pas un classeur")
    result = read_xlsform(bogus)
    assert result.questionnaire is None
    assert "fichier illisible" in result.report()
    workbook = openpyxl.Workbook()
    workbook.active.title = "autre"
    no_survey = tmp_path / "sans-survey.xlsx"
    workbook.save(no_survey)
    result = read_xlsform(no_survey)
    assert result.questionnaire is None
    assert "feuille « survey » absente" in result.report()


# The example XLSForms of pyxform kept in ../shared/external/xlsform (named: a missing one fails).
EXTERNAL_FORMS = (
    "choice_filter_test.xlsx",
    "flat_xlsform_test.xlsx",
    "group.xlsx",
    "tutorial.xls",
    "widgets.xls",
    "xlsform_spec_test.xlsx",
)


def test_every_external_xlsform_is_named() -> None:
    present = {p.name for p in shared_path("external", "xlsform").glob("*.xls*")}
    assert present == set(EXTERNAL_FORMS)


@pytest.mark.parametrize("name", EXTERNAL_FORMS)
def test_external_xlsforms_import_or_report_field_by_field(name: str) -> None:
    result = read_xlsform(shared_path("external", "xlsform", name))
    if result.questionnaire is None:
        assert result.unsupported, "a failed import must say why"
    else:
        assert result.questionnaire.questions
    for note in result.unsupported:
        assert note.sheet and note.message
        if note.sheet in {"survey", "choices"} and note.level != "erreur":
            assert note.row is not None, note  # field by field: the row is named
    text = result.report()
    assert "Traceback" not in text


def test_external_forms_known_content() -> None:
    external = shared_path("external", "xlsform")
    widgets = read_xlsform(external / "widgets.xls")
    assert widgets.questionnaire is not None
    my_int = widgets.questionnaire.question("my_int")
    assert my_int.type is QuestionType.NUMBER and my_int.constraint == ". < 10"
    assert my_int.constraint_message == "number must be less than 10"
    assert widgets.questionnaire.question("my_select").type is QuestionType.MULTIPLE_CHOICE
    unsupported = {(n.row, n.name) for n in widgets.unsupported}
    assert (11, "my_geopoint") in unsupported and (5, "my_date") in unsupported
    tutorial = read_xlsform(external / "tutorial.xls")
    assert tutorial.questionnaire is None
    assert any("begin repeat" in n.message for n in tutorial.unsupported)
    spec = read_xlsform(external / "xlsform_spec_test.xlsx")
    assert spec.questionnaire is not None
    everything = spec.questionnaire.theme("everything")
    assert everything.relevant == "not(selected(${skip_to_end}, 'yes'))"
    assert any(
        n.column == "choice_filter"
        for n in read_xlsform(external / "choice_filter_test.xlsx").notes
    )


def test_model_errors_point_to_survey_rows(tmp_path: Path) -> None:
    path = tmp_path / "rich.xlsx"
    write_xlsform(load_questionnaire(RICH), path)
    workbook = openpyxl.load_workbook(path)
    settings = workbook["settings"]
    waves_column = [cell.value for cell in settings[1]].index("barometre::waves") + 1
    settings.cell(2, waves_column).value = None  # the themes now name unknown waves
    workbook.save(path)
    result = read_xlsform(path)
    assert result.questionnaire is None
    errors = [note for note in result.notes if note.level == "erreur"]
    assert {(n.sheet, n.row, n.column, n.name) for n in errors} == {
        ("survey", 2, "barometre::wave", "profil"),
        ("survey", 7, "barometre::wave", "strategie"),
    }


def test_mangled_xlsforms_never_break_the_reader(tmp_path: Path) -> None:
    """Random cells overwritten with junk: a questionnaire or a clean report, no internal error."""
    import random

    base = tmp_path / "base.xlsx"
    write_xlsform(load_questionnaire(RICH), base)
    rng = random.Random(7)
    junk = [None, "x", 2.5, "select_one nope", "begin_group", "end_group", "begin repeat", "${"]
    junk += ["maturity", "[1,", "scale:zz", "nsp:zz", "inline", "nsp", "yes"]
    for attempt in range(25):
        workbook = openpyxl.load_workbook(base)
        for _ in range(rng.randint(1, 4)):
            sheet = workbook[rng.choice(workbook.sheetnames)]
            row, column = rng.randint(1, sheet.max_row), rng.randint(1, sheet.max_column)
            sheet.cell(row, column).value = rng.choice(junk)
        path = tmp_path / f"mangled{attempt}.xlsx"
        workbook.save(path)
        result = read_xlsform(path)
        assert not any("lecture impossible" in note.message for note in result.notes)
        assert result.ok or any(note.level == "erreur" for note in result.notes)
