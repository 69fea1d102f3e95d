"""The parsed questionnaire of an edition, cached per process (parsing and validating takes ~0.1 s).

An edition's questionnaire text never changes once stored, so an edition already seen is found by
its identity without reading its text again (the respondent pages leave it deferred).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from datetime import UTC, datetime
from functools import lru_cache

from django.utils import timezone

from barometre.collection.editions import parse_questionnaire_yaml
from barometre.collection.models import Edition
from barometre.questionnaire.model import Questionnaire

_BY_EDITION: dict[Hashable, Questionnaire] = {}
_BY_EDITION_LOCK = threading.Lock()


@lru_cache(maxsize=16)
def _parsed(text: str) -> Questionnaire:
    """Parse questionnaire YAML once per distinct text (frozen dataclasses: safe to share)."""
    return parse_questionnaire_yaml(text)


def edition_key(db: str | None, pk: int, slug: str, created_at: datetime) -> Hashable:
    """An edition's identity in the cache (`created_at` in UTC, whether read aware or naive)."""
    if timezone.is_aware(created_at):
        created_at = timezone.make_naive(created_at, UTC)
    return (db, pk, slug, created_at.isoformat())


def questionnaire_by_key(key: Hashable, load_text: Callable[[], str]) -> Questionnaire:
    """The questionnaire of the edition `key`, reading its text with `load_text` on a miss only."""
    questionnaire = _BY_EDITION.get(key)
    if questionnaire is None:
        questionnaire = _parsed(load_text())
        with _BY_EDITION_LOCK:
            if len(_BY_EDITION) > 64:
                _BY_EDITION.clear()
            _BY_EDITION[key] = questionnaire
    return questionnaire


def edition_questionnaire(edition: Edition) -> Questionnaire:
    """The questionnaire of an edition, parsed once per process (by identity, else by text)."""
    if edition.pk is None:
        return _parsed(edition.questionnaire_yaml)
    key = edition_key(edition._state.db, edition.pk, edition.slug, edition.created_at)
    return questionnaire_by_key(key, lambda: edition.questionnaire_yaml)
