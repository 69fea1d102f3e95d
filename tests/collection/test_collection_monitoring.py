"""Targets from the register, monitoring numbers, exports in the edition format."""

from __future__ import annotations

import io
from datetime import timedelta

import polars as pl
import pytest
from django.utils import timezone

from barometre.collection.campaigns import CampaignStateError, close_campaign, create_campaign
from barometre.collection.exports import answers_frame, frame_bytes, write_edition
from barometre.collection.models import Account, AuditLog, Response, Target, Wave
from barometre.collection.monitoring import daily_curve, response_rates, targets_status
from barometre.collection.services import (
    issue_invitation,
    resolve_token,
    response_for,
    save_answers,
    submit_response,
)
from barometre.collection.targets import (
    TargetFilter,
    add_targets,
    parse_codes,
    register_frame,
    select_entities,
    strata_counts,
)

pytestmark = pytest.mark.django_db


def test_select_by_strata_counts_and_scope(campaign, django_user_model):
    frame = register_frame()
    criteria = TargetFilter(kinds=["commune"], departements=["29", "35"])
    selected = select_entities(frame, criteria)
    expected = frame.filter(
        (pl.col("kind") == "commune") & pl.col("departement").is_in(["29", "35"])
    ).height
    assert selected.height == expected > 300
    counts = strata_counts(selected)
    assert counts["count"].sum() == expected
    user = django_user_model.objects.create_user("opsn29")
    account = Account.objects.create(user=user, scope_departements=["29"])
    scoped = select_entities(frame, criteria, account)
    assert set(scoped["departement"].unique()) == {"29"}
    assert add_targets(campaign, scoped) == scoped.height
    assert add_targets(campaign, scoped) == 0
    assert AuditLog.objects.filter(action="targets_added").count() == 2


def test_codes_list_accepts_siren_and_reports_unknown():
    frame = register_frame()
    epci = frame.filter(pl.col("kind") == "epci").row(0, named=True)
    codes, errors = parse_codes(f"code\n29019\n{epci['code']}\n00000;29019", frame)
    assert codes == ["29019", epci["code"]]
    assert errors == ["ligne 4 : code « 00000 » absent du registre"]


def _respond(campaign, code, answers, submit):
    invitation, _ = issue_invitation(Target.objects.get(campaign=campaign, code=code))
    response = response_for(invitation)
    version = save_answers(response, answers, 0)
    if submit:
        submit_response(response, version)
    return response


def test_monitoring_counts_by_stratum_and_daily_curve(campaign, make_target):
    for code, region in (("29001", "53"), ("29002", "53"), ("29003", "53"), ("75056", "11")):
        make_target(campaign, code, region=region)
    _respond(campaign, "29001", {"inc_lieux": "oui"}, submit=True)
    _respond(campaign, "29002", {"inc_lieux": "non"}, submit=False)
    status = targets_status(campaign)
    overall = response_rates(status).row(0, named=True)
    assert (overall["cibles"], overall["completes"], overall["partielles"]) == (4, 1, 1)
    assert overall["invitees"] == 2 and overall["ouvertes"] == 2
    assert overall["taux_complet"] == pytest.approx(0.25)
    by_region = {r["region"]: r for r in response_rates(status, "region").iter_rows(named=True)}
    assert by_region["53"]["taux_reponse"] == pytest.approx(2 / 3)
    assert by_region["11"]["completes"] == 0
    curve = daily_curve(campaign)
    assert curve["completes_cumul"][-1] == 1 and curve["commencees_cumul"][-1] == 2


def test_export_is_the_edition_format(campaign, make_target, tmp_path):
    make_target(campaign, "29001")
    make_target(campaign, "29002")
    make_target(campaign, "29003")
    _respond(campaign, "29001", {"inc_lieux": "oui", "inc_types": ["mairie"]}, submit=True)
    _respond(campaign, "29002", {"agents_nombre": "4"}, submit=False)
    response_for(issue_invitation(Target.objects.get(code="29003"))[0])  # draft: left out
    frame = answers_frame(campaign)
    assert frame.columns[:5] == ["response_id", "code", "submitted_at", "status", "respondent_role"]
    assert frame.columns[5:] == ["inc_lieux", "inc_types", "strat_plan", "agents_nombre"]
    assert frame["code"].to_list() == ["29001", "29002"]
    assert frame["status"].to_list() == ["complete", "partial"]
    assert frame["inc_types"].to_list() == ["mairie", None]
    for fmt in ("csv", "parquet", "xlsx"):
        assert frame_bytes(frame, fmt)
    back = pl.read_parquet(io.BytesIO(frame_bytes(frame, "parquet")))
    assert back.equals(frame)
    folder = write_edition(campaign, tmp_path / "ed")
    csv = pl.read_csv(folder / "responses.csv", infer_schema=False)
    assert csv["code"].to_list() == ["29001", "29002"]
    assert (folder / "questionnaire.yaml").read_text().startswith("id: test-collecte")
    from barometre.edition.files import read_edition

    edition = read_edition(folder)
    assert edition.responses.height == 2
    assert edition.consolidated()["code"].sort().to_list() == ["29001", "29002"]


def test_campaign_waves_and_closing_expires_links(edition, make_target):
    campaign = create_campaign(edition, "Vagues", closes_at=timezone.now() + timedelta(days=3))
    assert list(Wave.objects.filter(campaign=campaign).values_list("code", "themes")) == [
        ("vague1", ["inclusion"]),
        ("vague2", ["strategie"]),
    ]
    from barometre.collection.campaigns import open_campaign

    open_campaign(campaign)
    _, raw = issue_invitation(make_target(campaign, "29001"))
    assert resolve_token(raw) is not None
    Wave.objects.filter(code="vague2").update(opens_at=timezone.now() + timedelta(days=1))
    campaign.refresh_from_db()
    assert campaign.open_theme_ids() == ["inclusion"]
    close_campaign(campaign)
    assert resolve_token(raw) is None
    with pytest.raises(CampaignStateError):
        close_campaign(campaign)
    assert Response.objects.count() == 0


def test_added_targets_read_back_with_their_fields(campaign):
    frame = register_frame().filter(pl.col("code").is_in(["29019", "200067072"]))
    assert add_targets(campaign, frame) == 2
    brest = Target.objects.get(campaign=campaign, code="29019")
    assert brest.kind == "commune" and brest.departement == "29" and brest.population > 100_000
    assert abs((timezone.now() - brest.added_at).total_seconds()) < 120
    assert Target.objects.get(code="200067072").kind == "epci"
