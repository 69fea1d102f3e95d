"""Shared fixtures: a real Chromium (Debian's) driven by Playwright, axe-core checks, theme switch.

Browser tests use pytest-django's `live_server` with the sync Playwright API, which needs
`DJANGO_ALLOW_ASYNC_UNSAFE`. Screenshots go to `tests/artifacts/` (git-ignored).
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("BAROMETRE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
AXE_RULES = {"runOnly": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}
DSFR_APPS = ["widget_tweaks", "dsfr"]


@pytest.fixture(autouse=True)
def _forget_remembered_autosave_state() -> Iterator[None]:
    """Tests roll back or flush the database, so ids and versions come back: forget per test."""
    yield
    module = sys.modules.get("barometre.collection.respondent.autosaving")
    if module is not None:
        module.forget_state()


@pytest.fixture(scope="session")
def chromium_browser() -> Iterator[object]:
    """One headless Debian Chromium for the whole session (skipped when it is not installed)."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium absent ({CHROMIUM}) : `apt-get install -y chromium`")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def browser_context(chromium_browser, live_server) -> Iterator[Callable[..., object]]:
    """Factory of fresh browser contexts (own cookies); `java_script_enabled=False` for no-JS.

    Depends on `live_server` so that contexts close (and pending autosaves finish) before the
    server stops and the test database is flushed.
    """
    contexts = []

    def make(**options):
        options.setdefault("locale", "fr-FR")
        options.setdefault("viewport", {"width": 1100, "height": 900})
        context = chromium_browser.new_context(**options)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        for open_page in context.pages:
            with contextlib.suppress(Exception):  # a page still busy is closed anyway
                open_page.wait_for_load_state("networkidle", timeout=3_000)
        context.close()


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot under tests/artifacts/ and return its path."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '_', name)}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture(scope="session")
def axe():
    """The axe-core runner of axe-playwright-python."""
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


@pytest.fixture
def assert_accessible(axe) -> Callable[[object, str], None]:
    """Check a page with axe-core (WCAG 2.1 A/AA): 0 violations; saves a screenshot."""

    def check(page, name: str) -> None:
        screenshot(page, name)
        results = axe.run(page, options=AXE_RULES)
        assert results.violations_count == 0, f"{name}:\n{results.generate_report()}"

    return check


@pytest.fixture(params=["neutral", "dsfr"])
def site_theme(request, settings) -> str:
    """Run the test in both themes: the neutral one (default) and the DSFR (State deployments)."""
    name = request.param
    settings.BAROMETRE_THEME = name
    apps = [app for app in settings.INSTALLED_APPS if app not in DSFR_APPS]
    settings.INSTALLED_APPS = apps + DSFR_APPS if name == "dsfr" else apps
    return name


def pytest_sessionfinish(session, exitstatus) -> None:
    """Remove the SQLite writer-lock files left beside this process's test databases."""
    import tempfile

    pattern = f"barometre-test-{os.getpid()}.sqlite3*-writer.lock"
    for path in Path(tempfile.gettempdir()).glob(pattern):
        path.unlink(missing_ok=True)
