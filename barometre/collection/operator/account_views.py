"""Operator views for administrators: accounts and the audit log."""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from barometre.collection.models import Account, AuditLog, audit
from barometre.collection.operator.access import require
from barometre.collection.operator.forms import AccountForm


@require("administer")
def accounts(request: HttpRequest) -> HttpResponse:
    """List operator accounts and create one (the new user sets a password by reset email)."""
    form = AccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with transaction.atomic():
            user = get_user_model().objects.create_user(
                data["username"], email=data["email"], password=secrets.token_urlsafe(24)
            )
            account = Account.objects.create(
                user=user,
                role=data["role"],
                scope_label=data["scope_label"],
                scope_departements=form.codes("scope_departements"),
                scope_codes=form.codes("scope_codes"),
            )
            audit("account_created", actor=request.user, obj=account, role=account.role)
        messages.success(
            request,
            f"Compte « {user.username} » créé : la personne choisit son mot de passe avec "
            "« Mot de passe oublié ».",
        )
        return redirect("operator:accounts")
    return render(
        request,
        "collection/operator/accounts.html",
        {
            "form": form,
            "accounts": Account.objects.select_related("user").order_by("user__username"),
            "nav": "accounts",
        },
    )


@require("administer")
def audit_log(request: HttpRequest) -> HttpResponse:
    """The audit log, newest first."""
    page = Paginator(AuditLog.objects.all(), 100).get_page(request.GET.get("page"))
    return render(request, "collection/operator/audit.html", {"page": page, "nav": "audit"})
