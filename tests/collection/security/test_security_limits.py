"""Limits over real HTTP: link guessing counted in a store every worker shares and never blocking
an open session, operator login throttled without telling which accounts exist, a
Content-Security-Policy on every page."""

from __future__ import annotations

import secrets

import pytest
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from security_http import PASSWORD, Http

from barometre.collection.models import Response

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def clean_limits():
    caches["limits"].clear()
    yield
    caches["limits"].clear()


def _guess_until_refused(http: Http, limit: int) -> list[int]:
    return [http.get(f"/r/{secrets.token_urlsafe(32)}/").status_code for _ in range(limit + 1)]


def test_link_guesses_are_counted_where_every_worker_reads_them(world, settings):
    settings.BAROMETRE_TOKEN_FAILURES_LIMIT = 3
    http = Http(world.base)
    assert _guess_until_refused(http, 3) == [404, 404, 404, 429]
    # another worker process has its own memory but the same database: a fresh store sees them
    other_worker = DatabaseCache(settings.CACHES["limits"]["LOCATION"], {})
    counts = [other_worker.get(key) for key in _failure_keys()]
    assert counts == [3]


def _failure_keys() -> list[str]:
    from django.db import connection

    table = connection.ops.quote_name("barometre_limits")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT cache_key FROM {table}")
        return [row[0].split(":", 2)[-1] for row in cursor.fetchall()]


def test_an_open_session_keeps_working_while_its_address_is_locked_out(world, text_link, settings):
    settings.BAROMETRE_TOKEN_FAILURES_LIMIT = 3
    respondent = text_link  # same address (127.0.0.1) as the guesser below
    assert _guess_until_refused(Http(world.base), 3)[-1] == 429
    version = Response.objects.get(campaign__name="Textes").version
    saved = respondent.post(
        "/r/questionnaire/commentaires/autosave/",
        {"commentaire": "toujours là", "version": version, "fields": "commentaire"},
    )
    assert saved.status_code == 200, saved.status_code
    assert respondent.get("/r/questionnaire/commentaires/").status_code == 200
    assert respondent.get("/r/accueil/").status_code == 200
    # but no more link look-ups from that address until the window ends
    assert respondent.get(f"/r/{secrets.token_urlsafe(32)}/").status_code == 429


def test_operator_login_is_throttled_per_name_without_enumeration(world, settings, unchanged):
    settings.BAROMETRE_LOGIN_FAILURES_PER_NAME = 3
    http = Http(world.base)
    right = PASSWORD.format(name="national")
    for name in ("national", "personne-inconnue"):
        for _ in range(3):
            page = http.post("/operateur/connexion/", {"username": name, "password": "mauvais"})
            assert page.status_code == 200 and "Trop de tentatives" not in page.text
        refused = http.post("/operateur/connexion/", {"username": name, "password": "mauvais"})
        assert "Trop de tentatives de connexion échouées" in refused.text
    # even the right password waits for the window: the guesser cannot tell it found it
    with unchanged():
        page = http.post("/operateur/connexion/", {"username": "national", "password": right})
    assert page.status_code == 200 and "Trop de tentatives de connexion échouées" in page.text
    # another account is not locked by someone hammering « national »
    assert world.client("admin29").get("/operateur/").status_code == 200


def test_operator_login_is_throttled_per_address(world, settings):
    settings.BAROMETRE_LOGIN_FAILURES_PER_ADDRESS = 4
    http = Http(world.base)
    for i in range(4):
        http.post("/operateur/connexion/", {"username": f"essai{i}", "password": "x"})
    page = http.post(
        "/operateur/connexion/",
        {"username": "national", "password": PASSWORD.format(name="national")},
    )
    assert page.status_code == 200 and "Trop de tentatives de connexion échouées" in page.text


def test_a_successful_login_clears_the_name_counter(world, settings):
    settings.BAROMETRE_LOGIN_FAILURES_PER_NAME = 3
    http = Http(world.base)
    for _ in range(2):
        http.post("/operateur/connexion/", {"username": "national", "password": "mauvais"})
    world.client("national")
    for _ in range(2):
        http.post("/operateur/connexion/", {"username": "national", "password": "mauvais"})
    assert world.client("national").get("/operateur/").status_code == 200


@pytest.mark.parametrize(
    "path", ["/", "/operateur/connexion/", "/tableau-de-bord/", "/r/inconnu/", "/r/accueil/"]
)
def test_every_answer_carries_a_content_security_policy(world, path):
    policy = Http(world.base).get(path).headers.get("Content-Security-Policy", "")
    assert "script-src 'self'" in policy and "object-src 'none'" in policy
    assert "frame-ancestors 'none'" in policy and "unsafe-eval" not in policy
    assert "'unsafe-inline'" not in policy.split("script-src", 1)[1].split(";", 1)[0]


def _autosave(http: Http, text: str):
    version = Response.objects.get(campaign__name="Textes").version
    return http.post(
        "/r/questionnaire/commentaires/autosave/",
        {"commentaire": text, "version": version, "fields": "commentaire"},
    )


@pytest.mark.parametrize("action", ["rotate", "revoke"])
def test_rotating_or_revoking_a_link_ends_the_sessions_opened_with_it(world, text_link, action):
    from barometre.collection.models import Answer, Invitation
    from barometre.collection.services import issue_invitation

    respondent = text_link
    assert _autosave(respondent, "avant").status_code == 200  # this process remembers the state
    invitation = Invitation.objects.get(target__campaign__name="Textes")
    if action == "rotate":
        _, fresh = issue_invitation(invitation.target)  # « Régénérer » re-keys the link
    else:
        invitation.revoke()
    # first an autosave, while this process still remembers the state of the old session
    refused = _autosave(respondent, "après")
    assert refused.status_code in (403, 404), refused.status_code
    assert respondent.get("/r/questionnaire/commentaires/").status_code == 404
    assert respondent.get("/r/accueil/").status_code == 404
    stored = Answer.objects.filter(question_id="commentaire").values_list("value", flat=True)
    assert list(stored) == ["avant"]
    if action == "rotate":  # the new link opens a new session on the same answers
        newcomer = Http(world.base)
        assert newcomer.get(f"/r/{fresh}/").status_code == 302
        assert "avant" in newcomer.get("/r/questionnaire/commentaires/").text
