"""Questionnaire YAML: every kind of validation error (line, path, French message), round trips."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from barometre.questionnaire import (
    NSP_CODE,
    QuestionnaireError,
    QuestionType,
    dump_questionnaire,
    list_templates,
    load_questionnaire,
    load_template,
    loads_questionnaire,
)
from barometre.questionnaire.yaml_format import json_schema

HERE = Path(__file__).parent
RICH = HERE / "rich_questionnaire.yaml"

BASE = """\
id: test
title: Test
version: "1"
edition: "2025"
choice_lists:
  ouinon:
    - {code: oui, label: Oui}
    - {code: non, label: Non}
scales:
  stades:
    - {code: "0", label: Rien}
    - {code: "1", label: Tout}
themes:
  - id: t1
    label: Thème 1
    questions:
      - id: q1
        type: yes_no
        label: Q1
      - id: q2
        type: single_choice
        label: Q2
        choices: ouinon
"""


def _errors(text: str) -> list:
    with pytest.raises(QuestionnaireError) as caught:
        loads_questionnaire(text)
    return list(caught.value.issues)


def _with_question(extra: str) -> str:
    return BASE + extra


def test_rich_fixture_loads_with_resolved_options() -> None:
    questionnaire = load_questionnaire(RICH)
    assert questionnaire.version == "2025.10"  # kept as written
    assert [t.id for t in questionnaire.themes] == ["profil", "strategie"]
    strat = questionnaire.question("strat_existe")
    assert strat.choice_list == "oui_encours_non"
    assert strat.codes == ("oui", "en_cours", "non", NSP_CODE)
    maturity = questionnaire.question("strat_maturite")
    assert maturity.type is QuestionType.MATURITY
    assert [level.code for level in maturity.levels] == ["0", "1", "2"]
    assert maturity.levels[0].description == "Rien n'est engagé."
    assert questionnaire.question("strat_elu").codes == ("oui", "non", NSP_CODE)
    assert questionnaire.theme("strategie").relevant == "${agents} != ''"
    assert questionnaire.settings == {"duree_estimee_minutes": 15}


def test_yaml_round_trip_is_lossless_and_canonical() -> None:
    questionnaire = load_questionnaire(RICH)
    text = dump_questionnaire(questionnaire)
    again = loads_questionnaire(text)
    assert again == questionnaire
    assert dump_questionnaire(again) == text


@pytest.mark.parametrize("name", list_templates())
def test_every_template_loads_and_round_trips(name: str) -> None:
    questionnaire = load_template(name)
    assert questionnaire.questions
    assert loads_questionnaire(dump_questionnaire(questionnaire)) == questionnaire
    # templates satisfy the published schema
    jsonschema.validate(yaml.safe_load(dump_questionnaire(questionnaire)), json_schema())


def test_schema_is_a_valid_draft_2020_12_schema() -> None:
    schema = json.loads(
        (HERE.parents[1] / "barometre/questionnaire/schema/questionnaire.schema.json").read_text()
    )
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"].endswith("2020-12/schema")


def test_yaml_syntax_error_names_the_line() -> None:
    [issue] = _errors("id: x\ntitle: [unclosed\nversion: 1\n")
    assert issue.code == "yaml_syntax"
    assert issue.line is not None and issue.line >= 2
    assert "YAML invalide" in issue.message


def test_duplicate_ids_are_all_reported_with_lines() -> None:
    text = _with_question(
        """\
      - id: q1
        type: text
        label: Encore Q1
  - id: t1
    label: Thème répété
    questions:
      - id: q3
        type: text
        label: Q3
"""
    )
    issues = _errors(text)
    codes = [issue.code for issue in issues]
    assert codes.count("duplicate_id") == 2
    by_path = {issue.path: issue for issue in issues}
    q_issue = by_path["themes[0].questions[2].id"]
    assert "question « q1 » répétée" in q_issue.message
    assert q_issue.line == text.splitlines().index("      - id: q1", 20) + 1
    assert "themes[1].id" in by_path


def test_unknown_references_and_missing_options() -> None:
    text = _with_question(
        """\
      - id: q3
        type: single_choice
        label: Q3
        choices: inexistante
      - id: q4
        type: maturity
        label: Q4
        scale: inconnue
      - id: q5
        type: maturity
        label: Q5
      - id: q6
        type: multiple_choice
        label: Q6
        choices: []
      - id: q7
        type: number
        label: Q7
        choices: ouinon
"""
    )
    issues = _errors(text)
    messages = {issue.path: issue.message for issue in issues}
    assert (
        "liste de modalités « inexistante » inconnue" in messages["themes[0].questions[2].choices"]
    )
    assert "échelle « inconnue » inconnue" in messages["themes[0].questions[3].scale"]
    assert "n'a pas de niveaux" in messages["themes[0].questions[4]"]
    assert any(i.path == "themes[0].questions[5].choices" for i in issues)  # empty list
    assert "n'a pas de sens" in messages["themes[0].questions[6].choices"]
    assert all(issue.line is not None for issue in issues)


def test_schema_errors_are_in_french_with_path_and_line() -> None:
    text = _with_question(
        """\
      - id: q3
        type: choix_unique
        label: Q3
      - id: q4
        type: number
        label: 12
        required: peut-être
        relevent: "${q1} = 'oui'"
      - type: text
        label: Sans id
"""
    )
    issues = _errors(text)
    messages = [str(issue) for issue in issues]
    assert any(
        "valeur « choix_unique » non permise" in m and "questions[2].type" in m for m in messages
    )
    assert any("type attendu : booléen" in m and "questions[3].required" in m for m in messages)
    assert any("clé inconnue : relevent" in m for m in messages)
    assert any("clé obligatoire manquante : id" in m and "questions[4]" in m for m in messages)
    # labels written as numbers are kept as text, not rejected
    assert not any("questions[3].label" in m for m in messages)
    assert all(m.startswith("ligne ") for m in messages)


def test_reserved_nsp_code_and_duplicate_codes() -> None:
    text = BASE.replace(
        "    - {code: non, label: Non}\n",
        "    - {code: non, label: Non}\n    - {code: nsp, label: NSP}\n    - {code: oui, label: Encore}\n",
        1,
    )
    codes = [issue.code for issue in _errors(text)]
    assert "reserved_code" in codes
    assert "duplicate_code" in codes


def test_expression_errors_are_located() -> None:
    text = _with_question(
        """\
      - id: q3
        type: text
        label: Q3
        relevant: "${q2} = 'peut-etre' and ${q9} = 'x'"
      - id: q4
        type: number
        label: Q4
        relevant: "${q5} > 2"
        constraint: ". >= 0 and"
      - id: q5
        type: number
        label: Q5
        relevant: "selected(${q4}, 'x')"
"""
    )
    issues = _errors(text)
    found = {(issue.path, issue.code) for issue in issues}
    assert ("themes[0].questions[2].relevant", "unknown_code") in found
    assert ("themes[0].questions[2].relevant", "unknown_question") in found
    assert ("themes[0].questions[3].relevant", "later_question") in found
    assert ("themes[0].questions[3].constraint", "syntax") in found
    assert ("themes[0].questions[4].relevant", "selected_not_choice") in found
    syntax = next(i for i in issues if i.code == "syntax")
    assert "colonne 11" in syntax.message


def test_wave_reference_and_duplicate_keys() -> None:
    text = BASE.replace(
        "    label: Thème 1\n", "    label: Thème 1\n    wave: v9\n    label: bis\n"
    )
    codes = {issue.code for issue in _errors(text)}
    assert {"unknown_wave", "duplicate_key"} <= codes


def test_max_choices_larger_than_choices() -> None:
    text = _with_question(
        """\
      - id: q3
        type: multiple_choice
        label: Q3
        choices: ouinon
        max_choices: 5
"""
    )
    [issue] = _errors(text)
    assert issue.code == "max_choices_too_large"


def test_error_report_lists_every_issue() -> None:
    text = _with_question("      - id: q1\n        type: text\n        label: X\n")
    text = text.replace("choices: ouinon", "choices: absente")
    with pytest.raises(QuestionnaireError) as caught:
        loads_questionnaire(text, "mon.yaml")
    report = caught.value.report()
    assert report.startswith("2 erreur(s) dans le questionnaire mon.yaml")
    assert report.count("\n  - ") == 2


def test_mangled_files_always_give_a_french_report() -> None:
    """Random line deletions, duplications and junk values: a QuestionnaireError, never a crash."""
    import random

    lines = RICH.read_text().splitlines()
    rng = random.Random(20251)
    junk = ["", "[]", "{}", "3", "null", "true", "'${x} ='", "-1", "{code: x}", "maturity"]
    failures = 0
    for _ in range(150):
        mangled = list(lines)
        for _ in range(rng.randint(1, 3)):
            position = rng.randrange(len(mangled))
            choice = rng.random()
            if choice < 0.3:
                del mangled[position]
            elif choice < 0.7 and ":" in mangled[position]:
                key = mangled[position].partition(":")[0]
                mangled[position] = f"{key}: {rng.choice(junk)}"
            else:
                mangled.insert(position, mangled[rng.randrange(len(mangled))])
        try:
            loads_questionnaire("\n".join(mangled))
        except QuestionnaireError as error:
            failures += 1
            assert error.issues and all(issue.message for issue in error.issues)
    assert failures > 50  # most mutations break the file, and are reported
