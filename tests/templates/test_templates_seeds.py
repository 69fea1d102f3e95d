"""The four seed templates load, and their figures files point at real questions and options."""

from __future__ import annotations

import re

import pytest
from shared_files import shared_glob

from barometre.edition.figures import load_figures
from barometre.questionnaire.model import QuestionType
from barometre.questionnaire.skip_logic import relevance
from barometre.questionnaire.templates_catalogue import list_templates, load_template

SEED_TEMPLATES = {
    "000": "nouvelle-caledonie-services-publics",
    "002": "dinum-collectivites-numerique-2024",
    "003": "ey-france-urbaine-maturite",
    "004": "jvs-petites-communes-dematerialisation",
}

# Percentages of the seed documents that are not figures computable from the template's answers.
NOT_FIGURES = {
    "ey-france-urbaine-maturite": {
        0.2: "« près de 20 % » pas encore en règle : complément des 82 % (cyb_conformite)",
        0.8: "« plus de 80 % » en conformité : les 82 % de cyb_conformite",
        0.9: "« près de 90 % » : les 87 % de adm_dematerialisation_integrale",
    },
    "jvs-petites-communes-dematerialisation": {
        0.12: "+12 points par rapport à 2014 : une évolution, pas une part",
        0.88: "sondage Ipsos auprès des citoyens, pas des communes",
        1.0: "« applications 100 % hébergées » : texte commercial",
    },
}


@pytest.mark.parametrize("name", sorted(SEED_TEMPLATES.values()))
def test_template_is_shipped_and_loads(name: str) -> None:
    assert name in list_templates()
    questionnaire = load_template(name)
    assert questionnaire.themes and all(theme.questions for theme in questionnaire.themes)
    ids = [question.id for question in questionnaire.questions]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", qid) for qid in ids)


@pytest.mark.parametrize("name", sorted(SEED_TEMPLATES.values()))
def test_every_figure_references_an_existing_question_and_option(name: str) -> None:
    questionnaire = load_template(name)
    figures = load_figures(name)
    assert figures.template == name
    assert figures.figures, "a seed template must map at least one published figure"
    assert len({figure.id for figure in figures.figures}) == len(figures.figures)
    for figure in figures.figures:
        question = questionnaire.question(figure.question)
        assert question.type.is_choice, figure.id
        assert figure.options, figure.id
        unknown = set(figure.options) - {option.code for option in question.options}
        assert not unknown, f"{figure.id}: {unknown}"
        assert figure.target is not None and 0 <= figure.target <= 1, figure.id


@pytest.mark.parametrize(("seed", "name"), sorted(SEED_TEMPLATES.items()))
def test_every_published_percentage_of_the_seed_is_a_figure(seed: str, name: str) -> None:
    matches = shared_glob("seeds", f"{seed}_*.txt")
    text = matches[0].read_text(encoding="utf-8")
    published = {
        round(float(value.replace(",", ".")) / 100, 4)
        for value in re.findall(r"(\d+(?:,\d+)?)\s*%", text)
    }
    mapped = {
        round(value, 4)
        for figure in load_figures(name).figures
        for value in (figure.seed_value, figure.previous_value)
        if value is not None and figure.statistic == "share"
    }
    missing = published - mapped - set(NOT_FIGURES.get(name, {}))
    assert not missing, f"published in seed {seed} but not mapped: {sorted(missing)}"


def test_dinum_has_six_themes_over_two_waves_with_sans_reponse() -> None:
    questionnaire = load_template(SEED_TEMPLATES["002"])
    assert len(questionnaire.themes) == 6
    assert {wave.id for wave in questionnaire.waves} == {"vague1", "vague2"}
    assert {theme.wave for theme in questionnaire.themes} == {"vague1", "vague2"}
    yes_no = [q for q in questionnaire.questions if q.type is QuestionType.YES_NO]
    assert yes_no and all(q.allow_nsp for q in yes_no)
    labels = " ".join(theme.label for theme in questionnaire.themes)
    for word in ("Inclusion", "Cybersécurité", "Communication", "Participation", "Accessibilité"):
        assert word in labels


def test_dinum_skip_logic_follows_the_answers() -> None:
    questionnaire = load_template(SEED_TEMPLATES["002"])
    asked = relevance(questionnaire, {"inc_lieux_mediation": "non", "com_canaux": "site_internet"})
    assert not asked["inc_lieux_types"] and not asked["com_reseaux_types"]
    asked = relevance(
        questionnaire, {"inc_lieux_mediation": "oui", "com_canaux": "site_internet reseaux_sociaux"}
    )
    assert asked["inc_lieux_types"] and asked["com_reseaux_types"]


def test_ey_has_nine_themes_of_stage_scale_items() -> None:
    questionnaire = load_template(SEED_TEMPLATES["003"])
    assert len(questionnaire.themes) == 9
    assert all(theme.weight == 1 for theme in questionnaire.themes)
    assert {theme.label for theme in questionnaire.themes} >= {
        "Stratégie et gouvernance numériques",
        "Services aux usagers",
        "e-Éducation",
        "Territoire serviciel",
        "Administration numérique",
        "Service public local de la donnée",
        "Aménagement numérique du territoire",
        "Écosystème et économie numériques",
        "Cybersécurité",
    }
    for theme in questionnaire.themes:
        assert len(theme.questions) >= 3, theme.id
        for question in theme.questions:
            assert question.type is QuestionType.MATURITY
            assert [level.label for level in question.levels] == [
                "Sujet non abordé",
                "Réflexion engagée",
                "Orientations formalisées",
                "Mise en œuvre engagée",
                "Mise en œuvre complète et effective",
            ]
            assert all(level.description for level in question.levels)


@pytest.mark.parametrize("name", sorted(SEED_TEMPLATES.values()))
def test_demo_frame_of_each_template_is_not_empty(name: str) -> None:
    from barometre.edition.simulate import template_frame
    from barometre.register import load_register

    demo = load_figures(name).demo
    frame = template_frame(load_register().entities, demo)
    assert frame.height >= min(demo.size, 30)
    assert set(frame.get_column("kind").unique()) <= set(demo.kinds)
