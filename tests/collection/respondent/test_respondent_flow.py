"""Respondent flow through Django's test client: link, skip logic, validation, conflicts, receipt."""

from __future__ import annotations

import json
import logging
import re
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from barometre.collection.models import Answer, Invitation, Response

pytestmark = pytest.mark.django_db


def opened(link) -> Client:
    """A client whose session was opened with the private link."""
    client = Client()
    response = client.get(link.path)
    assert response.status_code == 302
    return client


def page_state(client: Client, theme: str) -> tuple[int, str]:
    """The version and base JSON a page was rendered with."""
    html = client.get(f"/r/questionnaire/{theme}/").content.decode()
    version = int(re.search(r'name="version" value="(\d+)"', html).group(1))
    base = re.search(r'name="base" value="([^"]*)"', html).group(1).replace("&quot;", '"')
    return version, base


def post_page(client: Client, theme: str, data: dict, action: str = "save", state=None):
    """Post a theme page the way the browser form does (version, base, fields, action)."""
    version, base = state or page_state(client, theme)
    payload = {"version": version, "base": base, "action": action, **data}
    return client.post(f"/r/questionnaire/{theme}/", payload)


def stored(link) -> dict[str, str]:
    """The answers stored for the link's response."""
    return Response.objects.get(invitation=link.invitation).answer_dict()


def test_link_is_exchanged_for_a_session_and_a_token_free_url(link):
    client = Client()
    first = client.get(link.path)
    assert first.status_code == 302
    assert first["Location"] == "/r/accueil/"
    assert link.token not in first["Location"]
    assert first["Referrer-Policy"] == "no-referrer"
    landing = client.get(first["Location"])
    html = landing.content.decode()
    assert landing.status_code == 200
    assert "Brest" in html and "29019" in html
    assert "Confidentialité : qui voit quoi ?" in html
    assert "Date limite de réponse" in html
    assert link.token not in html
    assert Invitation.objects.get(pk=link.invitation.pk).first_opened_at is not None


def test_unknown_revoked_and_expired_links_get_the_very_same_answer(make_link):
    revoked, expired = make_link("29019"), make_link("29232", "Quimper")
    Invitation.objects.filter(pk=revoked.invitation.pk).update(revoked_at=timezone.now())
    Invitation.objects.filter(pk=expired.invitation.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    answers = []
    for path in ("/r/" + "A" * 43 + "/", revoked.path, expired.path):
        response = Client().get(path)
        answers.append((response.status_code, response.content, sorted(response.headers.items())))
    assert answers[0][0] == 404
    assert answers[0] == answers[1] == answers[2]
    assert "Lien invalide ou expiré" in answers[0][1].decode()


def test_pages_without_a_link_session_are_refused_like_a_bad_link():
    for path in ("/r/accueil/", "/r/questionnaire/inclusion/", "/r/relecture/"):
        response = Client().get(path)
        assert response.status_code == 404
        assert "Lien invalide ou expiré" in response.content.decode()


def test_a_revoked_link_ends_an_open_session(link):
    client = opened(link)
    assert client.get("/r/accueil/").status_code == 200
    Invitation.objects.filter(pk=link.invitation.pk).update(revoked_at=timezone.now())
    assert client.get("/r/accueil/").status_code == 404


class Recorder(logging.Handler):
    """Keeps every formatted record it receives."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def test_tokens_never_reach_the_logs(make_link):
    good, revoked = make_link("29019"), make_link("29232", "Quimper")
    Invitation.objects.filter(pk=revoked.invitation.pk).update(revoked_at=timezone.now())
    recorder = Recorder()
    names = ["", "django", "django.request", "django.server", "barometre"]
    loggers = [logging.getLogger(name) for name in names]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(recorder)
        logger.setLevel(logging.DEBUG)
    try:
        Client().get(good.path)
        Client().get(revoked.path)
        Client().get("/r/" + "B" * 43 + "/")
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.removeHandler(recorder)
            logger.setLevel(level)
    text = "\n".join(recorder.lines)
    assert good.token not in text
    assert revoked.token not in text
    assert "B" * 43 not in text


def test_skip_logic_is_applied_on_the_server(link):
    client = opened(link)
    html = client.get("/r/questionnaire/inclusion/").content.decode()
    assert re.search(r'id="question-inc_types"[^>]*hidden', html)
    response = post_page(client, "inclusion", {"inc_lieux": "oui"})
    assert response.status_code == 302
    html = client.get("/r/questionnaire/inclusion/").content.decode()
    assert not re.search(r'id="question-inc_types"[^>]*hidden', html)
    post_page(client, "inclusion", {"inc_lieux": "oui", "inc_types": ["mairie", "mediatheque"]})
    assert stored(link)["inc_types"] == "mediatheque mairie"
    # answering "non" makes the follow-up question not asked: its answer is cleared
    post_page(client, "inclusion", {"inc_lieux": "non", "inc_types": ["mairie"]})
    assert stored(link) == {"inc_lieux": "non"}


def test_validation_messages_are_french_and_next_to_the_field(link):
    client = opened(link)
    response = post_page(client, "strategie", {"agents_nombre": "douze"}, action="next")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Saisissez un nombre (par exemple 12 ou 12,5)." in html
    assert 'id="error-summary"' in html and 'href="#q-agents_nombre"' in html
    assert re.search(r'id="q-agents_nombre"[^>]*aria-describedby="[^"]*error-agents_nombre', html)
    assert re.search(r'id="q-agents_nombre"[^>]*aria-invalid="true"', html)
    assert "agents_nombre" not in stored(link)

    html = post_page(client, "strategie", {"agents_nombre": "0"}, action="next").content.decode()
    assert "Le nombre d&#x27;agents doit être compris entre 1 et 100 000." in html
    assert "agents_nombre" not in stored(link)

    html = post_page(
        client, "strategie", {"agents_nombre": "12", "part_dematerialisee": "140"}, action="next"
    ).content.decode()
    assert "Saisissez un pourcentage compris entre 0 et 100." in html
    assert stored(link)["agents_nombre"] == "12"

    response = post_page(
        client, "strategie", {"agents_nombre": "12,50", "part_dematerialisee": "nsp"}, "next"
    )
    assert response.status_code == 302 and response["Location"] == "/r/questionnaire/commentaires/"
    assert stored(link)["agents_nombre"] == "12.5"
    assert stored(link)["part_dematerialisee"] == "nsp"


def test_required_answers_block_next_but_not_save(link):
    client = opened(link)
    saved = post_page(client, "inclusion", {}, action="save")
    assert saved.status_code == 302
    blocked = post_page(client, "inclusion", {}, action="next")
    assert blocked.status_code == 200
    assert "Cette question est obligatoire : choisissez une réponse." in blocked.content.decode()
    too_many = post_page(
        client,
        "inclusion",
        {"inc_lieux": "oui", "inc_types": ["mairie", "mediatheque", "tiers_lieu"]},
        action="next",
    )
    assert "Choisissez au plus 2 réponses." in too_many.content.decode()
    assert "inc_types" not in stored(link)


def test_a_concurrent_edit_of_the_same_answer_is_never_overwritten_silently(link):
    alice, bob = opened(link), opened(link)
    bob_state = page_state(bob, "inclusion")
    assert post_page(alice, "inclusion", {"inc_lieux": "oui"}).status_code == 302
    conflict = post_page(bob, "inclusion", {"inc_lieux": "non"}, state=bob_state)
    html = conflict.content.decode()
    assert conflict.status_code == 409
    assert "Modification simultanée" in html
    assert "Valeur enregistrée entre-temps par une autre personne : « Oui »" in html
    assert stored(link)["inc_lieux"] == "oui"
    # Bob has seen the other value; saving again from the conflict page keeps his choice
    version = int(re.search(r'name="version" value="(\d+)"', html).group(1))
    base = re.search(r'name="base" value="([^"]*)"', html).group(1).replace("&quot;", '"')
    again = post_page(bob, "inclusion", {"inc_lieux": "non"}, state=(version, base))
    assert again.status_code == 302
    assert stored(link)["inc_lieux"] == "non"


def test_concurrent_edits_of_different_answers_are_merged(link):
    alice, bob = opened(link), opened(link)
    bob_state = page_state(bob, "strategie")
    post_page(alice, "inclusion", {"inc_lieux": "oui"})
    merged = post_page(bob, "strategie", {"agents_nombre": "30"}, state=bob_state)
    assert merged.status_code == 302
    assert stored(link) == {"inc_lieux": "oui", "agents_nombre": "30"}
    authors = dict(Answer.objects.values_list("question_id", "updated_by"))
    assert authors["inc_lieux"] != authors["agents_nombre"]
    assert all(author.startswith("répondant ") for author in authors.values())


def test_autosave_returns_the_new_version_relevance_and_conflicts(link):
    client, other = opened(link), opened(link)
    version, _ = page_state(client, "inclusion")
    url = "/r/questionnaire/inclusion/autosave/"
    data = {"version": version, "fields": "inc_lieux", "base": json.dumps({"inc_lieux": ""})}
    first = client.post(url, {**data, "inc_lieux": "oui"})
    body = first.json()
    assert first.status_code == 200 and body["status"] == "saved"
    assert body["version"] == version + 1
    assert set(body["relevant"]) == {"inc_lieux", "inc_types"}
    assert stored(link)["inc_lieux"] == "oui"
    # another person still holding the old version and base changes the same answer: 409
    clash = other.post(url, {**data, "inc_lieux": "non"})
    assert clash.status_code == 409 and clash.json()["status"] == "conflict"
    assert "Rechargez la page" in clash.json()["message"]
    assert stored(link)["inc_lieux"] == "oui"


def test_csrf_is_enforced_on_respondent_posts(link):
    client = Client(enforce_csrf_checks=True)
    client.get(link.path)
    assert client.post("/r/questionnaire/inclusion/", {"inc_lieux": "oui"}).status_code == 403
    assert client.post("/r/questionnaire/inclusion/autosave/", {"version": 0}).status_code == 403


def fill_everything(client: Client) -> None:
    """Answer every required question of the test questionnaire."""
    assert (
        post_page(
            client, "inclusion", {"inc_lieux": "oui", "inc_types": ["tiers_lieu"]}, "next"
        ).status_code
        == 302
    )
    assert (
        post_page(
            client, "strategie", {"strat_maturite": "1", "agents_nombre": "42"}, "next"
        ).status_code
        == 302
    )
    assert (
        post_page(client, "commentaires", {"commentaire": "Très bien."}, "next").status_code == 302
    )


def test_review_highlights_missing_answers_and_blocks_submission(link):
    client = opened(link)
    html = client.get("/r/relecture/").content.decode()
    assert "2 réponses obligatoires manquent" in html
    assert 'href="/r/questionnaire/inclusion/#q-inc_lieux-0"' in html
    refused = client.post("/r/relecture/", {"version": 0})
    assert refused.status_code == 400
    assert Response.objects.get(invitation=link.invitation).status != Response.Status.COMPLETE


def test_submit_receipt_pdf_and_reopen(link, tmp_path: Path):
    client = opened(link)
    fill_everything(client)
    review = client.get("/r/relecture/").content.decode()
    assert "Toutes les réponses obligatoires sont renseignées" in review
    version = Response.objects.get(invitation=link.invitation).version
    done = client.post("/r/relecture/", {"version": version, "respondent_role": "DGS"})
    assert done.status_code == 302 and done["Location"] == "/r/accuse-de-reception/"
    response = Response.objects.get(invitation=link.invitation)
    assert response.status == Response.Status.COMPLETE and response.respondent_role == "DGS"
    receipt = client.get("/r/accuse-de-reception/").content.decode()
    assert "Tiers-lieu" in receipt and "42 agents" in receipt and "Réflexion engagée" in receipt
    # a submitted response can no longer be changed through the pages
    assert client.get("/r/questionnaire/inclusion/")["Location"] == "/r/accuse-de-reception/"
    pdf = client.get("/r/accuse-de-reception.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    path = tmp_path / "accuse.pdf"
    path.write_bytes(pdf.content)
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Brest" in text and "Tiers-lieu" in text and "Très bien." in text
    # the operator allows reopening until the close date
    reopened = client.post("/r/rouvrir/", {"version": response.version})
    assert reopened.status_code == 302
    assert Response.objects.get(invitation=link.invitation).status == Response.Status.PARTIAL
    assert client.get("/r/questionnaire/inclusion/").status_code == 200


def test_reopen_is_refused_when_the_operator_does_not_allow_it(link):
    link.campaign.allow_reopen = False
    link.campaign.save()
    client = opened(link)
    fill_everything(client)
    version = Response.objects.get(invitation=link.invitation).version
    client.post("/r/relecture/", {"version": version})
    receipt = client.get("/r/accuse-de-reception/").content.decode()
    assert "Modifier mes réponses" not in receipt
    client.post("/r/rouvrir/", {"version": version + 1})
    assert Response.objects.get(invitation=link.invitation).status == Response.Status.COMPLETE
    assert Answer.objects.filter(response__invitation=link.invitation).count() == 5


def test_after_a_merge_an_unseen_change_is_still_protected(link):
    alice, bob = opened(link), opened(link)
    url = "/r/questionnaire/strategie/autosave/"
    version, _ = page_state(bob, "strategie")
    saved = alice.post(
        url,
        {"version": version, "fields": "agents_nombre", "base": "{}", "agents_nombre": "10"},
    )
    assert saved.status_code == 200
    # Bob edits another question: merged, and he gets the newest version number
    merged = bob.post(
        url,
        {
            "version": version,
            "fields": "part_dematerialisee",
            "base": json.dumps({"part_dematerialisee": ""}),
            "part_dematerialisee": "50",
        },
    )
    assert merged.status_code == 200
    assert merged.json()["base"] == {"part_dematerialisee": "50"}
    # ... but that version does not let him overwrite Alice's answer, which he never saw
    clash = bob.post(
        url,
        {
            "version": merged.json()["version"],
            "fields": "agents_nombre",
            "base": json.dumps({"agents_nombre": ""}),
            "agents_nombre": "20",
        },
    )
    assert clash.status_code == 409
    assert stored(link) == {"agents_nombre": "10", "part_dematerialisee": "50"}


def test_only_themes_of_open_waves_are_offered(link):
    from barometre.collection.models import Wave

    now = timezone.now()
    Wave.objects.create(
        campaign=link.campaign,
        code="vague1",
        label="Vague 1",
        themes=["inclusion", "commentaires"],
        opens_at=now - timedelta(days=1),
    )
    Wave.objects.create(
        campaign=link.campaign,
        code="vague2",
        label="Vague 2",
        themes=["strategie"],
        opens_at=now + timedelta(days=10),
    )
    client = opened(link)
    html = client.get("/r/questionnaire/inclusion/").content.decode()
    assert "Thème 1 sur 2" in html
    assert "/r/questionnaire/strategie/" not in html
    assert client.get("/r/questionnaire/strategie/")["Location"] == "/r/accueil/"
    # the required question of the closed wave does not block the submission of the open ones
    post_page(client, "inclusion", {"inc_lieux": "non"}, "next")
    version = Response.objects.get(invitation=link.invitation).version
    assert client.post("/r/relecture/", {"version": version}).status_code == 302


def test_landing_resumes_at_the_first_theme_with_a_missing_answer(link):
    client = opened(link)
    assert (
        'href="/r/questionnaire/inclusion/">Commencer' in client.get("/r/accueil/").content.decode()
    )
    post_page(client, "inclusion", {"inc_lieux": "non"})
    html = client.get("/r/accueil/").content.decode()
    assert 'href="/r/questionnaire/strategie/">Reprendre le questionnaire' in html
    assert "1 réponse déjà enregistrée" in html


def test_guessing_links_is_rate_limited(link, settings):
    settings.BAROMETRE_TOKEN_FAILURES_LIMIT = 3
    client = Client()
    codes = [client.get(f"/r/{'D' * 42}{i}/").status_code for i in range(5)]
    assert codes == [404, 404, 404, 429, 429]
    # the limit also stops a valid link from that address until the window ends
    assert client.get(link.path).status_code == 429
    assert Client(REMOTE_ADDR="10.0.0.2").get(link.path).status_code == 302


def test_navigation_marks_the_themes_answered_in_full(link):
    client = opened(link)

    def done_themes() -> list[str]:
        html = client.get("/r/questionnaire/strategie/").content.decode()
        nav = html.split('id="navigation"', 1)[1].split("</nav>", 1)[0]
        return re.findall(r">([^<>]+)<span class=\"b-theme-done\"", nav)

    assert done_themes() == []
    post_page(client, "inclusion", {"inc_lieux": "oui"})  # inc_types still required
    assert done_themes() == []
    post_page(client, "inclusion", {"inc_lieux": "non"})  # the follow-up is no longer asked
    assert done_themes() == ["Inclusion numérique"]
    html = client.get("/r/questionnaire/strategie/").content.decode()
    assert "(thème complet)" in html
