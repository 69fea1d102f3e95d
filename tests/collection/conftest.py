"""Fixtures of the collection tests: a small questionnaire, an edition, an open campaign."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

HERE = Path(__file__).resolve().parent
DB_FIXTURES = {"db", "transactional_db", "live_server"}


def pytest_configure(config: pytest.Config) -> None:
    """Declare the marker `scripts/test` uses to rerun database tests on PostgreSQL."""
    config.addinivalue_line(
        "markers", "postgres_rerun: database test, run again on PostgreSQL by scripts/test"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every database test of tests/collection with `postgres_rerun`."""
    for item in items:
        inside = Path(str(item.path)).resolve().is_relative_to(HERE)
        uses_db = bool(DB_FIXTURES & set(getattr(item, "fixturenames", ()))) or (
            item.get_closest_marker("django_db") is not None
        )
        if inside and uses_db:
            item.add_marker(pytest.mark.postgres_rerun)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Cached waves and rate-limit counters never leak from one test to the next."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


QUESTIONNAIRE_YAML = """\
id: test-collecte
title: Baromètre de test
version: "2026.1"
edition: "2026"
language: fr
waves:
  - {id: vague1, label: "Vague 1"}
  - {id: vague2, label: "Vague 2"}
choice_lists:
  oui_non_encours:
    - {code: oui, label: Oui}
    - {code: en_cours, label: En cours}
    - {code: non, label: Non}
themes:
  - id: inclusion
    label: Inclusion numérique
    wave: vague1
    weight: 1
    questions:
      - id: inc_lieux
        type: yes_no
        label: Disposez-vous de lieux de médiation numérique ?
        allow_nsp: true
      - id: inc_types
        type: multiple_choice
        label: Quels lieux ?
        relevant: "${inc_lieux} = 'oui'"
        choices:
          - {code: mediatheque, label: Médiathèque}
          - {code: tiers_lieu, label: Tiers-lieu}
          - {code: mairie, label: Mairie}
  - id: strategie
    label: Stratégie
    wave: vague2
    weight: 1
    questions:
      - id: strat_plan
        type: single_choice
        label: Avez-vous un plan numérique ?
        choices: oui_non_encours
      - id: agents_nombre
        type: number
        label: Nombre d'agents
        constraint: ". >= 0 and . <= 100000"
        constraint_message: Le nombre d'agents doit être compris entre 0 et 100 000.
"""


@pytest.fixture
def questionnaire_yaml() -> str:
    """YAML text of a small two-theme questionnaire."""
    return QUESTIONNAIRE_YAML


@pytest.fixture
def edition(db):
    """An edition holding the small questionnaire."""
    from barometre.collection.models import Edition

    return Edition.objects.create(
        slug="test-2026",
        title="Baromètre de test 2026",
        year=2026,
        questionnaire_yaml=QUESTIONNAIRE_YAML,
        questionnaire_id="test-collecte",
        questionnaire_version="2026.1",
        source=Edition.Source.YAML,
    )


@pytest.fixture
def campaign(edition):
    """An open campaign closing in 30 days."""
    from barometre.collection.models import Campaign

    return Campaign.objects.create(
        edition=edition,
        name="Campagne de test",
        status=Campaign.Status.OPEN,
        opened_at=timezone.now(),
        closes_at=timezone.now() + timedelta(days=30),
    )


@pytest.fixture
def make_target(db):
    """Factory: `make_target(campaign, code, **fields)` creates one target with strata defaults."""
    return create_target


def create_target(campaign, code: str, **fields):
    """Create one target of `campaign` with sensible strata defaults."""
    from barometre.collection.models import Target

    defaults = {
        "name": f"Collectivité {code}",
        "kind": "commune",
        "kind_detail": "commune",
        "size_class": "moins de 500 habitants",
        "departement": code[:2],
        "region": "84",
    }
    defaults.update(fields)
    return Target.objects.create(campaign=campaign, code=code, **defaults)
