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


def test_positioning_report_is_accessible(
    chromium_browser, assert_accessible, ey_results, tmp_path: Path
) -> None:
    from barometre.publish.report import positioning_reports

    out, _ = positioning_reports(ey_results, tmp_path / "prive", secret="x")
    first = sorted(out.glob("*.html"))[0]
    context = chromium_browser.new_context(locale="fr-FR")
    try:
        tab = context.new_page()
        tab.goto(first.as_uri())
        assert "Votre score" in tab.content()
        assert_accessible(tab, "publish-positioning")
    finally:
        context.close()
