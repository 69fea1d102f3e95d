"""The « Corrélations » section of the maturity page: theme × theme matrix, scores vs population.

Reads the weighted Spearman tables computed by `barometre.maturity` (`correlations_themes`,
`correlations`) and states the seed questions explicitly: is strategy maturity associated with
services maturity (seed 003), does maturity or the number of services grow with population (001).
"""

from __future__ import annotations

import math
import re

import polars as pl

from barometre.maturity.correlations import Correlation, french_number
from barometre.maturity.model import MaturityModel
from barometre.questionnaire.model import QuestionType
from barometre.results.store import ReportResults

OVERALL = "_global"
POPULATION = "log10(population)"
SIGNIFICANCE = 0.05
SERVICES = re.compile(r"(^|_)services?(_|$)")


def _p(value: float | None) -> str:
    """A p-value in French: « p < 0,001 » or « p = 0,034 »."""
    if value is None or math.isnan(value):
        return "p non calculable"
    return "p < 0,001" if value < 0.001 else f"p = {french_number(value, 3)}"


def variable_labels(results: ReportResults) -> dict[str, str]:
    """French labels of the correlated variables: themes, global index, population, counts."""
    labels = {t.id: t.label for t in results.questionnaire.themes}
    labels[OVERALL] = "Indice global"
    labels[POPULATION] = "Population (log10)"
    labels["opsn"] = "Membre d'un OPSN"
    for q in results.questionnaire.questions:
        if q.type is QuestionType.MULTIPLE_CHOICE:
            labels[q.id] = f"Nombre de réponses cochées : {q.label}"
    return labels


def _correlation(row: dict, labels: dict[str, str]) -> Correlation:
    """A table row back as a Correlation with French variable labels (nulls as NaN)."""
    values = {k: (math.nan if v is None else v) for k, v in row.items()}
    values["x"] = labels.get(row["x"], row["x"])
    values["y"] = labels.get(row["y"], row["y"])
    values["controls"] = row.get("controls") or ""
    values["effect"] = row.get("effect") or "indéterminé"
    return Correlation(**values)


def _cell(row: dict) -> dict:
    """One matrix cell: ρ, p-value, significance."""
    r, p = row["r"], row["p_value"]
    return {
        "text": f"{french_number(r)} ({_p(p)})",
        "significant": p is not None and p < SIGNIFICANCE,
    }


def _matrix(table: pl.DataFrame, labels: dict[str, str]) -> dict:
    """The symmetric theme × theme matrix as header labels and rows of cells."""
    order = list(dict.fromkeys([*table["x"].to_list(), *table["y"].to_list()]))
    order = [v for v in order if v != OVERALL] + ([OVERALL] if OVERALL in order else [])
    cells = {}
    for row in table.to_dicts():
        cells[(row["x"], row["y"])] = cells[(row["y"], row["x"])] = _cell(row)
    return {
        "columns": [labels.get(v, v) for v in order],
        "rows": [
            {
                "label": labels.get(a, a),
                "cells": [cells.get((a, b), {"text": "—", "significant": False}) for b in order],
            }
            for a in order
        ],
    }


def strategy_services_pair(results: ReportResults) -> tuple[str, str] | None:
    """The (strategy, services) theme ids of the questionnaire, when it has both."""
    model = MaturityModel.from_questionnaire(results.questionnaire)
    strategy = model.strategy_theme_ids()
    services = [
        t.id
        for t in results.questionnaire.themes
        if t.id in model.theme_ids
        and t.id not in strategy
        and (SERVICES.search(t.id.lower()) or t.label.lower().startswith("services"))
    ]
    return (strategy[0], services[0]) if strategy and services else None


def _answer(corr: Correlation, question: str) -> dict:
    """A seed question answered in French from one correlation."""
    if math.isnan(corr.p_value):
        verdict = "Impossible de conclure : trop peu de répondants."
    elif corr.p_value < SIGNIFICANCE:
        sense = "positive" if corr.r > 0 else "négative"
        verdict = f"Oui : association {sense} ({corr.effect}), significative au seuil de 5 %."
    else:
        verdict = "Pas d'association significative au seuil de 5 % dans cet échantillon."
    return {"question": question, "verdict": verdict, "sentence": corr.sentence()}


def correlation_section(results: ReportResults) -> dict | None:
    """Everything the « Corrélations » section shows (None without correlation tables)."""
    themes = results.maturity.get("correlations_themes")
    pairs = results.maturity.get("correlations")
    if themes is None and pairs is None:
        return None
    labels = variable_labels(results)
    section: dict = {"questions": [], "matrix": None, "theme_sentences": [], "pairs": []}
    if themes is not None and themes.height:
        section["matrix"] = _matrix(themes, labels)
        section["theme_sentences"] = [_correlation(r, labels).sentence() for r in themes.to_dicts()]
        found = strategy_services_pair(results)
        if found:
            match = themes.filter(
                pl.col("x").is_in(list(found)) & pl.col("y").is_in(list(found))
            ).to_dicts()
            if match:
                corr = _correlation(match[0], labels)
                section["questions"].append(
                    _answer(
                        corr,
                        f"La maturité en « {labels[found[0]]} » est-elle associée à la maturité "
                        f"en « {labels[found[1]]} » ?",
                    )
                )
    if pairs is not None and pairs.height:
        for row in pairs.to_dicts():
            corr = _correlation(row, labels)
            section["pairs"].append(
                {
                    "x": corr.x,
                    "y": corr.y,
                    "rho": french_number(corr.r),
                    "ci": f"[{french_number(corr.ci_low)} ; {french_number(corr.ci_high)}]",
                    "p": _p(corr.p_value),
                    "n": corr.n,
                    "significant": not math.isnan(corr.p_value) and corr.p_value < SIGNIFICANCE,
                    "sentence": corr.sentence(),
                }
            )
            if row["x"] == POPULATION and row["y"] == OVERALL:
                section["questions"].append(
                    _answer(
                        corr,
                        "La maturité numérique (indice global) croît-elle avec la population ?",
                    )
                )
    return section
