"""Django app configuration of the initiatives review screens."""

from __future__ import annotations

from django.apps import AppConfig


class InitiativesReviewConfig(AppConfig):
    """The review queue of classified initiatives, mounted under /operateur/initiatives/."""

    name = "barometre.web.initiatives_review"
    label = "initiatives_review"
    verbose_name = "Revue des initiatives"
