"""The front page as an infographic: key figures grouped by theme, big numbers in sentences,
ranking blocks (#1, #2…) for the options of a multiple-choice question, evolutions in points.

Figures come from the template's figures file (`*.figures.yaml`, estimated on the analysis
design); a theme without any gets its highlights from the estimates table: the « oui » share of
each yes/no question, the most cited options of each multiple choice, the most frequent answer of
each single choice. Every figure is a sentence (`barometre.publish.sentences`) with its base,
its interval (or « recensement ») and its flags.
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from barometre.edition.figures import Figure, figures_or_default
from barometre.publish.charts import bar_chart, share_row
from barometre.publish.numbers import count, percent
from barometre.publish.sentences import (
    Sentence,
    approximate,
    asked_clause,
    domain_clause,
    figure_sentence,
)
from barometre.publish.wording import (
    base_sentence,
    evolution_text,
    imprecision,
    interval_text,
    is_census,
    is_exact,
    precision_sentence,
    suppressed_reason,
    too_imprecise,
    wave_note,
)
from barometre.questionnaire.model import Question, QuestionType
from barometre.results.store import ReportResults

HIGHLIGHT_TOP = 5
SKIPPED_OPTIONS = ("sans_reponse", "nsp")


def _figure_definitions(results: ReportResults) -> dict[str, Figure]:
    """The template's figure definitions by id (statements, domains), empty without a template."""
    template = results.meta.get("template")
    if not template:
        return {}
    return {f.id: f for f in figures_or_default(str(template)).figures}


def _sentence(
    results: ReportResults,
    question: Question,
    options: list[str],
    row: Mapping,
    label: str,
    statement: str,
    domain: Mapping | None,
    among: bool,
    census: bool,
) -> Sentence:
    """The sentence of one figure; `among` forces the « Parmi les … , N % … » form (rankings)."""
    value = (
        "–" if row.get("suppressed") or row.get("estimate") is None else percent(row["estimate"])
    )
    restricted = question.relevant is not None or bool(domain)
    size = approximate(row.get("n_weighted"), census) if restricted else ""
    sentence = figure_sentence(
        results.questionnaire, question, options, value, label, statement, domain, size
    )
    if not among:
        return sentence
    population = results.questionnaire.population
    if sentence.fallback:
        clause = " ".join(
            part
            for part in (domain_clause(domain), asked_clause(question, results.questionnaire))
            if part
        )
        total = size or count(results.diagnostics.get("population_size"))
        where = f" {clause}" if clause else ""
        return Sentence(f"Parmi les {total} {population.plural}{where},", value, label, True)
    if not restricted:
        total = count(results.diagnostics.get("population_size"))
        rest = sentence.rest.removeprefix(f"des {population.plural} ")
        return Sentence(f"Parmi les {total} {population.plural},", value, rest)
    return sentence


def _view(
    results: ReportResults,
    fid: str,
    kind: str,
    question: Question,
    options: list[str],
    row: Mapping,
    label: str,
    statement: str = "",
    domain: Mapping | None = None,
    among: bool = False,
    evolution: Mapping | None = None,
) -> dict:
    """One figure as shown: sentence parts, base, interval, flags, evolution, bar geometry."""
    census = is_census(results.diagnostics)
    sentence = _sentence(results, question, options, row, label, statement, domain, among, census)
    clause = " ".join(
        part
        for part in (domain_clause(domain), asked_clause(question, results.questionnaire))
        if part
    )
    n = int(row.get("n_unweighted") or 0)
    target = int(results.diagnostics.get("population_size") or 0)
    represented = approximate(row.get("n_weighted"), census) if clause else count(target)
    exact = is_exact(row, census)
    suppressed = bool(row.get("suppressed"))
    view = {
        "id": fid,
        "kind": kind,
        "question": question.id,
        "question_label": question.label,
        "theme": question.theme,
        "label": label,
        "lead": sentence.lead,
        "value": sentence.value,
        "rest": sentence.rest,
        "text": sentence.text,
        "fallback": sentence.fallback,
        "estimate": row.get("estimate"),
        "base": base_sentence(
            n,
            results.questionnaire.population,
            clause,
            represented,
            target if clause else None,
            census,
        ),
        "interval": "" if suppressed else interval_text(row, True, census),
        # a census says it once, in the base
        "precision": "" if census else precision_sentence(row, census),
        "suppressed": suppressed_reason(row, results.min_n) if suppressed else "",
        "imprecise": imprecision(row, census),
        "too_imprecise": too_imprecise(row, census),
        "exact": exact,
        "evolution": evolution_text(evolution),
        "significant": bool(evolution and evolution.get("significant")),
        "short": _short(n, row, census),
        "raw": "",
        "seed": "",
        "row": dict(row),
        "options": list(options),
        "statement": statement,
        "domain": domain,
        "domain_key": repr(sorted((domain or {}).items())),
    }
    return view


def _short(n: int, row: Mapping, census: bool) -> str:
    """`n = 85 · de 62 % à 84 %` under a figure of the printed synthèse."""
    if row.get("suppressed"):
        return f"n = {count(n)}"
    interval = interval_text(row, True, census)
    if census:
        return f"n = {count(n)} · recensement"
    return f"n = {count(n)} · IC à 95\u202f% {interval}" if interval else f"n = {count(n)}"


def _from_figures(results: ReportResults, evolutions: dict) -> list[dict]:
    """Views of the figures file's figures, in file order."""
    definitions = _figure_definitions(results)
    views = []
    for row in results.key_figures.to_dicts() if results.key_figures.height else []:
        figure = definitions.get(row["id"])
        question = results.questionnaire.question(row["question"])
        options = str(row["options"]).split()
        evo = evolutions.get((row["id"], "figure", row["options"], "ensemble", "ensemble"))
        view = _view(
            results,
            row["id"],
            "figure",
            question,
            options,
            row,
            row["label"],
            figure.statement if figure else "",
            figure.domain if figure else None,
            evolution=evo,
        )
        if row.get("raw_share") is not None and not is_census(results.diagnostics):
            population = results.questionnaire.population
            view["raw"] = (
                f"Part brute parmi les {count(row['raw_n'])} {population.plural} "
                f"{population.agree('répondant')} à la question : {percent(row['raw_share'])}."
            )
        if row.get("seed_value") is not None and figure is not None:
            view["seed"] = percent(row["seed_value"])
        views.append(view)
    return views


def _highlights(results: ReportResults, theme_questions: list[Question], evolutions: dict):
    """Views computed from the estimates table for a theme without figures in the figures file."""
    table = results.estimates.filter(
        (pl.col("domain") == "ensemble") & pl.col("kind").is_in(["share", "option"])
    )
    views = []
    for question in theme_questions:
        rows = table.filter(
            (pl.col("indicator") == question.id) & ~pl.col("option").is_in(SKIPPED_OPTIONS)
        )
        if rows.height == 0:
            continue
        if question.type is QuestionType.YES_NO:
            picked = rows.filter(pl.col("option") == "oui")
        elif question.type is QuestionType.MULTIPLE_CHOICE:
            picked = rows.sort("estimate", descending=True, nulls_last=True).head(HIGHLIGHT_TOP)
        elif question.type is QuestionType.SINGLE_CHOICE:
            picked = rows.sort("estimate", descending=True, nulls_last=True).head(1)
        else:
            continue
        for row in picked.to_dicts():
            key = (row["indicator"], row["kind"], row["option"], "ensemble", "ensemble")
            view = _view(
                results,
                f"{question.id}-{row['option']}",
                "highlight",
                question,
                [row["option"]],
                row,
                row["option_label"],
                evolution=evolutions.get(key),
            )
            views.append(view)
    return views


def _blocks(views: list[dict], results: ReportResults) -> list[dict]:
    """Single figures and ranking blocks (figures of one multiple-choice question), in order."""
    groups: dict[tuple, list[dict]] = {}
    for view in views:
        question = results.questionnaire.question(view["question"])
        if question.type is QuestionType.MULTIPLE_CHOICE and len(view["options"]) == 1:
            groups.setdefault((view["question"], view["domain_key"]), []).append(view)
    blocks: list[dict] = []
    placed: set[tuple] = set()
    for view in views:
        key = (view["question"], view["domain_key"])
        members = groups.get(key, [])
        if len(members) >= 2 and any(member is view for member in members):
            if key not in placed:
                placed.add(key)
                blocks.append(_ranking(members, results))
            continue
        blocks.append({"type": "figure", "figure": view})
    return blocks


def _ranking(members: list[dict], results: ReportResults) -> dict:
    """A ranking block: the figures of one question sorted by value, #1 first, with bars."""
    question = results.questionnaire.question(members[0]["question"])
    ordered = sorted(
        members,
        key=lambda v: (v["suppressed"] != "", -(v["estimate"] or 0.0)),
    )
    census = is_census(results.diagnostics)
    items = []
    for rank, member in enumerate(ordered, start=1):
        among = _view(
            results,
            member["id"],
            member["kind"],
            question,
            member["options"],
            member["row"],
            member["label"],
            member["statement"],
            member["domain"],
            among=True,
            evolution=None,
        )
        items.append(member | {"rank": rank, "lead": among["lead"], "rest": among["rest"]})
        if not among["fallback"]:
            items[-1]["text"] = among["text"]
    drawable = [i for i in items if not i["suppressed"]]
    chart = bar_chart(
        f"classement-{question.id}",
        f"{question.label} — classement",
        [
            share_row(
                i["label"],
                i["row"],
                i["interval"],
                rank=i["rank"],
                exact=i["exact"],
            )
            for i in drawable
        ],
    )
    first = items[0]
    return {
        "type": "ranking",
        "question": question.id,
        "title": question.label,
        "lead": first["lead"],
        "entries": items,
        "chart": chart,
        "base": first["base"],
        "census": census,
        "note": "Plusieurs réponses possibles : le total dépasse 100 %.",
    }


def front_page(results: ReportResults, evolutions: dict) -> dict:
    """Theme sections of key figures: single figures and ranking blocks, with the method line."""
    figures = _from_figures(results, evolutions)
    by_theme: dict[str, list[dict]] = {}
    for view in figures:
        by_theme.setdefault(view["theme"], []).append(view)
    sections = []
    for theme in results.questionnaire.themes:
        views = by_theme.get(theme.id)
        automatic = views is None
        if automatic:
            views = _highlights(results, list(theme.questions), evolutions)
        if not views:
            continue
        sections.append(
            {
                "id": theme.id,
                "label": theme.label,
                "description": theme.description,
                "file": f"theme-{theme.id}.html",
                "automatic": automatic,
                "wave": wave_note(results.questionnaire, theme.id),
                "blocks": _blocks(views, results),
            }
        )
    return {"sections": sections, "census": is_census(results.diagnostics)}


def all_figures(page: Mapping) -> list[dict]:
    """Every figure of a front page model (single figures and ranking items), in reading order."""
    out = []
    for section in page["sections"]:
        for block in section["blocks"]:
            out.extend(block["entries"] if block["type"] == "ranking" else [block["figure"]])
    return out
