"""Public dashboard: the saved report tables as Django pages, filters, CSV downloads, private links."""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import polars as pl
import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(dinum_report, settings) -> str:
    """The DINUM demo report published in the dashboard's reports folder."""
    settings.BAROMETRE_REPORTS_DIR = str(dinum_report.site.parent)
    return dinum_report.site.name


def test_overview_shows_the_report_front_page_rates_and_downloads(client, published) -> None:
    listing = client.get(reverse("dashboard:editions"))
    assert listing.status_code == 200 and published in listing.content.decode()
    page = client.get(reverse("dashboard:overview", args=[published])).content.decode()
    assert "des collectivités disposent de lieux de médiation numérique." in page
    assert page.count('class="ranking"') >= 3 and "#1" in page  # the same infographic
    assert reverse("dashboard:stylesheet") in page
    assert "Taux de réponse par strate" in page and "Bretagne" in page
    for label in ("Toutes les estimations", "Chiffres clés", "Taux de réponse par strate"):
        assert label in page
    assert "télécharger le tableau en CSV" in page
    assert reverse("dashboard:theme", args=[published, "inclusion"]) in page
    css = client.get(reverse("dashboard:stylesheet"))
    assert css["Content-Type"].startswith("text/css") and b".bar-row" in css.content


def test_home_is_public_and_lists_the_published_editions(client, published) -> None:
    home = client.get("/")
    assert home.status_code == 200  # no redirection to the operator login
    text = home.content.decode()
    assert reverse("dashboard:overview", args=[published]) in text
    assert "Éditions publiées" in text and reverse("operator:home") in text


def test_the_served_demo_folder_is_published_under_its_name(
    client, dinum_report, editions, settings, tmp_path
):
    demo = tmp_path / "ma-demo"  # an edition folder with its report in `rapport/`, as `demo`
    shutil.copytree(editions["dinum-collectivites-numerique-2024"], demo)
    shutil.copytree(dinum_report.site, demo / "rapport")
    settings.BAROMETRE_REPORTS_DIR = str(demo)
    page = client.get(reverse("dashboard:editions")).content.decode()
    assert reverse("dashboard:overview", args=[demo.name]) in page
    assert len(re.findall(r'href="/tableau-de-bord/[^"/]+/"', page)) == 1  # not also `rapport`
    assert client.get(reverse("dashboard:overview", args=[demo.name])).status_code == 200
    settings.BAROMETRE_REPORTS_DIR = str(demo.parent)  # a folder of demos (`demo --all`)
    assert demo.name in client.get(reverse("dashboard:editions")).content.decode()
    settings.BAROMETRE_REPORTS_DIR = str(demo / "absent")
    assert "Aucune édition publiée" in client.get("/").content.decode()


def test_serve_points_the_dashboard_at_its_demo(monkeypatch, tmp_path) -> None:
    from barometre.cli.serve_cmd import publish_demo

    monkeypatch.delenv("BAROMETRE_REPORTS_DIR", raising=False)
    monkeypatch.delenv("BAROMETRE_POSITIONING_DIR", raising=False)
    publish_demo(tmp_path / "demo")
    import os

    assert os.environ["BAROMETRE_REPORTS_DIR"] == str((tmp_path / "demo").resolve())
    assert os.environ["BAROMETRE_POSITIONING_DIR"].endswith("demo/positionnement")
    monkeypatch.setenv("BAROMETRE_REPORTS_DIR", "/ailleurs")
    publish_demo(tmp_path / "demo")
    assert os.environ["BAROMETRE_REPORTS_DIR"] == "/ailleurs"  # an explicit setting wins


def test_theme_filtered_by_region_shows_that_domain_only(client, published) -> None:
    url = reverse("dashboard:theme", args=[published, "inclusion"])
    whole = client.get(url).content.decode()
    region = client.get(url, {"population": "region_group:84"}).content.decode()
    assert "Région : Auvergne-Rhône-Alpes" in region
    assert "Ensemble des collectivités" in whole
    assert whole != region
    size = client.get(url, {"population": "size_class:moins de 500 hab."}).content.decode()
    assert "moins de 500 hab." in size
    unknown = client.get(url, {"population": "region_group:zz"}).content.decode()
    assert "Population affichée : <strong>Ensemble des collectivités" in unknown
    assert whole.index('id="population"') < whole.index('<figure class="chart')  # filter on top
    assert whole.count('<figure class="chart') >= 8  # the report's charts
    assert region.count('<figure class="chart') >= 3  # charts of the chosen population too


def test_csv_download_of_a_filtered_table(client, published) -> None:
    url = reverse("dashboard:csv", args=[published, "estimations"])
    response = client.get(url, {"question": "inc_lieux_mediation", "domaine": "region_group"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    table = pl.read_csv(io.BytesIO(response.content), infer_schema=False)
    assert set(table["indicator"]) == {"inc_lieux_mediation"}
    assert set(table["domain"]) == {"region_group"}
    assert table.height >= 13 * 3
    for name in ("chiffres_cles", "taux_de_reponse"):
        assert client.get(reverse("dashboard:csv", args=[published, name])).status_code == 200
    assert 'filename="' in response["Content-Disposition"]
    assert "estimations" in response["Content-Disposition"]
    assert client.get(reverse("dashboard:csv", args=[published, "nope"])).status_code == 404


def test_private_link_and_operator_access(
    client, ey_results, editions, settings, tmp_path: Path
) -> None:
    from django.contrib.auth import get_user_model

    from barometre.publish.report import edition_answers, positioning_reports

    answers = edition_answers(editions["ey-france-urbaine-maturite"])
    out, _ = positioning_reports(ey_results, answers, tmp_path / "prive", secret="k")
    settings.BAROMETRE_POSITIONING_DIR = str(out)
    links = pl.read_csv(out / "liens.csv", schema_overrides={"code": pl.String})
    token, code = links["token"][0], links["code"][0]
    page = client.get(reverse("dashboard:positioning", args=[token]))
    assert page.status_code == 200 and "Votre score" in page.content.decode()
    assert page["X-Robots-Tag"].startswith("noindex")
    assert page["Cache-Control"] == "private, no-store"
    css = client.get(reverse("dashboard:positioning_css", args=[token]))
    assert css.status_code == 200 and css["Content-Type"].startswith("text/css")
    assert b".w100{" in css.content
    assert client.get(reverse("dashboard:positioning_css", args=["0" * 32])).status_code == 404
    assert client.get(reverse("dashboard:positioning", args=["0" * 32])).status_code == 404
    assert client.get("/tableau-de-bord/positionnement/..%2Fsecret.txt/").status_code == 404
    operator_url = reverse("dashboard:operator_positioning", args=[code])
    assert client.get(operator_url).status_code == 302  # sign-in required
    staff = get_user_model().objects.create_user("op", password="x", is_staff=True)
    client.force_login(staff)
    assert client.get(operator_url).status_code == 404  # staff without an operator account
    from barometre.collection.models import Account

    Account.objects.create(user=staff, role=Account.Role.ADMINISTRATOR)  # national scope
    assert "Votre score" in client.get(operator_url).content.decode()
    operator_css = reverse("dashboard:operator_positioning_css", args=[code])
    assert client.get(operator_css).status_code == 200
    pdf = client.get(reverse("dashboard:positioning", args=[token]), {"format": "pdf"})
    assert pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")


@pytest.mark.browser
@pytest.mark.parametrize("page", ["home", "overview"])
def test_dashboard_home_and_overview_are_accessible(
    browser_context, assert_accessible, live_server, dinum_report, settings, site_theme, page
) -> None:
    settings.BAROMETRE_REPORTS_DIR = str(dinum_report.site.parent)
    url = "/" if page == "home" else reverse("dashboard:overview", args=[dinum_report.site.name])
    for width in (1280, 390):
        tab = browser_context(viewport={"width": width, "height": 900}).new_page()
        tab.goto(f"{live_server.url}{url}")
        assert tab.locator("h1").count() == 1
        assert tab.evaluate("document.documentElement.scrollWidth") <= width
        if page == "overview":
            assert tab.locator(".ranking").count() >= 3
            color = tab.locator(".figure .value").first.evaluate("e => getComputedStyle(e).color")
            assert color != "rgb(0, 0, 0)"  # the shared component stylesheet is applied
        assert_accessible(tab, f"dashboard-{page}-{site_theme}-{width}")


@pytest.mark.browser
def test_dashboard_theme_page_is_accessible(
    browser_context, assert_accessible, live_server, dinum_report, settings, site_theme
) -> None:
    settings.BAROMETRE_REPORTS_DIR = str(dinum_report.site.parent)
    page = browser_context().new_page()
    url = reverse("dashboard:theme", args=[dinum_report.site.name, "inclusion"])
    page.goto(f"{live_server.url}{url}?population=kind_detail:commune")
    assert page.locator("h1").inner_text() == "Inclusion et médiation numérique"
    assert page.locator("figure.chart").count() >= 3
    assert_accessible(page, f"dashboard-theme-{site_theme}")
