"""The audit journal reads as French sentences, filters by person, action and date, exports CSV."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from html import unescape
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

import barometre
from barometre.collection.audit_journal import ACTIONS, SENTENCES
from barometre.collection.models import Account, AuditLog, Campaign, Target, audit
from barometre.register.spreadsheet_cells import neutralise as spreadsheet_safe

pytestmark = pytest.mark.django_db
PACKAGE = Path(barometre.__file__).resolve().parent
# internal codes and developer notation that must never reach the journal's reader
INTERNAL = re.compile(
    r"\b(?:login|logout|targets_added|links_issued|link_revoked|campaign_\w+|account_\w+|"
    r"edition_created|wave_changed|Campaign|Invitation|ImportBatch|Account|None|True|False)\b"
    r"|[{}\[\]]|'\w+':"
)


def recorded_actions() -> set[str]:
    """Every action name passed to `audit(…)` anywhere in the package."""
    pattern = re.compile(r'audit\(\s*"(\w+)"(?:\s+if\s+\w+\s+else\s+"(\w+)")?')
    found: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        for match in pattern.finditer(path.read_text(encoding="utf-8")):
            found.update(name for name in match.groups() if name)
    return found


def test_every_recorded_action_has_french_wording() -> None:
    actions = recorded_actions()
    assert {"login", "targets_added", "reminders_sent", "invitations_sent", "import"} <= actions
    missing = sorted(actions - set(SENTENCES))
    assert not missing, f"écrire la phrase du journal de {missing} dans audit_journal.SENTENCES"
    assert set(SENTENCES) == set(ACTIONS)


def visible_text(html: str) -> str:
    """The text a person sees in the page's main content (narrow spaces as plain spaces)."""
    main = html.split("<main", 1)[1].split(">", 1)[1].split("</main>", 1)[0]
    main = re.sub(r"<(script|style|select)[^>]*>.*?</\1>", " ", main, flags=re.S)
    text = unescape(re.sub(r"<[^>]+>", " ", main)).replace("\u202f", " ")
    return " ".join(text.split())


@pytest.fixture
def admin(django_user_model) -> Client:
    user = django_user_model.objects.create_user("marie", "marie@example.org", "mdp-de-test-1")
    Account.objects.create(user=user, role=Account.Role.ADMINISTRATOR)
    client = Client()
    client.post(reverse("operator:login"), {"username": "marie", "password": "mdp-de-test-1"})
    return client


def test_real_actions_read_as_french_sentences(admin, campaign, make_target) -> None:
    make_target(campaign, "29019", name="Brest")
    Client().post(reverse("operator:login"), {"username": "intrus", "password": "x"})
    admin.post(
        reverse("operator:accounts"),
        {"username": "paul", "email": "paul@example.org", "role": "reader"},
    )
    paul = Account.objects.get(user__username="paul")
    admin.post(
        reverse("operator:account_edit", args=[paul.pk]),
        {
            "email": "paul@example.org",
            "role": "analyst",
            "scope_departements": "29",
            "is_active": "on",
        },
    )
    admin.post(reverse("operator:invitation_action", args=[campaign.pk]), {"action": "csv_tous"})
    admin.post(
        reverse("operator:invitation_action", args=[campaign.pk]),
        {"action": "revoquer", "code": "29019"},
    )
    admin.get(reverse("operator:export", args=[campaign.pk]) + "?format=xlsx")
    page = admin.get(reverse("operator:audit"))
    text = visible_text(page.content.decode())
    for sentence in (
        "Connexion à l'espace opérateur.",
        "Échec de connexion avec l'identifiant « intrus ».",
        "Création du compte « paul » (rôle : lecteur).",
        "Modification du compte « paul » : rôle : lecteur → analyste ; "
        "départements du périmètre : aucun → Finistère (29).",
        "Création de 1 lien privé pour la campagne « Campagne de test ».",
        "Révocation du lien privé de Brest (29019)",
        "Export des réponses de la campagne « Campagne de test » au format XLSX (0 ligne).",
    ):
        assert sentence in text, sentence
    assert "personne non connectée" in text and "marie" in text
    leaks = INTERNAL.findall(text.split("Ce qui a été fait", 1)[1])
    assert not leaks, leaks


def test_journal_filters_by_person_action_and_date(admin, campaign, django_user_model) -> None:
    other = django_user_model.objects.create_user("jean")
    audit("campaign_opened", actor=other, obj=campaign)
    old = audit("campaign_closed", actor=other, obj=campaign)
    AuditLog.objects.filter(pk=old.pk).update(at=timezone.now() - timedelta(days=30))
    url = reverse("operator:audit")

    def lines(**query) -> str:
        return visible_text(admin.get(url, query).content.decode())

    by_jean = lines(personne="jean")
    assert "Ouverture de la campagne" in by_jean and "Connexion à l'espace" not in by_jean
    assert "2 actions trouvées" in by_jean
    closing = lines(action="campaign_closed")
    assert "Clôture de la campagne" in closing and "Ouverture" not in closing
    today = timezone.localdate().isoformat()
    recent = lines(du=today, au=today)
    assert "Ouverture de la campagne" in recent and "Clôture de la campagne" not in recent
    month_ago = (timezone.localdate() - timedelta(days=30)).isoformat()
    assert "Clôture de la campagne" in lines(au=month_ago)
    assert "Ouverture" not in lines(au=month_ago)
    assert "Aucune action ne correspond" in lines(personne="personne-inconnue")
    ignored = lines(action="pas-une-action", du="pas une date")  # ignored, not a server error
    assert "Ouverture de la campagne" in ignored


def test_journal_csv_keeps_the_filter_and_neutralises_formulas(
    admin, campaign, django_user_model
) -> None:
    trap = django_user_model.objects.create_user("=cmd|calc")
    audit("campaign_opened", actor=trap, obj=campaign)
    audit("export", actor="barometre export", obj=campaign, format="csv", rows=12)
    response = admin.get(reverse("operator:audit"), {"format": "csv", "action": "campaign_opened"})
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="journal-')
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["date", "personne", "action", "description", "campagne"]
    assert [r[1] for r in rows[1:]] == ["'=cmd|calc"]
    assert rows[1][2:] == [
        "Ouverture d'une campagne",
        "Ouverture de la campagne « Campagne de test » : les liens fonctionnent.",
        "Campagne de test",
    ]
    everything = admin.get(reverse("operator:audit"), {"format": "csv"}).content.decode()
    assert "ligne de commande (barometre export)" in everything
    assert "au format CSV (12 lignes)" in everything


@pytest.mark.parametrize("lead", ["=", "+", "-", "@", "\t", "\r"])
def test_spreadsheet_safe_prefixes_formula_leads(lead) -> None:
    assert spreadsheet_safe(f"{lead}1+1") == f"'{lead}1+1"
    assert spreadsheet_safe("Brest") == "Brest"


def test_deleted_objects_and_old_details_still_read(admin, campaign) -> None:
    entry = audit("targets_added", actor="barometre serve", obj=campaign, count=3)
    Campaign.objects.filter(pk=campaign.pk).delete()
    audit("campaign_dates", actor="barometre serve", closes_at="None")
    text = visible_text(admin.get(reverse("operator:audit")).content.decode())
    assert "Ajout de 3 collectivités aux cibles de la campagne supprimée depuis." in text
    assert "ligne de commande (barometre serve)" in text
    assert entry.pk and not Target.objects.exists()
