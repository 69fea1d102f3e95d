"""Operator pages in a real Chromium: login through the form, then axe (WCAG 2.1 AA) on each page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from barometre.collection.models import Account
from barometre.collection.services import issue_invitation, response_for, save_answers

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_operator_pages_pass_axe_after_logging_in(
    live_server,
    site_theme,
    browser_context,
    assert_accessible,
    campaign,
    make_target,
    django_user_model,
):
    user = django_user_model.objects.create_user("opsn", password="mot-de-passe-de-test-1")
    Account.objects.create(user=user, role="administrator", scope_departements=["29"])
    invitation, _ = issue_invitation(make_target(campaign, "29019", name="Brest"))
    make_target(campaign, "75056", name="Paris", departement="75")
    save_answers(response_for(invitation), {"inc_lieux": "oui"}, 0)
    page = browser_context().new_page()
    page.goto(live_server.url + reverse("operator:home"))
    page.get_by_label("Nom d’utilisateur").fill("opsn")
    page.get_by_label("Mot de passe").fill("mot-de-passe-de-test-1")
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_role("heading", name="Campagnes", level=1).wait_for()
    assert_accessible(page, f"{site_theme}-op-01-campagnes")
    page.get_by_role("link", name=campaign.name).click()
    assert_accessible(page, f"{site_theme}-op-02-campagne")
    page.get_by_role("link", name="Invitations").click()
    body = page.locator("main").inner_text()
    assert "Brest" in body and "Paris" not in body  # territorial scope
    assert_accessible(page, f"{site_theme}-op-03-invitations")
    page.get_by_role("link", name="Suivi").click()
    assert "Partielle" in page.locator("main").inner_text() or "1" in body
    assert_accessible(page, f"{site_theme}-op-04-suivi")
    page.goto(live_server.url + reverse("operator:import", args=[campaign.pk]))
    assert_accessible(page, f"{site_theme}-op-05-import")
    page.locator("#id_source").select_option("mapped")
    page.locator("#id_file").set_input_files(
        files=[
            {
                "name": "reponses.csv",
                "mimeType": "text/csv",
                "buffer": b"code,inc_lieux,agents_nombre\n29019,oui,-5\n75056,non,3\n29019,non,2\n",
            }
        ]
    )
    page.locator("#id_mapping").fill(
        "code = code\ninc_lieux = inc_lieux\nagents_nombre = agents_nombre"
    )
    page.get_by_role("button", name="Importer").click()
    page.get_by_role("heading", name="Import refusé", exact=False).wait_for()
    report = page.locator("main").inner_text()
    assert "hors de votre périmètre" in report and "déjà présente ligne 2" in report
    assert "Le nombre d'agents doit être compris entre 0 et 100 000." in report
    assert_accessible(page, f"{site_theme}-op-06-import-refuse")
    page.set_viewport_size({"width": 390, "height": 844})
    assert_accessible(page, f"{site_theme}-op-06-import-refuse-390")


def test_import_page_with_out_of_frame_respondents(
    live_server,
    site_theme,
    browser_context,
    assert_accessible,
    campaign,
    make_target,
    django_user_model,
):
    django_user_model.objects.create_user("national", password="mot-de-passe-de-test-2")
    Account.objects.create(
        user=django_user_model.objects.get(username="national"), role="administrator"
    )
    make_target(campaign, "29019", name="Brest")
    page = browser_context().new_page()
    page.goto(live_server.url + reverse("operator:import", args=[campaign.pk]))
    page.get_by_label("Nom d’utilisateur").fill("national")
    page.get_by_label("Mot de passe").fill("mot-de-passe-de-test-2")
    page.get_by_role("button", name="Se connecter").click()
    page.locator("#id_source").select_option("mapped")
    page.locator("#id_file").set_input_files(
        files=[
            {
                "name": "reponses.csv",
                "mimeType": "text/csv",
                "buffer": "code;nom;inc_lieux\n212 900 195;Ville de Brest;Oui\n"
                "282 900 018;SDIS du Finistère;Non\n".encode(),
            }
        ]
    )
    page.locator("#id_mapping").fill("code = code\nnom = nom\ninc_lieux = inc_lieux")
    page.locator("label[for=id_out_of_frame]").click()  # DSFR: the label covers the box
    page.get_by_role("button", name="Importer").click()
    page.get_by_role("heading", name="Import enregistré").wait_for()
    body = page.locator("main").inner_text()
    assert "SIREN converti en code du registre" in body
    assert "Répondants hors base de sondage (1)" in body and "SDIS du Finistère" in body
    assert_accessible(page, f"{site_theme}-op-07-import-hors-base")
    page.set_viewport_size({"width": 390, "height": 844})
    assert_accessible(page, f"{site_theme}-op-07-import-hors-base-390")
