"""Private links in bulk: issue them, export them for a mail merge, send invitations and reminders.

Tokens are stored hashed, so a link can be shown only when it is (re)issued: exporting links or
emailing them issues fresh tokens, and the previous link of the same collectivité stops working
(the answers already saved are kept: they belong to the invitation, not to the token).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from barometre.collection.models import (
    Campaign,
    Invitation,
    Response,
    Target,
    audit,
    hash_token,
    new_token,
)
from barometre.register.spreadsheet_cells import neutralise

MAIL_MERGE_COLUMNS = ("code", "nom", "courriel", "departement", "lien", "expire_le")


@dataclass(frozen=True)
class IssuedLink:
    """A freshly issued private link (the raw token exists only in this object)."""

    target: Target
    url: str


def link_url(raw_token: str) -> str:
    """Absolute URL of a private link."""
    prefix = getattr(settings, "BAROMETRE_TOKEN_PATH_PREFIX", "/r/")
    return f"{settings.BAROMETRE_PUBLIC_URL}{prefix}{raw_token}/"


def issue_links(targets: Iterable[Target], actor: object = None) -> list[IssuedLink]:
    """Issue (or re-issue) the private link of each target, in one transaction.

    Bulk statements (a national campaign's 36,000 links in a few seconds): new invitations are
    inserted together, existing ones re-keyed together (which also clears a revocation, as
    `Invitation.rotate_token` does).
    """
    targets = list(targets)
    if not targets:
        return []
    campaign = targets[0].campaign
    issued: list[IssuedLink] = []
    created: list[Invitation] = []
    rekeyed: list[Invitation] = []
    with transaction.atomic():
        existing = {
            invitation.target_id: invitation
            for invitation in Invitation.objects.filter(target__campaign_id=campaign.pk).only(
                "pk", "target_id", "token_hash", "revoked_at"
            )
        }
        for target in targets:
            raw = new_token()
            invitation = existing.get(target.pk)
            if invitation is None:
                created.append(
                    Invitation(
                        target=target, token_hash=hash_token(raw), expires_at=campaign.closes_at
                    )
                )
            else:
                invitation.token_hash = hash_token(raw)
                invitation.revoked_at = None
                rekeyed.append(invitation)
            issued.append(IssuedLink(target, link_url(raw)))
        Invitation.objects.bulk_create(created, batch_size=2_000)
        Invitation.objects.bulk_update(rekeyed, ["token_hash", "revoked_at"], batch_size=1_000)
        audit(
            "links_issued",
            actor=actor,
            obj=campaign,
            count=len(issued),
            codes=[link.target.code for link in issued][:50],
        )
    return issued


def mail_merge_csv(links: Iterable[IssuedLink]) -> str:
    """CSV (`;`, UTF-8 with BOM for spreadsheets) of issued links for a mail merge, formula-safe
    cells (a contact address imported by the operator cannot run in a spreadsheet)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(MAIL_MERGE_COLUMNS)
    for link in links:
        target = link.target
        closes = target.campaign.closes_at
        writer.writerow(
            [
                neutralise(value or "")
                for value in (target.code, target.name, target.email, target.departement)
            ]
            + [link.url, timezone.localtime(closes).strftime("%d/%m/%Y %H:%M") if closes else ""]
        )
    return out.getvalue()


def non_respondents(campaign: Campaign) -> QuerySet[Target]:
    """Targets without a complete response (no answer at all, or a partial one)."""
    complete = Response.objects.filter(
        campaign=campaign, status=Response.Status.COMPLETE
    ).values_list("code", flat=True)
    return Target.objects.filter(campaign=campaign).exclude(code__in=complete)


def _message(campaign: Campaign, target: Target, url: str, reminder: bool) -> EmailMessage:
    """The invitation or reminder email of one target, in French."""
    closes = (
        timezone.localtime(campaign.closes_at).strftime("%d/%m/%Y") if campaign.closes_at else ""
    )
    subject = (
        f"Relance : {campaign.edition.title}"
        if reminder
        else f"Invitation : {campaign.edition.title}"
    )
    lines = [
        "Madame, Monsieur,",
        "",
        (
            f"Nous n'avons pas encore reçu la réponse complète de {target.name} au questionnaire "
            f"« {campaign.edition.title} »."
            if reminder
            else f"{target.name} est invitée à répondre au questionnaire « {campaign.edition.title} »."
        ),
        "",
        "Votre lien personnel (ne le transmettez qu'aux personnes qui répondent pour votre "
        "collectivité) :",
        url,
        "",
    ]
    if reminder:
        lines += [
            "Ce lien remplace le précédent ; les réponses déjà enregistrées sont conservées.",
            "",
        ]
    if closes:
        lines += [f"Le questionnaire est ouvert jusqu'au {closes}.", ""]
    lines += ["Avec nos remerciements,", campaign.sender_name or settings.BAROMETRE_SITE_TITLE]
    return EmailMessage(subject=subject, body="\n".join(lines), to=[target.email])


def send_emails(
    campaign: Campaign, targets: Iterable[Target], *, reminder: bool = False, actor: object = None
) -> tuple[int, list[str]]:
    """Email a fresh link to each target with an address; return (sent, codes without address)."""
    targets = list(targets)
    with_email = [t for t in targets if t.email]
    missing = [t.code for t in targets if not t.email]
    links = issue_links(with_email, actor=actor)
    now = timezone.now()
    with get_connection() as connection:
        sent = connection.send_messages(
            [_message(campaign, link.target, link.url, reminder) for link in links]
        )
    invitations = Invitation.objects.filter(target__in=with_email)
    if reminder:
        invitations.update(reminded_at=now, reminder_count=F("reminder_count") + 1)
    else:
        invitations.update(sent_at=now)
    audit(
        "reminders_sent" if reminder else "invitations_sent",
        actor=actor,
        obj=campaign,
        sent=sent or 0,
        without_email=len(missing),
    )
    return sent or 0, missing
