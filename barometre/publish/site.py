"""The key-figures report as a self-contained static site (HTML with inline CSS and charts), and its
two PDFs: a short synthèse (cover, key figures by theme, method) and the full annex."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import jinja2
from markupsafe import Markup

from barometre.initiatives.report import InitiativesReport
from barometre.publish.initiatives_page import initiatives_page
from barometre.publish.key_figures import front_page
from barometre.publish.numbers import count, number
from barometre.publish.pages import (
    _evolution_lookup,
    maturity_page,
    method_line,
    methodology_page,
    population_size,
    theme_pages,
)
from barometre.publish.themes import Theme
from barometre.publish.wording import is_census
from barometre.results.store import ReportResults

PRINT_PAGE = "rapport-complet.html"
SYNTHESIS_PAGE = "synthese.html"
PDF_FILE = "rapport.pdf"
ANNEX_PDF_FILE = "rapport-annexe.pdf"


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


def stylesheet(theme: Theme) -> str:
    """The report's CSS for a theme (also served to the web dashboard)."""
    return environment().get_template("style.css").render(theme=theme)


def components_stylesheet(theme: Theme) -> str:
    """The CSS of figures, rankings and charts alone (for pages styled by the web app)."""
    return environment().get_template("components.css").render(theme=theme)


def front_page_html(results: ReportResults, theme: Theme, theme_links: dict[str, str]) -> Markup:
    """The front page's infographic (theme sections) as HTML, linking themes to `theme_links`."""
    template = environment().from_string(
        '{% from "macros.html" import front_sections with context %}{{ front_sections(front, 2) }}'
    )
    return Markup(
        template.render(
            front=front_page(results, _evolution_lookup(results)),
            theme=theme,
            theme_links=theme_links,
            prefix="",
        )
    )


def _intro(results: ReportResults) -> str:
    """Who answered, out of whom, and what the percentages are (an estimate, or a census)."""
    diag = results.diagnostics
    population = results.questionnaire.population
    head = (
        f"Résultats de l'édition {results.meta.get('year', '')} : "
        f"{count(diag.get('n_respondents'))} {population.plural} {population.agree('répondant')} "
        f"sur {count(population_size(results))} {population.agree('visé')}."
    )
    if is_census(diag):
        return (
            f"{head} Toute la population visée a répondu : c'est un recensement, les "
            "pourcentages n'ont pas de marge d'erreur d'échantillonnage."
        )
    return (
        f"{head} Chaque pourcentage est une estimation pour l'ensemble des {population.plural} "
        f"{population.agree('visé')}, avec son intervalle de confiance à 95\u202f%."
    )


def report_context(
    results: ReportResults, theme: Theme, initiatives: InitiativesReport | None = None
) -> dict:
    """Everything the templates need (also used by the PDFs)."""
    meta = results.meta
    diag = results.diagnostics
    population = results.questionnaire.population
    themes = theme_pages(results)
    maturity = maturity_page(results)
    initiatives_model = None if initiatives is None else initiatives_page(initiatives)
    respondents = population.agree("répondant")
    return {
        "edition_title": meta.get("title") or meta.get("id", "Baromètre"),
        "year": meta.get("year", ""),
        "subtitle": f"Édition {meta.get('year', '')} — {count(diag.get('n_respondents'))} "
        f"{population.plural} {respondents}",
        "intro": _intro(results),
        "population": population,
        "generated": dt.date.today().strftime("%d/%m/%Y"),
        "css": Markup(stylesheet(theme)),
        "theme": theme,
        "front": front_page(results, _evolution_lookup(results)),
        "method_line": method_line(results),
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
    context = report_context(results, theme, initiatives)
    pages = [("index.html", "index.html", {})]
    pages += [(p["file"], "theme.html", {"page": p}) for p in context["themes"]]
    if context["maturity"] is not None:
        pages.append(("maturite.html", "maturite.html", {"page": context["maturity"]}))
    if context["initiatives"] is not None:
        page = context["initiatives"]
        pages.append((page["file"], "initiatives.html", {"page": page}))
    pages.append(("methodologie.html", "methodologie.html", {}))
    pages.append((SYNTHESIS_PAGE, "synthese.html", {}))
    pages.append((PRINT_PAGE, "imprimable.html", {}))
    written = []
    for filename, template, extra in pages:
        path = out / filename
        path.write_text(env.get_template(template).render(**context, **extra), encoding="utf-8")
        written.append(path)
    return written


def write_pdf(out_dir: str | Path, annex: bool = True) -> tuple[Path, Path | None]:
    """The synthèse (cover, key figures, method) and the full annex, A4, through WeasyPrint."""
    import weasyprint

    out = Path(out_dir)
    written: list[Path | None] = []
    jobs = [(SYNTHESIS_PAGE, PDF_FILE), (PRINT_PAGE, ANNEX_PDF_FILE)]
    for page, target in jobs if annex else jobs[:1]:
        html = weasyprint.HTML(filename=str(out / page), base_url=str(out))
        html.write_pdf(out / target)
        written.append(out / target)
    return written[0], written[1] if annex else None
