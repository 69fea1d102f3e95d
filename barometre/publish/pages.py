"""Page models of the report: plain dicts built from the result tables, rendered by Jinja2 templates.

The same models feed the static site, the PDF and the web dashboard (which never recomputes).
Charts are models too (`barometre.publish.charts.Chart`, rendered as HTML by the templates).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import polars as pl

from barometre.publish.charts import Chart, bar_chart, mean_chart, share_row
from barometre.publish.correlation_section import correlation_section
from barometre.publish.numbers import count, number, percent
from barometre.publish.sentences import approximate, asked_clause
from barometre.publish.wording import (
    DOMAIN_TITLES,
    base_sentence,
    domain_label,
    evolution_text,
    imprecision,
    interval_text,
    is_census,
    is_exact,
    suppressed_reason,
    value_cell,
    wave_note,
)
from barometre.questionnaire.model import Question, QuestionType
from barometre.register.labels import variable_label
from barometre.results.store import ReportResults

NO_ANSWER = "sans_reponse"
TOP_N = 10
BREAKDOWN_DOMAINS = ("size_class", "kind_detail", "region_group")


def _evolution_lookup(results: ReportResults) -> dict[tuple, dict]:
    """(indicator, kind, option, domain, domain_value) → evolution row."""
    if results.evolution is None or results.evolution.height == 0:
        return {}
    return {
        (r["indicator"], r["kind"], r["option"], r["domain"], r["domain_value"]): r
        for r in results.evolution.to_dicts()
    }


def population_size(results: ReportResults) -> int:
    """The number of units of the target population (the frame restricted to the template)."""
    return int(results.diagnostics.get("population_size") or 0)


def _table_rows(
    rows: list[dict], results: ReportResults, label_key: str, evo: dict, census: bool
) -> list[dict]:
    """Data-table rows: label, value, 95 % interval (never empty), n, note, evolution."""
    out = []
    for r in rows:
        share = r["kind"] in ("share", "option")
        e = evo.get((r["indicator"], r["kind"], r["option"], r["domain"], r["domain_value"]))
        out.append(
            {
                "label": r[label_key],
                "value": value_cell(r, share, census),
                "ci": interval_text(r, share, census) or "–",
                "n": count(r["n_unweighted"]),
                "note": suppressed_reason(r, results.min_n)
                if r["suppressed"]
                else imprecision(r, census),
                "evolution": evolution_text(e),
                "significant": bool(e and e.get("significant")),
            }
        )
    return out


def _headline_option(question: Question, ensemble: pl.DataFrame) -> str | None:
    """The option shown in breakdowns: `oui` for yes/no, else the most frequent answer."""
    if question.type is QuestionType.YES_NO:
        return "oui"
    answered = ensemble.filter((pl.col("option") != NO_ANSWER) & pl.col("estimate").is_not_null())
    if answered.height == 0:
        return None
    return answered.sort("estimate", descending=True)["option"][0]


def _share_chart(
    name: str, title: str, rows: list[dict], label_key: str, census: bool, sort: bool
) -> Chart | None:
    """Bars of the publishable shares (suppressed rows are listed in the table, not drawn)."""
    drawable = [r for r in rows if not r["suppressed"] and r["estimate"] is not None]
    if not drawable:
        return None
    return bar_chart(
        name,
        title,
        [
            share_row(r[label_key], r, interval_text(r, True, census), exact=is_exact(r, census))
            for r in drawable
        ],
        sort=sort,
    )


def _mean_chart(
    name: str, title: str, rows: list[dict], unit: str, census: bool, domain=None
) -> Chart | None:
    """Points of the publishable means with their intervals."""
    drawable = [
        r
        | {"interval": interval_text(r, False, census)}
        | ({"ci_low": None, "ci_high": None, "imprecise": False} if census else {})
        for r in rows
        if not r["suppressed"] and r["estimate"] is not None
    ]
    return mean_chart(name, title, drawable, unit, domain) if len(drawable) >= 1 else None


def question_base(
    question: Question, results: ReportResults, row: Mapping, census: bool, group: str = ""
) -> str:
    """The base sentence of a question's distribution: who, how many, what they represent."""
    clause = asked_clause(question, results.questionnaire) or ""
    where = f"({group})" if group else ""
    full_clause = " ".join(part for part in (clause, where) if part)
    n = int(row.get("n_unweighted") or 0)
    if clause or group:
        represented = approximate(row.get("n_weighted"), census)
    else:
        represented = count(population_size(results))
    return base_sentence(
        n,
        results.questionnaire.population,
        full_clause,
        represented,
        population_size(results) if (clause or group) else None,
        census,
    )


def question_block(
    question: Question,
    results: ReportResults,
    evo: dict,
    population: tuple[str, str] = ("ensemble", "ensemble"),
) -> dict:
    """Everything shown for one question: distribution, breakdowns, charts, tables, notes.

    `population` picks the domain whose distribution is shown (breakdowns only for the whole
    population); the dashboard's filter passes one size class, kind or région.
    """
    census = is_census(results.diagnostics)
    rows = results.estimates.filter(pl.col("indicator") == question.id)
    block: dict = {
        "id": question.id,
        "label": question.label,
        "type": question.type.value,
        "charts": [],
        "tables": [],
        "note": "",
        "base": "",
    }
    if question.type is QuestionType.TEXT or rows.height == 0:
        block["note"] = "Question ouverte : les réponses libres ne sont pas publiées."
        return block
    ensemble = rows.filter(
        (pl.col("domain") == population[0]) & (pl.col("domain_value") == population[1])
    )
    group = "" if population[0] == "ensemble" else domain_label(*population)
    numeric = question.type.is_numeric
    unit = question.unit or ""
    if numeric:
        means = ensemble.filter(pl.col("kind").is_in(["mean", "median"])).with_columns(
            label=pl.when(pl.col("kind") == "mean")
            .then(pl.lit("Moyenne"))
            .otherwise(pl.lit("Médiane"))
        )
        if means.height:
            block["base"] = question_base(
                question, results, means.row(0, named=True), census, group
            )
        block["tables"].append(
            {
                "title": f"{question.label} — moyenne et médiane" + (f" ({unit})" if unit else ""),
                "rows": _table_rows(means.to_dicts(), results, "label", evo, census),
            }
        )
        headline_rows = rows.filter(pl.col("kind") == "mean")
    else:
        kind = "option" if question.type is QuestionType.MULTIPLE_CHOICE else "share"
        dist = ensemble.filter(pl.col("kind") == kind)
        if dist.height:
            block["base"] = question_base(question, results, dist.row(0, named=True), census, group)
        if kind == "option":
            shown = (
                dist.filter(pl.col("option") != NO_ANSWER)
                .sort("estimate", descending=True, nulls_last=True)
                .head(TOP_N)
            )
            no_answer = dist.filter(pl.col("option") == NO_ANSWER)
            short = f"Les {min(TOP_N, shown.height)} réponses les plus citées"
            note = "Plusieurs réponses possibles : le total dépasse 100 %."
            if no_answer.height:
                row = no_answer.row(0, named=True)
                note += f" Sans réponse : {value_cell(row, True, census)}."
            block["note"] = note
            sort = True
        else:
            shown = dist
            short = "Répartition des réponses (sans réponse inclus)"
            sort = question.type is QuestionType.SINGLE_CHOICE
        title = f"{question.label} — {short[0].lower()}{short[1:]}"
        chart = _share_chart(
            f"{question.id}-ensemble", short, shown.to_dicts(), "option_label", census, sort
        )
        if chart is not None:
            block["charts"].append(chart)
        block["tables"].append(
            {
                "title": title,
                "rows": _table_rows(
                    (dist if kind == "share" else shown).to_dicts(),
                    results,
                    "option_label",
                    evo,
                    census,
                ),
            }
        )
        option = _headline_option(question, dist)
        headline_rows = rows.filter((pl.col("kind") == kind) & (pl.col("option") == option))
        block["headline"] = headline_rows["option_label"][0] if headline_rows.height else None
    for domain in BREAKDOWN_DOMAINS if population[0] == "ensemble" else ():
        part = headline_rows.filter(pl.col("domain") == domain)
        if part.height == 0:
            continue
        part_rows = [
            r | {"label": domain_label(domain, r["domain_value"])} for r in part.to_dicts()
        ]
        by = DOMAIN_TITLES[domain].lower()
        if numeric:
            short = f"Moyenne selon : {by}"
            title = f"{question.label} — moyenne selon : {by}"
            chart = _mean_chart(f"{question.id}-{domain}", short, part_rows, unit, census)
        else:
            title = f"« {block['headline']} » selon : {by}"
            chart = _share_chart(
                f"{question.id}-{domain}", title, part_rows, "label", census, sort=False
            )
        if chart is not None and len(chart.rows) >= 2:
            block["charts"].append(chart)
        block["tables"].append(
            {
                "title": title,
                "rows": _table_rows(part_rows, results, "label", evo, census),
                "domain": domain,
            }
        )
    return block


def theme_pages(results: ReportResults) -> list[dict]:
    """One page model per questionnaire theme."""
    evo = _evolution_lookup(results)
    return [
        {
            "id": t.id,
            "label": t.label,
            "description": t.description,
            "wave": wave_note(results.questionnaire, t.id),
            "file": f"theme-{t.id}.html",
            "blocks": [question_block(q, results, evo) for q in t.questions],
        }
        for t in results.questionnaire.themes
    ]


def _maturity_rows(table: pl.DataFrame, min_n: int, share: bool, census: bool) -> list[dict]:
    """Table rows of a maturity table (scores, levels or profiles) with intervals, never empty."""
    out = []
    for r in table.to_dicts():
        row = r | {"n_unweighted": r["n"], "suppressed": r["n"] < min_n, "imprecise": r["n"] < 30}
        out.append(
            {
                "label": r["label"],
                "value": value_cell(row, share, census),
                "ci": interval_text(row, share, census) or "–",
                "n": count(r["n"]),
                "note": suppressed_reason(row, min_n) if row["suppressed"] else "",
            }
        )
    return out


def maturity_page(results: ReportResults) -> dict | None:
    """Scores by theme, level distribution and profiles (None without maturity items)."""
    tables = results.maturity
    if "scores_population" not in tables:
        return None
    census = is_census(results.diagnostics)
    labels = {t.id: t.label for t in results.questionnaire.themes} | {"_global": "Indice global"}
    scores = (
        tables["scores_population"]
        .filter(pl.col("breakdown") == "ensemble")
        .with_columns(label=pl.col("theme").replace_strict(labels, default=pl.col("theme")))
    )
    page: dict = {"charts": [], "tables": []}
    title = "Score moyen de maturité par thème (0 à 100)"
    drawable = [
        r | {"suppressed": r["n"] < results.min_n, "imprecise": r["n"] < 30}
        for r in scores.to_dicts()
    ]
    chart = _mean_chart("maturite-scores", title, drawable, "score de 0 à 100", census, (0, 100))
    if chart is not None:
        page["charts"].append(chart)
    page["tables"].append(
        {"title": title, "rows": _maturity_rows(scores, results.min_n, False, census)}
    )
    levels = tables.get("levels_population")
    if levels is not None:
        overall = levels.filter(
            (pl.col("breakdown") == "ensemble") & (pl.col("theme") == "_global")
        ).with_columns(label=pl.col("level"))
        if overall.height:
            title = (
                f"Répartition des {results.questionnaire.population.plural} "
                "par niveau de maturité global"
            )
            rows = [
                r | {"suppressed": r["n"] < results.min_n, "imprecise": r["n"] < 30}
                for r in overall.to_dicts()
            ]
            chart = _share_chart("maturite-niveaux", title, rows, "label", census, sort=False)
            if chart is not None:
                page["charts"].append(chart)
            page["tables"].append(
                {"title": title, "rows": _maturity_rows(overall, results.min_n, True, census)}
            )
    shares = tables.get("typology_shares")
    summary = tables.get("typology_summary")
    if shares is not None and summary is not None:
        name_col = "profile_name" if "profile_name" in shares.columns else "profile"
        rows_table = shares.filter(pl.col("breakdown") == "ensemble").with_columns(
            label=pl.col(name_col).cast(pl.String)
        )
        title = (
            f"Profils de maturité (typologie) : part des {results.questionnaire.population.plural}"
        )
        rows = [
            r | {"suppressed": r["n"] < results.min_n, "imprecise": r["n"] < 30}
            for r in rows_table.to_dicts()
        ]
        chart = _share_chart("maturite-profils", title, rows, "label", census, sort=False)
        if chart is not None:
            page["charts"].append(chart)
        page["tables"].append(
            {"title": title, "rows": _maturity_rows(rows_table, results.min_n, True, census)}
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


def _calibration_margins(results: ReportResults) -> str:
    """The calibration margins in words (« type × taille, région »)."""
    margins = results.diagnostics.get("options", {}).get("margins", [])
    return ", ".join(variable_label(margin) for margin in margins)


QUESTION_TYPE_LABELS = {
    "single_choice": "choix unique",
    "multiple_choice": "choix multiple",
    "yes_no": "oui / non",
    "maturity": "niveau de maturité",
    "number": "nombre",
    "percentage": "pourcentage",
    "text": "texte libre",
}


def _condition_in_words(question, questionnaire) -> str:
    """Who is asked the question, in words: its statement, else « si » + the referenced
    questions' labels and answers (the raw expression only as a last resort)."""
    if not question.relevant:
        return ""
    clause = asked_clause(question, questionnaire)
    if clause and clause != "à qui la question a été posée":
        return f"{questionnaire.population.plural} {clause}"
    text = question.relevant
    for ref in re.findall(r"\$\{(\w+)\}", text):
        other = next((q for q in questionnaire.questions if q.id == ref), None)
        if other is None:
            continue
        text = text.replace("${" + ref + "}", f"« {other.label} »")
        for choice in other.choices:
            text = text.replace(f"'{choice.code}'", f"« {choice.label} »")
        if other.type.value == "yes_no":
            text = text.replace("'oui'", "« Oui »").replace("'non'", "« Non »")
    text = re.sub(r"selected\((« [^»]+ »), (« [^»]+ »)\)", r"\2 parmi les réponses à \1", text)
    return "si " + text.replace(" and ", " et ").replace(" or ", " ou ").replace(" = ", " : ")


def method_line(results: ReportResults) -> str:
    """The discreet one-line methodology of the front page."""
    diag = results.diagnostics
    population = results.questionnaire.population
    n, size = diag.get("n_respondents"), population_size(results)
    asked = population.agree("répondant")
    if is_census(diag):
        return (
            f"Méthode : recensement — les {count(size)} {population.plural} visés ont tous répondu"
            if not population.feminine
            else f"Méthode : recensement — les {count(size)} {population.plural} visées ont "
            "toutes répondu"
        ) + " ; les valeurs n'ont pas de marge d'erreur d'échantillonnage."
    method = results.diagnostics.get("calibration", {}).get("method", "aucune")
    weighting = (
        f"pondération par calage sur le registre ({_calibration_margins(results)})"
        if method not in ("aucune", "none")
        else "sans calage"
    )
    return (
        f"Méthode : {count(n)} {population.plural} {asked} sur {count(size)} "
        f"{population.agree('visé')} ; {weighting} ; intervalles de confiance à 95\u202f% ; "
        f"valeurs masquées sous {results.min_n} répondants."
    )


def methodology_page(results: ReportResults) -> dict:
    """Frame and vintage, response rates, weighting diagnostics, margins of error, suppression."""
    diag = results.diagnostics
    cal = diag.get("calibration", {})
    register = results.meta.get("register", {})
    rates = results.response_rates
    census = is_census(diag)
    ladder = diag.get("calibration_ladder") or {}
    fallback = ladder.get("sentence") if ladder.get("attempts") else None
    detail = ladder.get("detail")
    return {
        "population_description": (diag.get("population") or {}).get("description", ""),
        "fallback": fallback,
        "frame": (
            f"Registre officiel {register.get('source', '')} {register.get('version', '')}, "
            f"millésime {register.get('vintage', '')} (code officiel géographique)."
        ),
        "population": count(diag.get("population_size")),
        "respondents": count(diag.get("n_respondents")),
        "noun": results.questionnaire.population.plural,
        "census": census,
        "out_of_frame": count(diag.get("out_of_frame")) if diag.get("out_of_frame") else "",
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
            "margins": _calibration_margins(results),
            "iterations": cal.get("iterations", "–"),
            "residual": f"{cal.get('max_relative_residual', 0):.1e}".replace(".", ","),
            "g_range": f"{number(cal.get('g_min'), 2)} à {number(cal.get('g_max'), 2)}",
            "weight_range": f"{number(cal.get('weight_min'), 1)} à {number(cal.get('weight_max'), 1)}",
            "deff": number(cal.get("deff_kish"), 2),
            "n_effective": count(cal.get("n_effective")),
        },
        "warnings": [w for w in diag.get("warnings", []) if w != detail],
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
                        "type": QUESTION_TYPE_LABELS.get(q.type.value, q.type.value),
                        "choices": ", ".join(c.label for c in q.choices)
                        or ", ".join(lv.label for lv in q.levels),
                        "relevant": _condition_in_words(q, results.questionnaire),
                    }
                    for q in t.questions
                ],
            }
            for t in results.questionnaire.themes
        ],
    }
