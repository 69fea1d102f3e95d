"""The result tables a publication is rendered from: outputs of `barometre.stats` and `maturity`.

`compute_results` runs the analyses of an edition folder once; `save_results` / `load_results`
keep them as plain CSV + JSON files so that the web dashboard shows the same tables without
recomputing anything.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl

from barometre.edition.answer_columns import figure_shares, option_selected
from barometre.edition.figures import Figure, figures_or_default
from barometre.edition.files import read_edition
from barometre.maturity.analysis import (
    MaturityOptions,
    correlation_tables,
    score_tables,
    typology_tables,
)
from barometre.maturity.model import MaturityModel
from barometre.maturity.sample import sample_from_edition, target_population
from barometre.questionnaire.model import Questionnaire
from barometre.questionnaire.yaml_format import load_questionnaire
from barometre.register.frame import load_register
from barometre.register.strata import add_strata, region_group_expr
from barometre.stats.analysis import Analysis, AnalysisOptions, analyse
from barometre.stats.disclosure import flag_estimates
from barometre.stats.domains import Breakdown, domain_means
from barometre.stats.errors import CalibrationError, StatsError
from barometre.stats.evolution import independent_difference
from barometre.stats.intervals import proportion_ci

BREAKDOWNS = ("size_class", "kind_detail", "region_group")
DEFAULT_MARGINS = ("kind_detail*size_class", "region_group")
MATURITY_TABLES = (
    "scores",
    "scores_population",
    "levels_population",
    "levels_scale",
    "recommendations_themes",
    "typology_summary",
    "typology_shares",
    "typology_quality",
    "correlations_themes",
    "correlations",
)
RESULTS_FILE = "resultats.json"
SIGNIFICANCE = 0.05


@dataclass
class ReportResults:
    """Everything a report shows: estimates, key figures, rates, maturity and evolution tables."""

    meta: dict
    questionnaire: Questionnaire
    questionnaire_text: str
    estimates: pl.DataFrame
    key_figures: pl.DataFrame
    response_rates: pl.DataFrame
    respondents: pl.DataFrame  # code, name, kind, kind_detail, size_class, region_group, weight
    diagnostics: dict
    maturity: dict[str, pl.DataFrame] = field(default_factory=dict)
    evolution: pl.DataFrame | None = None
    options: dict = field(default_factory=dict)

    @property
    def min_n(self) -> int:
        """The suppression threshold used by the analysis."""
        return int(self.diagnostics.get("options", {}).get("min_n", 5))


def _frame(attributes: pl.DataFrame | None, meta: dict) -> pl.DataFrame:
    """The sampling frame: register with strata, joined attributes, restricted to the template's target."""
    register = load_register()
    frame = add_strata(register.entities).with_columns(region_group_expr())
    if attributes is not None:
        attributes = attributes.with_columns(pl.all().cast(pl.String))
        clash = [c for c in attributes.columns if c in frame.columns and c != "code"]
        frame = frame.join(attributes.drop(clash), on="code", how="left")
    target = target_population(meta, register)
    if target is not None:
        frame = frame.join(target, on="code", how="semi")
    return frame


def _margins(meta: dict) -> tuple[str, ...]:
    """Calibration margins of edition.yaml (région grouped overseas), else the defaults."""
    margins = meta.get("calibration", {}).get("margins") or DEFAULT_MARGINS
    return tuple("region_group" if m.strip() == "region" else m for m in margins)


def figure_estimates(
    analysis: Analysis,
    consolidated: pl.DataFrame,
    questionnaire: Questionnaire,
    figures: list[Figure],
    options: AnalysisOptions,
) -> pl.DataFrame:
    """Weighted share of every key figure (options pooled) with its CI, on the analysis design."""
    figures = [f for f in figures if f.statistic == "share" and f.question in consolidated.columns]
    ordered = analysis.weights.select("code").join(
        consolidated, on="code", how="left", maintain_order="left"
    )
    if not figures:
        return pl.DataFrame()
    hits = ordered.select(
        pl.max_horizontal(
            option_selected(questionnaire.question(f.question), code) for code in f.options
        ).alias(f.id)
        for f in figures
    ).to_numpy()
    masks = ~np.isnan(hits)
    if any(f.domain for f in figures):
        population = ordered.select("code").join(
            load_register().entities.select("code", "population"), on="code", how="left"
        )["population"]
        for j, f in enumerate(figures):
            if f.domain and f.domain.get("column") == "population":
                low, high = f.domain.get("min"), f.domain.get("max")
                inside = np.ones(len(population), bool)
                if low is not None:
                    inside &= population.to_numpy() >= low
                if high is not None:
                    inside &= population.to_numpy() <= high
                masks[:, j] &= inside
    est = domain_means(
        analysis.design,
        np.nan_to_num(hits),
        masks,
        np.arange(len(figures)),
        Breakdown.overall(len(ordered)),
    )
    lo, hi = proportion_ci(
        est.estimate, est.se, est.n_unweighted, est.df, options.level, options.ci
    )
    table = pl.DataFrame(
        {
            "id": [f.id for f in figures],
            "label": [f.label for f in figures],
            "question": [f.question for f in figures],
            "options": [" ".join(f.options) for f in figures],
            "estimate": est.estimate[0],
            "se": est.se[0],
            "ci_low": lo[0],
            "ci_high": hi[0],
            "n_unweighted": est.n_unweighted[0].astype(np.int64),
            "n_weighted": est.n_weighted[0],
            "seed_value": pl.Series([f.seed_value for f in figures], dtype=pl.Float64),
            "comparison": [f.comparison for f in figures],
        }
    )
    raw = figure_shares(consolidated, questionnaire, figures).select(
        "id", pl.col("share").alias("raw_share"), pl.col("n").alias("raw_n")
    )
    flagged = flag_estimates(table, options.min_n, options.imprecise_n, options.imprecise_cv)
    return flagged.join(raw, on="id", how="left", maintain_order="left").with_columns(
        raw_share=pl.when(pl.col("suppressed")).then(None).otherwise(pl.col("raw_share"))
    )


def response_rates(frame: pl.DataFrame, sample_codes: pl.Series) -> pl.DataFrame:
    """Respondents / frame entities per stratum (kind × size class, and région group)."""
    frame = frame.filter(
        pl.col("kind").is_in(
            frame.join(sample_codes.to_frame(), on="code", how="semi")["kind"].unique().implode()
        )
    )
    flagged = frame.with_columns(responded=pl.col("code").is_in(sample_codes.implode()))
    parts = []
    for name, columns in (
        ("kind_detail × size_class", ["kind_detail", "size_class"]),
        ("region_group", ["region_group"]),
        ("ensemble", []),
    ):
        grouped = (
            flagged.group_by(columns or pl.lit("ensemble").alias("_all"), maintain_order=False)
            .agg(frame_count=pl.len(), respondents=pl.col("responded").sum())
            .with_columns(
                stratum=pl.lit(name),
                stratum_value=pl.concat_str(
                    [pl.col(c).cast(pl.String) for c in columns], separator=" × "
                )
                if columns
                else pl.lit("ensemble"),
            )
            .sort(columns or "stratum_value")
        )
        parts.append(grouped.select("stratum", "stratum_value", "frame_count", "respondents"))
    return pl.concat(parts).with_columns(
        rate=pl.col("respondents") / pl.col("frame_count"),
        respondents=pl.col("respondents").cast(pl.Int64),
        frame_count=pl.col("frame_count").cast(pl.Int64),
    )


def _maturity(
    folder: Path, weights: pl.DataFrame, questionnaire: Questionnaire, warnings: list[str]
) -> dict:
    """Maturity tables with the analysis' calibrated weights (empty without maturity items)."""
    if not MaturityModel.from_questionnaire(questionnaire).items:
        return {}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "poids.csv"
        weights.select("code", "weight").write_csv(path)
        sample = sample_from_edition(folder, weights_file=path, register=load_register())
    options = MaturityOptions(breakdowns=BREAKDOWNS, n_bootstrap=0, n_init=2)
    try:
        scored = score_tables(sample, options)
        tables = dict(scored.tables)
        if sample.answers.height >= 10:
            tables.update(typology_tables(sample, options, scored.scores).tables)
        tables.update(correlation_tables(sample, options, scored.scores).tables)
    except StatsError as error:
        warnings.append(f"Maturité non calculée : {error}")
        return {}
    return {name: tables[name] for name in MATURITY_TABLES if name in tables}


def _analyse(
    responses: pl.DataFrame,
    questionnaire: Questionnaire,
    frame: pl.DataFrame,
    meta: dict,
    min_n: int,
) -> tuple[Analysis, AnalysisOptions]:
    """Calibrated analysis; on a sample too small for the margins, wider cells then fewer margins."""
    margins = _margins(meta)
    attempts = [
        AnalysisOptions(margins=margins, breakdowns=BREAKDOWNS, min_n=min_n),
        AnalysisOptions(margins=margins, breakdowns=BREAKDOWNS, min_n=min_n, min_cell=5),
        AnalysisOptions(margins=margins[:1], breakdowns=BREAKDOWNS, min_n=min_n, min_cell=5),
        AnalysisOptions(margins=margins[:1], breakdowns=BREAKDOWNS, min_n=min_n, method="none"),
    ]
    failures = []
    for options in attempts:
        try:
            analysis = analyse(responses, questionnaire, frame, options)
        except CalibrationError as error:
            failures.append(str(error))
            continue
        if failures:
            analysis.diagnostics["warnings"].insert(
                0,
                f"Calage initial impossible ({failures[0]}) : marges « {', '.join(options.margins)} », "
                f"méthode {options.method}, cellules de moins de {options.min_cell} répondants regroupées.",
            )
        return analysis, options
    raise CalibrationError(failures[-1])


def compute_results(
    edition_dir: str | Path, previous: ReportResults | None = None, min_n: int = 5
) -> ReportResults:
    """Analyse an edition folder: calibrated estimates, key figures, rates, maturity, evolution."""
    folder = Path(edition_dir)
    edition = read_edition(folder)
    attributes = edition.frame_attributes
    frame = _frame(attributes, edition.meta)
    responses = edition.responses.with_columns(pl.all().cast(pl.String))
    analysis, options = _analyse(responses, edition.questionnaire, frame, edition.meta, min_n)
    consolidated = edition.consolidated()
    template = edition.meta.get("template")
    figures = list(figures_or_default(str(template)).figures) if template else []
    key = figure_estimates(analysis, consolidated, edition.questionnaire, figures, options)
    respondents = analysis.weights.select("code", "weight").join(
        frame.select(
            "code", "name", "kind", "kind_detail", "size_class", "region_group"
        ).with_columns(pl.col("size_class").cast(pl.String)),
        on="code",
        how="left",
    )
    results = ReportResults(
        meta=edition.meta,
        questionnaire=edition.questionnaire,
        questionnaire_text=(folder / "questionnaire.yaml").read_text(encoding="utf-8"),
        estimates=analysis.table,
        key_figures=key,
        response_rates=response_rates(frame, analysis.weights["code"]),
        respondents=respondents,
        diagnostics=analysis.diagnostics,
        maturity=_maturity(
            folder, analysis.weights, edition.questionnaire, analysis.diagnostics["warnings"]
        ),
    )
    if previous is not None:
        results.evolution = evolution(previous, results)
    return results


def evolution(previous: ReportResults, current: ReportResults) -> pl.DataFrame:
    """Change of every estimate and key figure present in both editions (independent samples)."""
    keys = ["indicator", "kind", "option", "domain", "domain_value"]
    parts = []
    for table, on in (
        (
            current.estimates.join(
                previous.estimates.select(*keys, "estimate", "se", "suppressed"),
                on=keys,
                suffix="_previous",
            ),
            keys,
        ),
        (
            current.key_figures.rename({"id": "indicator"})
            .with_columns(
                kind=pl.lit("figure"),
                option=pl.col("options"),
                domain=pl.lit("ensemble"),
                domain_value=pl.lit("ensemble"),
            )
            .join(
                previous.key_figures.rename({"id": "indicator"}).select(
                    "indicator", "estimate", "se", "suppressed"
                ),
                on="indicator",
                suffix="_previous",
            ),
            keys,
        ),
    ):
        if table.height == 0:
            continue
        table = table.filter(~pl.col("suppressed") & ~pl.col("suppressed_previous"))
        diff = independent_difference(
            table["estimate_previous"].fill_null(np.nan).to_numpy(),
            table["se_previous"].fill_null(np.nan).to_numpy(),
            table["estimate"].fill_null(np.nan).to_numpy(),
            table["se"].fill_null(np.nan).to_numpy(),
        )
        parts.append(
            table.select(*on, "estimate_previous", "estimate").with_columns(
                difference=diff.estimate,
                diff_ci_low=diff.ci_low,
                diff_ci_high=diff.ci_high,
                p_value=diff.p_value,
                significant=pl.Series(diff.p_value < SIGNIFICANCE),
            )
        )
    if not parts:
        return pl.DataFrame()
    return pl.concat(parts, how="vertical_relaxed").with_columns(
        pl.col("difference", "diff_ci_low", "diff_ci_high", "p_value").fill_nan(None)
    )


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
