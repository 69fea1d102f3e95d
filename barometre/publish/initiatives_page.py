"""The « Initiatives numériques » page: domain shares, intensity per 1,000 inhabitants, population link.

Built from `barometre.initiatives.report.edition_report` when the edition folder holds an
`initiatives/corpus.csv`; absent otherwise.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from barometre.initiatives.findings import SEED_SOURCE
from barometre.initiatives.report import InitiativesReport, edition_report
from barometre.publish.charts import bar_chart, share_row
from barometre.publish.numbers import count, number, percent
from barometre.register import Register

PAGE_FILE = "initiatives.html"
TABLES_FOLDER = "initiatives"


def edition_initiatives(
    edition_dir: str | Path, register: Register | None = None
) -> InitiativesReport | None:
    """The initiatives analysis of an edition folder (None without a corpus)."""
    return edition_report(edition_dir, register)


def _p(value: float) -> str:
    """A p-value in French."""
    return "p < 0,001" if value < 0.001 else f"p = {number(value, 3)}"


def _interval(row: dict) -> str:
    """`de 21,8 % à 28,4 %`."""
    return f"de {percent(row['ic_bas'], 1)} à {percent(row['ic_haut'], 1)}"


def initiatives_page(report: InitiativesReport) -> dict:
    """Page model: key figures, domain shares with CIs, initiatives per 1,000 inhabitants."""
    shares = (
        report.shares.sort("part", descending=True)
        .with_columns(
            label=pl.col("libelle"),
            estimate=pl.col("part"),
            ci_low=pl.col("ic_bas"),
            ci_high=pl.col("ic_haut"),
            imprecise=pl.lit(False),
            suppressed=pl.lit(False),
        )
        .filter(pl.col("estimate").is_not_null())
    )
    title = "Part de chaque domaine parmi les initiatives publiées"
    charts = [
        bar_chart(
            "initiatives-domaines",
            title,
            [share_row(r["label"], r, _interval(r)) for r in shares.to_dicts()],
            sort=True,
        )
    ]
    pop = report.population
    ratio = number(pop["rapport_x10"], 2)
    sentence = (
        f"Nombre d'initiatives selon la population ({count(pop['collectivites'])} collectivités "
        f"du corpus) : ρ de Spearman = {number(pop['spearman_rho'], 2)}, {_p(pop['spearman_p'])} ; "
        f"quand la population est multipliée par 10, le nombre d'initiatives est multiplié par "
        f"{ratio} (modèle de Poisson, erreurs-types robustes)."
    )
    return {
        "file": PAGE_FILE,
        "figures": [{"label": label, "value": value} for label, value in report.key_figures()],
        "charts": charts,
        "shares": [
            {
                "label": r["libelle"],
                "value": percent(r["part"], 1),
                "ci": _interval(r),
                "n": count(r["initiatives"]),
            }
            for r in shares.to_dicts()
        ],
        "intensity": [
            {
                "label": "Ensemble" if r["groupe"] == "ensemble" else r["groupe"],
                "collectivites": count(r["collectivites"]),
                "initiatives": count(r["initiatives"]),
                "per_collectivite": number(r["par_collectivite"], 1),
                "per_1000": number(r["pour_1000_hab"], 2),
                "ci": f"de {number(r['ic_bas'], 2)} à {number(r['ic_haut'], 2)}",
            }
            for r in report.intensity.to_dicts()
        ],
        "population": sentence,
        "findings": [
            {
                "title": f.title,
                "verdict": {True: "retrouvé", False: "non retrouvé", None: "non examiné"}[f.agrees],
                "statement": f.statement,
                "seed": f.seed,
            }
            for f in report.findings
        ],
        "findings_source": SEED_SOURCE,
        "total": count(report.initiatives),
        "collectivites": count(report.collectivites),
    }
