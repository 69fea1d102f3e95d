"""A national campaign on the whole register (≈ 36 000 targets), built in bulk for tests and bench.

The real DINUM questionnaire (two waves), every entity of the official register as a target,
private links for most of them, web responses (drafts, partial, complete) spread over the
campaign's weeks, an import of responses collected elsewhere (some dated before the opening),
three operator accounts and their audit trail. Deterministic (seeded); a few seconds to build.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import polars as pl
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from barometre.collection.campaigns import create_campaign, open_campaign
from barometre.collection.editions import edition_from_template
from barometre.collection.models import (
    Account,
    Answer,
    AuditLog,
    Campaign,
    ImportBatch,
    Invitation,
    Response,
    Target,
    Wave,
    audit,
    hash_token,
)
from barometre.collection.targets import add_targets, register_frame

TEMPLATE = "dinum-collectivites-numerique-2024"
PASSWORD = "mot-de-passe-national-1"
DAYS_OPEN = 40


@dataclass(frozen=True)
class NationalCampaign:
    """What the builder made: the campaign, its operators and key counts."""

    campaign: Campaign
    admin: object
    analyst: object
    reader: object
    target_count: int
    opened_at: datetime


def _stamps(rng: np.random.Generator, start: datetime, end: datetime, n: int) -> list[datetime]:
    """`n` random instants between `start` and `end`."""
    span = (end - start).total_seconds()
    return [start + timedelta(seconds=float(s)) for s in rng.random(n) * span]


def build_national_campaign(seed: int = 2026) -> NationalCampaign:
    """Build the national campaign in the current database (one transaction)."""
    rng = np.random.default_rng(seed)
    now = timezone.now()
    opened_at = now - timedelta(days=DAYS_OPEN)
    users = get_user_model()
    with transaction.atomic():
        admin = users.objects.create_user("national", "national@example.fr", PASSWORD)
        Account.objects.create(user=admin, role=Account.Role.ADMINISTRATOR)
        analyst = users.objects.create_user("analyste-bretagne", "bzh@example.fr", PASSWORD)
        Account.objects.create(
            user=analyst,
            role=Account.Role.ANALYST,
            scope_label="OPSN Bretagne",
            scope_departements=["22", "29", "35", "56"],
        )
        reader = users.objects.create_user("lecteur", "lecteur@example.fr", PASSWORD)
        Account.objects.create(user=reader, role=Account.Role.READER)
        audit("account_created", actor=admin, obj=analyst.account, role="analyst")
        audit("account_created", actor=admin, obj=reader.account, role="reader")
        audit(
            "account_updated",
            actor=admin,
            obj=analyst.account,
            changes={"scope_departements": [["29"], ["22", "29", "35", "56"]]},
        )

        edition = edition_from_template(TEMPLATE, actor=admin, title="Baromètre national 2026")
        campaign = create_campaign(
            edition,
            "Baromètre national des collectivités 2026",
            closes_at=now + timedelta(days=20),
            actor=admin,
        )
        open_campaign(campaign, actor=admin)
        Campaign.objects.filter(pk=campaign.pk).update(
            opened_at=opened_at, created_at=opened_at - timedelta(days=3)
        )
        waves = list(Wave.objects.filter(campaign=campaign).order_by("code"))
        Wave.objects.filter(pk=waves[0].pk).update(opens_at=opened_at)
        Wave.objects.filter(pk=waves[1].pk).update(opens_at=now - timedelta(days=12))

        frame = register_frame()
        opsn = rng.random(frame.height) < 0.3
        frame = frame.with_columns(
            pl.Series("opsn", np.where(opsn, "membre d'un OPSN", "non membre"))
        )
        add_targets(campaign, frame, actor=admin)
        targets = list(Target.objects.filter(campaign=campaign).values_list("id", "code"))
        n = len(targets)

        # private links for 95 % of the targets, sent at the opening; 30 % opened since
        linked = rng.random(n) < 0.95
        opened = linked & (rng.random(n) < 0.30)
        revoked = linked & ~opened & (rng.random(n) < 0.004)
        first_opened = _stamps(rng, opened_at, now - timedelta(hours=1), n)
        invitations = [
            Invitation(
                target_id=target_id,
                token_hash=hash_token(secrets.token_hex(16)),
                created_at=opened_at,
                expires_at=campaign.closes_at,
                sent_at=opened_at,
                reminder_count=int(rng.random() < 0.4),
                reminded_at=opened_at + timedelta(days=20),
                first_opened_at=first_opened[i] if opened[i] else None,
                revoked_at=now - timedelta(days=2) if revoked[i] else None,
            )
            for i, (target_id, _code) in enumerate(targets)
            if linked[i]
        ]
        Invitation.objects.bulk_create(invitations, batch_size=2000)
        by_target = dict(
            Invitation.objects.filter(target__campaign=campaign).values_list("target_id", "id")
        )

        # web responses of the opened links: 15 % drafts, 35 % partial, 50 % complete
        draw = rng.random(n)
        responses = []
        for i, (target_id, code) in enumerate(targets):
            if not opened[i]:
                continue
            status = (
                Response.Status.DRAFT
                if draw[i] < 0.15
                else Response.Status.PARTIAL
                if draw[i] < 0.5
                else Response.Status.COMPLETE
            )
            started = first_opened[i]
            submitted = None
            if status == Response.Status.COMPLETE:
                submitted = min(started + timedelta(days=float(rng.random() * 6)), now)
            responses.append(
                Response(
                    campaign=campaign,
                    code=code,
                    invitation_id=by_target[target_id],
                    status=status,
                    version=3,
                    created_at=started,
                    updated_at=submitted or started,
                    submitted_at=submitted,
                )
            )

        # an import of responses collected on paper and in LimeSurvey by a département
        batch = ImportBatch.objects.create(
            campaign=campaign,
            source=Response.Source.MAPPED,
            file_name="reponses-papier.xlsx",
            row_count=0,
            created_at=now - timedelta(days=5),
            created_by=analyst,
        )
        unopened = [i for i in range(n) if not opened[i]]
        chosen = rng.choice(unopened, size=400, replace=False)
        early = _stamps(rng, opened_at - timedelta(days=25), opened_at, 60)
        inside = _stamps(rng, opened_at, now - timedelta(days=5), len(chosen) - 60)
        for k, i in enumerate(chosen):
            responses.append(
                Response(
                    campaign=campaign,
                    code=targets[i][1],
                    status=Response.Status.COMPLETE if k % 5 else Response.Status.PARTIAL,
                    source=Response.Source.MAPPED,
                    import_batch=batch,
                    version=1,
                    created_at=batch.created_at,
                    updated_at=batch.created_at,
                    submitted_at=(early + inside)[k],
                )
            )
        ImportBatch.objects.filter(pk=batch.pk).update(row_count=len(chosen))
        Response.objects.bulk_create(responses, batch_size=2000)

        questions = [q.id for q in edition.questionnaire.themes[0].questions[:3]]
        answers = [
            Answer(response_id=rid, question_id=qid, value="nsp", updated_at=stamp)
            for rid, stamp in Response.objects.filter(campaign=campaign)
            .exclude(status=Response.Status.DRAFT)
            .values_list("id", "updated_at")
            for qid in questions
        ]
        Answer.objects.bulk_create(answers, batch_size=5000)

        audit("links_issued", actor=admin, obj=campaign, count=len(invitations), codes=[])
        audit("invitations_sent", actor=admin, obj=campaign, sent=len(invitations), without_email=0)
        audit("import", actor=analyst, obj=batch, source="mapped", file=batch.file_name, rows=400)
        audit("export", actor=analyst, obj=campaign, format="csv", rows=len(responses))
        audit("login", actor=admin)
        audit("login_failed", actor=None, username="inconnu")
        AuditLog.objects.filter(actor=analyst).update(at=now - timedelta(days=5))
    campaign.refresh_from_db()
    return NationalCampaign(campaign, admin, analyst, reader, n, opened_at)
