"""The result tables of an edition as a publication shows them, and how they are kept on disk.

`compute_results` turns an edition folder into `ReportResults` through `Survey` (one design for
every table); `save_results` / `load_results` keep the aggregated tables as plain CSV + JSON so
that the web dashboard shows the same tables without recomputing anything.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from barometre.questionnaire.model import Questionnaire
from barometre.questionnaire.yaml_format import load_questionnaire
from barometre.results.options import SurveyOptions

RESULTS_FILE = "resultats.json"


@dataclass
class ReportResults:
    """Everything a report shows: estimates, key figures, rates, maturity and evolution tables."""

    meta: dict
    questionnaire: Questionnaire
    questionnaire_text: str
    estimates: pl.DataFrame
    key_figures: pl.DataFrame
    response_rates: pl.DataFrame
    respondents: pl.DataFrame  # code, weight, name, kind, kind_detail, size_class, region_group
    diagnostics: dict
    maturity: dict[str, pl.DataFrame] = field(default_factory=dict)
    evolution: pl.DataFrame | None = None
    options: dict = field(default_factory=dict)

    @property
    def min_n(self) -> int:
        """The suppression threshold used by the analysis."""
        return int(self.diagnostics.get("options", {}).get("min_n", 5))


def compute_results(
    edition_dir: str | Path,
    previous: ReportResults | None = None,
    options: SurveyOptions | None = None,
    previous_dir: str | Path | None = None,
) -> ReportResults:
    """Analyse an edition folder: calibrated estimates, key figures, rates, maturity, evolution.

    With `previous` (the previous edition's results), every figure present in both gets its
    change between independent samples; with `previous_dir` (that edition's folder) too, the
    key figures also get the paired change of the collectivités that answered both (`panel_*`
    columns of `evolution`).
    """
    from barometre.results.survey import Survey
    from barometre.results.tables import evolution, maturity_tables

    folder = Path(edition_dir)
    survey = Survey.from_edition(folder, options)
    diagnostics = survey.diagnostics
    register = survey.register
    meta = dict(survey.meta)
    if register is not None:  # the register the population counts actually come from
        meta["register"] = {
            "source": register.source.get("package"),
            "version": register.source.get("version"),
            "vintage": register.vintage,
        }
    results = ReportResults(
        meta=meta,
        questionnaire=survey.questionnaire,
        questionnaire_text=(folder / "questionnaire.yaml").read_text(encoding="utf-8"),
        estimates=survey.estimates,
        key_figures=survey.key_figures(),
        response_rates=survey.response_rates(),
        respondents=survey.respondents(),
        diagnostics=diagnostics,
        maturity=maturity_tables(survey, diagnostics["warnings"]),
    )
    if previous is not None:
        results.evolution = evolution(previous, results)
        if previous_dir is not None and results.evolution.height:
            results.evolution = _with_panel(results, survey, previous_dir)
    return results


def _with_panel(results: ReportResults, survey, previous_dir: str | Path) -> pl.DataFrame:
    """The evolution table with the panel's paired change of each key figure (`panel_*`)."""
    from barometre.edition.figures import figures_or_default
    from barometre.edition.files import read_edition
    from barometre.results.panel import PANEL_KEYS, panel_table

    template = results.meta.get("template")
    figures = list(figures_or_default(str(template)).figures) if template else []
    panel = panel_table(survey, read_edition(previous_dir).consolidated(), figures, results.min_n)
    if panel.height == 0:
        return results.evolution
    return results.evolution.join(panel, on=list(PANEL_KEYS), how="left")


# ---------------------------------------------------------------------------------- save / load

TABLES = ("estimates", "key_figures", "response_rates")
PRIVATE_MATURITY = ("scores", "recommendations_themes")


def save_results(results: ReportResults, folder: str | Path) -> Path:
    """Write the aggregated tables as CSV plus `resultats.json` and the questionnaire.

    Nothing per respondent is written (no codes, no individual scores): the folder can be public.
    """
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    for name in TABLES:
        getattr(results, name).write_csv(out / f"{name}.csv")
    public = {n: t for n, t in results.maturity.items() if n not in PRIVATE_MATURITY}
    for name, table in public.items():
        table.write_csv(out / f"maturity_{name}.csv")
    if results.evolution is not None and results.evolution.height:
        results.evolution.write_csv(out / "evolution.csv")
    (out / "questionnaire.yaml").write_text(results.questionnaire_text, encoding="utf-8")
    payload = {
        "meta": results.meta,
        "diagnostics": results.diagnostics,
        "maturity": sorted(public),
    }
    (out / RESULTS_FILE).write_text(
        json.dumps(payload, ensure_ascii=False, indent=1, default=str), encoding="utf-8"
    )
    return out


def _read(path: Path) -> pl.DataFrame:
    """A saved CSV table (codes and labels kept as text)."""
    return pl.read_csv(
        path,
        schema_overrides={
            "code": pl.String,
            "domain_value": pl.String,
            "option": pl.String,
            "options": pl.String,
            "stratum_value": pl.String,
            "region_group": pl.String,
            "domain": pl.String,
        },
        infer_schema_length=None,
    )


def load_results(folder: str | Path) -> ReportResults:
    """Read what `save_results` wrote."""
    src = Path(folder)
    payload = json.loads((src / RESULTS_FILE).read_text(encoding="utf-8"))
    text = (src / "questionnaire.yaml").read_text(encoding="utf-8")
    tables = {name: _read(src / f"{name}.csv") for name in TABLES}
    evolution_path = src / "evolution.csv"
    return ReportResults(
        meta=payload["meta"],
        questionnaire=load_questionnaire(src / "questionnaire.yaml"),
        questionnaire_text=text,
        diagnostics=payload["diagnostics"],
        maturity={n: _read(src / f"maturity_{n}.csv") for n in payload["maturity"]},
        evolution=_read(evolution_path) if evolution_path.exists() else None,
        respondents=pl.DataFrame(),
        **tables,
    )
