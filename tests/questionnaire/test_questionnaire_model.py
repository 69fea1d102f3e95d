"""The model: answer codes, nsp, and item-by-item comparison of two versions."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from barometre.questionnaire import (
    NSP_CODE,
    Choice,
    Level,
    QuestionType,
    compare,
    load_questionnaire,
)

RICH = Path(__file__).parent / "rich_questionnaire.yaml"


@pytest.fixture(scope="module")
def rich():
    return load_questionnaire(RICH)


def test_codes_by_type(rich) -> None:
    assert rich.question("strat_elu").codes == ("oui", "non", NSP_CODE)
    assert rich.question("strat_pilotage").codes == ("bas", "haut")
    assert rich.question("agents").codes == ()
    assert QuestionType("percentage").is_numeric
    assert not QuestionType.TEXT.is_choice


def test_model_is_frozen(rich) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        rich.question("agents").label = "x"  # type: ignore[misc]


def test_identical_versions_have_no_differences(rich) -> None:
    assert compare(rich, rich) == []


def _replace_question(questionnaire, question_id, **changes):
    themes = []
    for theme in questionnaire.themes:
        questions = tuple(
            dataclasses.replace(q, **changes) if q.id == question_id else q for q in theme.questions
        )
        themes.append(dataclasses.replace(theme, questions=questions))
    return dataclasses.replace(questionnaire, themes=tuple(themes))


def test_compare_lists_changes_item_by_item(rich) -> None:
    new = _replace_question(
        rich,
        "strat_domaines",
        label="Nouveau libellé",
        choices=(Choice("rh", "RH"), Choice("usagers", "Relation aux usagers"), Choice("ia", "IA")),
    )
    new = _replace_question(
        new, "strat_pilotage", levels=(Level("haut", "Haut"), Level("bas", "Bas", "Peu structuré."))
    )
    profil = new.theme("profil")
    new = dataclasses.replace(
        new,
        version="2026.1",
        themes=(dataclasses.replace(profil, questions=profil.questions[:-1]), *new.themes[1:]),
    )
    changes = compare(rich, new)
    described = {(c.kind, c.item, c.detail) for c in changes}
    assert ("questionnaire_changed", "version", "'2025.10' → '2026.1'") in described
    assert ("question_removed", "commentaire", "question supprimée") in described
    kinds = {(c.kind, c.item) for c in changes}
    assert ("question_changed", "strat_domaines") in kinds
    details = [c.detail for c in changes if c.kind == "choices_changed"]
    assert "modalité « ia » ajoutée" in details
    assert "modalité « si » supprimée" in details
    assert any(d.startswith("modalité « rh » modifiée") for d in details)
    assert any(d.startswith("ordre des niveaux modifié") for d in (c.detail for c in changes))
    added = compare(new, rich)
    assert ("question_added", "commentaire") in {(c.kind, c.item) for c in added}
