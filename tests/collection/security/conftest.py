"""Adversarial tests: real HTTP requests against a live server (a thread serving the test database).

Every test here plays a hostile or careless user with `requests` (cookies, CSRF token, no
redirects followed) and checks the database before and after each refused input. The `world`
fixture builds a small world on the real register: a campaign straddling Finistère (29) and
Ille-et-Vilaine (35), a campaign inside Finistère, and accounts of every role scoped to 29.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone
from security_http import (
    IN_29,
    IN_35,
    RESPONDENT_YAML,
    Http,
    World,
    add_register_targets,
    answered,
    db_counts,
    make_account,
)


@pytest.fixture
def world(live_server, edition) -> World:
    """Two open campaigns on the real register and accounts of every role, national or in 29."""
    from barometre.collection.campaigns import create_campaign
    from barometre.collection.models import Account, Campaign

    closes = timezone.now() + timedelta(days=30)
    campaigns = []
    for name, codes in (("À cheval 29-35", IN_29 + IN_35), ("Finistère", IN_29)):
        campaign = create_campaign(edition, name, closes_at=closes)
        campaign.status = Campaign.Status.OPEN
        campaign.opened_at = timezone.now()
        campaign.save()
        add_register_targets(campaign, codes)
        campaigns.append(campaign)
    straddling, finistere = campaigns
    for code in ("29019", "35238"):
        answered(straddling, code, inc_lieux="oui")
    answered(finistere, "29232", inc_lieux="non")
    admin = Account.Role.ADMINISTRATOR
    accounts = {
        "national": make_account("national", admin),
        "admin29": make_account(
            "admin29", admin, scope_departements=["29"], scope_label="Finistère"
        ),
        "analyst29": make_account("analyst29", Account.Role.ANALYST, scope_departements=["29"]),
        "reader29": make_account("reader29", Account.Role.READER, scope_departements=["29"]),
        "analyst35": make_account("analyst35", Account.Role.ANALYST, scope_departements=["35"]),
        "brest": make_account("brest", Account.Role.ANALYST, scope_codes=["29019"]),
    }
    return World(live_server.url, straddling, finistere, accounts)


@pytest.fixture
def unchanged() -> Callable[..., object]:
    """Context manager: the database counts are the same after the block as before."""

    @contextlib.contextmanager
    def check():
        before = db_counts()
        yield before
        after = db_counts()
        assert after == before, f"rows changed: {before} -> {after}"

    return check


@pytest.fixture
def text_link(world):
    """An open private link on a questionnaire with a free-text question (`commentaire`)."""
    from barometre.collection.models import Campaign, Edition, Target
    from barometre.collection.services import issue_invitation

    edition = Edition.objects.create(
        slug="textes-2026",
        title="Textes",
        questionnaire_yaml=RESPONDENT_YAML,
        questionnaire_id="test-repondant",
        questionnaire_version="2026.1",
        source=Edition.Source.YAML,
    )
    campaign = Campaign.objects.create(
        edition=edition,
        name="Textes",
        status=Campaign.Status.OPEN,
        opened_at=timezone.now(),
        closes_at=timezone.now() + timedelta(days=10),
    )
    target = Target.objects.create(campaign=campaign, code="29019", name="Brest", kind="commune")
    _, token = issue_invitation(target)
    http = Http(world.base)
    assert http.get(f"/r/{token}/").status_code == 302
    assert http.get("/r/accueil/").status_code == 200
    return http
