"""Open data: a Frictionless data package (CSV UTF-8, Table Schema per resource, licence etalab-2.0)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import polars as pl

from barometre.questionnaire.model import Questionnaire
from barometre.register.spreadsheet_cells import neutralise_frame
from barometre.results.store import ReportResults

LICENCE = {
    "name": "etalab-2.0",
    "path": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
    "title": "Licence Ouverte / Open Licence version 2.0",
}
PACKAGE_FILE = "datapackage.json"
K_ANONYMITY = 5
STRATA_COLUMNS = ("type", "taille", "region")
TYPES = {pl.String: "string", pl.Int64: "integer", pl.Float64: "number", pl.Boolean: "boolean"}
DESCRIPTIONS = {
    "indicator": "Identifiant de la question (indicateur)",
    "kind": "Nature de l'estimation : share (part, choix unique), option (part, choix multiple), mean (moyenne), median (médiane)",
    "option": "Code de la modalité (sans_reponse : « ne sait pas / sans réponse »)",
    "option_label": "Libellé de la modalité",
    "domain": "Ventilation : ensemble, size_class (taille), kind_detail (type), region_group (région)",
    "domain_value": "Groupe de la ventilation",
    "estimate": "Estimation pondérée (part entre 0 et 1, ou moyenne)",
    "se": "Erreur-type (variance linéarisée tenant compte du calage)",
    "ci_low": "Borne basse de l'intervalle de confiance à 95 %",
    "ci_high": "Borne haute de l'intervalle de confiance à 95 %",
    "n_unweighted": "Nombre de collectivités interrogées au dénominateur",
    "n_weighted": "Nombre pondéré de collectivités au dénominateur",
    "suppressed": "Valeur masquée (effectif sous le seuil de publication)",
    "imprecise": "Estimation imprécise (petit effectif ou coefficient de variation élevé)",
    "cv": "Coefficient de variation",
    "rank": "Rang de la modalité (choix multiple)",
    "denominator": "Dénominateur de la part",
    "note": "Remarque (raison du masquage ou de l'imprécision)",
}


def _schema(frame: pl.DataFrame, primary_key: list[str] | None = None) -> dict:
    """Table Schema of a frame (types from Polars dtypes, French descriptions)."""
    fields = []
    for name, dtype in frame.schema.items():
        field = {"name": name, "type": TYPES.get(dtype, "string")}
        if name in DESCRIPTIONS:
            field["description"] = DESCRIPTIONS[name]
        fields.append(field)
    schema: dict = {"fields": fields, "missingValues": [""]}
    if primary_key:
        schema["primaryKey"] = primary_key
    return schema


def codebook(questionnaire: Questionnaire) -> pl.DataFrame:
    """One row per question × modality (one row for open and numeric questions)."""
    rows = []
    for theme in questionnaire.themes:
        for q in theme.questions:
            options = [(c.code, c.label) for c in q.choices] or [
                (lv.code, lv.label) for lv in q.levels
            ]
            if q.type.value == "yes_no" and not options:
                options = [("oui", "Oui"), ("non", "Non")]
            if q.allow_nsp and q.type.is_choice:
                options.append(("nsp", "Ne sait pas / sans réponse"))
            for code, label in options or [("", "")]:
                rows.append(
                    {
                        "theme": theme.id,
                        "theme_label": theme.label,
                        "question": q.id,
                        "question_label": q.label,
                        "type": q.type.value,
                        "relevant": q.relevant or "",
                        "code": code,
                        "code_label": label,
                        "unit": q.unit or "",
                    }
                )
    return pl.DataFrame(rows)


def _coarse(respondents: pl.DataFrame) -> pl.DataFrame:
    """Coarsened strata: broad type, four size bands, région group."""
    kind = (
        pl.when(pl.col("kind_detail").str.starts_with("epci"))
        .then(pl.lit("epci"))
        .otherwise(pl.col("kind"))
    )
    return respondents.select(
        "code",
        "weight",
        kind.alias("type"),
        pl.col("size_class").alias("taille"),
        pl.col("region_group").alias("region"),
    )


def k_anonymous(strata: pl.DataFrame, k: int = K_ANONYMITY) -> pl.DataFrame:
    """Generalise région, then size, then drop rows until every strata combination has ≥ k rows."""
    cols = list(STRATA_COLUMNS)

    def small() -> pl.Expr:
        return pl.len().over(cols) < k

    strata = strata.with_columns(
        pl.when(small()).then(pl.lit("regroupé")).otherwise(pl.col("region")).alias("region")
    )
    strata = strata.with_columns(
        pl.when(small()).then(pl.lit("toutes tailles")).otherwise(pl.col("taille")).alias("taille")
    )
    return strata.filter(~small())


def microdata(results: ReportResults, answers: pl.DataFrame, salt: str) -> pl.DataFrame:
    """Pseudonymised closed answers with coarsened, k-anonymous strata (no code, no name)."""
    closed = [q.id for q in results.questionnaire.questions if q.type.is_choice]
    strata = k_anonymous(_coarse(results.respondents))
    table = strata.join(
        answers.select("code", *[c for c in closed if c in answers.columns]), on="code", how="left"
    )
    pseudo = [hashlib.sha256(f"{salt}:{code}".encode()).hexdigest()[:16] for code in table["code"]]
    return (
        table.with_columns(pl.Series("id", pseudo))
        .drop("code")
        .select("id", *STRATA_COLUMNS, "weight", pl.exclude("id", *STRATA_COLUMNS, "weight"))
        .sort("id")
    )


def _resource(name: str, path: str, title: str, frame: pl.DataFrame, key: list[str] | None) -> dict:
    """A tabular data resource descriptor."""
    return {
        "name": name,
        "path": path,
        "title": title,
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "schema": _schema(frame, key),
    }


def write_package(
    results: ReportResults,
    out_dir: str | Path,
    answers: pl.DataFrame | None = None,
    salt: str = "",
) -> Path:
    """Write the CSV files and `datapackage.json`; microdata only when `answers` are given."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    tables: list[tuple[str, str, pl.DataFrame, list[str] | None]] = [
        (
            "estimations",
            "Estimations pondérées avec intervalles de confiance et indicateurs de qualité",
            results.estimates,
            None,
        ),
        (
            "codebook",
            "Questionnaire : questions et modalités",
            codebook(results.questionnaire),
            None,
        ),
        (
            "taux_de_reponse",
            "Taux de réponse par strate",
            results.response_rates,
            ["stratum", "stratum_value"],
        ),
    ]
    if results.key_figures.height:
        tables.append(
            ("chiffres_cles", "Chiffres clés avec marges d'erreur", results.key_figures, ["id"])
        )
    if "scores_population" in results.maturity:
        tables.append(
            (
                "maturite_scores",
                "Scores moyens de maturité par thème et par groupe",
                results.maturity["scores_population"],
                None,
            )
        )
    if answers is not None:
        tables.append(
            (
                "microdonnees",
                f"Microdonnées pseudonymisées (strates grossières, k-anonymat k ≥ {K_ANONYMITY})",
                microdata(results, answers, salt),
                ["id"],
            )
        )
    resources = []
    for name, title, frame, key in tables:
        path = f"{name}.csv"
        neutralise_frame(frame).write_csv(out / path, line_terminator="\n")
        resources.append(_resource(name, path, title, frame, key))
    meta = results.meta
    package = {
        "profile": "tabular-data-package",
        "name": str(meta.get("id", "barometre")).lower().replace("_", "-"),
        "title": str(meta.get("title", "Baromètre")),
        "description": "Résultats agrégés d'un baromètre de maturité numérique, produits par barometre.",
        "licenses": [LICENCE],
        "resources": resources,
    }
    path = out / PACKAGE_FILE
    path.write_text(json.dumps(package, ensure_ascii=False, indent=2), encoding="utf-8")
    return path
