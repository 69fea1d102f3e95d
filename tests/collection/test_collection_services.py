"""Private-link tokens and concurrent-safe answer saving."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.utils import timezone

from barometre.collection.models import Answer, Campaign, Invitation, Response
from barometre.collection.services import (
    ResponseLocked,
    StaleVersion,
    issue_invitation,
    reopen_response,
    resolve_token,
    response_for,
    save_answers,
    submit_response,
)

pytestmark = pytest.mark.django_db


def test_token_is_long_random_and_stored_hashed_only(campaign, make_target):
    invitation, raw = issue_invitation(make_target(campaign, "29001"))
    assert len(raw) >= 43  # 32 random bytes, base64url
    assert invitation.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    stored = Invitation.objects.filter(pk=invitation.pk).values_list().get()
    assert raw not in [str(v) for v in stored]
    assert resolve_token(raw).pk == invitation.pk
    assert invitation.expires_at == campaign.closes_at


def test_unknown_revoked_expired_and_closed_tokens_give_the_same_none(campaign, make_target):
    _, raw_revoked = issue_invitation(make_target(campaign, "29001"))
    inv_expired, raw_expired = issue_invitation(make_target(campaign, "29002"))
    Invitation.objects.get(token_hash=hashlib.sha256(raw_revoked.encode()).hexdigest()).revoke()
    inv_expired.expires_at = timezone.now() - timedelta(seconds=1)
    inv_expired.save()
    assert resolve_token("x" * 43) is None
    assert resolve_token(raw_revoked) is None
    assert resolve_token(raw_expired) is None
    assert resolve_token("") is None
    _, raw_ok = issue_invitation(make_target(campaign, "29003"))
    assert resolve_token(raw_ok) is not None
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.CLOSED)
    assert resolve_token(raw_ok) is None


def test_reissuing_a_link_invalidates_the_old_one(campaign, make_target):
    target = make_target(campaign, "29001")
    _, first = issue_invitation(target)
    _, second = issue_invitation(target)
    assert first != second
    assert resolve_token(first) is None
    assert resolve_token(second) is not None


def test_save_answers_upserts_clears_and_bumps_version(campaign, make_target):
    invitation, _ = issue_invitation(make_target(campaign, "29001"))
    response = response_for(invitation)
    assert response.status == Response.Status.DRAFT and response.version == 0
    v1 = save_answers(response, {"inc_lieux": "oui", "inc_types": ["mairie", "tiers_lieu"]}, 0)
    assert v1 == 1
    v2 = save_answers(response, {"inc_lieux": "non", "inc_types": None}, v1, updated_by="maire")
    assert v2 == 2
    stored = Response.objects.get(pk=response.pk)
    assert stored.version == 2 and stored.status == Response.Status.PARTIAL
    assert stored.answer_dict() == {"inc_lieux": "non"}
    assert Answer.objects.get(response=stored).updated_by == "maire"
    assert response_for(invitation).pk == response.pk


def test_stale_version_is_refused_and_stores_nothing(campaign, make_target):
    invitation, _ = issue_invitation(make_target(campaign, "29001"))
    response = response_for(invitation)
    save_answers(response, {"inc_lieux": "oui"}, 0)
    with pytest.raises(StaleVersion) as err:
        save_answers(response, {"inc_lieux": "non", "strat_plan": "oui"}, 0)
    assert err.value.current_version == 1
    assert Response.objects.get(pk=response.pk).answer_dict() == {"inc_lieux": "oui"}


def test_submit_locks_and_reopen_needs_permission(campaign, make_target):
    invitation, _ = issue_invitation(make_target(campaign, "29001"))
    response = response_for(invitation)
    v = save_answers(response, {"inc_lieux": "oui"}, 0)
    v = submit_response(response, v, respondent_role="DGS")
    stored = Response.objects.get(pk=response.pk)
    assert stored.status == Response.Status.COMPLETE and stored.submitted_at is not None
    with pytest.raises(ResponseLocked):
        save_answers(response, {"inc_lieux": "non"}, v)
    with pytest.raises(ResponseLocked):
        reopen_response(stored, v)
    Campaign.objects.filter(pk=campaign.pk).update(allow_reopen=True)
    stored = Response.objects.select_related("campaign").get(pk=response.pk)
    v = reopen_response(stored, v)
    assert save_answers(stored, {"inc_lieux": "non"}, v) == v + 1
    assert Response.objects.get(pk=response.pk).reopened


@pytest.mark.django_db(transaction=True)
def test_concurrent_saves_with_the_same_version_let_exactly_one_win(campaign, make_target):
    import threading

    from django.db import connections

    # real concurrent connections on both databases (the SQLite test database is a file)
    invitation, _ = issue_invitation(make_target(campaign, "29001"))
    response = response_for(invitation)
    outcomes: list[str] = []
    barrier = threading.Barrier(6)

    def attempt(value: str) -> None:
        try:
            barrier.wait()
            save_answers(Response.objects.get(pk=response.pk), {"inc_lieux": value}, 0)
            outcomes.append("saved")
        except StaleVersion:
            outcomes.append("stale")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(v,)) for v in ["oui", "non"] * 3]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["saved"] + ["stale"] * 5
    stored = Response.objects.get(pk=response.pk)
    assert stored.version == 1 and Answer.objects.filter(response=stored).count() == 1


def test_wave_changes_reach_open_themes_through_the_cache(edition):
    from barometre.collection.campaigns import create_campaign
    from barometre.collection.models import Wave

    campaign = create_campaign(edition, "Vagues")
    assert campaign.open_theme_ids() == ["inclusion", "strategie"]
    wave = Wave.objects.get(campaign=campaign, code="vague2")
    wave.opens_at = timezone.now() + timedelta(days=2)
    wave.save()
    assert Campaign.objects.get(pk=campaign.pk).open_theme_ids() == ["inclusion"]
