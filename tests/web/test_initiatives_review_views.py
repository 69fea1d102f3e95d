"""Initiatives review queue in the web app: roles, ordering, corrections, retraining, CSRF."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl
import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape
from playwright.sync_api import expect

from barometre.collection.models import Account, AuditLog
from barometre.initiatives.classifier import load_classifier, shipped_classifier
from barometre.initiatives.corpus import example_corpus, write_corpus
from barometre.initiatives.folder import InitiativesFolder
from barometre.initiatives.review import classify_corpus, read_corrections, review_queue
from barometre.publish.numbers import number, percent

pytestmark = pytest.mark.django_db

SLUG = "edition-2026"
# New initiatives (not in the shipped corpus): real register codes, French texts, few labels.
INITIATIVES = [
    (
        "29019",
        "Ateliers tablettes pour les aînés",
        "Des médiateurs accompagnent les seniors.",
        None,
    ),
    ("35238", "Portail des démarches en ligne", "État civil et urbanisme dématérialisés.", None),
    ("75056", "Numérisation des registres paroissiaux", "Archives anciennes mises en ligne.", None),
    ("69123", "Budget participatif numérique", "Les habitants votent pour les projets.", None),
    ("13055", "Tableaux interactifs dans les écoles", "Équipement des classes élémentaires.", None),
    ("33063", "Application de la ville", "Actualités, agenda et signalements sur mobile.", None),
    ("31555", "Capteurs de qualité de l'air", "Mesures publiées en données ouvertes.", None),
    ("44109", "Wifi public dans les parcs", "Accès gratuit à internet dans les jardins.", None),
    (
        "59350",
        "Lettre d'information par courriel",
        "Newsletter mensuelle aux habitants.",
        "communication",
    ),
    (
        "67482",
        "Inscriptions à la cantine en ligne",
        "Paiement et réservation des repas.",
        "education",
    ),
]


@pytest.fixture
def editions(tmp_path: Path, settings) -> InitiativesFolder:
    """An editions folder with one edition holding an imported initiatives corpus."""
    settings.BAROMETRE_EDITIONS_DIR = str(tmp_path)
    folder = InitiativesFolder.of_edition(tmp_path / SLUG)
    corpus = pl.DataFrame(
        {
            "id": [f"ini-{i:03d}" for i in range(1, len(INITIATIVES) + 1)],
            "code": [r[0] for r in INITIATIVES],
            "title": [r[1] for r in INITIATIVES],
            "description": [r[2] for r in INITIATIVES],
            "year": [2026] * len(INITIATIVES),
            "domain": [r[3] for r in INITIATIVES],
        },
        schema_overrides={"year": pl.Int32, "domain": pl.String},
    )
    write_corpus(corpus, folder.corpus_file)
    (tmp_path / "sans-corpus").mkdir()
    return folder


@pytest.fixture
def operator(django_user_model):
    """Factory: a client logged in as an operator with the given role."""

    def make(role: str, **client_options) -> Client:
        user = django_user_model.objects.create_user(f"{role}-ini", password="x")
        Account.objects.create(user=user, role=role)
        client = Client(**client_options)
        client.force_login(user)
        return client

    return make


def queue_url(**query) -> str:
    """URL of the test edition's queue."""
    url = reverse("initiatives_review:queue", args=[SLUG])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def decisions(folder: InitiativesFolder, chosen: dict[str, str], size: int = 20) -> dict:
    """POST data of the decisions formset for the current queue (others left pending)."""
    queue = review_queue(classify_corpus(folder.corpus(), folder.classifier()), size)
    ids = queue.get_column("id").to_list()
    data = {
        "revue-TOTAL_FORMS": str(len(ids)),
        "revue-INITIAL_FORMS": str(len(ids)),
        "revue-MIN_NUM_FORMS": "0",
        "revue-MAX_NUM_FORMS": "200",
    }
    for i, initiative in enumerate(ids):
        data[f"revue-{i}-initiative"] = initiative
        data[f"revue-{i}-domaine"] = chosen.get(initiative, "")
    return data


def test_anonymous_is_sent_to_login_and_index_lists_editions_with_a_corpus(
    client, editions, operator
):
    response = client.get(queue_url())
    assert response.status_code == 302 and reverse("operator:login") in response["Location"]
    page = operator("reader").get(reverse("initiatives_review:index")).content.decode()
    assert SLUG in page and "sans-corpus" not in page
    assert (
        operator("analyst").get(reverse("initiatives_review:queue", args=["x"])).status_code == 404
    )


def test_queue_shows_least_certain_unlabelled_predictions_first(editions, operator):
    page = operator("analyst").get(queue_url()).content.decode()
    expected = review_queue(classify_corpus(editions.corpus(), shipped_classifier()))
    titles = expected.get_column("title").to_list()
    assert len(titles) == 8  # the two labelled initiatives are not proposed
    positions = [page.index(f"— {escape(t)}</legend>") for t in titles]
    assert positions == sorted(positions)
    assert escape("Lettre d'information par courriel") not in page
    first = expected.row(0, named=True)
    assert f"({percent(first['probability'])})" in page
    assert 'name="revue-0-domaine"' in page and "Accès au numérique et inclusion" in page
    assert "<legend" in page and 'method="post"' in page and "csrfmiddlewaretoken" in page
    short = operator("administrator").get(queue_url(taille=3)).content.decode()
    assert short.count("</legend>") == 3


def test_reader_may_view_but_not_correct_nor_retrain(editions, operator):
    reader = operator("reader")
    page = reader.get(queue_url()).content.decode()
    assert "lecture seule" in page and "Enregistrer les décisions" not in page
    assert "Réentraîner" not in page
    first = review_queue(classify_corpus(editions.corpus(), shipped_classifier())).row(0)[0]
    data = decisions(editions, {first: "culture"})
    assert reader.post(queue_url(), data).status_code == 403
    retrain = reverse("initiatives_review:retrain", args=[SLUG])
    assert reader.post(retrain).status_code == 403
    assert not editions.corrections_file.exists() and not editions.model_file.exists()


def test_invalid_decisions_name_the_item_and_field_and_store_nothing(editions, operator):
    analyst = operator("analyst")
    queue = review_queue(classify_corpus(editions.corpus(), shipped_classifier()))
    first, second = queue.get_column("id").to_list()[:2]
    data = decisions(editions, {first: "culture", second: "sport"})
    response = analyst.post(queue_url(), data)
    page = response.content.decode()
    assert response.status_code == 422
    title = queue.row(1, named=True)["title"]
    assert re.search(
        rf"Initiative n° 2 \(« {re.escape(escape(title))} »\), champ « Domaine retenu »", page
    )
    assert 'aria-invalid="true"' in page
    assert not editions.corrections_file.exists()
    data = decisions(editions, {first: "culture"})
    data["revue-0-initiative"] = "inconnue"
    assert analyst.post(queue_url(), data).status_code == 422
    assert not editions.corrections_file.exists()


def test_posts_without_csrf_token_are_refused(editions, operator):
    strict = operator("analyst", enforce_csrf_checks=True)
    assert strict.post(queue_url(), decisions(editions, {})).status_code == 403
    assert strict.post(reverse("initiatives_review:retrain", args=[SLUG])).status_code == 403


@pytest.mark.slow
def test_correction_is_stored_then_used_by_retraining_which_reports_scores(editions, operator):
    analyst = operator("analyst")
    queue = review_queue(classify_corpus(editions.corpus(), shipped_classifier()))
    target = queue.row(0, named=True)
    chosen = "inclusion" if target["domain_predicted"] != "inclusion" else "culture"
    response = analyst.post(queue_url(), decisions(editions, {target["id"]: chosen}), follow=True)
    page = response.content.decode()
    assert "1 décision(s) enregistrée(s)" in page
    stored = read_corrections(editions.corrections_file)
    assert stored.select("id", "domaine", "auteur").rows() == [
        (target["id"], chosen, "analyst-ini")
    ]
    assert f"— {escape(target['title'])}</legend>" not in page  # no longer proposed
    assert "1 classée(s) par un analyste" in page
    assert "Dernières corrections" in page and "<td>analyst-ini</td>" in page
    assert re.search(r"<td>\d{1,2} [a-zéû]+ 20\d\d à \d\d:\d\d</td>", page)
    assert AuditLog.objects.filter(action="initiatives_correction").count() == 1

    done = analyst.post(reverse("initiatives_review:retrain", args=[SLUG]), follow=True)
    page = done.content.decode()
    model = load_classifier(editions.model_file)
    shipped = example_corpus().height
    assert model.n_examples == shipped + 2 + 1  # shipped examples, the 2 labels, the correction
    accuracy, f1 = percent(model.scores.accuracy, 1), number(model.scores.macro_f1, 3)
    assert "," in accuracy and "," in f1
    assert f"exactitude {accuracy}, F1 macro {f1}" in page
    assert f'id="exactitude">{accuracy}</dd>' in page and f'id="f1-macro">{f1}</dd>' in page
    assert 0.5 < model.scores.macro_f1 <= 1
    assert "Qualité par domaine" in page and "Accès au numérique et inclusion</th>" in page
    assert AuditLog.objects.filter(action="initiatives_retrain").count() == 1


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_review_queue_in_chromium_passes_axe_and_stores_a_decision(
    live_server, site_theme, browser_context, assert_accessible, editions, django_user_model
):
    user = django_user_model.objects.create_user("analyste", password="mot-de-passe-de-test-1")
    Account.objects.create(user=user, role="analyst")
    page = browser_context().new_page()
    page.goto(live_server.url + queue_url())
    page.get_by_label("Nom d’utilisateur").fill("analyste")
    page.get_by_label("Mot de passe").fill("mot-de-passe-de-test-1")
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_role("heading", name=f"Revue des classements — {SLUG}", level=1).wait_for()
    expect(page.get_by_role("button", name="Réentraîner")).to_be_visible()
    assert_accessible(page, f"{site_theme}-initiatives-01-file")
    page.get_by_role("group").first.get_by_label("Domaine retenu").select_option("culture")
    page.get_by_role("button", name="Enregistrer les décisions").click()
    page.get_by_text("1 décision(s) enregistrée(s).").wait_for()
    stored = read_corrections(editions.corrections_file)
    assert stored.get_column("domaine").to_list() == ["culture"]
    assert_accessible(page, f"{site_theme}-initiatives-02-enregistre")
    page.goto(live_server.url + reverse("initiatives_review:index"))
    assert_accessible(page, f"{site_theme}-initiatives-03-editions")


def test_unreadable_corpus_and_impossible_retraining_are_explained(editions, operator):
    analyst = operator("analyst")
    editions.taxonomy_file.write_text(
        "domains:\n  - {id: communication, label: Communication}\n"
        "  - {id: education, label: Éducation}\n",
        encoding="utf-8",
    )
    retrain = reverse("initiatives_review:retrain", args=[SLUG])
    page = analyst.post(retrain, follow=True).content.decode()
    assert "Réentraînement impossible : trop peu d&#x27;exemples étiquetés" in page
    assert not editions.model_file.exists()
    text = editions.corpus_file.read_text(encoding="utf-8")
    editions.corpus_file.write_text(text.replace("29019", "99999"), encoding="utf-8")
    response = analyst.get(queue_url())
    page = response.content.decode()
    assert response.status_code == 422 and "Dossier des initiatives illisible" in page
    assert "ligne 2, champ « code »" in page
