"""The import page over real HTTP (a live server, a logged-in operator, CSRF, multipart uploads).

Each refusal is checked on the page (French, HTTP 200, never 500) and in the database (same counts
before and after). Runs on SQLite and again on PostgreSQL.
"""

from __future__ import annotations

import re

import pytest
import requests
from django.urls import reverse

from barometre.collection.models import Account, Answer, AuditLog, ImportBatch, Response

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "un-mot-de-passe-solide-2026"
MAPPING = (
    "code = code\ninc_lieux = inc_lieux\nstrat_plan = strat_plan\nagents_nombre = agents_nombre"
)


def counts() -> tuple[int, int, int, int]:
    return (
        Response.objects.count(),
        Answer.objects.count(),
        ImportBatch.objects.count(),
        AuditLog.objects.filter(action="import").count(),
    )


@pytest.fixture
def targeted(campaign, make_target):
    for code in ("29001", "29002", "35001"):
        make_target(campaign, code)
    return campaign


@pytest.fixture
def session_for(live_server, django_user_model):
    """Factory: a `requests` session logged in through the login form as an operator."""

    def make(role: str = "analyst", departements=(), label: str = "") -> requests.Session:
        name = f"{role}-{'-'.join(departements) or 'national'}"
        user = django_user_model.objects.create_user(name, password=PASSWORD)
        Account.objects.create(
            user=user, role=role, scope_departements=list(departements), scope_label=label
        )
        session = requests.Session()
        login = live_server.url + reverse("operator:login")
        page = session.get(login, timeout=30)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        done = session.post(
            login,
            data={"csrfmiddlewaretoken": token, "username": name, "password": PASSWORD},
            headers={"Referer": login},
            timeout=30,
            allow_redirects=False,
        )
        assert done.status_code == 302, done.text[:500]
        return session

    return make


def post_import(live_server, session, campaign, content: bytes, name: str, **fields):
    """Upload a file on the import page; returns the HTTP response."""
    url = live_server.url + reverse("operator:import", args=[campaign.pk])
    page = session.get(url, timeout=30)
    assert page.status_code == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    data = {
        "csrfmiddlewaretoken": token,
        "source": "mapped",
        "code_column": "code",
        "on_existing": "refuse",
        "encoding": "auto",
        "mapping": MAPPING,
        **fields,
    }
    return session.post(
        url,
        data=data,
        files={"file": (name, content)},
        headers={"Referer": url},
        timeout=60,
    )


def refused_page(live_server, session, campaign, content, name, **fields) -> str:
    before = counts()
    response = post_import(live_server, session, campaign, content, name, **fields)
    assert response.status_code == 200
    assert "Import refusé" in response.text
    assert counts() == before
    return response.text


def test_scope_is_enforced_on_the_import_page(live_server, session_for, targeted):
    analyst = session_for("analyst", ["29"], "Finistère")
    content = b"code,inc_lieux,strat_plan,agents_nombre\n29001,oui,oui,3\n35001,non,non,4\n"
    page = refused_page(live_server, analyst, targeted, content, "r.csv")
    assert "collectivité 35001 hors de votre périmètre (Finistère)" in page
    ok = post_import(live_server, analyst, targeted, content.split(b"35001")[0], "r.csv")
    assert "Import enregistré" in ok.text and Response.objects.get().code == "29001"


def test_hostile_and_broken_files_get_french_messages(live_server, session_for, targeted):
    analyst = session_for()
    page = refused_page(live_server, analyst, targeted, b"\x00garbage", "reponses.xlsx")
    assert "classeur illisible" in page
    latin = "code,inc_lieux\n29001,Oui\n29002,Non é\n".encode("latin-1")
    page = refused_page(live_server, analyst, targeted, latin, "r.csv")
    assert "le fichier n&#x27;est pas encodé en UTF-8" in page or "pas encodé en UTF-8" in page
    page = refused_page(live_server, analyst, targeted, b"code,inc_lieux\n29001,oui,non\n", "r.csv")
    assert "3 cellule(s) au lieu de 2" in page
    page = refused_page(
        live_server, analyst, targeted, b"code,inc_lieux,inc_lieux\n29001,oui,non\n", "r.csv"
    )
    assert "en-tête en double (colonnes 2 et 3)" in page


def test_duplicates_reimport_and_rules_over_http(live_server, session_for, targeted):
    analyst = session_for()
    header = b"code,inc_lieux,strat_plan,agents_nombre\n"
    page = refused_page(
        live_server, analyst, targeted, header + b"29001,oui,oui,3\n29001,non,non,4\n", "r.csv"
    )
    assert "collectivité 29001 déjà présente ligne 2" in page
    content = header + b"29001,oui,oui,3\n29002,non,non,-5\n"
    page = refused_page(live_server, analyst, targeted, content, "r.csv")
    assert "Le nombre d&#x27;agents doit être compris entre 0 et 100 000." in page
    content = header + b"29001,oui,oui,3\n29002,non,non,5\n"
    assert "Import enregistré" in post_import(live_server, analyst, targeted, content, "r.csv").text
    page = refused_page(live_server, analyst, targeted, content, "r.csv")
    assert "29001 a déjà répondu" in page and "29002 a déjà répondu" in page
    replaced = post_import(
        live_server,
        analyst,
        targeted,
        header + b"29001,non,non,7\n",
        "r.csv",
        on_existing="replace",
    )
    assert "Import enregistré" in replaced.text and "remplace la réponse existante" in replaced.text
    assert Response.objects.filter(code="29001").count() == 1
    assert Response.objects.get(code="29001").answer_dict()["agents_nombre"] == "7"


def test_out_of_frame_and_confirmations_over_http(live_server, session_for, targeted):
    admin = session_for("administrator")
    header = b"code,nom,inc_lieux,strat_plan,agents_nombre\n"
    content = header + b"Argol,Mairie d'Argol,oui,oui,3\n282 900 018,SDIS du Finistere,non,non,5\n"
    mapping = MAPPING + "\nnom = nom"
    page = refused_page(live_server, admin, targeted, content, "r.csv", mapping=mapping)
    assert "« Argol » : nom sans code ; candidats : Argol (commune, 29001)" in page
    done = post_import(
        live_server,
        admin,
        targeted,
        content,
        "r.csv",
        mapping=mapping,
        confirmations="2 = 29001",
        out_of_frame="on",
    )
    assert "Import enregistré" in done.text
    assert "Répondants hors base de sondage (1)" in done.text and "SDIS du Finistere" in done.text
    assert Response.objects.get(out_of_frame=True).code == "HB:282900018"
    assert Response.objects.get(code="29001").answer_dict()["agents_nombre"] == "3"
