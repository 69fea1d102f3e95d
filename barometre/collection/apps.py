"""Django app configuration of the collection app."""

from __future__ import annotations

from django.apps import AppConfig


class CollectionConfig(AppConfig):
    """Campaigns, invitations, responses, imports and exports."""

    name = "barometre.collection"
    label = "collection"
    verbose_name = "Collecte"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Connect the audit signal handlers."""
        from barometre.collection import signals  # noqa: F401
