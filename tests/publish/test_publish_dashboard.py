"""Public dashboard: the saved report tables as Django pages, filters, CSV downloads, private links."""

from __future__ import annotations

import io
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


def test_overview_lists_key_figures_and_rates(client, published) -> None:
    home = client.get(reverse("dashboard:editions"))
    assert home.status_code == 200 and published in home.content.decode()
    page = client.get(reverse("dashboard:overview", args=[published])).content.decode()
    assert "disposent de lieux de médiation" in page
    assert "Taux de réponse par strate" in page
    assert "télécharger en CSV" in page


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
    assert client.get(reverse("dashboard:csv", args=[published, "nope"])).status_code == 404


def test_private_link_and_operator_access(client, ey_results, settings, tmp_path: Path) -> None:
    from django.contrib.auth import get_user_model

    from barometre.publish.report import positioning_reports

    out, _ = positioning_reports(ey_results, tmp_path / "prive", secret="k")
    settings.BAROMETRE_POSITIONING_DIR = str(out)
    links = pl.read_csv(out / "liens.csv", schema_overrides={"code": pl.String})
    token, code = links["token"][0], links["code"][0]
    page = client.get(reverse("dashboard:positioning", args=[token]))
    assert page.status_code == 200 and "Votre score" in page.content.decode()
    assert page["X-Robots-Tag"].startswith("noindex")
    assert client.get(reverse("dashboard:positioning", args=["0" * 32])).status_code == 404
    assert client.get("/tableau-de-bord/positionnement/..%2Fsecret.txt/").status_code == 404
    operator_url = reverse("dashboard:operator_positioning", args=[code])
    assert client.get(operator_url).status_code == 302  # sign-in required
    staff = get_user_model().objects.create_user("op", password="x", is_staff=True)
    client.force_login(staff)
    assert "Votre score" in client.get(operator_url).content.decode()
    pdf = client.get(reverse("dashboard:positioning", args=[token]), {"format": "pdf"})
    assert pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")


@pytest.mark.browser
def test_dashboard_theme_page_is_accessible(
    browser_context, assert_accessible, live_server, dinum_report, settings, site_theme
) -> None:
    settings.BAROMETRE_REPORTS_DIR = str(dinum_report.site.parent)
    page = browser_context().new_page()
    url = reverse("dashboard:theme", args=[dinum_report.site.name, "inclusion"])
    page.goto(f"{live_server.url}{url}?population=kind_detail:commune")
    assert page.locator("h1").inner_text() == "Inclusion et médiation numérique"
    assert_accessible(page, f"dashboard-theme-{site_theme}")
