"""Answer parsing, skip logic and checks of one page, without the web layer; the theme switch."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from barometre.collection.respondent.answering import (
    answer_label,
    missing_answers,
    parse_page,
    parse_value,
    relevant_question_ids,
)
from barometre.collection.respondent.editing import changed_values, parse_base
from barometre.collection.respondent.theme import theme
from barometre.questionnaire.yaml_format import loads_questionnaire

# the respondent test questionnaire (same text as the `respondent_campaign` fixture's)
QUESTIONNAIRE = loads_questionnaire(
    (Path(__file__).with_name("respondent_questionnaire.yaml")).read_text(encoding="utf-8")
)
ALL_THEMES = [t.id for t in QUESTIONNAIRE.themes]


def question(qid: str):
    """A question of the test questionnaire."""
    return QUESTIONNAIRE.question(qid)


@pytest.mark.parametrize(
    ("qid", "raw", "expected"),
    [
        ("inc_lieux", ["oui"], ("oui", None)),
        ("inc_lieux", ["nsp"], ("nsp", None)),
        ("inc_lieux", [], (None, None)),
        ("inc_types", ["mairie", "mediatheque"], ("mediatheque mairie", None)),
        ("strat_maturite", ["2"], ("2", None)),
        ("agents_nombre", ["1 200,50"], ("1200.5", None)),
        ("agents_nombre", ["12.0"], ("12", None)),
        ("part_dematerialisee", ["100"], ("100", None)),
        ("part_dematerialisee", ["nsp"], ("nsp", None)),
        ("commentaire", ["  Bien.  "], ("Bien.", None)),
    ],
)
def test_posted_values_become_stored_text(qid, raw, expected):
    assert parse_value(question(qid), raw) == expected


@pytest.mark.parametrize(
    ("qid", "raw", "message"),
    [
        ("inc_lieux", ["peut-etre"], "Réponse non reconnue"),
        ("inc_types", ["mairie", "nsp"], "ne peut pas être combiné"),
        ("inc_types", ["mairie", "mediatheque", "tiers_lieu"], "Choisissez au plus 2 réponses."),
        ("agents_nombre", ["12 agents"], "Saisissez un nombre"),
        ("agents_nombre", ["NaN"], "Saisissez un nombre"),
        ("part_dematerialisee", ["-1"], "entre 0 et 100"),
        ("part_dematerialisee", ["50", "nsp"], "pas les deux"),
        ("strat_maturite", ["9"], "Réponse non reconnue"),
    ],
)
def test_bad_values_get_a_french_message(qid, raw, message):
    value, error = parse_value(question(qid), raw)
    assert value is None
    assert message in error


def test_relevance_cascades_and_non_relevant_answers_are_cleared():
    assert "inc_types" not in relevant_question_ids(QUESTIONNAIRE, {}, ALL_THEMES)
    assert "inc_types" in relevant_question_ids(QUESTIONNAIRE, {"inc_lieux": "oui"}, ALL_THEMES)
    assert relevant_question_ids(QUESTIONNAIRE, {"inc_lieux": "oui"}, ["strategie"]) == {
        "strat_maturite",
        "agents_nombre",
        "part_dematerialisee",
    }
    inclusion = QUESTIONNAIRE.theme("inclusion")
    stored = {"inc_lieux": "oui", "inc_types": "mairie"}
    parsed = parse_page(QUESTIONNAIRE, inclusion, {"inc_lieux": ["non"]}, stored, ALL_THEMES)
    assert parsed.values == {"inc_lieux": "non", "inc_types": None}
    assert parsed.errors == {}
    # the relevance checked is that of what gets stored
    after = {"inc_lieux": "non"}
    assert parsed.relevant == relevant_question_ids(QUESTIONNAIRE, after, ALL_THEMES)
    assert "inc_types" not in parsed.relevant and "agents_nombre" in parsed.relevant


def test_constraint_and_required_checks_of_a_page():
    strategie = QUESTIONNAIRE.theme("strategie")
    parsed = parse_page(QUESTIONNAIRE, strategie, {"agents_nombre": ["0"]}, {}, ALL_THEMES)
    assert parsed.errors == {
        "agents_nombre": "Le nombre d'agents doit être compris entre 1 et 100 000."
    }
    assert "agents_nombre" not in parsed.values
    assert parsed.relevant is None  # a refused value: what is stored differs from what was checked
    parsed = parse_page(QUESTIONNAIRE, strategie, {}, {}, ALL_THEMES)
    assert parsed.errors == {
        "agents_nombre": "Cette question est obligatoire : saisissez une réponse."
    }
    # an autosave of one field checks only that field
    only = parse_page(
        QUESTIONNAIRE, strategie, {"strat_maturite": ["1"]}, {}, ALL_THEMES, ["strat_maturite"]
    )
    assert only.values == {"strat_maturite": "1"} and only.errors == {}


def test_missing_answers_of_the_whole_response():
    assert set(missing_answers(QUESTIONNAIRE, {}, ALL_THEMES)) == {"inc_lieux", "agents_nombre"}
    answers = {"inc_lieux": "oui", "agents_nombre": "4"}
    assert set(missing_answers(QUESTIONNAIRE, answers, ALL_THEMES)) == {"inc_types"}
    assert missing_answers(QUESTIONNAIRE, {**answers, "inc_types": "mairie"}, ALL_THEMES) == {}


def test_answer_labels():
    assert answer_label(question("inc_types"), "mediatheque mairie") == "Médiathèque, Mairie"
    assert answer_label(question("strat_maturite"), "1") == "Réflexion engagée"
    assert answer_label(question("agents_nombre"), "12.5") == "12,5 agents"
    assert answer_label(question("part_dematerialisee"), "40") == "40 %"
    assert answer_label(question("inc_lieux"), "nsp") == "Ne sait pas / sans réponse"


def test_only_changed_values_are_saved():
    base = parse_base('{"a": "1", "b": null}')
    assert base == {"a": "1", "b": ""}
    assert changed_values({"a": "1", "b": "2", "c": None}, base) == {"b": "2"}
    assert changed_values({"a": "1"}, None) == {"a": "1"}
    assert parse_base("pas du json") is None


def test_the_neutral_theme_is_the_default_and_unknown_names_fall_back_to_it(settings):
    del settings.BAROMETRE_THEME
    assert theme(None)["theme"] == "neutral"
    settings.BAROMETRE_THEME = "marianne"
    assert theme(None)["theme_base_template"] == "base_neutral.html"
    settings.BAROMETRE_THEME = "dsfr"
    assert theme(None)["theme_base_template"] == "base_dsfr.html"


@pytest.mark.django_db
def test_each_theme_loads_only_its_own_assets(link, site_theme):
    client = Client()
    client.get(link.path)
    html = client.get("/r/accueil/").content.decode()
    assert '<html lang="fr"' in html
    assert 'href="#contenu"' in html and '<main id="contenu"' in html
    assert "<header" in html and "<nav" in html and "<footer" in html
    if site_theme == "dsfr":
        assert "dsfr.min.css" in html and "fr-header" in html
        assert "neutral.css" not in html
    else:
        assert "neutral.css" in html
        assert "dsfr" not in html.lower()


@pytest.mark.django_db
def test_save_changes_with_an_outdated_snapshot_rereads_then_merges_or_refuses(link):
    from barometre.collection.models import Response
    from barometre.collection.respondent.editing import EditConflict, save_changes
    from barometre.collection.services import response_for, save_answers

    response = response_for(link.invitation)
    save_answers(Response.objects.get(pk=response.pk), {"agents_nombre": "10"}, 0)
    # the snapshot predates that write: saving another question merges on a re-read
    version = save_changes(
        response, {"commentaire": "ok"}, 0, {"commentaire": ""}, snapshot=(0, {})
    )
    assert version == 2
    # saving the question written meanwhile, from a base that never saw it, is refused
    with pytest.raises(EditConflict) as caught:
        save_changes(response, {"agents_nombre": "20"}, 0, {"agents_nombre": ""}, snapshot=(0, {}))
    assert caught.value.questions == ["agents_nombre"]
    assert Response.objects.get(pk=response.pk).answer_dict() == {
        "agents_nombre": "10",
        "commentaire": "ok",
    }
