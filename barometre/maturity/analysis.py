"""The maturity analysis of a sample as named tidy tables (what the CLI writes and reports read)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl

from barometre.maturity.correlations import (
    Correlation,
    correlate,
    correlation_matrix,
    correlations_table,
)
from barometre.maturity.levels import LevelScale, level_scale, template_preset
from barometre.maturity.population import level_distribution, profile_shares, score_means
from barometre.maturity.recommendations import (
    item_levels,
    item_recommendations,
    scale_table,
    theme_recommendations,
)
from barometre.maturity.sample import MaturitySample
from barometre.maturity.scores import DEFAULT_MIN_ANSWERED_SHARE, OVERALL, Scores, compute_scores
from barometre.maturity.typology import (
    DEFAULT_BOOTSTRAP,
    DEFAULT_K,
    DEFAULT_N_INIT,
    DEFAULT_SEED,
    Typology,
    build_typology,
)
from barometre.maturity.variables import resolve_variable
from barometre.questionnaire.model import Questionnaire, QuestionType
from barometre.register.spreadsheet_cells import neutralise_frame
from barometre.stats.domains import Breakdown

DEFAULT_BREAKDOWNS = ("kind_detail", "size_class")
POPULATION = "population"


@dataclass(frozen=True)
class MaturityOptions:
    """Every setting of a maturity analysis (defaults are the documented ones)."""

    preset: str | None = None  # None: the questionnaire's `settings.maturity_levels`, else ey2023
    thresholds: tuple[float, ...] | None = None
    min_answered_share: float = DEFAULT_MIN_ANSWERED_SHARE
    breakdowns: tuple[str, ...] = DEFAULT_BREAKDOWNS
    k: int | str = DEFAULT_K
    seed: int = DEFAULT_SEED
    n_init: int = DEFAULT_N_INIT
    n_bootstrap: int = DEFAULT_BOOTSTRAP
    profile_names: Mapping[int, str] = field(default_factory=dict)
    method: str = "spearman"
    pairs: tuple[tuple[str, str], ...] = ()
    controls: tuple[str, ...] = ()
    n_permutations: int = 0
    level: float = 0.95
    codes: tuple[str, ...] = ()

    def scale(self, questionnaire: Questionnaire | None = None) -> LevelScale:
        """The level scale of these options: the preset given, else the questionnaire's."""
        preset = self.preset or template_preset(questionnaire.settings if questionnaire else None)
        return level_scale(preset, self.thresholds)


@dataclass
class MaturityResults:
    """Named tidy tables, written as `<name>.csv` or `<name>.parquet`."""

    tables: dict[str, pl.DataFrame] = field(default_factory=dict)
    scores: Scores | None = None
    typology: Typology | None = None
    correlations: list[Correlation] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # French notes on what could not be computed

    def write(self, folder: str | Path, fmt: str = "csv") -> list[Path]:
        """Write every table into `folder` (created if needed); returns the paths written."""
        out = Path(folder)
        out.mkdir(parents=True, exist_ok=True)
        written = []
        for name, table in self.tables.items():
            path = out / f"{name}.{fmt}"
            tmp = path.with_name(f".{path.name}.tmp")
            if fmt == "parquet":
                table.write_parquet(tmp)
            else:
                neutralise_frame(table).write_csv(tmp, line_terminator="\n")
            tmp.replace(path)
            written.append(path)
        return written


def _breakdowns(sample: MaturitySample, names: Sequence[str]) -> list[Breakdown]:
    """Breakdowns from frame columns (French error for an unknown column)."""
    out = []
    for name in names:
        if name not in sample.frame.columns:
            raise ValueError(
                f"Ventilation « {name} » inconnue (colonnes disponibles : "
                f"{', '.join(c for c in sample.frame.columns if c != 'code')})."
            )
        column = sample.frame.get_column(name)
        order = None
        if isinstance(column.dtype, pl.Enum):
            present = set(column.drop_nulls().cast(pl.Utf8).to_list())
            order = [c for c in column.dtype.categories.to_list() if c in present]
        out.append(Breakdown.from_values(name, column.cast(pl.Utf8).to_numpy(), order))
    return out


def score_tables(sample: MaturitySample, options: MaturityOptions) -> MaturityResults:
    """Scores, levels, missing counts, population figures and recommendations."""
    if not sample.model.items:
        raise ValueError(
            "Le questionnaire n'a pas de question de maturité (type « maturity ») : pas de score. "
            "Les corrélations restent possibles (barometre maturity correlations)."
        )
    scale = options.scale(sample.questionnaire)
    scores = compute_scores(
        sample.answers, sample.model, options.min_answered_share, asked=sample.asked
    )
    long = scores.to_long()
    values = long.get_column("score").fill_null(np.nan).to_numpy()
    index = scale.assign(values)
    names = dict(enumerate(scale.names))
    long = (
        long.with_columns(pl.Series("_level", index, dtype=pl.Int64))
        .with_columns(
            pl.col("_level")
            .replace_strict(names, default=None, return_dtype=pl.Utf8)
            .alias("level"),
            pl.when(pl.col("_level") >= 0).then(pl.col("_level") + 1).alias("level_rank"),
        )
        .drop("_level")
    )
    breakdowns = _breakdowns(sample, options.breakdowns)
    tables = {
        "scores": long,
        "scores_missing": scores.missing_summary(),
        "scores_population": score_means(scores, sample.design, breakdowns, options.level),
        "levels_population": level_distribution(
            scores, scale, sample.design, breakdowns, options.level
        ),
        "levels_population_at_least": level_distribution(
            scores, scale, sample.design, breakdowns, options.level, at_least=True
        ),
        "recommendations_themes": theme_recommendations(scores, scale, with_text=False),
        "recommendations_items": item_recommendations(scores, sample.model, with_text=False),
        "levels_scale": scale_table(scale),
        "item_levels": item_levels(sample.model),
    }
    return MaturityResults(tables=tables, scores=scores)


def typology_tables(
    sample: MaturitySample, options: MaturityOptions, scores: Scores | None = None
) -> MaturityResults:
    """Profiles, centroids, quality (silhouette, bootstrap ARI) and weighted shares with CIs."""
    if scores is None:
        scores = compute_scores(
            sample.answers, sample.model, options.min_answered_share, asked=sample.asked
        )
    typology = build_typology(
        scores,
        k=options.k,
        weights=sample.design.weights,
        seed=options.seed,
        n_init=options.n_init,
        n_bootstrap=options.n_bootstrap,
        strategy_themes=sample.model.strategy_theme_ids(),
        theme_weights=sample.model.theme_weights(),
        names=dict(options.profile_names) or None,
    )
    tables = {
        "typology_profiles": typology.assignments(),
        "typology_summary": typology.profile_table(
            [scores.themes.index(t) for t in sample.model.strategy_theme_ids()],
            sample.model.theme_weights(),
        ),
        "typology_centroids": typology.centroid_table(),
        "typology_quality": typology.quality_table(),
        "typology_silhouette": pl.DataFrame(
            {
                "k": list(typology.silhouette_by_k),
                "silhouette": list(typology.silhouette_by_k.values()),
            }
        ),
        "typology_shares": profile_shares(
            typology, sample.design, _breakdowns(sample, options.breakdowns), options.level
        ),
    }
    return MaturityResults(tables=tables, scores=scores, typology=typology)


def default_pairs(sample: MaturitySample, scores: Scores) -> list[tuple[str, str]]:
    """Pairs asked by default: log10(population) and each numeric frame attribute (e.g. opsn,
    age) against every score, and against the count of ticked options of each multiple-choice
    question (e.g. the number of online services, seed 001)."""
    attributes = []
    register_columns = {"population", "member_count"}
    for name in sample.frame.columns:
        column = sample.frame.get_column(name)
        if name == "code" or name in register_columns:
            continue
        if (column.dtype.is_numeric() or column.dtype == pl.Boolean) and column.n_unique() > 1:
            attributes.append(name)
    targets = [*scores.themes, OVERALL] if scores.themes else []
    targets += [
        q.id for q in sample.questionnaire.questions if q.type is QuestionType.MULTIPLE_CHOICE
    ]
    return [(x, t) for x in [f"log10({POPULATION})", *attributes] for t in targets]


def correlation_tables(
    sample: MaturitySample, options: MaturityOptions, scores: Scores | None = None
) -> MaturityResults:
    """Theme × theme weighted correlations, and the requested (or default) x–y pairs."""
    if scores is None:
        scores = compute_scores(
            sample.answers, sample.model, options.min_answered_share, asked=sample.asked
        )
    weights = sample.design.weights
    tables: dict[str, pl.DataFrame] = {}
    if scores.themes:
        tables["correlations_themes"] = correlation_matrix(
            scores.to_frame(), [*scores.themes, OVERALL], weights, options.method
        )
    pairs = list(options.pairs) or default_pairs(sample, scores)

    def values(name: str) -> np.ndarray:
        """Numeric values of a named variable."""
        return resolve_variable(
            name, scores, sample.answers, sample.frame, sample.questionnaire
        ).values

    controls = None
    if options.controls:
        controls = np.column_stack([values(c) for c in options.controls])
    results = [
        correlate(
            values(x),
            values(y),
            weights,
            options.method,
            controls=controls,
            n_permutations=options.n_permutations,
            seed=options.seed,
            x_name=x,
            y_name=y,
            control_names=" + ".join(options.controls),
        )
        for x, y in pairs
    ]
    tables["correlations"] = correlations_table(results)
    return MaturityResults(tables=tables, scores=scores, correlations=results)


def recommendation_tables(sample: MaturitySample, options: MaturityOptions) -> MaturityResults:
    """Recommendations with their texts for the respondents `options.codes` (individual reports)."""
    known = set(sample.codes.tolist())
    unknown = [c for c in options.codes if c not in known]
    if not options.codes or unknown:
        shown = ", ".join(unknown[:5]) if unknown else "aucune"
        raise ValueError(f"Collectivité(s) absente(s) des répondants : {shown} (option --code).")
    scores = compute_scores(
        sample.answers, sample.model, options.min_answered_share, asked=sample.asked
    )
    labels = pl.DataFrame(
        {
            "theme": [t.id for t in sample.model.themes],
            "theme_label": [t.label for t in sample.model.themes],
        }
    )
    themes = theme_recommendations(
        scores, options.scale(sample.questionnaire), codes=options.codes
    ).join(labels, on="theme", how="left", maintain_order="left")
    items = item_recommendations(scores, sample.model, codes=options.codes).join(
        pl.DataFrame(
            {
                "question": [i.id for i in sample.model.items],
                "question_label": [i.label for i in sample.model.items],
            }
        ),
        on="question",
        how="left",
        maintain_order="left",
    )
    return MaturityResults(
        tables={"recommendations_themes": themes, "recommendations_items": items}, scores=scores
    )


def all_tables(sample: MaturitySample, options: MaturityOptions) -> MaturityResults:
    """Scores, typology and correlations together (scores computed once)."""
    results = score_tables(sample, options)
    try:
        typology = typology_tables(sample, options, results.scores)
    except ValueError as error:  # too few respondents or distinct profiles: the rest stands
        results.notes.append(f"Typologie non calculée : {error}")
    else:
        results.tables.update(typology.tables)
        results.typology = typology.typology
    correlations = correlation_tables(sample, options, results.scores)
    results.tables.update(correlations.tables)
    results.correlations = correlations.correlations
    return results
