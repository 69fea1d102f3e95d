"""Audit of logins, logouts and failed logins."""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from barometre.collection.models import audit


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs) -> None:
    """Record a login."""
    audit("login", actor=user)


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs) -> None:
    """Record a logout."""
    if user is not None:
        audit("logout", actor=user)


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs) -> None:
    """Record a failed login (the user name tried, never the password)."""
    audit("login_failed", actor=None, username=str(credentials.get("username", ""))[:150])
