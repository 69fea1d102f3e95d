"""Every operator page of a national campaign (≈ 36 000 targets) in a real Chromium, both themes.

The campaign is built once for the module (`national_campaign.py`) and served by one live server
thread for the module's tests. For each page: HTTP 200 and no failed request (favicon included),
axe-core WCAG 2.1 AA with 0 violations, no internal code in the visible text, no horizontal
scrolling of the page at 390 px, screenshots at 1280 and 390 px in `tests/artifacts/`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.urls import reverse
from national_campaign import PASSWORD, NationalCampaign, build_national_campaign

pytestmark = [pytest.mark.browser]
WIDTHS = (1280, 390)
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
AXE_RULES = {"runOnly": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}
DSFR_APPS = ["widget_tweaks", "dsfr"]
# what a reader must never see: register and status codes, audit action names, object reprs,
# Python values, unformatted large numbers (codes of collectivités come in parentheses)
INTERNAL_CODES = re.compile(
    r"\b(?:epci_(?:CC|CA|CU|METRO|MET69)|com|departement|region|kind_size|kind_detail|"
    r"size_class|draft|partial|complete|open|closed|analyst|reader|administrator|"
    r"non_ouvert|sans_lien|revoque|targets_added|links_issued|link_revoked|invitations_sent|"
    r"reminders_sent|contacts_imported|login|logout|login_failed|campaign_\w+|account_\w+|"
    r"edition_created|wave_changed|Campaign|Invitation|ImportBatch|None|True|False|nan|null|"
    r"vague[12]|cybersecurite|services_en_ligne|dinum-[\w-]+)\b"
    r"|\{'|'\}|\[\]|(?<![\d(\w])\d{5,}(?![\d)])"
)


@dataclass
class Site:
    """The live server and the national campaign it serves."""

    url: str
    national: NationalCampaign


@pytest.fixture(scope="module")
def site(django_db_setup, django_db_blocker) -> Iterator[Site]:
    """Build the national campaign once, serve it from a live server thread for the module."""
    from django.core.management import call_command
    from pytest_django.live_server_helper import LiveServer

    with django_db_blocker.unblock():
        national = build_national_campaign()
        server = LiveServer("localhost")
        server._live_server_modified_settings.enable()
        try:
            yield Site(server.url, national)
        finally:
            server._live_server_modified_settings.disable()
            server.stop()
            call_command("flush", interactive=False, verbosity=0)
            end_server_sessions()


def end_server_sessions() -> None:
    """End the PostgreSQL sessions the server's request threads may still hold.

    Request threads (daemon threads) close their connection when the browser closes the socket,
    which can come after the server stops; and this thread's own connection is closed too:
    otherwise the test database could not be dropped at the end of the session.
    """
    from django.db import connection, connections

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
    connections.close_all()


@pytest.fixture
def db_open(django_db_blocker) -> Iterator[None]:
    """Let the live server thread reach the database during a test.

    The browser tests take no `db` fixture: its transaction would hold SQLite's write lock
    (`BEGIN IMMEDIATE`) and block the server; `transactional_db` would empty the database after
    the first test.
    """
    with django_db_blocker.unblock():
        yield


def use_theme(settings, name: str) -> None:
    """Switch the whole site to a theme, as the `site_theme` fixture does."""
    settings.BAROMETRE_THEME = name
    apps = [app for app in settings.INSTALLED_APPS if app not in DSFR_APPS]
    settings.INSTALLED_APPS = apps + DSFR_APPS if name == "dsfr" else apps


def operator_pages(site: Site) -> list[tuple[str, str]]:
    """(name, path) of every operator page, with the filtered and paginated variants."""
    pk = site.national.campaign.pk
    account = site.national.analyst.account.pk
    return [
        ("campagnes", reverse("operator:home")),
        ("campagne", reverse("operator:campaign", args=[pk])),
        ("cibles", reverse("operator:targets", args=[pk])),
        ("invitations", reverse("operator:invitations", args=[pk])),
        (
            "invitations-partielles",
            reverse("operator:invitations", args=[pk]) + "?statut=partielle",
        ),
        ("invitations-recherche", reverse("operator:invitations", args=[pk]) + "?q=saint&page=3"),
        ("suivi", reverse("operator:monitoring", args=[pk])),
        ("suivi-departements", reverse("operator:monitoring", args=[pk]) + "?strate=departement"),
        ("import", reverse("operator:import", args=[pk])),
        ("comptes", reverse("operator:accounts")),
        ("compte", reverse("operator:account_edit", args=[account])),
        ("journal", reverse("operator:audit")),
        ("journal-filtre", reverse("operator:audit") + "?action=import"),
        ("nouvelle-campagne", reverse("operator:campaign_new")),
        ("nouvelle-edition", reverse("operator:edition_new")),
    ]


def screenshot(page, name: str) -> None:
    """A full-page screenshot in tests/artifacts/ (git-ignored), to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def log_in(context, site: Site):
    """A page of `context`, logged in through the form as the national administrator."""
    page = context.new_page()
    page.goto(site.url + reverse("operator:login"))
    page.get_by_label("Nom d’utilisateur").fill(site.national.admin.username)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_role("heading", name="Campagnes", level=1).wait_for()
    return page


def visible_codes(page) -> list[str]:
    """Internal codes found in the text the page shows."""
    text = page.locator("body").inner_text().replace("\u202f", " ")
    return sorted({m.group(0) for m in INTERNAL_CODES.finditer(text)})


def test_the_national_campaign_is_the_whole_register_with_coherent_counts(site, db) -> None:
    """Also what makes pytest-django create the test database for this module."""
    from barometre.collection.models import Response, Target
    from barometre.collection.monitoring import response_rates, status_counts
    from barometre.register import load_register

    campaign = site.national.campaign
    assert Target.objects.filter(campaign=campaign).count() == load_register().entities.height
    overall = response_rates(status_counts(campaign)).row(0, named=True)
    answered = Response.objects.filter(campaign=campaign).exclude(status="draft")
    assert (
        overall["completes"] + overall["partielles"] == answered.values("code").distinct().count()
    )


def test_every_operator_page_of_a_national_campaign(
    site, db_open, settings, chromium_browser, axe
) -> None:
    assert site.national.target_count > 36_000
    failures: list[str] = []
    for theme in ("neutral", "dsfr"):
        use_theme(settings, theme)
        for width in WIDTHS:
            context = chromium_browser.new_context(
                locale="fr-FR", viewport={"width": width, "height": 900}
            )
            context.set_default_timeout(30_000)
            failed: list[str] = []
            context.on(
                "response",
                lambda r, failed=failed: (
                    failed.append(f"{r.status} {r.url}") if r.status >= 400 else None
                ),
            )
            page = log_in(context, site)
            for name, path in operator_pages(site):
                response = page.goto(site.url + path)
                assert response is not None and response.status == 200, (theme, path)
                label = f"{theme}-national-{name}-{width}"
                screenshot(page, label)
                codes = visible_codes(page)
                if codes:
                    failures.append(f"{label}: codes internes visibles {codes}")
                if width == 390:
                    scroll = page.evaluate("document.documentElement.scrollWidth")
                    if scroll > width + 1:
                        failures.append(f"{label}: la page défile en largeur ({scroll} px)")
                else:
                    results = axe.run(page, options=AXE_RULES)
                    if results.violations_count:
                        failures.append(f"{label}:\n{results.generate_report()}")
            context.close()
            if failed:
                failures.append(f"{theme} {width}: requêtes en échec {failed}")
    assert not failures, "\n".join(failures)


def test_suivi_chart_summary_and_data_table_agree(site, db_open, settings, chromium_browser):
    use_theme(settings, "neutral")
    context = chromium_browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    page = log_in(context, site)
    page.goto(site.url + reverse("operator:monitoring", args=[site.national.campaign.pk]))
    chart = page.get_by_role("img", name=re.compile("collectivités ont commencé à répondre"))
    assert chart.count() == 1 and chart.is_visible()
    summary = page.locator("#courbe-resume").inner_text().replace("\u202f", " ")
    page.get_by_text("Données de la courbe, jour par jour").click()
    last = page.locator("details.op-details tbody tr").last.locator("td").all_inner_texts()
    started, complete = (n.replace("\u202f", " ") for n in last[2:4])
    assert f"{started} collectivités ont commencé" in summary
    assert f"{complete} réponses complètes" in summary
    figures = page.locator(".op-figures").inner_text().replace("\u202f", " ")
    assert complete in figures
    assert "datées d'avant l'ouverture de la campagne" in page.locator("main").inner_text()
    context.close()
