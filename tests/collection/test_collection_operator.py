"""Operator back office: login, roles, territorial scope, campaign actions, CSRF, audit."""

from __future__ import annotations

import io

import polars as pl
import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from barometre.collection.models import Account, AuditLog, Campaign, Edition, Invitation, Target
from barometre.collection.services import resolve_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(django_user_model):
    """Factory: an operator logged into a fresh client with a role and a scope."""

    def make(role: str, departements=(), codes=()) -> Client:
        user = django_user_model.objects.create_user(
            f"{role}{len(departements)}{len(codes)}", email=f"{role}@example.org", password="x"
        )
        Account.objects.create(
            user=user, role=role, scope_departements=list(departements), scope_codes=list(codes)
        )
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def targeted(campaign, make_target):
    """The campaign with two targets in Finistère and one in Paris."""
    make_target(campaign, "29019", departement="29", email="brest@example.org")
    make_target(campaign, "29232", departement="29")
    make_target(campaign, "75056", departement="75", region="11", email="paris@example.org")
    return campaign


def test_login_page_and_anonymous_redirect(client, django_user_model):
    response = client.get(reverse("operator:home"))
    assert response.status_code == 302 and reverse("operator:login") in response["Location"]
    django_user_model.objects.create_user("ana", password="un-mot-de-passe-solide")
    page = client.get(reverse("operator:login"))
    assert "Connexion" in page.content.decode()
    done = client.post(
        reverse("operator:login"), {"username": "ana", "password": "un-mot-de-passe-solide"}
    )
    assert done.status_code == 302
    assert AuditLog.objects.filter(action="login", actor_label="ana").exists()
    client.post(reverse("operator:login"), {"username": "ana", "password": "faux"})
    assert AuditLog.objects.filter(action="login_failed").exists()


def test_password_reset_sends_an_email(client, django_user_model):
    django_user_model.objects.create_user("ana", email="ana@example.org", password="x")
    response = client.post(reverse("operator:password_reset"), {"email": "ana@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and "/operateur/mot-de-passe/" in mail.outbox[0].body


def test_reader_cannot_act_and_analyst_can(operator, targeted):
    reader = operator("reader")
    assert reader.get(reverse("operator:monitoring", args=[targeted.pk])).status_code == 200
    url = reverse("operator:campaign_action", args=[targeted.pk, "cloturer"])
    assert reader.post(url).status_code == 403
    assert reader.get(reverse("operator:export", args=[targeted.pk])).status_code == 403
    assert reader.get(reverse("operator:accounts")).status_code == 403
    analyst = operator("analyst")
    assert analyst.post(url).status_code == 302
    assert Campaign.objects.get(pk=targeted.pk).status == Campaign.Status.CLOSED
    assert analyst.get(reverse("operator:accounts")).status_code == 403
    assert AuditLog.objects.filter(action="campaign_closed").count() == 1


def test_scope_limits_what_an_opsn_sees_and_invites(operator, targeted):
    opsn = operator("analyst", departements=["29"])
    listing = opsn.get(reverse("operator:invitations", args=[targeted.pk])).content.decode()
    assert "29019" in listing and "75056" not in listing
    response = opsn.post(
        reverse("operator:invitation_action", args=[targeted.pk]), {"action": "csv_nouveaux"}
    )
    table = pl.read_csv(io.BytesIO(response.content), separator=";", infer_schema=False)
    assert sorted(table["code"].to_list()) == ["29019", "29232"]
    raw = table["lien"][0].rstrip("/").rsplit("/", 1)[-1]
    assert resolve_token(raw).target.code == table["code"][0]
    assert not Invitation.objects.filter(target__code="75056").exists()
    revoke = opsn.post(
        reverse("operator:invitation_action", args=[targeted.pk]),
        {"action": "revoquer", "code": "75056"},
    )
    assert revoke.status_code == 404


def test_send_invitations_and_reminders(operator, targeted):
    admin = operator("administrator")
    url = reverse("operator:invitation_action", args=[targeted.pk])
    admin.post(url, {"action": "envoyer"})
    assert sorted(m.to[0] for m in mail.outbox) == ["brest@example.org", "paris@example.org"]
    link = next(line for line in mail.outbox[0].body.splitlines() if "/r/" in line)
    assert resolve_token(link.rstrip("/").rsplit("/", 1)[-1]) is not None
    mail.outbox.clear()
    admin.post(url, {"action": "relancer"})
    assert len(mail.outbox) == 2 and mail.outbox[0].subject.startswith("Relance")
    assert resolve_token(link.rstrip("/").rsplit("/", 1)[-1]) is None  # replaced by the reminder
    assert Invitation.objects.filter(reminder_count=1).count() == 2


def test_csrf_is_enforced(targeted, django_user_model):
    user = django_user_model.objects.create_user("a", password="x")
    Account.objects.create(user=user, role="administrator")
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    url = reverse("operator:campaign_action", args=[targeted.pk, "cloturer"])
    assert client.post(url).status_code == 403
    assert Campaign.objects.get(pk=targeted.pk).status == Campaign.Status.OPEN


def test_edition_from_template_campaign_targets_and_export(operator):
    admin = operator("administrator")
    from barometre.questionnaire.templates_catalogue import list_templates

    name = list_templates()[0]
    response = admin.post(reverse("operator:edition_new"), {"source": "template", "template": name})
    assert response.status_code == 302, response.content.decode()[:2000]
    edition = Edition.objects.get()
    bad = admin.post(
        reverse("operator:edition_new"),
        {"source": "yaml", "file": io.BytesIO(b"id: x\nthemes: 3\n")},
    )
    assert bad.status_code == 200 and Edition.objects.count() == 1
    admin.post(reverse("operator:campaign_new"), {"edition": edition.pk, "name": "C"})
    campaign = Campaign.objects.get()
    preview = admin.post(
        reverse("operator:targets", args=[campaign.pk]),
        {"kinds": ["commune"], "departements": "2A", "apercu": "1"},
    )
    assert "Aperçu" in preview.content.decode()
    admin.post(
        reverse("operator:targets", args=[campaign.pk]),
        {"kinds": ["commune"], "departements": "2A", "ajouter": "1"},
    )
    assert Target.objects.filter(campaign=campaign).count() > 50
    export = admin.get(reverse("operator:export", args=[campaign.pk]) + "?format=parquet")
    frame = pl.read_parquet(io.BytesIO(export.content))
    assert frame.columns[:2] == ["response_id", "code"] and frame.height == 0
    assert admin.get(reverse("operator:audit")).status_code == 200


def test_import_view_reports_rejected_lines(operator, targeted):
    admin = operator("administrator")
    upload = io.BytesIO(b"code,inc_lieux\n29019,oui\n99999,oui\n")
    upload.name = "r.csv"
    page = admin.post(
        reverse("operator:import", args=[targeted.pk]),
        {
            "source": "mapped",
            "file": upload,
            "code_column": "code",
            "mapping": "code=code\ninc_lieux=inc_lieux",
        },
    ).content.decode()
    assert "<td>3</td><td>code</td>" in page and "aucune collectivité du registre" in page
    assert not targeted.responses.exists()


def test_every_operator_page_renders(operator, targeted):
    from barometre.collection.services import issue_invitation, response_for, save_answers

    invitation, _ = issue_invitation(Target.objects.get(code="29019"))
    save_answers(response_for(invitation), {"inc_lieux": "oui"}, 0)
    admin = operator("administrator")
    pages = [
        reverse("operator:home"),
        reverse("operator:edition_new"),
        reverse("operator:campaign_new"),
        reverse("operator:campaign", args=[targeted.pk]),
        reverse("operator:targets", args=[targeted.pk]),
        reverse("operator:invitations", args=[targeted.pk]) + "?q=29",
        reverse("operator:monitoring", args=[targeted.pk]),
        reverse("operator:monitoring", args=[targeted.pk]) + "?strate=region",
        reverse("operator:import", args=[targeted.pk]),
        reverse("operator:accounts"),
        reverse("operator:account_edit", args=[Account.objects.get().pk]),
        reverse("operator:audit"),
    ]
    for url in pages:
        response = admin.get(url)
        assert response.status_code == 200, url
        assert "<h1>" in response.content.decode(), url
    monitoring = admin.get(reverse("operator:monitoring", args=[targeted.pk])).content.decode()
    assert "33\u202f%" in monitoring  # 1 partial of 3 targets


def test_edition_from_an_xlsform_upload(operator, questionnaire_yaml, tmp_path):
    from barometre.collection.editions import parse_questionnaire_yaml
    from barometre.questionnaire.xlsform import write_xlsform

    path = tmp_path / "questionnaire.xlsx"
    write_xlsform(parse_questionnaire_yaml(questionnaire_yaml), path)
    upload = io.BytesIO(path.read_bytes())
    upload.name = "questionnaire.xlsx"
    admin = operator("administrator")
    response = admin.post(reverse("operator:edition_new"), {"source": "xlsform", "file": upload})
    assert response.status_code == 302
    edition = Edition.objects.get()
    assert edition.source == "xlsform" and edition.questionnaire_id == "test-collecte"
    assert [q.id for q in edition.questionnaire.questions] == [
        "inc_lieux",
        "inc_types",
        "strat_plan",
        "agents_nombre",
    ]


def test_waves_and_closing_date_are_edited_from_the_campaign_page(operator, edition):
    from datetime import timedelta

    from django.utils import timezone

    from barometre.collection.campaigns import create_campaign
    from barometre.collection.models import Wave

    campaign = create_campaign(edition, "Vagues", closes_at=timezone.now() + timedelta(days=9))
    wave = Wave.objects.get(campaign=campaign, code="vague2")
    admin = operator("administrator")
    page = admin.get(reverse("operator:campaign", args=[campaign.pk])).content.decode()
    assert "Thèmes de la vague" in page and "Changer la date de clôture" in page
    url = reverse("operator:campaign_action", args=[campaign.pk, "vague"])
    prefix = f"w{wave.pk}"
    admin.post(
        url,
        {
            "wave": wave.pk,
            f"{prefix}-themes": ["inclusion", "strategie"],
            f"{prefix}-opens_at": "2030-01-10T08:00",
            f"{prefix}-closes_at": "2030-01-01T08:00",
        },
    )
    wave.refresh_from_db()
    assert wave.themes == ["strategie"] and wave.opens_at is None  # refused: closes before opening
    admin.post(
        url,
        {
            "wave": wave.pk,
            f"{prefix}-themes": ["inclusion", "strategie"],
            f"{prefix}-opens_at": "2030-01-10T08:00",
        },
    )
    wave.refresh_from_db()
    assert wave.themes == ["inclusion", "strategie"] and wave.opens_at.year == 2030
    admin.post(
        reverse("operator:campaign_action", args=[campaign.pk, "cloture"]),
        {"closes_at": "2031-06-30T18:00"},
    )
    campaign.refresh_from_db()
    assert timezone.localtime(campaign.closes_at).strftime("%Y-%m-%d %H:%M") == "2031-06-30 18:00"
    assert AuditLog.objects.filter(action__in=["wave_changed", "campaign_dates"]).count() == 2


def account_of(username: str) -> Account:
    """The operator account of a user name."""
    return Account.objects.select_related("user").get(user__username=username)


def edit_data(account: Account, **changes) -> dict:
    """The account edit form as currently filled, with some fields changed."""
    data = {
        "email": account.user.email,
        "role": account.role,
        "scope_label": account.scope_label,
        "scope_departements": " ".join(account.scope_departements),
        "scope_codes": " ".join(account.scope_codes),
    }
    if account.user.is_active:
        data["is_active"] = "on"
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_an_administrator_changes_role_scope_and_email_with_an_audit_entry(operator):
    admin = operator("administrator")
    operator("reader")
    reader = account_of("reader00")
    url = reverse("operator:account_edit", args=[reader.pk])
    page = admin.get(url).content.decode()
    assert "Compte « reader00 »" in page and 'value="reader@example.org"' in page
    saved = admin.post(
        url,
        edit_data(
            reader,
            role="analyst",
            email="opsn@example.org",
            scope_label="OPSN Finistère",
            scope_departements="29, 56",
        ),
    )
    assert saved.status_code == 302 and saved["Location"] == reverse("operator:accounts")
    changed = account_of("reader00")
    assert changed.role == "analyst" and changed.user.email == "opsn@example.org"
    assert changed.scope_departements == ["29", "56"] and changed.scope_label == "OPSN Finistère"
    entry = AuditLog.objects.get(action="account_updated")
    assert entry.actor_label == "administrator00"
    assert entry.detail["changes"]["role"] == ["reader", "analyst"]
    assert set(entry.detail["changes"]) == {"role", "email", "scope_label", "scope_departements"}
    listing = admin.get(reverse("operator:accounts")).content.decode()
    assert "OPSN Finistère : départements Finistère (29) et Morbihan (56)" in listing


def test_a_closed_account_can_no_longer_sign_in_nor_use_its_session(operator):
    admin = operator("administrator")
    operator("analyst")
    account = account_of("analyst00")
    account.user.set_password("secret-123")
    account.user.save()
    analyst = Client()
    assert analyst.login(username="analyst00", password="secret-123")
    assert analyst.get(reverse("operator:home")).status_code == 200
    url = reverse("operator:account_edit", args=[account.pk])
    assert admin.post(url, edit_data(account, is_active=None)).status_code == 302
    assert not account_of("analyst00").user.is_active
    assert analyst.get(reverse("operator:home")).status_code == 302  # back to the login page
    assert not Client().login(username="analyst00", password="secret-123")
    assert "fermé" in admin.get(reverse("operator:accounts")).content.decode()


def test_the_last_administrator_cannot_be_demoted_nor_demote_oneself(operator):
    admin = operator("administrator")
    me = account_of("administrator00")
    url = reverse("operator:account_edit", args=[me.pk])
    refused = admin.post(url, edit_data(me, role="reader"))
    assert refused.status_code == 200
    assert "dernier compte administrateur actif" in refused.content.decode()
    assert account_of("administrator00").role == "administrator"
    # with another administrator, still not oneself
    other = Account.objects.create(
        user=type(me.user).objects.create_user("second", email="s@example.org"),
        role="administrator",
    )
    refused = admin.post(url, edit_data(me, is_active=None))
    assert "vos propres droits" in refused.content.decode()
    assert account_of("administrator00").user.is_active
    # ... but another administrator's account can be closed
    other_url = reverse("operator:account_edit", args=[other.pk])
    assert admin.post(other_url, edit_data(other, is_active=None)).status_code == 302
    assert not account_of("second").user.is_active
    assert not AuditLog.objects.filter(object_id=str(me.pk), action="account_updated").exists()


def test_only_administrators_edit_accounts(operator):
    analyst = operator("analyst")
    account = account_of("analyst00")
    url = reverse("operator:account_edit", args=[account.pk])
    assert analyst.get(url).status_code == 403
    assert analyst.post(url, edit_data(account, role="administrator")).status_code == 403
    assert account_of("analyst00").role == "analyst"
