"""The key-figures report as a self-contained static site (HTML + SVG files, inline CSS) and its PDF."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import jinja2

from barometre.initiatives.report import InitiativesReport
from barometre.publish.charts import Chart
from barometre.publish.initiatives_page import initiatives_page
from barometre.publish.numbers import count, number
from barometre.publish.pages import (
    key_figure_cards,
    maturity_page,
    methodology_page,
    theme_pages,
)
from barometre.publish.themes import Theme
from barometre.results.store import ReportResults

CHARTS_FOLDER = "graphiques"
PRINT_PAGE = "rapport-complet.html"
PDF_FILE = "rapport.pdf"


def _fr(value: object) -> str:
    """Jinja filter: numbers in French notation, other values as text."""
    if isinstance(value, bool) or value is None:
        return "" if value is None else ("oui" if value else "non")
    if isinstance(value, int):
        return count(value)
    if isinstance(value, float):
        return number(value, 1 if abs(value) < 1000 else 0)
    return str(value)


def environment() -> jinja2.Environment:
    """Jinja2 environment of the report templates (autoescaped)."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("barometre.publish", "templates/report"),
        autoescape=jinja2.select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["fr"] = _fr
    return env


class ChartWriter:
    """Writes each chart's SVG under `graphiques/` and returns what a page needs to show it."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder / CHARTS_FOLDER
        self.folder.mkdir(parents=True, exist_ok=True)
        self.written: list[Path] = []

    def __call__(self, chart: Chart) -> dict:
        """Save one chart; returns src, title and alt."""
        path = self.folder / f"{chart.name}.svg"
        path.write_text(chart.svg, encoding="utf-8")
        self.written.append(path)
        return {"src": f"{CHARTS_FOLDER}/{path.name}", "title": chart.title, "alt": chart.alt}


def report_context(
    results: ReportResults, theme: Theme, sink, initiatives: InitiativesReport | None = None
) -> dict:
    """Everything the templates need (also used by the PDF)."""
    meta = results.meta
    diag = results.diagnostics
    themes = theme_pages(results, theme, sink)
    maturity = maturity_page(results, theme, sink)
    initiatives_model = None if initiatives is None else initiatives_page(initiatives, theme, sink)
    env = environment()
    return {
        "edition_title": meta.get("title") or meta.get("id", "Baromètre"),
        "subtitle": f"Édition {meta.get('year', '')} — {count(diag.get('n_respondents'))} collectivités répondantes",
        "intro": (
            f"Résultats de l'édition {meta.get('year', '')} : {count(diag.get('n_respondents'))} "
            f"collectivités interrogées ont répondu, sur {count(diag.get('population_size'))} "
            "collectivités visées. Les réponses sont pondérées pour représenter l'ensemble des "
            "collectivités visées."
        ),
        "generated": dt.date.today().strftime("%d/%m/%Y"),
        "css": env.get_template("style.css").render(theme=theme),
        "cards": key_figure_cards(results),
        "themes": themes,
        "maturity": maturity,
        "has_maturity": maturity is not None,
        "initiatives": initiatives_model,
        "has_evolution": results.evolution is not None and results.evolution.height > 0,
        "m": methodology_page(results),
        "prefix": "",
    }


def write_site(
    results: ReportResults,
    out_dir: str | Path,
    theme: Theme,
    initiatives: InitiativesReport | None = None,
) -> list[Path]:
    """Render every page into `out_dir` (with the initiatives page when given); returns them."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    env = environment()
    context = report_context(results, theme, ChartWriter(out), initiatives)
    pages = [("index.html", "index.html", {})]
    pages += [(p["file"], "theme.html", {"page": p}) for p in context["themes"]]
    if context["maturity"] is not None:
        pages.append(("maturite.html", "maturite.html", {"page": context["maturity"]}))
    if context["initiatives"] is not None:
        page = context["initiatives"]
        pages.append((page["file"], "initiatives.html", {"page": page}))
    pages.append(("methodologie.html", "methodologie.html", {}))
    pages.append((PRINT_PAGE, "imprimable.html", {}))
    written = []
    for filename, template, extra in pages:
        path = out / filename
        path.write_text(env.get_template(template).render(**context, **extra), encoding="utf-8")
        written.append(path)
    return written


def write_pdf(out_dir: str | Path) -> Path:
    """A4 PDF of the printable page, through WeasyPrint."""
    import weasyprint

    out = Path(out_dir)
    html = weasyprint.HTML(filename=str(out / PRINT_PAGE), base_url=str(out))
    target = out / PDF_FILE
    html.write_pdf(target)
    return target
