"""The `analyse` pipeline: respondents + questionnaire + frame → calibrated design → one tidy table.

Steps: one response per collectivité, join to the frame (register + attributes), base weights
N/n (or N_h/n_h with strata and fpc), calibration on frame margins, every indicator of the
questionnaire overall and by breakdown, CIs, suppression and imprecision flags.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, replace

import numpy as np
import polars as pl

from barometre.questionnaire.model import Questionnaire
from barometre.stats.calibration import Margin, calibrate
from barometre.stats.design import Design
from barometre.stats.disclosure import flag_estimates
from barometre.stats.domains import Breakdown, domain_means, prepare_indicators
from barometre.stats.errors import StatsError
from barometre.stats.indicators import NO_ANSWER, build_indicators, merge_option_columns
from barometre.stats.intervals import mean_ci, proportion_ci
from barometre.stats.quantiles import domain_quantiles
from barometre.stats.replicates import bootstrap, jackknife, replicate_domain_se, replicate_weights

UNKNOWN = "(non renseigné)"
REPLICATE_MIN_CELL = 10  # with replicates, a smaller margin category would often be empty in one
TABLE_COLUMNS = [
    "indicator",
    "kind",
    "option",
    "option_label",
    "domain",
    "domain_value",
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "n_unweighted",
    "n_weighted",
    "suppressed",
    "imprecise",
    "cv",
    "rank",
    "denominator",
    "note",
]


@dataclass(frozen=True)
class AnalysisOptions:
    """Options of `barometre analyse` (see docs/stats.md)."""

    margins: tuple[str, ...] = ("kind_detail*size_class", "region")
    breakdowns: tuple[str, ...] = ()
    method: str = "raking"
    bounds: tuple[float, float] | None = None
    ci: str = "logit"
    level: float = 0.95
    min_n: int = 5
    imprecise_n: int = 30
    imprecise_cv: float = 0.3
    exclude_nsp: bool = False
    strata: str | None = None
    min_cell: int = 1
    tolerance: float = 1e-10
    medians: bool = True
    variance: str = "linearisation"
    replicates: int = 200
    seed: int = 0


@dataclass
class Analysis:
    """The tidy results, the weights and the diagnostics of one analysis."""

    table: pl.DataFrame
    weights: pl.DataFrame
    diagnostics: dict
    design: Design = field(repr=False)


def parse_margins(spec: str | tuple[str, ...] | list[str]) -> list[list[str]]:
    """'kind_detail*size_class,region' → [['kind_detail', 'size_class'], ['region']]."""
    items = spec.split(",") if isinstance(spec, str) else list(spec)
    out = []
    for item in items:
        names = [v.strip() for v in re.split(r"[*×]", item) if v.strip()]
        if names:
            out.append(names)
    return out


def _labels(frame: pl.DataFrame, names: list[str]) -> pl.Series:
    """Joined category label per row (' × ' between variables)."""
    parts = [pl.col(n).cast(pl.String).fill_null(UNKNOWN) for n in names]
    return frame.select(pl.concat_str(parts, separator=" × ").alias("label")).to_series()


def one_per_collectivite(responses: pl.DataFrame) -> pl.DataFrame:
    """Consolidate several submissions per code (last complete, else last partial) or refuse duplicates."""
    from barometre.edition.consolidation import consolidate

    if "code" not in responses.columns:
        raise StatsError("Ligne 1, champ « code » : colonne obligatoire absente des réponses.")
    responses = responses.with_columns(pl.col("code").cast(pl.String).str.strip_chars())
    if "__line" not in responses.columns:
        responses = responses.with_columns(__line=pl.int_range(pl.len()) + 2)
    missing = responses.filter(pl.col("code").is_null() | (pl.col("code") == ""))
    if missing.height:
        raise StatsError(
            f"Ligne {missing['__line'][0]}, champ « code » : code de collectivité vide."
        )
    if responses["code"].is_unique().all():
        return responses
    if {"status", "submitted_at"} <= set(responses.columns):
        if "response_id" not in responses.columns:
            responses = responses.with_columns(
                response_id=pl.col("__line").cast(pl.String).str.zfill(9)
            )
        return consolidate(responses)
    dup = responses.filter(pl.col("code").is_duplicated())
    raise StatsError(
        f"Ligne {dup['__line'][1]}, champ « code » : la collectivité « {dup['code'][0]} » a plusieurs "
        "réponses et le fichier n'a pas de colonnes status/submitted_at pour les consolider."
    )


def _join_frame(responses: pl.DataFrame, frame: pl.DataFrame) -> pl.DataFrame:
    """Respondents with their frame columns; French error for codes outside the frame."""
    frame = frame.with_columns(pl.col("code").cast(pl.String))
    outside = responses.join(frame.select("code"), on="code", how="anti")
    if outside.height:
        raise StatsError(
            f"Ligne {outside['__line'][0]}, champ « code » : « {outside['code'][0]} » est absent de la "
            f"base de sondage ({outside.height} répondant(s) hors base)."
        )
    clash = [c for c in frame.columns if c in responses.columns and c != "code"]
    return responses.join(frame.drop(clash), on="code", how="left", maintain_order="left")


def build_design(
    sample: pl.DataFrame, population: pl.DataFrame, options: AnalysisOptions
) -> tuple[Design, list[Margin], list[str]]:
    """Base design (N/n or stratified N_h/n_h with fpc) calibrated on the frame margins.

    Also returns French notes (strata without respondents).
    """
    notes: list[str] = []
    if options.strata:
        if options.strata not in population.columns:
            raise StatsError(
                f"Strates : colonne « {options.strata} » absente de la base de sondage."
            )
        sizes = (
            population.group_by(options.strata)
            .len("N_h")
            .with_columns(pl.col(options.strata).cast(pl.String))
        )
        s = sample.select(pl.col(options.strata).cast(pl.String)).join(
            sizes, on=options.strata, how="left", maintain_order="left"
        )
        base = Design.from_columns(
            strata=s[options.strata].fill_null(UNKNOWN).to_numpy(),
            population_sizes=s["N_h"].to_numpy(),
        )
        empty = sizes.filter(~pl.col(options.strata).is_in(s[options.strata].unique().implode()))
        notes.extend(
            f"Strate « {name} » sans répondant : ses {count} entités ne sont pas représentées "
            "par les poids initiaux (le calage peut les réintroduire)."
            for name, count in empty.iter_rows()
        )
    else:
        base = Design.from_columns(
            weights=np.full(sample.height, population.height / sample.height)
        )
    margins = []
    for names in parse_margins(options.margins) if options.method != "none" else []:
        for n in names:
            if n not in population.columns or n not in sample.columns:
                raise StatsError(
                    f"Marge « {'*'.join(names)} » : variable « {n} » absente de la base de sondage."
                )
        sort_keys = [
            population[n].to_physical() if population[n].dtype == pl.Enum else population[n]
            for n in names
        ]
        ordered = population.with_columns(__lab=_labels(population, names)).with_columns(
            *(k.alias(f"__k{i}") for i, k in enumerate(sort_keys))
        )
        counts = ordered.group_by("__lab").agg(
            pl.len(), *(pl.col(f"__k{i}").first() for i in range(len(names)))
        )
        counts = counts.sort([f"__k{i}" for i in range(len(names))], nulls_last=True)
        totals = dict(
            zip(counts["__lab"].to_list(), counts["len"].cast(pl.Float64).to_list(), strict=True)
        )
        margins.append(
            Margin("*".join(names), _labels(sample, names).to_numpy().astype(object), totals)
        )
    design = calibrate(
        base,
        margins,
        method=options.method,
        bounds=options.bounds,
        tol=options.tolerance,
        collapse_below=(
            options.min_cell
            if options.variance == "linearisation" or options.min_cell is None
            else max(options.min_cell, REPLICATE_MIN_CELL)
        ),
    )
    return design, margins, notes


def _breakdowns(sample: pl.DataFrame, names: tuple[str, ...]) -> list[Breakdown]:
    """The overall domain plus one Breakdown per requested column."""
    out = [Breakdown.overall(sample.height)]
    for name in names:
        if name not in sample.columns:
            raise StatsError(
                f"Ventilation « {name} » : colonne absente des réponses et de la base de sondage."
            )
        col = sample[name]
        order = None
        if col.dtype == pl.Enum:
            seen = set(col.drop_nulls().unique().cast(pl.String).to_list())
            order = [c for c in col.dtype.categories.to_list() if c in seen]
        out.append(Breakdown.from_values(name, col.cast(pl.String), order))
    return out


def _rows(
    meta: list[dict], b: Breakdown, est, se, lo, hi, n, w, denominators: list[str]
) -> pl.DataFrame:
    """Flatten (levels × indicators) arrays into tidy rows."""
    g, k = est.shape
    return pl.DataFrame(
        {
            "indicator": np.tile([m["indicator"] for m in meta], g),
            "kind": np.tile([m["kind"] for m in meta], g),
            "option": np.tile([m["option"] for m in meta], g),
            "option_label": np.tile([m["option_label"] for m in meta], g),
            "domain": np.full(g * k, b.name),
            "domain_value": np.repeat(np.array(b.labels, dtype=object), k).astype(str),
            "estimate": est.ravel(),
            "se": se.ravel(),
            "ci_low": lo.ravel(),
            "ci_high": hi.ravel(),
            "n_unweighted": n.ravel().astype(np.int64),
            "n_weighted": w.ravel(),
            "denominator": np.tile(denominators, g),
        },
        strict=False,
    )


def analyse(
    responses: pl.DataFrame,
    questionnaire: Questionnaire,
    frame: pl.DataFrame,
    options: AnalysisOptions | None = None,
) -> Analysis:
    """Run the whole analysis; raises StatsError (French, naming line and field) on bad input."""
    options = options or AnalysisOptions()
    responses = merge_option_columns(responses, questionnaire)
    responses = one_per_collectivite(responses)
    sample = _join_frame(responses, frame)
    kinds = sample["kind"].unique().to_list() if "kind" in sample.columns else None
    population = frame if kinds is None else frame.filter(pl.col("kind").is_in(kinds))
    design, margins, notes = build_design(sample, population, options)
    ind = build_indicators(sample, questionnaire, options.exclude_nsp, sample["__line"].to_numpy())
    breakdowns = _breakdowns(sample, options.breakdowns)
    reps, rep_w = _replicates(design, options)
    parts = []
    x_bin = prepare_indicators(ind.binary, ind.masks, ind.binary_mask)
    x_num = prepare_indicators(ind.numeric, ind.masks, ind.numeric_mask, binary=False)
    for b in breakdowns:
        if ind.binary.shape[1]:
            r = domain_means(design, ind.binary, ind.masks, ind.binary_mask, b, prepared=x_bin)
            if reps is not None:
                se = replicate_domain_se(
                    reps,
                    rep_w,
                    x_bin,
                    len(ind.binary_mask),
                    ind.binary_mask,
                    ind.masks.shape[1],
                    b.codes,
                    len(b.labels),
                )
                r = replace(r, se=np.where(np.isnan(r.se), np.nan, se))
            lo, hi = proportion_ci(
                r.estimate, r.se, r.n_unweighted, r.df, options.level, options.ci, design.n
            )
            dens = [ind.mask_rules[m] for m in ind.binary_mask]
            parts.append(
                _rows(
                    ind.binary_meta, b, r.estimate, r.se, lo, hi, r.n_unweighted, r.n_weighted, dens
                )
            )
        if ind.numeric.shape[1]:
            r = domain_means(
                design, ind.numeric, ind.masks, ind.numeric_mask, b, binary=False, prepared=x_num
            )
            if reps is not None:
                se = replicate_domain_se(
                    reps,
                    rep_w,
                    x_num,
                    len(ind.numeric_mask),
                    ind.numeric_mask,
                    ind.masks.shape[1],
                    b.codes,
                    len(b.labels),
                )
                r = replace(r, se=np.where(np.isnan(r.se), np.nan, se))
            lo, hi = mean_ci(r.estimate, r.se, r.df, options.level)
            dens = [ind.mask_rules[m] for m in ind.numeric_mask]
            parts.append(
                _rows(
                    ind.numeric_meta,
                    b,
                    r.estimate,
                    r.se,
                    lo,
                    hi,
                    r.n_unweighted,
                    r.n_weighted,
                    dens,
                )
            )
            if options.medians:
                keep = [i for i, m in enumerate(ind.numeric_meta) if m["kind"] == "mean"]
                if keep:
                    q = domain_quantiles(
                        design,
                        ind.numeric[:, keep],
                        ind.masks[:, ind.numeric_mask[keep]],
                        b,
                        0.5,
                        options.level,
                    )
                    meta = [{**ind.numeric_meta[i], "kind": "median"} for i in keep]
                    parts.append(
                        _rows(
                            meta,
                            b,
                            q.estimate,
                            q.se,
                            q.ci_low,
                            q.ci_high,
                            q.n_unweighted,
                            q.n_weighted,
                            [ind.mask_rules[ind.numeric_mask[i]] for i in keep],
                        )
                    )
    table = pl.concat(parts, how="vertical_relaxed") if parts else pl.DataFrame()
    table = flag_estimates(table, options.min_n, options.imprecise_n, options.imprecise_cv)
    table = table.with_columns(
        rank=pl.when(
            (pl.col("kind") == "option")
            & (pl.col("option") != NO_ANSWER)
            & pl.col("estimate").is_not_null()
        )
        .then(
            pl.col("estimate")
            .rank("min", descending=True)
            .over("indicator", "domain", "domain_value", "kind")
        )
        .cast(pl.Int64)
    ).select(TABLE_COLUMNS)
    weights = pl.DataFrame(
        {
            "code": sample["code"],
            "base_weight": design.base_weights,
            "weight": design.weights,
            "g": design.weights / design.base_weights,
            **{f"margin_{m.name}": m.sample.astype(str) for m in margins},
        }
    )
    cal = design.calibration
    diagnostics = {
        "n_respondents": design.n,
        "population_size": population.height,
        "kinds": kinds,
        "options": {
            k: (list(v) if isinstance(v, tuple) else v) for k, v in asdict(options).items()
        },
        "strata": list(design.strata_labels) if options.strata else None,
        "calibration": cal.diagnostics if cal is not None else {"method": "none", **design.kish()},
        "denominator_rules": ind.mask_rules,
        "variance": {
            "method": options.variance,
            "replicates": None if reps is None else int(reps.factors.shape[1]),
            "failed_replicates": None if rep_w is None else int(np.isnan(rep_w[0]).sum()),
        },
        "warnings": notes + _warnings(cal.diagnostics if cal is not None else {}, table),
    }
    return Analysis(table, weights, diagnostics, design)


def _replicates(design: Design, options: AnalysisOptions):
    """Replicate factors and re-calibrated replicate weights when a replicate variance is asked."""
    if options.variance == "linearisation":
        return None, None
    if options.variance == "bootstrap":
        reps = bootstrap(design, options.replicates, options.seed)
    elif options.variance == "jackknife":
        reps = jackknife(design)
    else:
        raise StatsError(
            f"Variance « {options.variance} » inconnue : linearisation, bootstrap ou jackknife."
        )
    return reps, replicate_weights(design, reps, options.tolerance)


def _warnings(cal: dict, table: pl.DataFrame) -> list[str]:
    """French warnings worth reading before publishing."""
    out = [
        f"Marge « {c['margin']} » : cellules regroupées faute de répondants : {' + '.join(c['merged'])}."
        for c in cal.get("collapsed", [])
    ]
    if cal.get("negative_weights"):
        out.append(
            f"{cal['negative_weights']} poids négatifs après calage : préférez raking ou logit."
        )
    sup = int(table["suppressed"].sum()) if table.height else 0
    if sup:
        out.append(f"{sup} estimations masquées (effectif insuffisant).")
    return out
