"""`barometre demo --all`: each seed barometer runs as itself, and every respondent gets its report.

One gallery is built per module (small sizes): for each seed, the report holds the kinds of
figures that seed publishes, and every demo edition writes one private positioning report per
responding collectivité.
"""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from barometre.cli import main
from barometre.edition.files import read_edition
from barometre.edition.private_reports import LINKS_FILE
from barometre.maturity.levels import EY2019

SIZE = 120


def _text(path: Path) -> str:
    """A page's text: tags removed, entities decoded, spaces collapsed (narrow ones kept)."""
    html = path.read_text(encoding="utf-8")
    return re.sub(r"[ \t\n\r]+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


@pytest.fixture(scope="module")
def gallery(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The five seed barometers, built once (at most SIZE respondents each)."""
    folder = tmp_path_factory.mktemp("galerie")
    result = CliRunner().invoke(main, ["demo", "--all", str(folder), "--size", str(SIZE)])
    assert result.exit_code == 0, result.output
    return folder, result.output


def test_the_index_links_the_five_seed_reports(gallery) -> None:
    folder, output = gallery
    index = (folder / "index.html").read_text(encoding="utf-8")
    links = re.findall(r'<a class="open" href="([^"]+)"', index)
    assert len(links) == 5
    assert all((folder / link).is_file() for link in links)
    for seed in ("000", "001", "002", "003", "004"):
        assert f"Baromètre de référence {seed}" in index
    assert "Ouvrir la galerie" in output


def test_every_demo_writes_one_private_report_per_respondent(gallery) -> None:
    folder, _ = gallery
    editions = [p.parent for p in folder.glob("**/edition.yaml")]
    assert len(editions) == 5  # NC, DINUM, EY, JVS 2015 and 2016
    for edition in editions:
        respondents = read_edition(edition).consolidated()["code"]
        links = pl.read_csv(
            edition / "positionnement" / LINKS_FILE, schema_overrides={"code": pl.String}
        )
        assert sorted(links["code"]) == sorted(respondents), edition.name
        assert all((edition / "positionnement" / f).is_file() for f in links["fichier"])


def test_000_new_caledonia_ranked_top_five_and_census(gallery) -> None:
    folder, _ = gallery
    text = _text(folder / "nouvelle-caledonie" / "rapport" / "index.html")
    assert "recensement" in text and "±" not in text
    usages = text.split("Pour quels usages")[1]
    assert all(f"#{i}" in usages for i in range(1, 6))
    ranked = re.findall(r"#(\d)\s+(\d+)\u202f%", usages)[:5]
    assert [int(rank) for rank, _ in ranked] == [1, 2, 3, 4, 5], usages[:300]
    shares = [int(value) for _, value in ranked]
    assert shares == sorted(shares, reverse=True)
    assert "+1 point" not in text and "point" not in text.split("connectés")[0][-80:]
    assert not (folder / "nouvelle-caledonie" / "initiatives").exists()


def test_001_initiatives_domain_shares_and_size_effect(gallery) -> None:
    folder, _ = gallery
    text = _text(folder / "dinum" / "rapport" / "initiatives.html")
    assert "Quatre grands domaines — constat retrouvé" in text
    assert "Accès au numérique et inclusion" in text and "IC 95 %" in text
    assert "Plus de services dans les grandes collectivités — constat retrouvé" in text
    assert "quand la population est multipliée par 10" in text
    assert "Pas d'effet de l'âge des habitants — constat" in text


def test_002_dinum_six_themes_two_waves_raw_and_weighted(gallery) -> None:
    folder, _ = gallery
    site = folder / "dinum" / "rapport"
    themes = sorted(site.glob("theme-*.html"))
    assert len(themes) == 6
    text = _text(site / "index.html")
    assert "Part brute parmi les" in text  # raw share next to the weighted estimate
    assert "OPSN" in _text(site / "methodologie.html")


def test_003_ey_nine_themes_levels_and_three_named_profiles(gallery) -> None:
    folder, _ = gallery
    site = folder / "ey" / "rapport"
    assert len(sorted(site.glob("theme-*.html"))) == 9
    maturity = _text(site / "maturite.html")
    assert sum(name in maturity for name in EY2019.names) >= 4
    for profile in ("Stratèges", "Pragmatiques", "Retardataires"):
        assert profile in maturity


def test_004_jvs_evolution_in_points_with_significance_and_panel(gallery) -> None:
    folder, _ = gallery
    text = _text(folder / "jvs" / "2016" / "rapport" / "index.html")
    found = re.findall(
        r"[+−]\d+\s+pts? par rapport à l'édition précédente \(évolution ([^)]*)\)", text
    )
    assert found and any(f.startswith("significative") for f in found)
    assert "répondants des deux éditions" in text and "évolution appariée" in text
    assert "2015" not in text.split("Les chiffres clés")[1]  # no past figure the data lacks
    first = _text(folder / "jvs" / "2015" / "rapport" / "index.html")
    assert "par rapport à l'édition précédente" not in first


@pytest.mark.browser
def test_the_gallery_page_is_accessible_at_both_widths(
    gallery, chromium_browser, assert_accessible
) -> None:
    folder, _ = gallery
    for width in (1280, 390):
        context = chromium_browser.new_context(
            locale="fr-FR", viewport={"width": width, "height": 900}
        )
        try:
            tab = context.new_page()
            tab.goto((folder / "index.html").as_uri())
            assert tab.locator("a.open").count() == 5
            overflow = tab.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0
            assert_accessible(tab, f"demo-gallery-{width}")
        finally:
            context.close()
