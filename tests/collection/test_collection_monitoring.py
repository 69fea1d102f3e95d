"""Targets from the register, monitoring numbers, exports in the edition format."""

from __future__ import annotations

import io
from datetime import timedelta

import polars as pl
import pytest
from django.utils import timezone

from barometre.collection.campaigns import CampaignStateError, close_campaign, create_campaign
from barometre.collection.exports import answers_frame, frame_bytes, write_edition
from barometre.collection.models import Account, AuditLog, Campaign, Response, Target, Wave
from barometre.collection.monitoring import (
    daily_curve,
    response_rates,
    state_counts,
    status_counts,
    stratum_rows,
)
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
    response_for(issue_invitation(Target.objects.get(code="29003"))[0])  # opened, nothing saved
    counts = status_counts(campaign, by=["region"])
    overall = response_rates(counts).row(0, named=True)
    assert (overall["cibles"], overall["completes"], overall["partielles"]) == (4, 1, 1)
    assert overall["invitees"] == 3 and overall["ouvertes"] == 3
    assert overall["taux_complet"] == pytest.approx(0.25)
    assert state_counts(counts) == {
        "complete": 1,
        "partielle": 1,
        "ouvert": 1,
        "non_ouvert": 0,
        "revoque": 0,
        "sans_lien": 1,
    }
    rows = stratum_rows(counts, "region")
    assert [r["labels"] for r in rows] == [["Bretagne"], ["Île-de-France"]]  # by name
    assert rows[0]["taux_reponse"] == pytest.approx(2 / 3)
    assert rows[1]["completes"] == 0
    curve = daily_curve(campaign)
    assert curve.days["completes_cumul"][-1] == 1 and curve.days["commencees_cumul"][-1] == 2
    assert curve.days["partielles"][-1] == 1 and curve.before_opening == 0
    assert curve.days["jour"][0] == timezone.localdate(campaign.opened_at)


def test_strata_come_labelled_in_their_natural_order(campaign, make_target):
    classes = ["100 000 hab. et plus", "moins de 500 hab.", "de 2 000 à 3 499 hab."]
    for n, size_class in enumerate(classes):
        make_target(campaign, f"2900{n}", kind_detail="commune", size_class=size_class)
    make_target(campaign, "200000001", kind="epci", kind_detail="epci_CA", size_class=classes[0])
    rows = stratum_rows(status_counts(campaign, by=["kind_detail", "size_class"]), "kind_size")
    assert [r["labels"][0] for r in rows] == ["Commune"] * 3 + ["Communauté d'agglomération"]
    assert [r["size_class"] for r in rows[:3]] == [classes[1], classes[2], classes[0]]


def test_imported_responses_count_on_their_own_dates(campaign, make_target):
    """An import on day D of answers given earlier: started and complete on their dates, not on D."""
    from barometre.collection.imports import import_answers

    now = timezone.now()
    Campaign.objects.filter(pk=campaign.pk).update(opened_at=now - timedelta(days=10))
    campaign.refresh_from_db()
    for code in ("29001", "29002", "29003", "29004"):
        make_target(campaign, code)
    day = lambda n: (now - timedelta(days=n)).strftime("%Y-%m-%dT%H:%M:%S")  # noqa: E731
    content = (
        "code,quand,statut,lieux\n"
        f"29001,{day(3)},complete,oui\n"
        f"29002,{day(40)},complete,non\n"  # collected before the campaign opened
        f"29003,{day(2)},partial,oui\n"
    ).encode()
    mapping = {"code": "code", "quand": "submitted_at", "statut": "status", "lieux": "inc_lieux"}
    report = import_answers(campaign, content, "papier.csv", "mapped", mapping=mapping)
    assert report.ok, report.text()
    _respond(campaign, "29004", {"inc_lieux": "oui"}, submit=True)  # and one on the web, today
    curve = daily_curve(campaign)
    days = {row["jour"]: row for row in curve.days.iter_rows(named=True)}
    opening, today = timezone.localdate(campaign.opened_at), timezone.localdate()
    assert min(days) == opening and max(days) == today
    assert curve.before_opening == 1 and curve.earliest == timezone.localdate(now - timedelta(40))
    assert (days[opening]["commencees"], days[opening]["completes"]) == (1, 1)
    three = timezone.localdate(now - timedelta(days=3))
    assert (days[three]["commencees"], days[three]["completes"]) == (1, 1)
    assert (days[today]["commencees"], days[today]["completes"]) == (1, 1)  # the web one only
    assert all(r["commencees_cumul"] >= r["completes_cumul"] for r in days.values())
    last = curve.days.row(-1, named=True)
    overall = response_rates(status_counts(campaign)).row(0, named=True)
    assert last["completes_cumul"] == overall["completes"] == 3
    assert last["partielles"] == overall["partielles"] == 1


def test_counts_and_curve_keep_to_the_account_scope(campaign, make_target, django_user_model):
    make_target(campaign, "29001")
    make_target(campaign, "75056", departement="75", region="11")
    _respond(campaign, "29001", {"inc_lieux": "oui"}, submit=True)
    _respond(campaign, "75056", {"inc_lieux": "oui"}, submit=True)
    user = django_user_model.objects.create_user("finistere")
    account = Account.objects.create(user=user, scope_departements=["29"])
    overall = response_rates(status_counts(campaign, account)).row(0, named=True)
    assert (overall["cibles"], overall["completes"]) == (1, 1)
    assert daily_curve(campaign, account).days["completes_cumul"][-1] == 1
    assert daily_curve(campaign).days["completes_cumul"][-1] == 2


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


def test_a_demonstration_folder_ends_today_inside_its_campaign(tmp_path, questionnaire_yaml):
    """`barometre serve` loads responses of 2024 into a campaign opened now: dates follow it."""
    from barometre.collection.edition_folders import load_edition_folder

    folder = tmp_path / "demo"
    folder.mkdir()
    (folder / "edition.yaml").write_text("id: demo\ntitle: Démonstration\n", encoding="utf-8")
    (folder / "questionnaire.yaml").write_text(questionnaire_yaml, encoding="utf-8")
    (folder / "responses.csv").write_text(
        "response_id,code,submitted_at,status,respondent_role,inc_lieux,inc_types,strat_plan,"
        "agents_nombre\n"
        "R1,29019,2024-03-04T10:15:00,complete,maire,oui,mairie,oui,12\n"
        "R2,35238,2024-04-20T16:40:00,partial,dgs,non,,,\n"
        "R3,75056,2024-06-28T09:05:00,complete,dgs,non,,non,40\n",
        encoding="utf-8",
    )
    campaign = load_edition_folder(folder)
    stamps = sorted(
        Response.objects.filter(campaign=campaign).values_list("submitted_at", flat=True)
    )
    today = timezone.localdate()
    assert timezone.localdate(stamps[-1]) in (today, today - timedelta(days=1))
    assert stamps[-1] - stamps[0] == timedelta(days=115, hours=22, minutes=50)  # rhythm kept
    assert timezone.localdate(campaign.opened_at) == timezone.localdate(stamps[0])
    curve = daily_curve(campaign)
    assert curve.before_opening == 0 and curve.days["jour"][0] == timezone.localdate(stamps[0])
    assert curve.days["completes_cumul"][-1] == 2 and curve.days["partielles"][-1] == 1
