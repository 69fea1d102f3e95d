"""Operator views for administrators: accounts and the audit log."""

from __future__ import annotations

import secrets
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from barometre.collection.audit_journal import (
    ACTIONS,
    JournalFilter,
    journal_csv,
    journal_entries,
    people,
)
from barometre.collection.models import Account, AuditLog, audit
from barometre.collection.operator.access import require
from barometre.collection.operator.forms import AccountEditForm, AccountForm


def accounts_within(actor: Account) -> list[Account]:
    """The accounts an administrator may see and change: those whose scope lies inside its own."""
    every = Account.objects.select_related("user").order_by("user__username")
    if actor.is_national:
        return list(every)
    scope = actor.scope
    return [account for account in every if scope.contains(account.scope)]


@require("administer")
def accounts(request: HttpRequest) -> HttpResponse:
    """List operator accounts and create one (the new user sets a password by reset email)."""
    form = AccountForm(request.POST or None, actor_scope=request.account.scope)
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
                scope_regions=form.codes("scope_regions"),
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
            "accounts": accounts_within(request.account),
            "nav": "accounts",
        },
    )


@require("administer")
def account_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change an account's email, role, scope or access; every change goes to the audit log.

    An administrator reaches only the accounts inside its own scope (others answer 404).
    """
    account = get_object_or_404(Account.objects.select_related("user"), pk=pk)
    if not request.account.scope.contains(account.scope):
        raise Http404("Compte introuvable.")
    form = AccountEditForm(request.POST or None, account=account, actor_account=request.account)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user = account.user
        before = {
            "email": user.email,
            "role": account.role,
            "scope_label": account.scope_label,
            "scope_regions": list(account.scope_regions),
            "scope_departements": list(account.scope_departements),
            "scope_codes": list(account.scope_codes),
            "is_active": user.is_active,
        }
        after = {
            "email": data["email"],
            "role": data["role"],
            "scope_label": data["scope_label"],
            "scope_regions": form.codes("scope_regions"),
            "scope_departements": form.codes("scope_departements"),
            "scope_codes": form.codes("scope_codes"),
            "is_active": data["is_active"],
        }
        changed = {k: [before[k], v] for k, v in after.items() if before[k] != v}
        if changed:
            with transaction.atomic():
                user.email, user.is_active = after["email"], after["is_active"]
                user.save(update_fields=["email", "is_active"])
                account.role = after["role"]
                account.scope_label = after["scope_label"]
                account.scope_regions = after["scope_regions"]
                account.scope_departements = after["scope_departements"]
                account.scope_codes = after["scope_codes"]
                account.save()
                audit("account_updated", actor=request.user, obj=account, changes=changed)
            messages.success(request, f"Compte « {user.username} » modifié.")
        else:
            messages.info(request, "Aucune modification.")
        return redirect("operator:accounts")
    return render(
        request,
        "collection/operator/account_form.html",
        {"form": form, "account": account, "nav": "accounts"},
    )


@require("administer")
def audit_log(request: HttpRequest) -> HttpResponse:
    """The audit log in French sentences, newest first, filtered by person, action and period;
    `?format=csv` downloads the filtered journal. A territorial administrator sees the actions
    of its accounts."""
    entries = AuditLog.objects.all()
    if not request.account.is_national:
        entries = entries.filter(actor__in=[a.user_id for a in accounts_within(request.account)])
    chosen = JournalFilter.from_query(request.GET)
    filtered = chosen.apply(entries)
    if request.GET.get("format") == "csv":
        response = HttpResponse(
            journal_csv(journal_entries(filtered.iterator(chunk_size=2000))),
            content_type="text/csv; charset=utf-8",
        )
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="journal-{stamp}.csv"'
        return response
    page = Paginator(filtered, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "collection/operator/audit.html",
        {
            "page": page,
            "lines": journal_entries(page.object_list),
            "filter": chosen,
            "people": people(entries),
            "actions": sorted(ACTIONS.items(), key=lambda item: item[1]),
            "params": urlencode(chosen.params()),
            "nav": "audit",
        },
    )
