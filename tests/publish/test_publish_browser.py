"""The static report and a positioning report in real Chromium, checked by axe-core (WCAG 2.1 AA)."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def served_report(dinum_report) -> Iterator[str]:
    """The report folder served by a local HTTP server on a free port."""
    handler = functools.partial(
        http.server.SimpleHTTPRequestHandler, directory=str(dinum_report.site)
    )
    handler.log_message = lambda *args: None  # type: ignore[method-assign]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(
    "page",
    [
        "index.html",
        "theme-inclusion.html",
        "theme-cybersecurite.html",
        "methodologie.html",
        "initiatives.html",
    ],
)
@pytest.mark.parametrize("width", [1280, 390])
def test_report_pages_are_accessible(
    chromium_browser, assert_accessible, served_report, page, width
) -> None:
    context = chromium_browser.new_context(locale="fr-FR", viewport={"width": width, "height": 900})
    try:
        tab = context.new_page()
        tab.goto(f"{served_report}/{page}")
        assert tab.locator("h1").count() == 1
        assert tab.locator("main img").count() == 0  # charts are HTML, not image files
        # nothing wider than the screen (the tables scroll inside their own box)
        assert tab.evaluate("document.documentElement.scrollWidth") <= width
        if page == "index.html":
            assert tab.locator(".figure").count() >= 4
            assert tab.locator(".ranking").count() >= 3
            assert "%" in tab.locator(".figure .value").first.inner_text()
        if page.startswith("theme-"):
            assert tab.locator("figure.chart").count() >= 4
            box = tab.locator("figure.chart .bar-track svg").first.bounding_box()
            assert box and box["width"] > 100  # bars are drawn at every width
        assert_accessible(tab, f"publish-{page}-{width}")
    finally:
        context.close()


@pytest.fixture(scope="module")
def positioning_folders(ey_results, editions, tmp_path_factory) -> dict[str, Path]:
    """Positioning reports of the EY (maturity) and DINUM (no maturity) demos, in both themes."""
    from barometre.publish.report import edition_answers, positioning_reports
    from barometre.results.store import compute_results

    root = tmp_path_factory.mktemp("positionnement")
    dinum = "dinum-collectivites-numerique-2024"
    ey = "ey-france-urbaine-maturite"
    results = {ey: ey_results, dinum: compute_results(editions[dinum])}
    folders = {}
    for template, result in results.items():
        for theme in ("neutral", "dsfr"):
            out, _ = positioning_reports(
                result, edition_answers(editions[template]), root / f"{template}-{theme}", theme
            )
            folders[f"{template}-{theme}"] = out
    return folders


@pytest.mark.parametrize(
    "template", ["ey-france-urbaine-maturite", "dinum-collectivites-numerique-2024"]
)
@pytest.mark.parametrize("theme", ["neutral", "dsfr"])
def test_positioning_report_is_accessible_at_both_widths(
    chromium_browser, assert_accessible, positioning_folders, template, theme
) -> None:
    folder = positioning_folders[f"{template}-{theme}"]
    first = sorted(folder.glob("*.html"))[0]
    for width in (1280, 390):
        context = chromium_browser.new_context(
            locale="fr-FR", viewport={"width": width, "height": 900}
        )
        try:
            tab = context.new_page()
            tab.goto(first.as_uri())
            # the site's stylesheet is applied: header band in the theme's colour
            band = tab.locator("header.site").evaluate("e => getComputedStyle(e).backgroundColor")
            assert band == {"neutral": "rgb(31, 95, 139)", "dsfr": "rgb(0, 0, 145)"}[theme]
            assert tab.locator("h1").count() == 1
            assert tab.locator(".you-tag").count() > 0  # own answers marked
            if template.startswith("ey"):
                assert tab.locator(".overall .value").is_visible()
                assert tab.locator(".legend").first.is_visible()
                tab.locator("details.answers").first.evaluate("d => d.open = true")
            overflow = tab.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"la page déborde de {overflow} px à {width} px"
            assert_accessible(tab, f"positioning-{template}-{theme}-{width}")  # + screenshot
        finally:
            context.close()
