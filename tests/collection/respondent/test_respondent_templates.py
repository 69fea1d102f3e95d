"""Every shipped questionnaire template can be answered through the respondent pages."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from barometre.collection.models import Campaign, Edition, Response, Target
from barometre.collection.services import issue_invitation
from barometre.questionnaire.model import QuestionType
from barometre.questionnaire.templates_catalogue import list_templates, load_template, template_text

pytestmark = pytest.mark.django_db


def first_answer(question) -> list[str]:
    """A plausible posted answer: the first option, a small number or a short text."""
    if question.type.is_choice:
        return [question.options[0].code]
    if question.type is QuestionType.TEXT:
        return ["Réponse de test."]
    return ["1"]


@pytest.mark.parametrize("name", list_templates())
def test_a_template_can_be_answered_page_by_page(name):
    questionnaire = load_template(name)
    edition = Edition.objects.create(
        slug=name[:50],
        title=questionnaire.title,
        questionnaire_yaml=template_text(name),
        questionnaire_id=questionnaire.id,
        questionnaire_version=questionnaire.version,
        source=Edition.Source.TEMPLATE,
    )
    campaign = Campaign.objects.create(
        edition=edition,
        name="Campagne",
        status=Campaign.Status.OPEN,
        closes_at=timezone.now() + timedelta(days=5),
    )
    target = Target.objects.create(campaign=campaign, code="35238", name="Rennes", kind="commune")
    _, token = issue_invitation(target)
    client = Client()
    assert client.get(f"/r/{token}/").status_code == 302
    for number, theme in enumerate(questionnaire.themes, start=1):
        url = f"/r/questionnaire/{theme.id}/"
        html = client.get(url).content.decode()
        assert f"Thème {number} sur {len(questionnaire.themes)}" in html
        version = int(re.search(r'name="version" value="(\d+)"', html).group(1))
        data = {q.id: first_answer(q) for q in theme.questions}
        posted = client.post(url, {"version": version, "action": "save", **data})
        assert posted.status_code in (200, 302), posted.content[:500]
    review = client.get("/r/relecture/")
    assert review.status_code == 200
    answers = Response.objects.get(invitation__target=target).answer_dict()
    assert answers, "no answer stored"
    # every stored value is one the questionnaire accepts
    for qid, value in answers.items():
        question = questionnaire.question(qid)
        if question.type.is_choice:
            assert set(value.split()) <= set(question.codes)
