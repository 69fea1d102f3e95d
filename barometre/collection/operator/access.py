"""Operator access control: every back-office view needs a login, a role and a territorial scope."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from barometre.collection.models import Account


def account_for(user) -> Account | None:
    """The operator account of a user; a superuser without one acts as a national administrator."""
    try:
        return user.account
    except Account.DoesNotExist:
        if user.is_superuser:
            return Account(user=user, role=Account.Role.ADMINISTRATOR)
        return None


def require(action: str) -> Callable:
    """View decorator: logged in, with an account whose role allows `action` (else 403)."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            account = account_for(request.user)
            if account is None or not account.can(action):
                raise PermissionDenied("Votre rôle ne permet pas cette action.")
            request.account = account
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
