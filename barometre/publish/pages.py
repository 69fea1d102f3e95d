"""Page models of the report: plain dicts built from the result tables, rendered by Jinja2 templates.

The same models feed the static site, the PDF and the web dashboard (which never recomputes).
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from barometre.publish.charts import Chart, bar_chart, mean_chart
from barometre.publish.correlation_section import correlation_section
from barometre.publish.numbers import count, number, percent, points
from barometre.publish.themes import Theme
from barometre.publish.wording import (
    DOMAIN_TITLES,
    base_text,
    card_caption,
    domain_label,
    evolution_text,
    imprecision,
    margin_of_error,
    share_cell,
    suppressed_reason,
)
from barometre.questionnaire.model import Question, QuestionType
from barometre.results.store import ReportResults

NO_ANSWER = "sans_reponse"
TOP_N = 10
BREAKDOWN_DOMAINS = ("size_class", "kind_detail", "region_group")

ChartSink = Callable[[Chart], str]


def _evolution_lookup(results: ReportResults) -> dict[tuple, dict]:
    """(indicator, kind, option, domain, domain_value) → evolution row."""
    if results.evolution is None or results.evolution.height == 0:
        return {}
    return {
        (r["indicator"], r["kind"], r["option"], r["domain"], r["domain_value"]): r
        for r in results.evolution.to_dicts()
    }


def key_figure_cards(results: ReportResults) -> list[dict]:
    """One card per key figure: big percentage, label, n and margin, flags, evolution."""
    evolutions = _evolution_lookup(results)
    cards = []
    for row in results.key_figures.to_dicts():
        evo = evolutions.get((row["id"], "figure", row["options"], "ensemble", "ensemble"))
        question = results.questionnaire.question(row["question"])
        cards.append(
            {
                "id": row["id"],
                "value": "–" if row["suppressed"] else percent(row["estimate"]),
                "label": row["label"],
                "caption": f"Estimation pondérée pour l'ensemble des collectivités visées : {card_caption(row)}",
                "population": "des collectivités",
                "raw": ""
                if row.get("raw_share") is None
                else (
                    f"Soit {percent(row['raw_share'])} des {count(row['raw_n'])} collectivités "
                    "interrogées (part brute, non pondérée)."
                ),
                "question": question.label,
                "theme": question.theme,
                "suppressed": suppressed_reason(row, results.min_n) if row["suppressed"] else "",
                "imprecise": imprecision(row),
                "evolution": evolution_text(evo),
                "significant": bool(evo and evo.get("significant")),
                "seed": "" if row["seed_value"] is None else percent(row["seed_value"]),
            }
        )
    return cards


def _table_rows(rows: list[dict], results: ReportResults, label_key: str, evo: dict) -> list[dict]:
    """Data-table rows: label, value ± margin, n, note (reason when suppressed)."""
    out = []
    for r in rows:
        e = evo.get((r["indicator"], r["kind"], r["option"], r["domain"], r["domain_value"]))
        out.append(
            {
                "label": r[label_key],
                "value": share_cell(r, results.min_n)
                if r["kind"] in ("share", "option")
                else _mean_cell(r),
                "ci": ""
                if r["suppressed"] or r["estimate"] is None
                else (
                    f"[{percent(r['ci_low'])} ; {percent(r['ci_high'])}]"
                    if r["kind"] in ("share", "option")
                    else f"[{number(r['ci_low'], 1)} ; {number(r['ci_high'], 1)}]"
                ),
                "n": count(r["n_unweighted"]),
                "note": suppressed_reason(r, results.min_n) if r["suppressed"] else imprecision(r),
                "evolution": evolution_text(e),
                "significant": bool(e and e.get("significant")),
            }
        )
    return out


def _mean_cell(row: dict) -> str:
    """A mean or median with its margin."""
    if row["suppressed"]:
        return "masqué"
    if row["estimate"] is None:
        return "–"
    moe = margin_of_error(row)
    text = f"{number(row['estimate'], 1)} ± {number(moe, 1)}"
    return f"{text} (imprécis)" if row["imprecise"] else text


def _headline_option(question: Question, ensemble: pl.DataFrame) -> str | None:
    """The option shown in breakdowns: `oui` for yes/no, else the most frequent answer."""
    if question.type is QuestionType.YES_NO:
        return "oui"
    answered = ensemble.filter((pl.col("option") != NO_ANSWER) & pl.col("estimate").is_not_null())
    if answered.height == 0:
        return None
    return answered.sort("estimate", descending=True)["option"][0]


def _chart_rows(rows: pl.DataFrame, label: str) -> pl.DataFrame:
    """Rows drawable in a chart (suppressed ones are listed in the table, not drawn)."""
    return rows.filter(~pl.col("suppressed") & pl.col("estimate").is_not_null()).with_columns(
        label=pl.when(pl.col("imprecise"))
        .then(pl.concat_str(pl.col(label), pl.lit(" (imprécis)")))
        .otherwise(pl.col(label))
    )


def _alt(title: str, rows: pl.DataFrame, share: bool = True) -> str:
    """Text alternative: the values in reading order."""
    fmt = (lambda v: percent(v)) if share else (lambda v: number(v, 1))
    values = "; ".join(
        f"{r['label']} : {fmt(r['estimate'])}" for r in rows.to_dicts() if r["estimate"] is not None
    )
    return f"{title}. {values or 'aucune valeur publiable'}."


def question_block(
    question: Question,
    results: ReportResults,
    theme: Theme | None,
    sink: ChartSink | None,
    evo: dict,
    population: tuple[str, str] = ("ensemble", "ensemble"),
) -> dict:
    """Everything shown for one question: distribution, breakdowns, tables, notes.

    Without a `sink` no chart is rendered (the dashboard shows tables only); `population` picks
    the domain whose distribution is shown (breakdowns only for the whole population).
    """
    rows = results.estimates.filter(pl.col("indicator") == question.id)
    sink = sink or (lambda chart: {})
    block = {
        "id": question.id,
        "label": question.label,
        "type": question.type.value,
        "charts": [],
        "tables": [],
        "note": "",
    }
    if question.type is QuestionType.TEXT or rows.height == 0:
        block["note"] = "Question ouverte : les réponses libres ne sont pas publiées."
        return block
    ensemble = rows.filter(
        (pl.col("domain") == population[0]) & (pl.col("domain_value") == population[1])
    )
    numeric = question.type.is_numeric
    if numeric:
        means = ensemble.filter(pl.col("kind").is_in(["mean", "median"])).with_columns(
            label=pl.when(pl.col("kind") == "mean")
            .then(pl.lit("Moyenne"))
            .otherwise(pl.lit("Médiane"))
        )
        block["base"] = base_text(means.row(0, named=True)) if means.height else ""
        block["tables"].append(
            {
                "title": f"{question.label} — moyenne et médiane"
                + (f" ({question.unit})" if question.unit else ""),
                "rows": _table_rows(means.to_dicts(), results, "label", evo),
            }
        )
        headline_rows = rows.filter(pl.col("kind") == "mean")
        share = False
    else:
        kind = "option" if question.type is QuestionType.MULTIPLE_CHOICE else "share"
        dist = ensemble.filter(pl.col("kind") == kind)
        block["base"] = base_text(dist.row(0, named=True)) if dist.height else ""
        if kind == "option":
            shown = (
                dist.filter(pl.col("option") != NO_ANSWER)
                .sort("estimate", descending=True, nulls_last=True)
                .head(TOP_N)
            )
            no_answer = dist.filter(pl.col("option") == NO_ANSWER)
            title = f"{question.label} — les {min(TOP_N, shown.height)} réponses les plus citées"
            block["note"] = "Plusieurs réponses possibles : le total dépasse 100 %." + (
                f" Sans réponse : {share_cell(no_answer.row(0, named=True), results.min_n)}."
                if no_answer.height
                else ""
            )
            sort = True
        else:
            shown = dist
            title = f"{question.label} — répartition des réponses (sans réponse inclus)"
            sort = question.type is QuestionType.SINGLE_CHOICE
        drawable = _chart_rows(shown, "option_label")
        if drawable.height and theme is not None:
            block["charts"].append(
                sink(
                    bar_chart(
                        f"{question.id}-ensemble",
                        title,
                        drawable,
                        theme,
                        _alt(title, drawable),
                        sort=sort,
                    )
                )
            )
        block["tables"].append(
            {
                "title": title,
                "rows": _table_rows(
                    (dist if kind == "share" else shown).to_dicts(), results, "option_label", evo
                ),
            }
        )
        option = _headline_option(question, dist)
        headline_rows = rows.filter((pl.col("kind") == kind) & (pl.col("option") == option))
        share = True
        block["headline"] = headline_rows["option_label"][0] if headline_rows.height else None
    for domain in BREAKDOWN_DOMAINS if population[0] == "ensemble" else ():
        part = headline_rows.filter(pl.col("domain") == domain)
        if part.height == 0:
            continue
        part = part.with_columns(
            label=pl.col("domain_value").map_elements(
                lambda v, d=domain: domain_label(d, v), return_dtype=pl.String
            )
        )
        if numeric:
            title = f"{question.label} — moyenne selon : {DOMAIN_TITLES[domain].lower()}"
        else:
            title = f"« {block['headline']} » selon : {DOMAIN_TITLES[domain].lower()}"
        drawable = _chart_rows(part, "label")
        if drawable.height >= 2 and theme is not None:
            name = f"{question.id}-{domain}"
            chart = (
                bar_chart(name, title, drawable, theme, _alt(title, drawable), sort=False)
                if share
                else mean_chart(
                    name, title, drawable, theme, _alt(title, drawable, False), question.unit or ""
                )
            )
            block["charts"].append(sink(chart))
        block["tables"].append(
            {
                "title": title,
                "rows": _table_rows(part.to_dicts(), results, "label", evo),
                "domain": domain,
            }
        )
    return block


def theme_pages(results: ReportResults, theme: Theme, sink: ChartSink) -> list[dict]:
    """One page model per questionnaire theme."""
    evo = _evolution_lookup(results)
    return [
        {
            "id": t.id,
            "label": t.label,
            "description": t.description,
            "file": f"theme-{t.id}.html",
            "blocks": [question_block(q, results, theme, sink, evo) for q in t.questions],
        }
        for t in results.questionnaire.themes
    ]


def maturity_page(results: ReportResults, theme: Theme, sink: ChartSink) -> dict | None:
    """Scores by theme, level distribution and profiles (None without maturity items)."""
    tables = results.maturity
    if "scores_population" not in tables:
        return None
    labels = {t.id: t.label for t in results.questionnaire.themes} | {"_global": "Indice global"}
    scores = (
        tables["scores_population"]
        .filter(pl.col("breakdown") == "ensemble")
        .with_columns(
            label=pl.col("theme").replace_strict(labels, default=pl.col("theme")),
            suppressed=pl.col("n") < results.min_n,
        )
    )
    page: dict = {"charts": [], "tables": []}
    drawable = scores.filter(~pl.col("suppressed") & pl.col("estimate").is_not_null())
    title = "Score moyen de maturité par thème (0 à 100)"
    if drawable.height:
        page["charts"].append(
            sink(
                mean_chart(
                    "maturite-scores",
                    title,
                    drawable,
                    theme,
                    _alt(title, drawable, False),
                    "score (0 à 100)",
                    domain=(0, 100),
                )
            )
        )
    page["tables"].append(
        {
            "title": title,
            "rows": [
                {
                    "label": r["label"],
                    "value": "masqué"
                    if r["suppressed"]
                    else f"{number(r['estimate'], 1)} ± {number(margin_of_error(r), 1)}",
                    "ci": ""
                    if r["suppressed"]
                    else f"[{number(r['ci_low'], 1)} ; {number(r['ci_high'], 1)}]",
                    "n": count(r["n"]),
                    "note": suppressed_reason({"n_unweighted": r["n"]}, results.min_n)
                    if r["suppressed"]
                    else "",
                }
                for r in scores.to_dicts()
            ],
        }
    )
    levels = tables.get("levels_population")
    if levels is not None:
        overall = levels.filter(
            (pl.col("breakdown") == "ensemble") & (pl.col("theme") == "_global")
        )
        if overall.height:
            rows = overall.with_columns(
                label=pl.col("level"),
                imprecise=pl.col("n") < 30,
                suppressed=pl.col("n") < results.min_n,
            )
            title = "Répartition des collectivités par niveau de maturité global"
            drawable = _chart_rows(rows, "label")
            page["charts"].append(
                sink(
                    bar_chart(
                        "maturite-niveaux",
                        title,
                        drawable,
                        theme,
                        _alt(title, drawable),
                        sort=False,
                    )
                )
            )
            page["tables"].append(
                {
                    "title": title,
                    "rows": [
                        {
                            "label": r["label"],
                            "value": "masqué"
                            if r["suppressed"]
                            else f"{percent(r['estimate'])} ± {points(margin_of_error(r))}",
                            "ci": "",
                            "n": count(r["n"]),
                            "note": "",
                        }
                        for r in rows.to_dicts()
                    ],
                }
            )
    shares = tables.get("typology_shares")
    summary = tables.get("typology_summary")
    if shares is not None and summary is not None:
        rows = shares.filter(pl.col("breakdown") == "ensemble")
        name_col = "profile_name" if "profile_name" in rows.columns else "profile"
        rows = rows.with_columns(
            label=pl.col(name_col).cast(pl.String),
            imprecise=pl.col("n") < 30,
            suppressed=pl.col("n") < results.min_n,
        )
        title = "Profils de maturité (typologie) : part des collectivités"
        drawable = _chart_rows(rows, "label")
        if drawable.height:
            page["charts"].append(
                sink(
                    bar_chart(
                        "maturite-profils",
                        title,
                        drawable,
                        theme,
                        _alt(title, drawable),
                        sort=False,
                    )
                )
            )
        page["profiles"] = [
            {
                "Profil": r.get("profile"),
                "Nom": r.get("profile_name"),
                "Répondants": r.get("n"),
                "Indice global du centre": r.get("overall_centroid"),
                "Écart stratégie − opérationnel": r.get("strategy_gap"),
            }
            for r in summary.to_dicts()
        ]
    scale = tables.get("levels_scale")
    page["scale"] = [] if scale is None else scale.to_dicts()
    page["correlations"] = correlation_section(results)
    return page


def methodology_page(results: ReportResults) -> dict:
    """Frame and vintage, response rates, weighting diagnostics, margins of error, suppression."""
    diag = results.diagnostics
    cal = diag.get("calibration", {})
    register = results.meta.get("register", {})
    rates = results.response_rates
    return {
        "frame": (
            f"Registre officiel {register.get('source', '')} {register.get('version', '')}, "
            f"millésime {register.get('vintage', '')} (code officiel géographique)."
        ),
        "population": count(diag.get("population_size")),
        "respondents": count(diag.get("n_respondents")),
        "kinds": ", ".join(domain_label("kind_detail", k) for k in diag.get("kinds") or []),
        "rates": [
            {
                "stratum": DOMAIN_TITLES.get(r["stratum"], r["stratum"])
                if r["stratum"] != "kind_detail × size_class"
                else "Type × taille",
                "value": " × ".join(
                    domain_label(d, v)
                    for d, v in zip(
                        ["kind_detail", "size_class"]
                        if r["stratum"] == "kind_detail × size_class"
                        else [r["stratum"]],
                        r["stratum_value"].split(" × ", 1),
                        strict=False,
                    )
                ),
                "frame": count(r["frame_count"]),
                "respondents": count(r["respondents"]),
                "rate": percent(r["rate"], 1),
            }
            for r in rates.to_dicts()
        ],
        "calibration": {
            "method": cal.get("method", "aucune"),
            "margins": ", ".join(diag.get("options", {}).get("margins", [])),
            "iterations": cal.get("iterations", "–"),
            "residual": f"{cal.get('max_relative_residual', 0):.1e}".replace(".", ","),
            "g_range": f"{number(cal.get('g_min'), 2)} à {number(cal.get('g_max'), 2)}",
            "weight_range": f"{number(cal.get('weight_min'), 1)} à {number(cal.get('weight_max'), 1)}",
            "deff": number(cal.get("deff_kish"), 2),
            "n_effective": count(cal.get("n_effective")),
        },
        "warnings": diag.get("warnings", []),
        "min_n": results.min_n,
        "imprecise_n": diag.get("options", {}).get("imprecise_n", 30),
        "imprecise_cv": number(diag.get("options", {}).get("imprecise_cv", 0.3), 1),
        "level": percent(diag.get("options", {}).get("level", 0.95)),
        "questionnaire": [
            {
                "label": t.label,
                "questions": [
                    {
                        "id": q.id,
                        "label": q.label,
                        "type": q.type.value,
                        "choices": ", ".join(c.label for c in q.choices)
                        or ", ".join(lv.label for lv in q.levels),
                        "relevant": q.relevant or "",
                    }
                    for q in t.questions
                ],
            }
            for t in results.questionnaire.themes
        ],
    }
