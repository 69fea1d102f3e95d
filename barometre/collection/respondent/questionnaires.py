"""The parsed questionnaire of an edition, cached by content (parsing and validating takes ~0.1 s)."""

from __future__ import annotations

from functools import lru_cache

from barometre.collection.editions import parse_questionnaire_yaml
from barometre.collection.models import Edition
from barometre.questionnaire.model import Questionnaire


@lru_cache(maxsize=16)
def _parsed(text: str) -> Questionnaire:
    """Parse questionnaire YAML once per distinct text (frozen dataclasses: safe to share)."""
    return parse_questionnaire_yaml(text)


def edition_questionnaire(edition: Edition) -> Questionnaire:
    """The questionnaire of an edition, parsed once per process for the same YAML text."""
    return _parsed(edition.questionnaire_yaml)
