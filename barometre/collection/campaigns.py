"""Campaign life cycle: create (with waves from the questionnaire), open, close."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from barometre.collection.models import Campaign, Edition, Invitation, Target, Wave, audit


class CampaignStateError(ValueError):
    """The requested transition is not allowed from the campaign's current status."""


def create_campaign(
    edition: Edition,
    name: str,
    *,
    closes_at: datetime | None = None,
    allow_reopen: bool = False,
    with_waves: bool = True,
    actor: object = None,
) -> Campaign:
    """Create a draft campaign; one wave per questionnaire wave (themes grouped by their wave)."""
    with transaction.atomic():
        campaign = Campaign.objects.create(
            edition=edition, name=name, closes_at=closes_at, allow_reopen=allow_reopen
        )
        questionnaire = edition.questionnaire
        if with_waves and questionnaire.waves:
            Wave.objects.bulk_create(
                [
                    Wave(
                        campaign=campaign,
                        code=wave.id,
                        label=wave.label,
                        themes=[t.id for t in questionnaire.themes if t.wave == wave.id],
                        closes_at=closes_at,
                    )
                    for wave in questionnaire.waves
                ]
            )
        audit("campaign_created", actor=actor, obj=campaign, edition=edition.slug)
    return campaign


def open_campaign(campaign: Campaign, actor: object = None) -> None:
    """Open a draft (or reopen a closed) campaign: private links start working."""
    if campaign.status == Campaign.Status.OPEN:
        raise CampaignStateError("La campagne est déjà ouverte.")
    if campaign.closes_at is not None and campaign.closes_at <= timezone.now():
        raise CampaignStateError("La date de clôture est passée : modifiez-la avant d'ouvrir.")
    with transaction.atomic():
        campaign.status = Campaign.Status.OPEN
        campaign.opened_at = campaign.opened_at or timezone.now()
        campaign.closed_at = None
        campaign.save(update_fields=["status", "opened_at", "closed_at"])
        Invitation.objects.filter(target__campaign=campaign, revoked_at__isnull=True).update(
            expires_at=campaign.closes_at
        )
        audit("campaign_opened", actor=actor, obj=campaign)


def close_campaign(campaign: Campaign, actor: object = None) -> None:
    """Close the campaign now: every private link expires."""
    if campaign.status != Campaign.Status.OPEN:
        raise CampaignStateError("Seule une campagne ouverte peut être clôturée.")
    now = timezone.now()
    with transaction.atomic():
        campaign.status = Campaign.Status.CLOSED
        campaign.closed_at = now
        campaign.save(update_fields=["status", "closed_at"])
        Invitation.objects.filter(target__campaign=campaign).update(expires_at=now)
        audit("campaign_closed", actor=actor, obj=campaign)


def set_closing_date(campaign: Campaign, closes_at: datetime | None, actor: object = None) -> None:
    """Change the closing date; links then expire at the new date."""
    with transaction.atomic():
        campaign.closes_at = closes_at
        campaign.save(update_fields=["closes_at"])
        Invitation.objects.filter(target__campaign=campaign, revoked_at__isnull=True).update(
            expires_at=closes_at
        )
        audit("campaign_dates", actor=actor, obj=campaign, closes_at=str(closes_at))


def trial_link(campaign: Campaign, target: Target) -> str:
    """A private link to try the questionnaire as `target` would, never touching a real link.

    The link belongs to the campaign's trial campaign (« Essai — … », created once, open until the
    real one closes): a copy of the target there, whose answers count in no figure, export or
    response rate of the real campaign. Each call re-keys the trial link only; the real target's
    invitation, if any, is left exactly as it is.
    """
    from barometre.collection.services import issue_invitation

    with transaction.atomic():
        trial, _ = Campaign.objects.get_or_create(
            trial_of=campaign,
            defaults={
                "edition": campaign.edition,
                "name": f"Essai — {campaign.name}",
                "status": Campaign.Status.OPEN,
                "opened_at": timezone.now(),
                "closes_at": campaign.closes_at,
                "allow_reopen": True,
            },
        )
        if trial.closes_at != campaign.closes_at or trial.status != Campaign.Status.OPEN:
            trial.closes_at = campaign.closes_at
            trial.status = Campaign.Status.OPEN
            trial.save(update_fields=["closes_at", "status"])
        copy = {
            field.name: getattr(target, field.name)
            for field in Target._meta.concrete_fields
            if field.name not in ("id", "campaign", "email", "added_at")
        }
        trial_target, _ = Target.objects.update_or_create(
            campaign=trial, code=target.code, defaults=copy
        )
        invitation, raw = issue_invitation(trial_target)
        if invitation.expires_at != trial.closes_at:
            invitation.expires_at = trial.closes_at
            invitation.save(update_fields=["expires_at"])
    return raw
