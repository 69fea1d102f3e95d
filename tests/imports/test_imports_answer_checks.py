"""Imported answers obey every rule of the web form, with the line and the column named."""

from __future__ import annotations

import polars as pl
import pytest

from barometre.collection.respondent.answering import answer_error, parse_value
from barometre.imports.answer_checks import check_answers
from barometre.imports.problems import as_problems
from barometre.questionnaire.yaml_format import loads_questionnaire

QUESTIONNAIRE = loads_questionnaire(
    """
id: regles
title: Règles
version: "1"
edition: "2026"
themes:
  - id: t
    label: Thème
    questions:
      - id: lieux
        type: yes_no
        label: Lieux ?
        allow_nsp: true
        required: true
      - id: types
        type: multiple_choice
        label: Types ?
        relevant: "${lieux} = 'oui'"
        max_choices: 2
        allow_nsp: true
        choices:
          - {code: mediatheque, label: Médiathèque}
          - {code: tiers_lieu, label: Tiers-lieu}
          - {code: mairie, label: Mairie}
      - id: agents
        type: number
        label: Agents
        constraint: ". >= 0 and . <= 500"
        constraint_message: Entre 0 et 500 agents.
      - id: part
        type: percentage
        label: Part
      - id: plan
        type: single_choice
        label: Plan ?
        choices:
          - {code: oui, label: Oui}
          - {code: en_cours, label: En cours de rédaction}
          - {code: non, label: Non}
      - id: note
        type: text
        label: Remarque
"""
)


def check(rows: list[dict], labels=None):
    """Normalised answers and problems (as text) of rows given as dicts (line = index + 2)."""
    columns = sorted({key for row in rows for key in row})
    frame = pl.DataFrame(
        [{c: row.get(c) for c in columns} for row in rows],
        schema={c: pl.String for c in columns},
    ).with_columns(pl.int_range(2, pl.len() + 2, dtype=pl.Int64).alias("__line"))
    answers, problems = check_answers(frame, QUESTIONNAIRE, labels)
    return answers, [str(p) for p in as_problems(problems)]


def test_constraint_limits_are_enforced_with_line_and_column():
    _, problems = check(
        [
            {"lieux": "non", "agents": "-5"},
            {"lieux": "non", "agents": "1000000000"},
            {"lieux": "non", "agents": "1e9"},
            {"lieux": "non", "agents": "500"},
        ],
        {"agents": "Nombre d'agents"},
    )
    assert problems == [
        "ligne 2, colonne « Nombre d'agents » : valeur « -5 » refusée : Entre 0 et 500 agents.",
        "ligne 3, colonne « Nombre d'agents » : valeur « 1000000000 » refusée : Entre 0 et 500 "
        "agents.",
        "ligne 4, colonne « Nombre d'agents » : valeur « 1e9 » refusée : Entre 0 et 500 agents.",
    ]


def test_types_choices_and_percentages():
    _, problems = check(
        [
            {"lieux": "peut-être", "agents": "douze", "part": "120", "plan": "bientôt"},
        ]
    )
    assert "ligne 2, colonne « agents » : « douze » n'est pas un nombre" in problems
    assert any("« peut-être » ne correspond à aucune modalité" in p for p in problems)
    assert any("120 n'est pas un pourcentage" in p for p in problems)
    assert any("« bientôt »" in p and "oui, en_cours, non" in p for p in problems)


def test_labels_codes_and_people_s_spellings_are_normalised():
    answers, problems = check(
        [
            {
                "lieux": "Oui",
                "types": "Médiathèque; Tiers-lieu",
                "agents": "1 200,0",
                "part": "12,5",
                "plan": "en cours de redaction",
            },
            {"lieux": "Y", "types": "mairie", "agents": "3"},
            {"lieux": "N"},
        ]
    )
    assert [p for p in problems if "agents" not in p] == []
    assert answers.get_column("lieux").to_list() == ["oui", "oui", "non"]
    assert answers.get_column("types").to_list() == ["mediatheque tiers_lieu", "mairie", None]
    assert answers.get_column("part").to_list() == ["12.5", None, None]
    assert answers.get_column("plan").to_list() == ["en_cours", None, None]


@pytest.mark.parametrize(
    "typed",
    ["Je ne sais pas", "NSP", "Sans réponse", "Ne se prononce pas", "ne sait pas", "nsp"],
)
def test_synonyms_of_sans_reponse_become_nsp(typed):
    answers, problems = check([{"lieux": typed}])
    assert problems == [] and answers.get_column("lieux").to_list() == ["nsp"]
    _, refused = check([{"lieux": "non", "plan": typed}])
    assert refused == [
        f"ligne 2, colonne « plan » : « {typed} » : la réponse « Ne sait pas / sans réponse » "
        "n'est pas proposée pour cette question"
    ]


def test_multiple_choice_rules_of_the_form():
    _, problems = check(
        [
            {"lieux": "oui", "types": "mediatheque mairie tiers_lieu"},
            {"lieux": "oui", "types": "nsp mairie"},
            {"lieux": "oui", "types": "mairie mairie"},
            {"lieux": "oui", "types": "piscine"},
        ]
    )
    assert [p.split(" : ")[0] for p in problems] == [
        "ligne 2, colonne « types »",
        "ligne 3, colonne « types »",
        "ligne 4, colonne « types »",
        "ligne 5, colonne « types »",
    ]
    assert "2 au plus" in problems[0] and "ne peut pas être coché" in problems[1]
    assert "répétée" in problems[2] and "« piscine »" in problems[3]


def test_answers_to_questions_not_asked_are_refused():
    _, problems = check([{"lieux": "non", "types": "mairie"}, {"lieux": "oui", "types": "mairie"}])
    assert problems == [
        "ligne 2, colonne « types » : réponse donnée à une question qui n'est pas posée à ce "
        "répondant (condition d'affichage : ${lieux} = 'oui')"
    ]


def test_required_answers_are_required_of_complete_responses_only():
    _, problems = check(
        [
            {"status": "complete", "agents": "3"},
            {"status": "partial", "agents": "3"},
            {"status": "complete", "lieux": "non"},
        ]
    )
    assert problems == [
        "ligne 2, colonne « lieux » : réponse obligatoire manquante dans une réponse complète "
        "(complétez-la, ou indiquez que la réponse est partielle)"
    ]


def test_a_refused_value_does_not_cascade_into_other_refusals():
    _, problems = check([{"status": "complete", "lieux": "peut-être", "types": "mairie"}])
    assert len(problems) == 1 and "peut-être" in problems[0]


WEB_CASES = [
    ("lieux", "oui"),
    ("lieux", "nsp"),
    ("lieux", "maybe"),
    ("types", "mairie"),
    ("types", "mairie tiers_lieu mediatheque"),
    ("types", "nsp mairie"),
    ("agents", "12"),
    ("agents", "12,50"),
    ("agents", "-5"),
    ("agents", "600"),
    ("agents", "1e9"),
    ("agents", "abc"),
    ("agents", "nsp"),
    ("part", "100"),
    ("part", "100.5"),
    ("part", "-1"),
    ("plan", "en_cours"),
    ("plan", "nsp"),
    ("note", "Texte libre"),
]


@pytest.mark.parametrize(("question_id", "value"), WEB_CASES)
def test_the_import_accepts_exactly_what_the_web_form_accepts(question_id, value):
    question = QUESTIONNAIRE.question(question_id)
    raw = value.split() if question.type.value == "multiple_choice" else [value]
    answers = {"lieux": "oui"}
    stored, error = parse_value(question, raw)
    if error is None and stored is not None:
        error = answer_error(QUESTIONNAIRE, question, stored, {**answers, question_id: stored})
    row = {**answers, question_id: value} if question_id != "lieux" else {"lieux": value}
    imported, problems = check([{**row, "status": "partial"}])
    assert (problems == []) == (error is None), (problems, error)
    if error is None:
        assert imported.get_column(question_id).to_list() == [stored]
