"""Screenshots of the published pages at 1280 and 390 px, to look at before publishing.

Usage: `.venv/bin/python scripts/screenshots.py [DEMO_FOLDER] [--out DIR] [--port 8600]`

DEMO_FOLDER is an edition folder with its report in `rapport/` (what `barometre demo` writes;
default `barometre-demo`). Takes, in Debian's Chromium driven by Playwright: the report's front
page, its first theme page and its methodology (static files), the PDF synthèse's pages when
`rapport.pdf` exists (pdftoppm), then, in both themes (neutral and DSFR), the public home `/`,
the dashboard overview and a dashboard theme page served by the real Django app on a throwaway
SQLite database. Writes PNG files into DIR (default `captures`) and lists them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import click
import yaml

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
WIDTHS = (1280, 390)


def _first_theme(report: Path) -> str:
    """The id of the first theme of the report's questionnaire."""
    data = yaml.safe_load((report / "resultats" / "questionnaire.yaml").read_text(encoding="utf-8"))
    return str(data["themes"][0]["id"])


def _wait(url: str, seconds: float = 60) -> None:
    """Wait until the server answers (French error otherwise)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise click.ClickException(f"le serveur de {url} ne répond pas")


def _shoot(browser, url: str, path: Path, width: int) -> Path:
    """One full-page screenshot."""
    page = browser.new_page(viewport={"width": width, "height": 900}, locale="fr-FR")
    page.goto(url)
    page.screenshot(path=str(path), full_page=True)
    page.close()
    return path


@click.command()
@click.argument(
    "demo", type=click.Path(file_okay=False, path_type=Path), default=Path("barometre-demo")
)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("captures"))
@click.option("--port", type=int, default=8600, show_default=True)
def main(demo: Path, out: Path, port: int) -> None:
    """Captures d'écran du rapport et du tableau de bord (1280 et 390 px, deux thèmes)."""
    from playwright.sync_api import sync_playwright

    report = demo / "rapport"
    if not (report / "index.html").is_file() or not (report / "resultats").is_dir():
        raise click.ClickException(
            f"pas de rapport dans {report} : lancez d'abord « barometre demo {demo} »"
        )
    out.mkdir(parents=True, exist_ok=True)
    theme = _first_theme(report)
    written: list[Path] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=shutil.which("chromium") or "/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        for name, page in (
            ("rapport-accueil", "index.html"),
            ("rapport-theme", f"theme-{theme}.html"),
            ("rapport-methodologie", "methodologie.html"),
        ):
            for width in WIDTHS:
                url = (report / page).resolve().as_uri()
                written.append(_shoot(browser, url, out / f"{name}-{width}.png", width))
        if (report / "rapport.pdf").is_file():
            subprocess.run(
                [
                    "pdftoppm",
                    "-r",
                    "70",
                    "-png",
                    str(report / "rapport.pdf"),
                    str(out / "synthese"),
                ],
                check=True,
            )
            written += sorted(out.glob("synthese-*.png"))
        slug = demo.resolve().name
        for site_theme in ("neutral", "dsfr"):
            with tempfile.TemporaryDirectory() as tmp:
                env = os.environ | {
                    "BAROMETRE_DB": str(Path(tmp) / "captures.sqlite3"),
                    "BAROMETRE_REPORTS_DIR": str(demo.resolve()),
                    "BAROMETRE_THEME": site_theme,
                }
                web = [sys.executable, "-m", "barometre.web"]
                subprocess.run([*web, "migrate", "-v0"], env=env, check=True)
                server = subprocess.Popen(
                    [*web, "runserver", f"127.0.0.1:{port}", "--noreload"],
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
                try:
                    base = f"http://127.0.0.1:{port}"
                    _wait(f"{base}/")
                    for name, path in (
                        ("accueil", "/"),
                        ("tableau-de-bord", f"/tableau-de-bord/{slug}/"),
                        ("tableau-de-bord-theme", f"/tableau-de-bord/{slug}/theme/{theme}/"),
                    ):
                        for width in WIDTHS:
                            target = out / f"{name}-{site_theme}-{width}.png"
                            written.append(_shoot(browser, base + path, target, width))
                finally:
                    server.terminate()
                    server.wait(timeout=30)
        browser.close()
    click.echo(f"{len(written)} captures dans {out} :")
    for path in written:
        click.echo(f"  {path}")


if __name__ == "__main__":
    main()
