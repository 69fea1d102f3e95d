"""Operator views: home, editions, campaigns, waves, targets and invitations."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from barometre.collection import campaigns as campaign_actions
from barometre.collection import editions, invitations, uploads
from barometre.collection.contacts import import_contacts
from barometre.collection.models import Campaign, Edition, Invitation, Target, Wave, audit
from barometre.collection.monitoring import TARGET_STATES, best_ranks, invitations_by_state
from barometre.collection.operator.access import require
from barometre.collection.operator.forms import (
    CampaignForm,
    ClosingDateForm,
    EditionForm,
    TargetFilterForm,
    WaveDatesForm,
)
from barometre.collection.scopes import covers_campaign
from barometre.collection.targets import (
    TargetFilter,
    add_targets,
    parse_codes,
    register_frame,
    select_entities,
    strata_counts,
)
from barometre.register.labels import kind_rank, size_class_rank, sorted_size_classes

NOT_COVERED = (
    "La campagne compte des collectivités hors de votre périmètre ({scope}) : l'ouvrir, la "
    "clôturer ou changer ses dates et ses vagues, qui touchent tous ses liens, revient à un compte "
    "dont le périmètre couvre toute la campagne."
)


@require("view")
def home(request: HttpRequest) -> HttpResponse:
    """Campaigns and editions."""
    campaign_list = Campaign.objects.select_related("edition").annotate(
        target_count=Count(
            "targets", filter=request.account.scope_q("targets__") or None, distinct=True
        )
    )
    template_titles = dict(editions.template_choices())
    edition_list = [
        (edition, template_titles.get(edition.source_name, edition.source_name))
        for edition in Edition.objects.all()
    ]
    return render(
        request,
        "collection/operator/home.html",
        {"campaigns": campaign_list, "editions": edition_list, "nav": "home"},
    )


@require("manage")
def edition_new(request: HttpRequest) -> HttpResponse:
    """Create an edition from a template, a YAML, an XLSForm or a LimeSurvey structure upload."""
    templates = editions.template_choices()
    form = EditionForm(request.POST or None, request.FILES or None, templates=templates)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        extra = {"title": data["title"]} if data["title"] else {}
        try:
            if data["source"] == Edition.Source.TEMPLATE:
                edition = editions.edition_from_template(
                    data["template"], actor=request.user, **extra
                )
            elif data["source"] == Edition.Source.YAML:
                upload = data["file"]
                edition = editions.create_edition(
                    editions.decode_questionnaire_text(upload.read()),
                    source=Edition.Source.YAML,
                    source_name=upload.name,
                    actor=request.user,
                    **extra,
                )
            elif data["source"] == Edition.Source.LIMESURVEY:
                upload = data["file"]
                edition, notes = editions.edition_from_lss(
                    upload.read(), upload.name, actor=request.user, **extra
                )
                for note in notes:
                    messages.warning(request, f"Conversion LimeSurvey : {note}")
            else:
                upload = data["file"]
                edition = editions.edition_from_xlsform(
                    upload.read(), upload.name, actor=request.user, **extra
                )
        except editions.EditionInvalid as exc:
            form.add_error("file" if data["source"] != "template" else "template", str(exc))
        else:
            messages.success(request, f"Édition « {edition.title} » créée.")
            notes = getattr(edition, "import_notes", [])
            if notes:
                more = f" (et {len(notes) - 20} autres)" if len(notes) > 20 else ""
                messages.warning(
                    request,
                    f"Remarques de l'import XLSForm{more} : " + " ; ".join(notes[:20]),
                )
            return redirect("operator:campaign_new")
    return render(request, "collection/operator/edition_form.html", {"form": form})


@require("manage")
def campaign_new(request: HttpRequest) -> HttpResponse:
    """Create a draft campaign of an edition."""
    form = CampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        campaign = campaign_actions.create_campaign(
            data["edition"],
            data["name"],
            closes_at=data["closes_at"],
            allow_reopen=data["allow_reopen"],
            actor=request.user,
        )
        if data["sender_name"]:
            campaign.sender_name = data["sender_name"]
            campaign.save(update_fields=["sender_name"])
        messages.success(request, "Campagne créée (brouillon).")
        return redirect("operator:campaign", pk=campaign.pk)
    return render(request, "collection/operator/campaign_form.html", {"form": form})


def _theme_choices(campaign: Campaign) -> list[tuple[str, str]]:
    """(id, label) of the questionnaire's themes."""
    return [(t.id, t.label) for t in campaign.edition.questionnaire.themes]


@require("view")
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A campaign: status, dates, waves, actions."""
    campaign = get_object_or_404(Campaign.objects.select_related("edition"), pk=pk)
    themes = _theme_choices(campaign)
    theme_names = dict(themes)
    wave_forms = [
        (
            wave,
            [theme_names.get(t, t) for t in wave.themes],
            WaveDatesForm(
                initial={
                    "themes": wave.themes,
                    "opens_at": wave.opens_at,
                    "closes_at": wave.closes_at,
                },
                prefix=f"w{wave.pk}",
                themes=themes,
            ),
        )
        for wave in campaign.waves.all()
    ]
    targets = Target.objects.filter(campaign=campaign).filter(request.account.scope_q())
    return render(
        request,
        "collection/operator/campaign_detail.html",
        {
            "campaign": campaign,
            "wave_forms": wave_forms,
            "closing_form": ClosingDateForm(initial={"closes_at": campaign.closes_at}),
            "target_count": targets.count(),
            "invited_count": targets.filter(invitation__isnull=False).count(),
            "can_change_campaign": request.account.can("manage")
            and covers_campaign(request.account.scope, campaign),
            "not_covered": NOT_COVERED.format(scope=request.account.scope.describe()),
            "section": "campaign",
        },
    )


@require("manage")
@require_POST
def campaign_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Open or close a campaign, or save a wave's dates (needs a scope covering the campaign)."""
    campaign = get_object_or_404(Campaign, pk=pk)
    if not covers_campaign(request.account.scope, campaign):
        messages.error(
            request, "Action refusée. " + NOT_COVERED.format(scope=request.account.scope.describe())
        )
        return redirect("operator:campaign", pk=campaign.pk)
    try:
        if action == "ouvrir":
            campaign_actions.open_campaign(campaign, actor=request.user)
            messages.success(request, "Campagne ouverte : les liens fonctionnent.")
        elif action == "cloturer":
            campaign_actions.close_campaign(campaign, actor=request.user)
            messages.success(request, "Campagne clôturée : tous les liens ont expiré.")
        elif action == "vague":
            wave = get_object_or_404(Wave, pk=request.POST.get("wave"), campaign=campaign)
            form = WaveDatesForm(
                request.POST, prefix=f"w{wave.pk}", themes=_theme_choices(campaign)
            )
            if not form.is_valid():
                problems = " ".join(e for errors in form.errors.values() for e in errors)
                messages.error(request, f"Vague « {wave.label} » non modifiée : {problems}")
            else:
                wave.themes = form.cleaned_data["themes"]
                wave.opens_at = form.cleaned_data["opens_at"]
                wave.closes_at = form.cleaned_data["closes_at"]
                wave.save(update_fields=["themes", "opens_at", "closes_at"])
                audit("wave_changed", actor=request.user, obj=wave, themes=wave.themes)
                messages.success(request, f"Vague « {wave.label} » enregistrée.")
        elif action == "cloture":
            form = ClosingDateForm(request.POST)
            if not form.is_valid():
                problems = " ".join(e for errors in form.errors.values() for e in errors)
                messages.error(request, f"Date de clôture non modifiée : {problems}")
            else:
                campaign_actions.set_closing_date(
                    campaign, form.cleaned_data["closes_at"], actor=request.user
                )
                messages.success(
                    request, "Date de clôture enregistrée : les liens expireront alors."
                )
        else:
            messages.error(request, "Action inconnue.")
    except campaign_actions.CampaignStateError as exc:
        messages.error(request, str(exc))
    return redirect("operator:campaign", pk=campaign.pk)


@require("invite")
def targets(request: HttpRequest, pk: int) -> HttpResponse:
    """Pick targets from the register; preview the count per stratum before adding them."""
    campaign = get_object_or_404(Campaign, pk=pk)
    frame = register_frame()
    form = TargetFilterForm(
        request.POST or None,
        request.FILES or None,
        kinds=sorted(frame["kind_detail"].drop_nulls().unique().to_list(), key=kind_rank),
        size_classes=sorted_size_classes(frame["size_class"].drop_nulls().to_list()),
        regions=frame["region"].drop_nulls().unique().to_list(),
    )
    preview = None
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        codes_text = data["codes_text"] or ""
        if data["codes_file"]:
            codes_text += "\n" + data["codes_file"].read().decode("utf-8-sig", errors="replace")
        codes, errors = parse_codes(codes_text, frame) if codes_text.strip() else ([], [])
        criteria = TargetFilter(
            kinds=data["kinds"],
            size_classes=data["size_classes"],
            regions=data["regions"],
            departements=form.split("departements"),
            epcis=form.split("epcis"),
            opsn_only=data["opsn_only"],
            codes=codes,
        )
        if criteria.is_empty:
            errors.append("Choisissez au moins un critère ou une liste de codes.")
        elif not errors:
            selected = select_entities(frame, criteria, request.account)
            if "ajouter" in request.POST:
                added = add_targets(campaign, selected, actor=request.user)
                messages.success(request, f"{added} collectivité(s) ajoutée(s) aux cibles.")
                return redirect("operator:invitations", pk=campaign.pk)
            strata = list(strata_counts(selected).iter_rows(named=True))
            strata.sort(
                key=lambda r: (kind_rank(r["kind_detail"]), size_class_rank(r["size_class"]))
            )
            preview = {
                "total": selected.height,
                "strata": strata,
                "sample": selected.sort("code").head(20).iter_rows(named=True),
            }
    current = Target.objects.filter(campaign=campaign).filter(request.account.scope_q())
    return render(
        request,
        "collection/operator/targets.html",
        {
            "campaign": campaign,
            "current": sorted(
                current.values("kind_detail").annotate(n=Count("id")).order_by(),
                key=lambda r: kind_rank(r["kind_detail"]),
            ),
            "form": form,
            "preview": preview,
            "errors": errors,
            "section": "targets",
        },
    )


@require("view")
def invitation_list(request: HttpRequest, pk: int) -> HttpResponse:
    """Targets in scope with their link and response: searched, filtered by state, paginated."""
    campaign = get_object_or_404(Campaign, pk=pk)
    state = request.GET.get("statut", "")
    if state not in TARGET_STATES:
        state = ""
    rows = invitations_by_state(campaign, request.account, state or None)
    query = request.GET.get("q", "").strip()[:100]
    if query:
        rows = rows.filter(Q(code__startswith=query) | Q(name__icontains=query))
    page = Paginator(rows.order_by("code"), 50).get_page(request.GET.get("page"))
    ranks = best_ranks(campaign, [target.code for target in page])
    for target in page:
        target.best_rank = ranks.get(target.code)
    return render(
        request,
        "collection/operator/invitations.html",
        {
            "campaign": campaign,
            "page": page,
            "query": query,
            "state": state,
            "states": TARGET_STATES.items(),
            "filtered": bool(query or state),
            "page_params": urlencode({k: v for k, v in (("q", query), ("statut", state)) if v}),
            "section": "invitations",
        },
    )


@require("invite")
@require_POST
def invitation_action(request: HttpRequest, pk: int) -> HttpResponse:
    """Issue links (CSV for mail merge), send invitations or reminders, revoke one link."""
    campaign = get_object_or_404(Campaign, pk=pk)
    action = request.POST.get("action", "")
    in_scope = Target.objects.filter(campaign=campaign).filter(request.account.scope_q())
    if action == "revoquer":
        invitation = get_object_or_404(
            Invitation, target__in=in_scope, target__code=request.POST.get("code", "")
        )
        invitation.revoke()
        audit("link_revoked", actor=request.user, obj=invitation, code=invitation.target.code)
        messages.success(request, f"Lien de {invitation.target.name} révoqué.")
    elif action in ("csv_nouveaux", "csv_tous"):
        chosen = in_scope.filter(invitation__isnull=True) if action == "csv_nouveaux" else in_scope
        links = invitations.issue_links(chosen.select_related("campaign"), actor=request.user)
        response = HttpResponse(
            invitations.mail_merge_csv(links), content_type="text/csv; charset=utf-8"
        )
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="liens-{campaign.pk}-{stamp}.csv"'
        response["Cache-Control"] = "no-store"
        return response
    elif action == "courriels":
        upload = request.FILES.get("fichier")
        too_big = uploads.upload_problem(
            upload, uploads.CONTACTS_FILE_MAX_BYTES, "Fichier des courriels"
        )
        if upload is None:
            messages.error(request, "Joignez un fichier CSV ou XLSX (colonnes code et courriel).")
        elif too_big:
            messages.error(request, f"Aucun courriel enregistré : {too_big}")
        else:
            updated, rejected = import_contacts(
                campaign, upload.read(), upload.name, actor=request.user, targets=in_scope
            )
            if rejected:
                messages.error(
                    request,
                    "Aucun courriel enregistré : " + " ; ".join(str(r) for r in rejected[:20]),
                )
            else:
                messages.success(request, f"{updated} courriel(s) enregistré(s).")
    elif action in ("envoyer", "relancer"):
        if campaign.status != Campaign.Status.OPEN:
            messages.error(request, "Ouvrez la campagne avant d'envoyer des courriels.")
        else:
            reminder = action == "relancer"
            chosen = (
                invitations.non_respondents(campaign).filter(request.account.scope_q())
                if reminder
                else in_scope.filter(invitation__sent_at__isnull=True)
            )
            sent, missing = invitations.send_emails(
                campaign, chosen.select_related("campaign"), reminder=reminder, actor=request.user
            )
            messages.success(
                request,
                f"{sent} courriel(s) envoyé(s)"
                + (f" ; {len(missing)} collectivité(s) sans adresse." if missing else "."),
            )
    else:
        messages.error(request, "Action inconnue.")
    return redirect("operator:invitations", pk=campaign.pk)
