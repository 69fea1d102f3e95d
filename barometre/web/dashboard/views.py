"""Dashboard views: the saved result tables of each published edition; no recomputation."""

from __future__ import annotations

import re
import tempfile
from functools import lru_cache
from pathlib import Path

import polars as pl
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.template import Engine, RequestContext, Template

from barometre.collection.operator.access import account_for
from barometre.collection.scopes import register_codes_in_scope
from barometre.publish.numbers import count, percent
from barometre.publish.pages import _evolution_lookup, key_figure_cards, question_block
from barometre.publish.positioning import LINKS_FILE, positioning_pdf
from barometre.publish.wording import DOMAIN_TITLES, domain_label
from barometre.web.dashboard.sources import positioning_dir, published_editions, results_for

TEMPLATES = Path(__file__).resolve().parent / "templates"
TOKEN = re.compile(r"^[0-9a-f]{32}$")
CODE = re.compile(r"^[0-9A-Za-z]{1,12}$")
ENSEMBLE = "ensemble:ensemble"


@lru_cache(maxsize=8)
def _source(name: str) -> str:
    """Text of a dashboard template."""
    return (TEMPLATES / name).read_text(encoding="utf-8")


def _template(name: str) -> Template:
    """A dashboard template compiled by the current engine (it extends the themed base)."""
    return Engine.get_default().from_string(_source(name))


def _render(request: HttpRequest, name: str, context: dict, status: int = 200) -> HttpResponse:
    """Render a dashboard template with the project's context processors."""
    return HttpResponse(_template(name).render(RequestContext(request, context)), status=status)


def editions(request: HttpRequest) -> HttpResponse:
    """The published editions."""
    return _render(request, "editions.html", {"editions": published_editions()})


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


def overview(request: HttpRequest, slug: str) -> HttpResponse:
    """Key figures, themes and response rates of one edition."""
    results = results_for(slug)
    rates = [
        {
            "stratum": r["stratum"],
            "value": r["stratum_value"],
            "frame": count(r["frame_count"]),
            "respondents": count(r["respondents"]),
            "rate": percent(r["rate"], 1),
        }
        for r in results.response_rates.to_dicts()
        if r["stratum"] != "kind_detail × size_class"
    ]
    return _render(
        request,
        "overview.html",
        {
            "slug": slug,
            "meta": results.meta,
            "cards": key_figure_cards(results),
            "themes": results.questionnaire.themes,
            "rates": rates,
            "maturity": sorted(results.maturity),
            "n_respondents": count(results.diagnostics.get("n_respondents")),
        },
    )


def theme(request: HttpRequest, slug: str, theme_id: str) -> HttpResponse:
    """One theme's tables for the chosen population (whole, or one size class, kind, région)."""
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
    blocks = [
        question_block(q, results, None, None, evo, population=(domain, value))
        for q in found[0].questions
    ]
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
            "population_label": "Ensemble des collectivités"
            if domain == "ensemble"
            else f"{DOMAIN_TITLES[domain]} : {domain_label(domain, value)}",
            "domain": domain,
            "value": value,
        },
    )


def _csv_source(results, table: str) -> pl.DataFrame:
    """A saved table by its public name."""
    sources = {
        "estimations": results.estimates,
        "chiffres_cles": results.key_figures,
        "taux_de_reponse": results.response_rates,
    }
    sources |= {f"maturite_{name}": frame for name, frame in results.maturity.items()}
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
    response = HttpResponse(frame.write_csv(), content_type="text/csv; charset=utf-8")
    suffix = "-".join(request.GET.get(p, "") for p in filters if request.GET.get(p))
    name = f"{slug}-{table}{'-' + re.sub(r'[^A-Za-z0-9_-]+', '_', suffix) if suffix else ''}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _positioning_file(token: str) -> Path:
    """The private report of a token, searched in the positioning folder and its subfolders."""
    root = positioning_dir()
    for candidate in (root / f"{token}.html", *root.glob(f"*/{token}.html")):
        if candidate.is_file():
            return candidate
    raise Http404("Rapport introuvable")


def _serve_positioning(request: HttpRequest, path: Path) -> HttpResponse:
    """The HTML report, or its PDF on demand (?format=pdf); never cached, never indexed."""
    if request.GET.get("format") == "pdf":
        target = Path(tempfile.mkdtemp()) / "positionnement.pdf"
        positioning_pdf(path, target)
        response: HttpResponse = FileResponse(
            target.open("rb"), content_type="application/pdf", filename="positionnement.pdf"
        )
    else:
        response = HttpResponse(path.read_text(encoding="utf-8"))
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


def private_positioning(request: HttpRequest, token: str) -> HttpResponse:
    """A respondent's positioning report through its private link."""
    if not TOKEN.match(token):
        raise Http404("Rapport introuvable")
    return _serve_positioning(request, _positioning_file(token))


@login_required
def operator_positioning(request: HttpRequest, code: str) -> HttpResponse:
    """An operator opens a respondent's report by its code (an account whose scope holds the code)."""
    account = account_for(request.user)
    if account is None or not CODE.match(code):
        raise Http404("Rapport introuvable")
    if not register_codes_in_scope(account.scope, [code]):
        raise Http404("Rapport introuvable")
    root = positioning_dir()
    for links in (root / LINKS_FILE, *root.glob(f"*/{LINKS_FILE}")):
        if links.is_file():
            table = pl.read_csv(links, schema_overrides={"code": pl.String})
            found = table.filter(pl.col("code") == code)
            if found.height:
                return _serve_positioning(request, links.parent / found["fichier"][0])
    raise Http404("Rapport introuvable")
