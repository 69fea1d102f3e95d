"""Autosaves from the state a process remembers: one write, and every change elsewhere still seen."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from barometre.collection.models import Campaign, Response
from barometre.collection.respondent.autosaving import forget_state, remembered_state
from barometre.collection.services import save_answers, submit_response

pytestmark = pytest.mark.django_db
URL = "/r/questionnaire/strategie/autosave/"


def opened(link) -> Client:
    """A client whose session was opened with the private link (and the response created)."""
    client = Client()
    assert client.get(link.path).status_code == 302
    assert client.get("/r/questionnaire/strategie/").status_code == 200
    return client


def autosave(client: Client, version: int, qid: str, value: str, base: str = ""):
    """One autosave of one field, the way the page script posts it."""
    return client.post(
        URL, {"version": version, "fields": qid, qid: value, "base": json.dumps({qid: base})}
    )


def stored(link) -> dict[str, str]:
    """The answers stored for the link's response."""
    return Response.objects.get(invitation=link.invitation).answer_dict()


def test_the_next_autosave_writes_without_reading_the_state_first(link):
    client = opened(link)
    first = autosave(client, 0, "agents_nombre", "10")
    assert first.json()["version"] == 1
    remembered = remembered_state(link.invitation.pk)
    assert remembered is not None and remembered.version == 1
    assert dict(remembered.answers) == {"agents_nombre": "10"}
    with CaptureQueriesContext(connection) as queries:
        second = autosave(client, 1, "part_dematerialisee", "50")
    assert second.status_code == 200 and second.json()["version"] == 2
    statements = [q["sql"].lstrip().upper() for q in queries.captured_queries]
    assert not [s for s in statements if s.startswith("SELECT")], statements
    assert stored(link) == {"agents_nombre": "10", "part_dematerialisee": "50"}
    assert dict(remembered_state(link.invitation.pk).answers) == stored(link)


def test_a_revoked_link_stops_the_next_autosave_at_once(link):
    client = opened(link)
    assert autosave(client, 0, "agents_nombre", "10").status_code == 200
    link.invitation.revoked_at = timezone.now()
    link.invitation.save()
    refused = autosave(client, 1, "agents_nombre", "20", base="10")
    assert refused.status_code == 404
    assert stored(link) == {"agents_nombre": "10"}


def test_a_closed_campaign_stops_the_next_autosave_at_once(link):
    client = opened(link)
    assert autosave(client, 0, "agents_nombre", "10").status_code == 200
    Campaign.objects.filter(pk=link.campaign.pk).update(status=Campaign.Status.CLOSED)
    assert autosave(client, 1, "agents_nombre", "20", base="10").status_code == 404
    assert stored(link) == {"agents_nombre": "10"}


def test_a_write_made_by_another_process_is_seen_before_saving(link):
    client = opened(link)
    assert autosave(client, 0, "agents_nombre", "10").status_code == 200
    # another worker process stores a new value: this process's memory is now one version behind
    response = Response.objects.get(invitation=link.invitation)
    assert save_answers(response, {"agents_nombre": "99"}, 1) == 2
    assert remembered_state(link.invitation.pk).version == 1
    # the person still sees 10 and changes it: refused, the other value is kept
    clash = autosave(client, 1, "agents_nombre", "20", base="10")
    assert clash.status_code == 409 and clash.json()["version"] == 2
    assert stored(link) == {"agents_nombre": "99"}
    # a change of another question merges, from a fresh read
    merged = autosave(client, 1, "part_dematerialisee", "50")
    assert merged.status_code == 200 and merged.json()["version"] == 3
    assert stored(link) == {"agents_nombre": "99", "part_dematerialisee": "50"}
    remembered = remembered_state(link.invitation.pk)
    assert remembered.version == 3 and dict(remembered.answers) == stored(link)


def test_a_submission_made_by_another_process_locks_the_response(link):
    client = opened(link)
    assert autosave(client, 0, "agents_nombre", "10").status_code == 200
    response = Response.objects.get(invitation=link.invitation)
    submit_response(response, 1)
    locked = autosave(client, 1, "agents_nombre", "20", base="10")
    assert locked.status_code == 423
    assert stored(link) == {"agents_nombre": "10"}


def test_forgetting_falls_back_to_a_read(link):
    client = opened(link)
    assert autosave(client, 0, "agents_nombre", "10").status_code == 200
    forget_state()
    assert remembered_state(link.invitation.pk) is None
    again = autosave(client, 1, "agents_nombre", "20", base="10")
    assert again.status_code == 200 and again.json()["version"] == 2
    assert remembered_state(link.invitation.pk).version == 2
