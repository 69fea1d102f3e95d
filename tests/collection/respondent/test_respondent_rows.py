"""The respondent pages' hand-written session query gives the same instances as the ORM."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from barometre.collection.models import Campaign, Invitation, Response
from barometre.collection.respondent.questionnaires import edition_questionnaire
from barometre.collection.respondent.rows import session_rows
from barometre.collection.services import response_for, save_answers

pytestmark = pytest.mark.django_db


def field_values(instance) -> dict[str, object]:
    """Every concrete field value of a model instance (deferred ones excluded)."""
    deferred = instance.get_deferred_fields()
    return {
        f.attname: getattr(instance, f.attname)
        for f in type(instance)._meta.concrete_fields
        if f.attname not in deferred
    }


def test_session_rows_match_the_orm_field_by_field(link):
    response = response_for(link.invitation)
    save_answers(response, {"agents_nombre": "12", "inc_types": ["mairie", "mediatheque"]}, 0)
    rows = session_rows(link.invitation.pk)
    orm = Invitation.objects.select_related("target__campaign__edition", "response").get(
        pk=link.invitation.pk
    )
    assert field_values(rows.invitation) == field_values(orm)
    assert field_values(rows.invitation.target) == field_values(orm.target)
    assert field_values(rows.invitation.target.campaign) == field_values(orm.target.campaign)
    edition = rows.invitation.target.campaign.edition
    assert edition.get_deferred_fields() == {"questionnaire_yaml"}
    assert field_values(edition) == {
        k: v
        for k, v in field_values(orm.target.campaign.edition).items()
        if k != "questionnaire_yaml"
    }
    assert field_values(rows.response) == field_values(orm.response)
    assert timezone.is_aware(rows.response.updated_at)
    assert rows.response.version == 1 and rows.response.status == Response.Status.PARTIAL
    assert rows.answers == {"agents_nombre": "12", "inc_types": "mairie mediatheque"}
    # related instances are cached on each other: no further query
    with CaptureQueriesContext(connection) as queries:
        assert rows.invitation.response is rows.response
        assert rows.response.invitation is rows.invitation
        assert rows.response.campaign is rows.invitation.target.campaign
    assert queries.captured_queries == []


def test_a_first_visit_has_no_response_yet(link):
    rows = session_rows(link.invitation.pk)
    assert rows.response is None and rows.answers == {}
    with pytest.raises(Response.DoesNotExist):
        rows.invitation.response  # noqa: B018 (the cached absence, as select_related leaves it)
    assert response_for(rows.invitation).pk is not None


@pytest.mark.parametrize("change", ["revoked", "expired", "closed"])
def test_inactive_invitations_give_nothing(link, change):
    if change == "revoked":
        Invitation.objects.filter(pk=link.invitation.pk).update(revoked_at=timezone.now())
    elif change == "expired":
        Invitation.objects.filter(pk=link.invitation.pk).update(
            expires_at=timezone.now() - timedelta(seconds=1)
        )
    else:
        Campaign.objects.filter(pk=link.campaign.pk).update(status=Campaign.Status.CLOSED)
    assert session_rows(link.invitation.pk) is None
    assert not Invitation.objects.active().filter(pk=link.invitation.pk).exists()


def test_a_known_edition_is_not_read_again_for_its_questionnaire(link):
    first = edition_questionnaire(
        session_rows(link.invitation.pk).invitation.target.campaign.edition
    )
    edition = session_rows(link.invitation.pk).invitation.target.campaign.edition
    with CaptureQueriesContext(connection) as queries:
        again = edition_questionnaire(edition)
    assert again is first and queries.captured_queries == []
    assert [t.id for t in again.themes] == ["inclusion", "strategie", "commentaires"]


def test_autosaves_and_pages_share_one_parsed_questionnaire(link):
    from barometre.collection.respondent.autosaving import autosave_state, state_questionnaire

    page = edition_questionnaire(
        session_rows(link.invitation.pk).invitation.target.campaign.edition
    )
    state = autosave_state(link.invitation.pk)
    with CaptureQueriesContext(connection) as queries:
        assert state_questionnaire(state) is page
    assert queries.captured_queries == []
