"""Statements and population noun: what published figures are written from, checked for grammar."""

from __future__ import annotations

from pathlib import Path

import pytest

from barometre.questionnaire import (
    QuestionnaireError,
    compare,
    dump_questionnaire,
    load_template,
    loads_questionnaire,
)
from barometre.questionnaire.model import DEFAULT_POPULATION
from barometre.questionnaire.statements import predicate_problem, relative_clause_problem
from barometre.questionnaire.xlsform import read_xlsform, write_xlsform

DOC = """\
id: test
title: Test
version: "1"
edition: "2025"
population: {plural: services publics, singular: service public, gender: masculine}
themes:
  - id: t1
    label: Thème 1
    questions:
      - id: connecte
        type: yes_no
        label: Êtes-vous connecté ?
        statement: sont connectés à internet
      - id: usages
        type: multiple_choice
        label: Quels usages ?
        relevant: "${connecte} = 'oui'"
        relevant_statement: qui sont connectés
        choices:
          - {code: mail, label: E-mails, statement: envoient des e-mails}
          - {code: web, label: Recherche}
"""


def _issues(text: str) -> list:
    with pytest.raises(QuestionnaireError) as caught:
        loads_questionnaire(text)
    return list(caught.value.issues)


def test_statements_and_population_are_read_dumped_and_compared() -> None:
    questionnaire = loads_questionnaire(DOC)
    assert questionnaire.population.plural == "services publics"
    assert questionnaire.population.agree("interrogé") == "interrogés"
    assert questionnaire.question("connecte").statement == "sont connectés à internet"
    usages = questionnaire.question("usages")
    assert usages.relevant_statement == "qui sont connectés"
    assert [c.statement for c in usages.choices] == ["envoient des e-mails", ""]
    again = loads_questionnaire(dump_questionnaire(questionnaire))
    assert again == questionnaire
    changed = loads_questionnaire(DOC.replace("envoient des e-mails", "reçoivent des e-mails"))
    assert any("affirmation" in str(change) for change in compare(questionnaire, changed))


def test_population_defaults_to_collectivites_and_singular_is_derived() -> None:
    plain = loads_questionnaire(DOC.replace(DOC.splitlines()[4] + "\n", ""))
    assert plain.population == DEFAULT_POPULATION
    assert plain.population.agree("interrogé") == "interrogées"
    derived = loads_questionnaire(
        DOC.replace(", singular: service public", "").replace("masculine", "masculine")
    )
    assert derived.population.singular == "service public"


def test_xlsform_keeps_statements_and_population(tmp_path: Path) -> None:
    questionnaire = loads_questionnaire(DOC)
    write_xlsform(questionnaire, tmp_path / "f.xlsx")
    result = read_xlsform(tmp_path / "f.xlsx")
    assert result.notes == [], result.report()
    assert result.questionnaire == questionnaire


@pytest.mark.parametrize(
    ("bad", "where", "says"),
    [
        ("statement: sont connectés à internet", "Disposent", "majuscule"),
        ("statement: sont connectés à internet", "accompagnement des agents", "verbe conjugué"),
        ("envoient des e-mails", "E-mails", "majuscule"),
        ("envoient des e-mails", "envoi des e-mails.", "ponctuation"),
        ("relevant_statement: qui sont connectés", "connectés", "proposition relative"),
    ],
)
def test_ungrammatical_statements_are_refused_with_their_line(bad, where, says) -> None:
    old = bad.split(": ", 1)[1] if ": " in bad else bad
    text = DOC.replace(bad, bad.replace(old, where))
    issues = _issues(text)
    grammar = [i for i in issues if i.code == "statement_grammar"]
    assert grammar and says in grammar[0].message, issues
    assert grammar[0].line is not None and grammar[0].line > 5


def test_statement_only_on_yes_no_questions() -> None:
    text = DOC.replace(
        "        relevant_statement: qui sont connectés\n",
        "        relevant_statement: qui sont connectés\n        statement: utilisent internet\n",
    )
    assert any("statement" in i.message for i in _issues(text))


def test_english_questionnaires_are_not_checked_for_french_grammar() -> None:
    text = DOC.replace('edition: "2025"', 'edition: "2025"\nlanguage: en').replace(
        "sont connectés à internet", "Are online"
    )
    assert loads_questionnaire(text).question("connecte").statement == "Are online"


def test_grammar_heuristics() -> None:
    for good in ("n'ont pas de RSSI", "se méfient du cloud", "les publient ailleurs", "sont"):
        assert predicate_problem(good) is None, good
    for bad in ("agents formés", "équipement informatique", "proposant des actions", ""):
        assert predicate_problem(bad), bad
    assert relative_clause_problem("à qui la question a été posée") is None
    assert relative_clause_problem("dont le site est accessible") is None
    assert relative_clause_problem("connectés à internet")


@pytest.mark.parametrize(
    "name",
    [
        "dinum-collectivites-numerique-2024",
        "jvs-petites-communes-dematerialisation",
        "nouvelle-caledonie-services-publics",
    ],
)
def test_shipped_templates_state_every_yes_no_question_and_choice(name: str) -> None:
    questionnaire = load_template(name)
    for question in questionnaire.questions:
        if question.type.value == "yes_no":
            assert question.statement, question.id
        if question.type.value in ("single_choice", "multiple_choice"):
            assert all(c.statement for c in question.choices), question.id
