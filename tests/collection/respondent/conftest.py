"""Fixtures of the respondent tests: a questionnaire using every question type, an open link."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.cache import cache
from django.utils import timezone

RESPONDENT_YAML = (Path(__file__).with_name("respondent_questionnaire.yaml")).read_text(
    encoding="utf-8"
)


@dataclass
class Link:
    """An open private link of the test campaign."""

    invitation: object
    token: str
    campaign: object

    @property
    def path(self) -> str:
        """The token URL path."""
        return f"/r/{self.token}/"


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters live in the cache: start every test from a clean one."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def respondent_campaign(db):
    """An open campaign of an edition of the respondent questionnaire."""
    from barometre.collection.models import Campaign, Edition

    edition = Edition.objects.create(
        slug="test-repondant-2026",
        title="Baromètre de test du parcours",
        year=2026,
        questionnaire_yaml=RESPONDENT_YAML,
        questionnaire_id="test-repondant",
        questionnaire_version="2026.1",
        source=Edition.Source.YAML,
    )
    return Campaign.objects.create(
        edition=edition,
        name="Campagne de test",
        status=Campaign.Status.OPEN,
        allow_reopen=True,
        opened_at=timezone.now(),
        closes_at=timezone.now() + timedelta(days=30),
    )


@pytest.fixture
def make_link(respondent_campaign):
    """Factory: `make_link(code)` creates a target and its invitation, returns the raw link."""
    from barometre.collection.models import Target
    from barometre.collection.services import issue_invitation

    def make(code: str = "29019", name: str = "Brest") -> Link:
        target = Target.objects.create(
            campaign=respondent_campaign,
            code=code,
            name=name,
            kind="commune",
            departement=code[:2],
            region="53",
        )
        invitation, token = issue_invitation(target)
        return Link(invitation=invitation, token=token, campaign=respondent_campaign)

    return make


@pytest.fixture
def link(make_link) -> Link:
    """One open private link."""
    return make_link()
