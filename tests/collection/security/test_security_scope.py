"""Territorial scope, tried as a hostile operator scoped to Finistère (29), over real HTTP."""

from __future__ import annotations

import csv
import io
import re

import openpyxl
import polars as pl
import pytest
from django.core import mail
from security_http import IN_29, IN_35

from barometre.collection.models import Account, AuditLog, Campaign, Invitation, Target, Wave

pytestmark = pytest.mark.django_db(transaction=True)


def account_post(account: Account, **changes) -> dict[str, str]:
    """The edit form of an account as posted by the browser, with `changes`."""
    data = {
        "email": account.user.email,
        "role": account.role,
        "scope_label": account.scope_label,
        "scope_regions": " ".join(account.scope_regions),
        "scope_departements": " ".join(account.scope_departements),
        "scope_codes": " ".join(account.scope_codes),
        "is_active": "on",
    }
    data.update(changes)
    return data


def scope_of(name: str) -> tuple:
    """The stored scope and role of an account."""
    account = Account.objects.get(user__username=name)
    return (account.role, account.scope_regions, account.scope_departements, account.scope_codes)


# --------------------------------------------------------------------------- accounts


@pytest.mark.parametrize(
    "changes",
    [
        {"scope_departements": ""},  # empty scope = national
        {"scope_departements": "29 35"},  # a second département
        {"scope_regions": "53"},  # the whole région of 29
        {"scope_codes": "35238"},  # one commune outside
        {"scope_departements": "", "scope_codes": "D29 R53"},  # the région's entity
    ],
    ids=["national", "second-departement", "region", "outside-commune", "region-entity"],
)
def test_a_scoped_administrator_cannot_widen_its_own_scope(world, unchanged, changes):
    http = world.client("admin29")
    me = world.accounts["admin29"]
    before = scope_of("admin29")
    with unchanged():
        page = http.post(f"/operateur/comptes/{me.pk}/", account_post(me, **changes))
    assert page.status_code == 200
    assert "Hors de votre périmètre" in page.text or "Périmètre vide" in page.text
    assert scope_of("admin29") == before


def test_a_scoped_administrator_may_narrow_its_own_scope(world):
    http = world.client("admin29")
    me = world.accounts["admin29"]
    done = http.post(
        f"/operateur/comptes/{me.pk}/", account_post(me, scope_departements="", scope_codes="29019")
    )
    assert done.status_code == 302
    assert scope_of("admin29")[3] == ["29019"]


def test_a_scoped_administrator_cannot_reach_accounts_outside_its_scope(world, unchanged):
    http = world.client("admin29")
    for name in ("national", "analyst35"):
        target = world.accounts[name]
        before = scope_of(name)
        assert http.get(f"/operateur/comptes/{target.pk}/").status_code == 404
        with unchanged():
            attempt = http.post(
                f"/operateur/comptes/{target.pk}/",
                account_post(target, scope_departements="29", role="reader"),
            )
        assert attempt.status_code == 404
        assert scope_of(name) == before
    listing = http.get("/operateur/comptes/").text
    assert "analyst29" in listing and "analyst35" not in listing and ">national<" not in listing


def test_a_scoped_administrator_cannot_rescope_an_account_of_its_scope_outside(world, unchanged):
    http = world.client("admin29")
    analyst = world.accounts["analyst29"]
    before = scope_of("analyst29")
    for changes in ({"scope_departements": ""}, {"scope_departements": "35"}):
        with unchanged():
            page = http.post(f"/operateur/comptes/{analyst.pk}/", account_post(analyst, **changes))
        assert page.status_code == 200
        assert "Hors de votre périmètre" in page.text or "Périmètre vide" in page.text
    assert scope_of("analyst29") == before
    done = http.post(
        f"/operateur/comptes/{analyst.pk}/", account_post(analyst, scope_codes="29019 242900314")
    )
    assert done.status_code == 302
    assert scope_of("analyst29")[3] == ["29019", "242900314"]


@pytest.mark.parametrize(
    ("scope", "message"),
    [
        ({}, "Périmètre vide"),
        ({"scope_departements": "35"}, "Hors de votre périmètre"),
        ({"scope_regions": "53"}, "Hors de votre périmètre"),
        ({"scope_departements": "99"}, "département inconnu du registre"),
        ({"scope_codes": "00000"}, "code inconnu du registre"),
    ],
    ids=["national", "other-departement", "region", "unknown-departement", "unknown-code"],
)
def test_a_scoped_administrator_cannot_create_an_account_beyond_its_scope(
    world, unchanged, scope, message
):
    http = world.client("admin29")
    form = {"username": "nouveau", "email": "nouveau@example.org", "role": "administrator"}
    with unchanged():
        page = http.post("/operateur/comptes/", {**form, **scope})
    assert page.status_code == 200 and message in page.text


def test_a_scoped_administrator_creates_accounts_inside_its_scope(world):
    http = world.client("admin29")
    form = {"username": "quimper", "email": "q@example.org", "role": "analyst"}
    done = http.post("/operateur/comptes/", {**form, "scope_codes": "29232"})
    assert done.status_code == 302
    assert scope_of("quimper") == ("analyst", [], [], ["29232"])


def test_a_national_administrator_grants_any_scope(world):
    http = world.client("national")
    analyst = world.accounts["analyst35"]
    done = http.post(f"/operateur/comptes/{analyst.pk}/", account_post(analyst, scope_regions="53"))
    assert done.status_code == 302 and scope_of("analyst35")[1] == ["53"]


def test_the_audit_log_of_a_scoped_administrator_holds_its_accounts_only(world):
    world.client("analyst35")  # logs in: an audited action outside 29
    page = world.client("admin29").get("/operateur/journal/").text
    assert AuditLog.objects.filter(actor_label="analyst35").exists()
    assert "analyst35" not in page and "admin29" in page


# --------------------------------------------------------------------------- campaign-wide actions


def campaign_state(campaign) -> tuple:
    """Everything a campaign-wide action changes."""
    campaign = Campaign.objects.get(pk=campaign.pk)
    waves = list(
        Wave.objects.filter(campaign=campaign).values_list("themes", "opens_at", "closes_at")
    )
    links = list(Invitation.objects.filter(target__campaign=campaign).values_list("expires_at"))
    return campaign.status, campaign.closes_at, campaign.closed_at, waves, links


@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("cloturer", {}),
        ("cloture", {"closes_at": "2099-01-01T10:00"}),
        ("vague", "wave"),
    ],
    ids=["close", "closing-date", "wave"],
)
def test_campaign_wide_actions_need_a_scope_covering_the_campaign(world, unchanged, action, data):
    campaign = world.straddling
    if data == "wave":
        wave = Wave.objects.filter(campaign=campaign).first()
        data = {
            "wave": wave.pk,
            f"w{wave.pk}-themes": [],
            f"w{wave.pk}-closes_at": "2099-01-01T10:00",
        }
    for name in ("analyst29", "admin29"):
        http = world.client(name)
        before = campaign_state(campaign)
        with unchanged():
            answer = http.post(f"/operateur/campagnes/{campaign.pk}/action/{action}/", data)
        assert answer.status_code == 302
        assert campaign_state(campaign) == before
        page = http.get(f"/operateur/campagnes/{campaign.pk}/").text
        assert "Action refusée" in page and "hors de votre périmètre" in page


def test_a_draft_campaign_straddling_the_scope_cannot_be_opened(world, unchanged):
    campaign = world.straddling
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.DRAFT)
    before = campaign_state(campaign)
    with unchanged():
        world.client("analyst29").post(f"/operateur/campagnes/{campaign.pk}/action/ouvrir/")
    assert campaign_state(campaign) == before


def test_campaign_wide_actions_work_on_a_covered_campaign(world):
    campaign = world.finistere
    http = world.client("analyst29")
    http.post(f"/operateur/campagnes/{campaign.pk}/action/cloturer/")
    assert Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.CLOSED
    assert (
        "Clôturer"
        not in world.client("analyst29").get(f"/operateur/campagnes/{world.straddling.pk}/").text
    )


# --------------------------------------------------------------------------- data


def test_exports_hold_the_scope_only(world):
    http = world.client("analyst29")
    url = f"/operateur/campagnes/{world.straddling.pk}/export/"
    rows = list(csv.DictReader(io.StringIO(http.get(url + "?format=csv").text)))
    assert [r["code"] for r in rows] == ["29019"]
    book = openpyxl.load_workbook(io.BytesIO(http.get(url + "?format=xlsx").content))
    codes = [row[1] for row in book.active.iter_rows(min_row=2, values_only=True)]
    assert codes == ["29019"]
    parquet = pl.read_parquet(io.BytesIO(http.get(url + "?format=parquet").content))
    assert parquet["code"].to_list() == ["29019"]
    national = world.client("national").get(url + "?format=csv").text
    assert "35238" in national


def test_a_response_without_target_is_placed_by_the_register(world):
    from barometre.collection.models import Response

    Response.objects.create(campaign=world.straddling, code="35047", status="complete")
    Response.objects.create(campaign=world.straddling, code="29039", status="complete")
    url = f"/operateur/campagnes/{world.straddling.pk}/export/?format=csv"
    codes = [
        r["code"] for r in csv.DictReader(io.StringIO(world.client("analyst29").get(url).text))
    ]
    assert sorted(codes) == ["29019", "29039"]


def test_monitoring_counts_and_curve_hold_the_scope_only(world):
    page = world.client("analyst29").get(f"/operateur/campagnes/{world.straddling.pk}/suivi/")
    assert page.status_code == 200
    from barometre.collection.monitoring import daily_curve

    account = world.accounts["analyst29"]
    curve = daily_curve(world.straddling, account)
    assert curve.days["commencees_cumul"].to_list()[-1] == 1
    assert daily_curve(world.straddling).days["commencees_cumul"].to_list()[-1] == 2


def test_reminders_and_links_stay_in_scope(world, unchanged):
    campaign = world.straddling
    Target.objects.filter(campaign=campaign).update(email="contact@example.org")
    http = world.client("analyst29")
    mail.outbox.clear()
    outside = {
        i.target.code: i.token_hash for i in Invitation.objects.filter(target__code__in=IN_35)
    }
    http.post(f"/operateur/campagnes/{campaign.pk}/invitations/action/", {"action": "relancer"})
    assert mail.outbox and all("Rennes" not in m.body for m in mail.outbox)
    links = http.post(
        f"/operateur/campagnes/{campaign.pk}/invitations/action/", {"action": "csv_tous"}
    )
    rows = list(csv.reader(io.StringIO(links.content.decode("utf-8-sig")), delimiter=";"))
    assert sorted(r[0] for r in rows[1:]) == sorted(IN_29)
    assert {
        i.target.code: i.token_hash for i in Invitation.objects.filter(target__code__in=IN_35)
    } == outside
    with unchanged():
        revoke = http.post(
            f"/operateur/campagnes/{campaign.pk}/invitations/action/",
            {"action": "revoquer", "code": "35238"},
        )
    assert revoke.status_code == 404
    assert (
        Invitation.objects.get(target__campaign=campaign, target__code="35238").revoked_at is None
    )


def test_contact_emails_outside_the_scope_are_refused(world, unchanged):
    campaign = world.straddling
    content = "code;courriel\n29019;brest@example.org\n35238;pirate@example.org\n"
    with unchanged():
        http = world.client("analyst29")
        http.post(
            f"/operateur/campagnes/{campaign.pk}/invitations/action/",
            {"action": "courriels"},
            files={"fichier": ("contacts.csv", content.encode(), "text/csv")},
        )
    page = http.get(f"/operateur/campagnes/{campaign.pk}/invitations/").text
    assert "35238" in page and "dans votre périmètre" in page
    assert set(Target.objects.filter(campaign=campaign).values_list("email", flat=True)) == {""}


def test_targets_outside_the_scope_are_never_added(world):
    campaign = world.finistere
    http = world.client("analyst29")
    http.post(
        f"/operateur/campagnes/{campaign.pk}/cibles/",
        {"codes_text": "35238 29039", "ajouter": "1"},
    )
    codes = set(Target.objects.filter(campaign=campaign).values_list("code", flat=True))
    assert "29039" in codes and "35238" not in codes


def test_a_commune_scope_sees_that_commune_only(world):
    rows = (
        world.client("brest")
        .get(f"/operateur/campagnes/{world.straddling.pk}/export/?format=csv")
        .text
    )
    assert [r["code"] for r in csv.DictReader(io.StringIO(rows))] == ["29019"]
    page = world.client("brest").get(f"/operateur/campagnes/{world.straddling.pk}/invitations/")
    assert "29019" in page.text and "29232" not in page.text and IN_35[0] not in page.text


def test_campaign_counts_hold_the_scope_only(world):
    url = f"/operateur/campagnes/{world.straddling.pk}/"
    page = " ".join(re.sub(r"<[^>]+>", " ", world.client("analyst29").get(url).text).split())
    assert "3 dont" in page and "5 dont" not in page
    national = re.sub(r"<[^>]+>", " ", world.client("national").get(url).text)
    assert "5 dont" in " ".join(national.split())


def test_positioning_reports_outside_the_scope_are_not_found(world, settings, tmp_path):
    settings.BAROMETRE_POSITIONING_DIR = str(tmp_path)
    rows = ["code,fichier"]
    for code in ("29019", "35238"):
        (tmp_path / f"{code}.html").write_text(f"<p>Rapport {code}</p>", encoding="utf-8")
        rows.append(f"{code},{code}.html")
    (tmp_path / "liens.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    http = world.client("analyst29")
    url = "/tableau-de-bord/operateur/positionnement/{}/"
    assert http.get(url.format("35238")).status_code == 404
    mine = http.get(url.format("29019"))
    assert mine.status_code == 200 and "Rapport 29019" in mine.text
    assert world.client("national").get(url.format("35238")).status_code == 200
    assert world.client().get(url.format("29019")).status_code == 302  # anonymous: login first
