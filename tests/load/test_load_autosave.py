"""The lean autosave path: signed-cookie respondent sessions, version checks, locks, the bench."""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import polars as pl
import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from barometre.collection.models import Answer, Response

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "bench" / "load" / "run_load.py"

pytestmark = pytest.mark.django_db


def _bench_module():
    """The load benchmark script, imported as a module (for its questionnaire plan)."""
    if "load_bench_run_load" in sys.modules:
        return sys.modules["load_bench_run_load"]
    spec = importlib.util.spec_from_file_location("load_bench_run_load", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def plan():
    """(theme, question, values) of every always-asked question of the DINUM template."""
    bench = _bench_module()
    return bench.questionnaire_plan(bench.TEMPLATE)


@pytest.fixture
def link():
    """An open campaign of the DINUM template with two communes; the first one's private link."""
    from barometre.collection.campaigns import create_campaign, open_campaign
    from barometre.collection.editions import edition_from_template
    from barometre.collection.models import Target
    from barometre.collection.services import issue_invitation
    from barometre.collection.targets import add_targets, register_frame

    edition = edition_from_template(_bench_module().TEMPLATE)
    campaign = create_campaign(
        edition, "charge", closes_at=timezone.now() + timedelta(days=1), with_waves=False
    )
    open_campaign(campaign)
    add_targets(campaign, register_frame().filter(pl.col("kind") == "commune").head(2))
    target = Target.objects.filter(campaign=campaign).order_by("code").first()
    invitation, token = issue_invitation(target)
    return invitation, token


def opened(token: str, plan) -> tuple[Client, str]:
    """A CSRF-enforcing client with the link opened and the CSRF token of a page."""
    client = Client(enforce_csrf_checks=True)
    assert client.get(f"/r/{token}/").status_code == 302
    page = client.get(f"/r/questionnaire/{plan[0][0]}/").content.decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    return client, csrf


def autosave(client: Client, csrf: str, item, value: str, version: int, base: str = ""):
    """One autosave of one question, as the page script posts it."""
    theme, qid, _ = item
    return client.post(
        f"/r/questionnaire/{theme}/autosave/",
        {
            "csrfmiddlewaretoken": csrf,
            "version": str(version),
            "fields": qid,
            qid: value,
            "base": json.dumps({qid: base}),
        },
    )


def test_respondent_session_is_a_signed_cookie_scoped_to_respondent_pages(link, plan):
    _, token = link
    client, _ = opened(token, plan)
    cookie = client.cookies["barometre_repondant"]
    assert cookie["path"] == "/r/"
    assert cookie["httponly"]
    assert Session.objects.count() == 0
    assert token not in cookie.value
    # a forged or altered cookie is no session at all
    client.cookies["barometre_repondant"] = cookie.value[:-3] + "abc"
    assert client.get("/r/accueil/").status_code == 404


def test_autosave_stores_each_answer_once_and_bumps_the_version(link, plan):
    invitation, token = link
    client, csrf = opened(token, plan)
    item = next(p for p in plan if len(p[2]) > 1)
    first, second = item[2][0], item[2][1]
    saved = autosave(client, csrf, item, first, 0)
    assert saved.status_code == 200, saved.content
    assert saved.json()["status"] == "saved" and saved.json()["version"] == 1
    again = autosave(client, csrf, item, second, 1, base=first)
    assert again.json()["version"] == 2
    rows = Answer.objects.filter(response__invitation=invitation, question_id=item[1])
    assert list(rows.values_list("value", flat=True)) == [second]
    response = Response.objects.get(invitation=invitation)
    assert (response.version, response.status) == (2, Response.Status.PARTIAL)
    assert item[1] in saved.json()["relevant"]


def test_autosave_never_overwrites_another_persons_edit(link, plan):
    invitation, token = link
    alice, alice_csrf = opened(token, plan)
    bob, bob_csrf = opened(token, plan)
    item = next(p for p in plan if len(p[2]) > 1)
    assert autosave(alice, alice_csrf, item, item[2][0], 0).status_code == 200
    clash = autosave(bob, bob_csrf, item, item[2][1], 0)
    assert clash.status_code == 409
    assert clash.json()["questions"] == [item[1]]
    stored = Response.objects.get(invitation=invitation).answer_dict()
    assert stored[item[1]] == item[2][0]
    # a stale version on another question merges instead (three-way check)
    other = next(p for p in plan if p[1] != item[1])
    merged = autosave(bob, bob_csrf, other, other[2][0], 0)
    assert merged.status_code == 200 and merged.json()["version"] == 2


def test_autosave_is_refused_without_csrf_after_revocation_and_after_submission(link, plan):
    invitation, token = link
    client, csrf = opened(token, plan)
    item = plan[0]
    no_csrf = client.post(
        f"/r/questionnaire/{item[0]}/autosave/", {"version": "0", "fields": item[1]}
    )
    assert no_csrf.status_code == 403
    Response.objects.filter(invitation=invitation).update(status=Response.Status.COMPLETE)
    assert autosave(client, csrf, item, item[2][0], 0).status_code == 423
    invitation.revoke()
    assert autosave(client, csrf, item, item[2][0], 0).status_code == 404
    assert not Answer.objects.filter(response__invitation=invitation).exists()


@pytest.mark.django_db(transaction=True)
def test_load_bench_loses_and_duplicates_nothing_under_granian(tmp_path):
    run = subprocess.run(
        [
            sys.executable,
            str(BENCH),
            "--db",
            "sqlite",
            "--respondents",
            "4",
            "--saves",
            "30",
            "--concurrency",
            "4",
            "--time-limit",
            "60",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    report = json.loads(run.stdout.strip().splitlines()[-1])
    assert report["server"] == "granian"
    assert report["autosaves"] == 4 * 30
    assert report["client_errors"] == 0
    assert report["submitted"] == report["complete"] == 4
    assert report["lost"] == report["duplicated"] == report["wrong"] == 0
    assert report["bad_versions"] == 0


def test_clearing_an_answer_deletes_it_and_a_stale_save_writes_nothing(link, plan):
    from barometre.collection.services import StaleVersion, save_answers

    invitation, token = link
    client, csrf = opened(token, plan)
    item = next(p for p in plan if len(p[2]) > 1)
    other = next(p for p in plan if p[1] != item[1])
    assert autosave(client, csrf, item, item[2][0], 0).json()["version"] == 1
    cleared = autosave(client, csrf, item, "", 1, base=item[2][0])
    assert cleared.status_code == 200 and cleared.json()["version"] == 2
    assert cleared.json()["base"] == {item[1]: ""}
    response = Response.objects.get(invitation=invitation)
    assert not Answer.objects.filter(response=response, question_id=item[1]).exists()
    with pytest.raises(StaleVersion) as stale:
        save_answers(response, {other[1]: other[2][0], item[1]: None}, 1)
    assert stale.value.current_version == 2
    assert not Answer.objects.filter(response=response).exists()
    assert save_answers(response, {other[1]: other[2][0]}, 2) == 3
    assert Response.objects.get(pk=response.pk).version == 3
