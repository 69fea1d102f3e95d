"""Template context of the back office: the operator account of the logged-in user."""

from __future__ import annotations

from django.http import HttpRequest

from barometre.collection.operator.access import account_for


def operator_account(request: HttpRequest) -> dict[str, object]:
    """`account`: the operator account (None for anonymous users and respondents)."""
    account = getattr(request, "account", None)
    user = getattr(request, "user", None)
    if account is None and user is not None and user.is_authenticated:
        account = account_for(user)
    return {"account": account}
