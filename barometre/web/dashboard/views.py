"""Dashboard views: the saved result tables of each published edition; no recomputation."""

from __future__ import annotations

import re

import polars as pl
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from barometre.collection.respondent.theme import current_theme
from barometre.publish.numbers import count
from barometre.publish.pages import (
    _evolution_lookup,
    method_line,
    methodology_page,
    question_block,
)
from barometre.publish.site import components_stylesheet, front_page_html
from barometre.publish.themes import get_theme
from barometre.publish.wording import DOMAIN_TITLES, domain_label
from barometre.register.spreadsheet_cells import neutralise_frame
from barometre.web.dashboard.sources import published_editions, results_for

ENSEMBLE = "ensemble:ensemble"


def _render(request: HttpRequest, name: str, context: dict, status: int = 200) -> HttpResponse:
    """Render a dashboard template (it extends the themed base)."""
    return render(request, f"dashboard/{name}", context, status=status)


MATURITY_DOWNLOADS = {
    "scores_population": ("maturite_scores", "Scores moyens de maturité par thème et par groupe"),
    "levels_population": ("maturite_niveaux", "Répartition par niveau de maturité"),
    "levels_scale": ("maturite_echelle", "Échelle des niveaux et seuils de score"),
    "typology_shares": ("maturite_profils", "Part de chaque profil de maturité"),
    "typology_summary": ("maturite_profils_centres", "Centres des profils de la typologie"),
    "typology_quality": ("maturite_typologie_qualite", "Qualité de la typologie"),
    "correlations_themes": ("maturite_correlations_themes", "Corrélations entre thèmes"),
    "correlations": ("maturite_correlations", "Corrélations avec la population et les attributs"),
}


def _web_theme():
    """The report theme matching the web app's theme (neutral or DSFR)."""
    return get_theme(current_theme())


def stylesheet(request: HttpRequest) -> HttpResponse:
    """The CSS of the report's figures, rankings and charts, in the web app's theme."""
    response = HttpResponse(components_stylesheet(_web_theme()), content_type="text/css")
    response["Cache-Control"] = "public, max-age=3600"
    return response


def _edition_list() -> list[dict]:
    """The published editions with their title, year and number of respondents."""
    out = []
    for slug, meta in published_editions():
        results = results_for(slug)
        population = results.questionnaire.population
        out.append(
            {
                "slug": slug,
                "title": meta.get("title") or slug,
                "year": meta.get("year", ""),
                "respondents": f"{count(results.diagnostics.get('n_respondents'))} "
                f"{population.plural} {population.agree('répondant')}",
            }
        )
    return out


def home(request: HttpRequest) -> HttpResponse:
    """The public home page: the published editions, and where respondents and operators go."""
    return _render(request, "home.html", {"editions": _edition_list(), "nav": "home"})


def editions(request: HttpRequest) -> HttpResponse:
    """The published editions."""
    return _render(request, "editions.html", {"editions": _edition_list(), "nav": "dashboard"})


def _populations(results) -> list[dict]:
    """Filter choices: the whole population, then every group of every breakdown."""
    table = results.estimates.select("domain", "domain_value").unique(maintain_order=True)
    groups = []
    for domain in ("size_class", "kind_detail", "region_group"):
        values = table.filter(pl.col("domain") == domain)["domain_value"].to_list()
        if values:
            groups.append(
                {
                    "title": DOMAIN_TITLES[domain],
                    "options": [
                        {"value": f"{domain}:{v}", "label": domain_label(domain, v)} for v in values
                    ],
                }
            )
    return groups


def _downloads(slug: str, results) -> list[dict]:
    """Every CSV download with its French name and description."""
    items = [
        ("estimations", "Toutes les estimations (chaque question, chaque groupe)"),
        ("chiffres_cles", "Chiffres clés"),
        ("taux_de_reponse", "Taux de réponse par strate"),
    ]
    if results.evolution is not None:
        items.append(("evolutions", "Évolutions depuis l'édition précédente"))
    items += [MATURITY_DOWNLOADS[name] for name in results.maturity if name in MATURITY_DOWNLOADS]
    return [
        {
            "url": reverse("dashboard:csv", args=[slug, table]),
            "label": label,
            "file": f"{table}.csv",
        }
        for table, label in items
    ]


def overview(request: HttpRequest, slug: str) -> HttpResponse:
    """Key figures as on the report's front page, themes, response rates, downloads."""
    results = results_for(slug)
    theme_links = {
        t.id: reverse("dashboard:theme", args=[slug, t.id]) for t in results.questionnaire.themes
    }
    method = methodology_page(results)
    return _render(
        request,
        "overview.html",
        {
            "slug": slug,
            "meta": results.meta,
            "front": front_page_html(results, _web_theme(), theme_links),
            "themes": results.questionnaire.themes,
            "rate_groups": _rate_groups(method["rates"]),
            "downloads": _downloads(slug, results),
            "method_line": method_line(results),
            "intro": _intro(results),
            "nav": "dashboard",
        },
    )


def _rate_groups(rates: list[dict]) -> list[dict]:
    """Response rates grouped by stratum (« Type × taille », « Région »…), in their order."""
    groups: dict[str, list[dict]] = {}
    for rate in rates:
        groups.setdefault(rate["stratum"], []).append(rate)
    return [{"stratum": name, "rows": rows} for name, rows in groups.items()]


def _intro(results) -> str:
    """One sentence: respondents, target population, what the figures are."""
    population = results.questionnaire.population
    return (
        f"{count(results.diagnostics.get('n_respondents'))} {population.plural} "
        f"{population.agree('répondant')} sur {count(results.diagnostics.get('population_size'))} "
        f"{population.agree('visé')}. Chaque pourcentage est une estimation pour l'ensemble des "
        f"{population.plural} {population.agree('visé')}, avec son intervalle de confiance à 95 %."
    )


def theme(request: HttpRequest, slug: str, theme_id: str) -> HttpResponse:
    """One theme's charts and tables for the chosen population (whole, size class, kind, région)."""
    results = results_for(slug)
    found = [t for t in results.questionnaire.themes if t.id == theme_id]
    if not found:
        raise Http404("Thème inconnu")
    choice = request.GET.get("population", ENSEMBLE)
    domain, _, value = choice.partition(":")
    known = results.estimates.filter(
        (pl.col("domain") == domain) & (pl.col("domain_value") == value)
    ).height
    if not known:
        domain, value, choice = "ensemble", "ensemble", ENSEMBLE
    evo = _evolution_lookup(results)
    web_theme = _web_theme()
    blocks = []
    for question in found[0].questions:
        block = question_block(question, results, evo, population=(domain, value))
        block["charts_html"] = [chart.render(web_theme) for chart in block["charts"]]
        blocks.append(block)
    population = results.questionnaire.population
    return _render(
        request,
        "theme.html",
        {
            "slug": slug,
            "meta": results.meta,
            "qtheme": found[0],
            "themes": results.questionnaire.themes,
            "blocks": blocks,
            "populations": _populations(results),
            "choice": choice,
            "everyone": f"Ensemble des {population.plural}",
            "population_label": f"Ensemble des {population.plural}"
            if domain == "ensemble"
            else f"{DOMAIN_TITLES[domain]} : {domain_label(domain, value)}",
            "domain": domain,
            "value": value,
            "nav": "dashboard",
        },
    )


def _csv_source(results, table: str) -> pl.DataFrame:
    """A saved table by its public (French) name."""
    sources = {
        "estimations": results.estimates,
        "chiffres_cles": results.key_figures,
        "taux_de_reponse": results.response_rates,
    }
    sources |= {
        MATURITY_DOWNLOADS[name][0]: frame
        for name, frame in results.maturity.items()
        if name in MATURITY_DOWNLOADS
    }
    if results.evolution is not None:
        sources["evolutions"] = results.evolution
    if table not in sources:
        raise Http404("Table inconnue")
    return sources[table]


def csv_table(request: HttpRequest, slug: str, table: str) -> HttpResponse:
    """Download a table as CSV (UTF-8), optionally filtered by question, breakdown and group."""
    frame = _csv_source(results_for(slug), table)
    filters = {"question": "indicator", "domaine": "domain", "groupe": "domain_value"}
    for param, column in filters.items():
        wanted = request.GET.get(param)
        if wanted and column in frame.columns:
            frame = frame.filter(pl.col(column) == wanted)
    response = HttpResponse(
        neutralise_frame(frame).write_csv(), content_type="text/csv; charset=utf-8"
    )
    suffix = "-".join(request.GET.get(p, "") for p in filters if request.GET.get(p))
    name = f"{slug}-{table}{'-' + re.sub(r'[^A-Za-z0-9_-]+', '_', suffix) if suffix else ''}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
