"""The respondent journey in a real Chromium: accessibility (axe-core), keyboard, autosave, no-JS."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from barometre.collection.models import Response

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def stored_answers(link) -> dict[str, str]:
    """The answers stored for the link's response (empty before the first visit)."""
    response = Response.objects.filter(invitation=link.invitation).first()
    return {} if response is None else response.answer_dict()


def wait_for_answers(link, expected: dict[str, str], timeout: float = 8.0) -> dict[str, str]:
    """Poll the database until the expected answers are stored (autosave is asynchronous)."""
    deadline = time.monotonic() + timeout
    answers = stored_answers(link)
    while time.monotonic() < deadline:
        answers = stored_answers(link)
        if all(answers.get(k) == v for k, v in expected.items()):
            break
        time.sleep(0.1)
    return answers


def tab_to(page, target: str, limit: int = 25) -> None:
    """Press Tab until the focused element has the id or the text `target` (at most `limit`)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "[document.activeElement.id, document.activeElement.textContent.trim()]"
        )
        if target in focused:
            return
    raise AssertionError(f"« {target} » n'est pas atteignable au clavier")


def test_every_respondent_page_passes_axe(
    live_server, make_link, site_theme, browser_context, assert_accessible
):
    link = make_link()
    page = browser_context().new_page()
    base = live_server.url
    page.goto(base + "/r/" + "C" * 43 + "/")
    assert_accessible(page, f"{site_theme}-00-lien-invalide")
    page.goto(base + link.path)
    assert page.url == base + "/r/accueil/"
    assert_accessible(page, f"{site_theme}-01-accueil")
    page.get_by_role("link", name="Commencer le questionnaire").click()
    assert_accessible(page, f"{site_theme}-02-theme1")
    # errors: nothing answered, then "continue"
    page.get_by_role("button", name="Enregistrer et continuer").click()
    expect(page.locator("#error-summary")).to_be_visible()
    assert_accessible(page, f"{site_theme}-03-theme1-erreurs")
    page.locator("label[for='q-inc_lieux-0']").click()
    page.get_by_role("button", name="Enregistrer").nth(1).click()
    expect(page.locator("#question-inc_types")).to_be_visible()
    assert_accessible(page, f"{site_theme}-04-theme1-question-conditionnelle")
    page.locator("label[for='q-inc_types-1']").click()
    page.get_by_role("button", name="Enregistrer et continuer").click()
    assert "/r/questionnaire/strategie/" in page.url
    assert_accessible(page, f"{site_theme}-05-theme2")
    page.fill("#q-agents_nombre", "beaucoup")
    page.get_by_role("button", name="Enregistrer et continuer").click()
    assert "Saisissez un nombre" in page.locator("#error-agents_nombre").inner_text()
    assert_accessible(page, f"{site_theme}-06-theme2-erreurs")
    page.fill("#q-agents_nombre", "25")
    page.get_by_role("button", name="Enregistrer et continuer").click()
    assert_accessible(page, f"{site_theme}-07-theme3")
    page.get_by_role("button", name="Enregistrer et relire mes réponses").click()
    assert "/r/relecture/" in page.url
    assert_accessible(page, f"{site_theme}-08-relecture")
    page.get_by_role("button", name="Transmettre mes réponses").click()
    assert "/r/accuse-de-reception/" in page.url
    assert_accessible(page, f"{site_theme}-09-accuse-reception")
    assert stored_answers(link) == {
        "inc_lieux": "oui",
        "inc_types": "tiers_lieu",
        "agents_nombre": "25",
    }


def test_review_with_missing_answers_passes_axe(
    live_server, link, site_theme, browser_context, assert_accessible
):
    page = browser_context().new_page()
    page.goto(live_server.url + link.path)
    page.goto(live_server.url + "/r/relecture/")
    page.get_by_role("button", name="Transmettre mes réponses").click()
    expect(page.locator("#error-summary[role=alert]")).to_be_visible()
    assert page.locator(".b-missing").count() == 2
    assert_accessible(page, f"{site_theme}-10-relecture-erreurs")


def test_questionnaire_can_be_filled_with_the_keyboard_alone(live_server, link, browser_context):
    page = browser_context().new_page()
    keyboard = page.keyboard
    page.goto(live_server.url + link.path)
    # the skip link is the first stop and leads to the content
    keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Aller au contenu"
    tab_to(page, "Commencer le questionnaire")
    keyboard.press("Enter")
    page.wait_for_url("**/questionnaire/inclusion/")
    tab_to(page, "q-inc_lieux-0")
    keyboard.press("Space")  # Oui
    tab_to(page, "Enregistrer")
    with page.expect_navigation():
        keyboard.press("Enter")  # "Enregistrer" re-renders the page with the follow-up question
    expect(page.locator("#question-inc_types")).to_be_visible()
    tab_to(page, "q-inc_types-0")
    keyboard.press("Space")
    keyboard.press("Tab")
    keyboard.press("Space")
    tab_to(page, "Enregistrer et continuer")
    keyboard.press("Enter")
    page.wait_for_url("**/questionnaire/strategie/")
    tab_to(page, "q-strat_maturite-0")
    keyboard.press("ArrowDown")  # moves to (and selects) the second level
    assert page.locator("#q-strat_maturite-1").is_checked()
    keyboard.press("Tab")
    keyboard.type("18")
    keyboard.press("Enter")  # submits the form with its default button: save and continue
    page.wait_for_url("**/questionnaire/commentaires/")
    tab_to(page, "q-commentaire")
    keyboard.type("Saisi au clavier.")
    keyboard.press("Tab")
    keyboard.press("Enter")
    page.wait_for_url("**/relecture/")
    tab_to(page, "Transmettre mes réponses")
    keyboard.press("Enter")
    page.wait_for_url("**/accuse-de-reception/")
    response = Response.objects.get(invitation=link.invitation)
    assert response.status == Response.Status.COMPLETE
    assert response.answer_dict() == {
        "inc_lieux": "oui",
        "inc_types": "mediatheque tiers_lieu",
        "strat_maturite": "1",
        "agents_nombre": "18",
        "commentaire": "Saisi au clavier.",
    }


def test_autosave_survives_closing_the_tab(live_server, link, browser_context):
    context = browser_context()
    page = context.new_page()
    page.goto(live_server.url + link.path)
    page.goto(live_server.url + "/r/questionnaire/strategie/")
    page.locator("label[for='q-strat_maturite-2']").click()
    page.fill("#q-agents_nombre", "77")
    page.close(run_before_unload=True)  # well before the 1 s debounce
    answers = wait_for_answers(link, {"strat_maturite": "2", "agents_nombre": "77"})
    assert answers == {"strat_maturite": "2", "agents_nombre": "77"}
    again = context.new_page()
    again.goto(live_server.url + link.path)
    again.goto(live_server.url + "/r/questionnaire/strategie/")
    assert again.locator("#q-strat_maturite-2").is_checked()
    assert again.input_value("#q-agents_nombre") == "77"


def test_autosave_after_a_pause_shows_its_status_and_applies_skip_logic(
    live_server, link, browser_context
):
    page = browser_context().new_page()
    page.goto(live_server.url + link.path)
    page.goto(live_server.url + "/r/questionnaire/inclusion/")
    expect(page.locator("#question-inc_types")).to_be_hidden()
    page.locator("label[for='q-inc_lieux-0']").click()
    page.locator("#autosave-status").get_by_text("Réponses enregistrées").wait_for()
    expect(page.locator("#question-inc_types")).to_be_visible()
    assert stored_answers(link) == {"inc_lieux": "oui"}


def test_the_essential_path_works_without_javascript(live_server, link, browser_context):
    page = browser_context(java_script_enabled=False).new_page()
    page.goto(live_server.url + link.path)
    page.get_by_role("link", name="Commencer le questionnaire").click()
    page.locator("#q-inc_lieux-1").check()
    page.get_by_role("button", name="Enregistrer et continuer").click()
    page.wait_for_url("**/questionnaire/strategie/")
    page.fill("#q-agents_nombre", "12,5")
    page.locator("#q-part_dematerialisee-nsp").check()
    page.get_by_role("button", name="Enregistrer et continuer").click()
    page.wait_for_url("**/questionnaire/commentaires/")
    page.get_by_role("button", name="Enregistrer et relire mes réponses").click()
    page.wait_for_url("**/relecture/")
    page.fill("#respondent_role", "Secrétaire de mairie")
    page.get_by_role("button", name="Transmettre mes réponses").click()
    page.wait_for_url("**/accuse-de-reception/")
    assert "Secrétaire de mairie" in page.content()
    response = Response.objects.get(invitation=link.invitation)
    assert response.status == Response.Status.COMPLETE
    assert response.answer_dict() == {
        "inc_lieux": "non",
        "agents_nombre": "12.5",
        "part_dematerialisee": "nsp",
    }


def test_concurrent_edits_in_two_browsers_show_the_conflict_message(
    live_server, link, browser_context, assert_accessible
):
    alice = browser_context().new_page()
    bob = browser_context().new_page()
    for page in (alice, bob):
        page.goto(live_server.url + link.path)
        page.goto(live_server.url + "/r/questionnaire/strategie/")
    alice.fill("#q-agents_nombre", "10")
    alice.locator("#autosave-status").get_by_text("Réponses enregistrées").wait_for()
    bob.fill("#q-agents_nombre", "20")
    alert = bob.locator("#autosave-conflict")
    alert.wait_for()
    assert "Une autre personne a modifié" in alert.inner_text()
    assert alert.get_attribute("role") == "alert"
    assert stored_answers(link)["agents_nombre"] == "10"
    assert_accessible(bob, "neutral-11-conflit-autosave")
    # without autosave (button), the page shows the other value next to the field
    bob.get_by_role("button", name="Enregistrer", exact=True).click()
    assert "Modification simultanée" in bob.content()
    assert "« 10 agents »" in bob.locator("#conflict-agents_nombre").inner_text()
    assert_accessible(bob, "neutral-12-conflit-page")
    assert stored_answers(link)["agents_nombre"] == "10"


def test_public_login_page_passes_axe(live_server, site_theme, browser_context, assert_accessible):
    from django.urls import reverse

    page = browser_context().new_page()
    page.goto(live_server.url + reverse("operator:login"))
    assert page.locator("main#contenu").count() == 1
    assert_accessible(page, f"{site_theme}-20-connexion-operateur")


def test_every_page_of_a_real_template_passes_axe(
    live_server, site_theme, browser_context, assert_accessible
):
    from datetime import timedelta

    from django.utils import timezone

    from barometre.collection.models import Campaign, Edition, Target
    from barometre.collection.services import issue_invitation
    from barometre.questionnaire.templates_catalogue import load_template, template_text

    name = "dinum-collectivites-numerique-2024"
    questionnaire = load_template(name)
    edition = Edition.objects.create(
        slug="dinum-2024",
        title=questionnaire.title,
        questionnaire_yaml=template_text(name),
        questionnaire_id=questionnaire.id,
        questionnaire_version=questionnaire.version,
        source=Edition.Source.TEMPLATE,
    )
    campaign = Campaign.objects.create(
        edition=edition,
        name="Baromètre 2024",
        status=Campaign.Status.OPEN,
        closes_at=timezone.now() + timedelta(days=5),
    )
    target = Target.objects.create(campaign=campaign, code="35238", name="Rennes", kind="commune")
    _, token = issue_invitation(target)
    page = browser_context().new_page()
    page.goto(f"{live_server.url}/r/{token}/")
    for theme in questionnaire.themes:
        page.goto(f"{live_server.url}/r/questionnaire/{theme.id}/")
        assert_accessible(page, f"{site_theme}-30-dinum-{theme.id}")
