"""The estimation engine behind `barometre analyse`: respondents + population → design → tidy table.

Steps: one response per collectivité, join to the population frame (the caller restricts the frame
to the target population: `barometre.results` does it for editions), the design built from the
frame (`build_design`: base weights N_h/n_h with the finite-population correction, calibration on
frame margins, cells merged only with a warning that names them), every indicator of the
questionnaire overall and by breakdown, CIs, suppression and imprecision flags.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, replace

import numpy as np
import polars as pl

from barometre.edition.chunk_layout import with_aligned_columns
from barometre.edition.files import with_lines
from barometre.questionnaire.model import Questionnaire
from barometre.register.labels import cell_label, percent, variable_label
from barometre.register.labels import count as _count
from barometre.stats.calibration import Margin, calibrate, collapse_margin
from barometre.stats.design import DEFAULT_LONELY_PSU, Design
from barometre.stats.disclosure import flag_estimates
from barometre.stats.domains import (
    Breakdown,
    domain_means,
    domain_means_by,
    prepare_indicators,
)
from barometre.stats.errors import CalibrationError, StatsError
from barometre.stats.indicators import NO_ANSWER, build_indicators, merge_option_columns
from barometre.stats.intervals import DEFAULT_CI, mean_ci, proportion_ci
from barometre.stats.quantiles import domain_quantiles
from barometre.stats.replicates import (
    bootstrap,
    degrees_of_freedom,
    jackknife,
    replicate_domain_se,
    replicate_weights,
)

UNKNOWN = "(non renseigné)"
REPLICATE_MIN_CELL = 10  # with replicates, a smaller margin category would often be empty in one
DEFAULT_MARGINS = ("kind_detail*size_class", "region_group")
MAX_RESPONDENT_SHARE = 0.05  # a merged cell may not make one respondent stand for more than this
NO_STRATA = "none"
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
    """Options of the design and the estimates (see docs/stats.md).

    `strata`: None builds the strata from the frame (the categories of the first calibration
    margin, none without calibration), `"none"` asks for no strata, else a frame column or a cross
    `a*b`. `fpc`: population sizes N_h from the frame (finite-population correction).
    """

    margins: tuple[str, ...] = DEFAULT_MARGINS
    breakdowns: tuple[str, ...] = ()
    method: str = "raking"
    bounds: tuple[float, float] | None = None
    ci: str = DEFAULT_CI
    level: float = 0.95
    min_n: int = 5
    imprecise_n: int = 30
    imprecise_cv: float = 0.3
    exclude_nsp: bool = False
    strata: str | None = None
    fpc: bool = True
    lonely_psu: str = DEFAULT_LONELY_PSU
    min_cell: int | None = 1
    max_respondent_share: float = MAX_RESPONDENT_SHARE
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


@dataclass(frozen=True)
class DesignBuild:
    """A design built from the frame, with what the diagnostics need to describe it."""

    design: Design
    margins: list[Margin]  # after merging sparse cells
    notes: list[str]  # French warnings (strata without respondents, merged cells)
    collapses: list[dict]  # one record per merged cell (see `describe_collapses`)
    strata: str  # the strata variable (`none`: one stratum, the whole population)
    strata_source: str  # French: where the strata come from

    def diagnostics(self) -> dict:
        """The design part of the diagnostics (strata, fpc, lonely and census strata)."""
        d = self.design
        n_h = np.bincount(d.strata, minlength=d.n_strata)
        census = []
        if d.population_sizes is not None:
            census = [d.strata_labels[h] for h in np.flatnonzero(n_h >= d.population_sizes - 1e-9)]
        return {
            "strata": self.strata,
            "strata_source": self.strata_source,
            "n_strata": d.n_strata,
            "fpc": d.population_sizes is not None,
            "lonely_psu": d.lonely_psu,
            "lonely_strata": d.lonely_strata(),
            "census_strata": census,
        }


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
    """Consolidate several submissions per code (last complete, else last partial) or refuse
    duplicates."""
    from barometre.edition.consolidation import consolidate

    if "code" not in responses.columns:
        raise StatsError("Ligne 1, champ « code » : colonne obligatoire absente des réponses.")
    responses = responses.with_columns(pl.col("code").cast(pl.String).str.strip_chars())
    if "__line" not in responses.columns:
        responses = with_lines(responses)
    missing = responses.select("code", "__line").filter(
        pl.col("code").is_null() | (pl.col("code") == "")
    )
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


def join_frame(responses: pl.DataFrame, frame: pl.DataFrame) -> pl.DataFrame:
    """Respondents with their frame columns; French error for codes outside the frame."""
    frame = frame.with_columns(pl.col("code").cast(pl.String))
    outside = responses.join(frame.select("code"), on="code", how="anti")
    if outside.height:
        raise StatsError(
            f"Ligne {outside['__line'][0]}, champ « code » : « {outside['code'][0]} » est absent de la "
            f"base de sondage ({outside.height} répondant(s) hors base)."
        )
    clash = [c for c in frame.columns if c in responses.columns and c != "code"]
    joined = responses.select("code").join(
        frame.drop(clash), on="code", how="left", maintain_order="left"
    )
    return with_aligned_columns(responses, joined.drop("code"))  # no copy of the answers


def prepare_sample(
    responses: pl.DataFrame, questionnaire: Questionnaire, population: pl.DataFrame
) -> pl.DataFrame:
    """One row per respondent (option columns merged, submissions consolidated) with frame columns."""
    responses = merge_option_columns(responses, questionnaire)
    return join_frame(one_per_collectivite(responses), population)


def frame_margins(
    sample: pl.DataFrame, population: pl.DataFrame, margins: tuple[str, ...] | list[str]
) -> list[Margin]:
    """Calibration margins: each respondent's category and the population count per category."""
    out = []
    for names in parse_margins(margins):
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
        out.append(
            Margin("*".join(names), _labels(sample, names).to_numpy().astype(object), totals)
        )
    return out


def describe_collapses(
    original: Margin, merged: Margin, population_size: float, max_share: float
) -> list[dict]:
    """One record per merged cell: the cells merged, their population and respondents, the share
    of the population the merged cell's respondents stand for; CalibrationError (French) when one
    respondent would stand for more than `max_share` of the population."""
    labels, counts = np.unique(np.asarray(original.sample).astype(str), return_counts=True)
    respondents = dict(zip(labels.tolist(), counts.tolist(), strict=True))
    records = []
    for label, total in merged.totals.items():
        parts = label.split(" + ")
        if len(parts) < 2 or not all(p in original.totals for p in parts):
            continue
        n = sum(respondents.get(p, 0) for p in parts)
        record = {
            "margin": original.name,
            "merged": parts,
            "into": label,
            "cells": [
                {
                    "label": p,
                    "population": float(original.totals[p]),
                    "respondents": int(respondents.get(p, 0)),
                }
                for p in parts
            ],
            "population": float(total),
            "respondents": int(n),
            "weight_share": float(total / population_size),
            "per_respondent_share": float(total / n / population_size) if n else float("inf"),
        }
        if record["per_respondent_share"] > max_share:
            raise CalibrationError(
                f"Marge « {variable_label(original.name)} » : regroupement refusé ; "
                f"{_collapse_text(record)} Un "
                f"répondant y représenterait {percent(record['per_respondent_share'], 1)} de la "
                f"population, au-delà du seuil de {percent(max_share, 1)}."
            )
        records.append(record)
    return records


def _entities(n: float) -> str:
    """« 1 entité », « 33 902 entités »."""
    return f"{_count(n)} entité{'s' if round(n) > 1 else ''}"


def _respondents(n: int) -> str:
    """« aucun répondant », « 1 répondant », « 6 répondants »."""
    return "aucun répondant" if n == 0 else f"{n} répondant{'s' if n > 1 else ''}"


def _collapse_text(record: dict) -> str:
    """French sentence naming the merged cells, their population and weight share."""
    cells = " ; ".join(
        f"« {cell_label(record['margin'], c['label'])} » ({_entities(c['population'])}, "
        f"{_respondents(c['respondents'])})"
        for c in record["cells"]
    )
    n = record["respondents"]
    who = "Le répondant" if n == 1 else f"Les {n} répondants"
    verb = "représente" if n == 1 else "représentent"
    return (
        f"cellules regroupées : {cells}. {who} de la cellule regroupée {verb} "
        f"{_entities(record['population'])}, soit {percent(record['weight_share'], 1)} du poids "
        "total."
    )


def collapse_warning(record: dict) -> str:
    """The French warning of one merged cell."""
    return f"Marge « {variable_label(record['margin'])} » : {_collapse_text(record)}"


def _merge_sparse_cells(
    margins: list[Margin], min_cell: int | None, population_size: float, max_share: float
) -> tuple[list[Margin], list[dict]]:
    """Merge categories with fewer than `min_cell` respondents (None: merge nothing)."""
    if min_cell is None:
        return margins, []
    merged, records = [], []
    for margin in margins:
        collapsed, recs = collapse_margin(margin, min_cell)
        if recs:
            records.extend(describe_collapses(margin, collapsed, population_size, max_share))
        merged.append(collapsed)
    return merged, records


def _strata(
    sample: pl.DataFrame, population: pl.DataFrame, options: AnalysisOptions, margins: list[Margin]
) -> tuple[np.ndarray | None, np.ndarray, str, str, list[str]]:
    """Stratum label and N_h of each respondent, the strata variable, its source and notes."""
    notes: list[str] = []
    if options.strata not in (None, NO_STRATA):
        names = [n for names in parse_margins(options.strata) for n in names]
        for name in names:
            if name not in population.columns or name not in sample.columns:
                raise StatsError(f"Strates : colonne « {name} » absente de la base de sondage.")
        sizes = population.group_by(_labels(population, names).alias("__s")).len("N_h")
        s = sample.select(_labels(sample, names).alias("__s")).join(
            sizes, on="__s", how="left", maintain_order="left"
        )
        if s["N_h"].null_count():
            label = s.filter(pl.col("N_h").is_null())["__s"][0]
            raise StatsError(
                f"Strates : la strate « {label} » d'un répondant est absente de la base de sondage."
            )
        empty = sizes.filter(~pl.col("__s").is_in(s["__s"].unique().implode())).sort("__s")
        notes.extend(
            f"Strate « {name} » sans répondant : ses {count} entités ne sont pas représentées "
            "par les poids initiaux (le calage peut les réintroduire)."
            for name, count in empty.iter_rows()
        )
        return (
            s["__s"].to_numpy(),
            s["N_h"].cast(pl.Float64).to_numpy(),
            "*".join(names),
            "strates demandées",
            notes,
        )
    if options.strata is None and margins:
        first = margins[0]
        labels = np.asarray(first.sample).astype(str)
        sizes = pl.Series(labels).replace_strict(first.totals, return_dtype=pl.Float64)
        return labels, sizes.to_numpy(), first.name, "première marge de calage", notes
    total = np.full(sample.height, float(population.height))
    return None, total, NO_STRATA, "aucune strate (population entière)", notes


def build_design(
    sample: pl.DataFrame, population: pl.DataFrame, options: AnalysisOptions
) -> DesignBuild:
    """The design of R `calibrate(svydesign(ids=~1, strata, fpc, weights=N_h/n_h), margins)`.

    Strata and population sizes come from the frame: by default the categories of the first
    calibration margin (after sparse cells are merged) with their population counts, so that a
    fully enumerated cell has no sampling variance. Margin categories with fewer than `min_cell`
    respondents are merged into a neighbour with a warning naming them; a merge that would make
    one respondent stand for more than `max_respondent_share` of the population is refused.
    """
    margins = [] if options.method == "none" else frame_margins(sample, population, options.margins)
    min_cell = options.min_cell
    if options.variance != "linearisation" and min_cell is not None:
        min_cell = max(min_cell, REPLICATE_MIN_CELL)
    margins, records = _merge_sparse_cells(
        margins, min_cell, float(population.height), options.max_respondent_share
    )
    strata, sizes, strata_name, strata_source, notes = _strata(sample, population, options, margins)
    if strata is None:
        weights = sizes / sample.height
    else:
        _, inverse, counts = np.unique(strata, return_inverse=True, return_counts=True)
        weights = sizes / counts[inverse]
    base = Design.from_columns(
        weights=weights,
        strata=strata,
        population_sizes=sizes if options.fpc else None,
        lonely_psu=options.lonely_psu,
    )
    design = calibrate(
        base,
        margins,
        method=options.method,
        bounds=options.bounds,
        tol=options.tolerance,
        collapse_below=None if min_cell is None else 1,
    )
    if design.calibration is not None:
        design.calibration.diagnostics["collapsed"] = records
    notes.extend(collapse_warning(r) for r in records)
    return DesignBuild(design, margins, notes, records, strata_name, strata_source)


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
    """Flatten (levels × indicators) arrays into tidy rows (text columns gathered by Polars)."""
    g, k = est.shape
    text = pl.DataFrame(
        {
            "indicator": [m["indicator"] for m in meta],
            "kind": [m["kind"] for m in meta],
            "option": [m["option"] for m in meta],
            "option_label": [m["option_label"] for m in meta],
            "denominator": list(denominators),
        },
        schema=dict.fromkeys(
            ("indicator", "kind", "option", "option_label", "denominator"), pl.String
        ),
    )[np.tile(np.arange(k), g)]
    levels = pl.Series("domain_value", [str(v) for v in b.labels], dtype=pl.String)
    return text.with_columns(
        domain=pl.lit(b.name, pl.String),
        domain_value=levels.gather(np.repeat(np.arange(g), k)),
        estimate=est.ravel(),
        se=se.ravel(),
        ci_low=lo.ravel(),
        ci_high=hi.ravel(),
        n_unweighted=n.ravel().astype(np.int64),
        n_weighted=w.ravel(),
    ).select(
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
        "denominator",
    )


def enumerated_levels(design: Design, breakdown: Breakdown) -> np.ndarray:
    """(levels,) whether every respondent of each level is in a census stratum with weight 1.

    Such a domain is fully enumerated: its estimates have no sampling error and a zero-width
    interval (the exact Clopper–Pearson bound used for p = 0 or 1 would be wrong there).
    """
    n_levels = len(breakdown.labels)
    if design.population_sizes is None:
        return np.zeros(n_levels, dtype=bool)
    n_h = np.bincount(design.strata, minlength=design.n_strata)
    census = (design.population_sizes - n_h) / design.population_sizes < 1e-7
    exact = census[design.strata] & (np.abs(design.weights - 1.0) < 1e-9)
    keep = breakdown.codes >= 0
    inexact = np.bincount(
        breakdown.codes[keep], weights=(~exact[keep]).astype(float), minlength=n_levels
    )
    present = np.bincount(breakdown.codes[keep], minlength=n_levels)
    return (inexact == 0) & (present > 0)


def _exact_where_enumerated(
    enumerated: np.ndarray, est: np.ndarray, se: np.ndarray, lo: np.ndarray, hi: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Zero-width intervals on fully enumerated levels (rows: levels, columns: indicators)."""
    exact = enumerated[:, None] & (se == 0) & np.isfinite(est)
    return np.where(exact, est, lo), np.where(exact, est, hi)


def estimate_table(
    sample: pl.DataFrame,
    questionnaire: Questionnaire,
    design: Design,
    options: AnalysisOptions,
) -> tuple[pl.DataFrame, list[str], dict]:
    """Every indicator overall and by breakdown on a design: the tidy table, the denominator
    rules and the variance diagnostics. `sample` rows are the design's rows."""
    ind = build_indicators(sample, questionnaire, options.exclude_nsp, sample["__line"].to_numpy())
    breakdowns = _breakdowns(sample, options.breakdowns)
    reps, rep_w = _replicates(design, options)
    rep_df = None if rep_w is None else degrees_of_freedom(rep_w)  # R degf of a replicate design
    parts = []
    if reps is None:  # linearisation: the prepared matrices are built by chunks of columns
        x_bin = x_num = None
        by_bin = domain_means_by(design, ind.binary, ind.masks, ind.binary_mask, breakdowns)
        by_num = domain_means_by(
            design, ind.numeric, ind.masks, ind.numeric_mask, breakdowns, binary=False
        )
    else:  # replicate weights need the whole matrices
        x_bin = prepare_indicators(ind.binary, ind.masks, ind.binary_mask)
        x_num = prepare_indicators(ind.numeric, ind.masks, ind.numeric_mask, binary=False)
        by_bin = [
            domain_means(design, ind.binary, ind.masks, ind.binary_mask, b, prepared=x_bin)
            for b in breakdowns
        ]
        by_num = [
            domain_means(
                design, ind.numeric, ind.masks, ind.numeric_mask, b, binary=False, prepared=x_num
            )
            for b in breakdowns
        ]
    for b, r_bin, r_num in zip(breakdowns, by_bin, by_num, strict=True):
        enumerated = enumerated_levels(design, b)
        if ind.binary.shape[1]:
            r = r_bin
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
                r = replace(
                    r, se=np.where(np.isnan(r.se), np.nan, se), df=np.full_like(r.df, rep_df)
                )
            lo, hi = proportion_ci(
                r.estimate,
                r.se,
                r.n_unweighted,
                r.df,
                options.level,
                options.ci,
                design.n,
                population=r.n_weighted,
            )
            lo, hi = _exact_where_enumerated(enumerated, r.estimate, r.se, lo, hi)
            dens = [ind.mask_rules[m] for m in ind.binary_mask]
            parts.append(
                _rows(
                    ind.binary_meta, b, r.estimate, r.se, lo, hi, r.n_unweighted, r.n_weighted, dens
                )
            )
        if ind.numeric.shape[1]:
            r = r_num
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
                r = replace(
                    r, se=np.where(np.isnan(r.se), np.nan, se), df=np.full_like(r.df, rep_df)
                )
            lo, hi = mean_ci(r.estimate, r.se, r.df, options.level)
            lo, hi = _exact_where_enumerated(enumerated, r.estimate, r.se, lo, hi)
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
    variance = {
        "method": options.variance,
        "replicates": None if reps is None else int(reps.factors.shape[1]),
        "failed_replicates": None if rep_w is None else int(np.isnan(rep_w[0]).sum()),
    }
    return table, ind.mask_rules, variance


def analysis_of(
    sample: pl.DataFrame,
    questionnaire: Questionnaire,
    built: DesignBuild,
    population_size: int,
    options: AnalysisOptions,
) -> Analysis:
    """Estimates, weights and diagnostics of a sample on a design built by `build_design`."""
    design = built.design
    table, rules, variance = estimate_table(sample, questionnaire, design, options)
    weights = pl.DataFrame(
        {
            "code": sample["code"],
            "base_weight": design.base_weights,
            "weight": design.weights,
            "g": design.weights / design.base_weights,
            **{f"margin_{m.name}": np.asarray(m.sample).astype(str) for m in built.margins},
        }
    )
    cal = design.calibration
    kinds = sample["kind"].unique(maintain_order=True).to_list() if "kind" in sample else None
    diagnostics = {
        "n_respondents": design.n,
        "population_size": population_size,
        "kinds": kinds,
        "options": {
            k: (list(v) if isinstance(v, tuple) else v) for k, v in asdict(options).items()
        },
        "design": built.diagnostics(),
        "census": bool(enumerated_levels(design, Breakdown.overall(design.n))[0]),
        "calibration": cal.diagnostics if cal is not None else {"method": "none", **design.kish()},
        "denominator_rules": rules,
        "variance": variance,
        "warnings": built.notes + _warnings(cal.diagnostics if cal is not None else {}, table),
    }
    return Analysis(table, weights, diagnostics, design)


def analyse(
    responses: pl.DataFrame,
    questionnaire: Questionnaire,
    population: pl.DataFrame,
    options: AnalysisOptions | None = None,
) -> Analysis:
    """Run the whole analysis on a population frame taken as given (the caller restricts it to the
    target population; see `barometre.results`). Raises StatsError (French, naming line and
    field) on bad input."""
    options = options or AnalysisOptions()
    sample = prepare_sample(responses, questionnaire, population)
    built = build_design(sample, population, options)
    return analysis_of(sample, questionnaire, built, population.height, options)


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
    """French warnings worth reading before publishing (merged cells are in the design notes)."""
    out = []
    if cal.get("negative_weights"):
        out.append(
            f"{_count(cal['negative_weights'])} poids négatifs après calage : préférez raking ou "
            "logit."
        )
    sup = int(table["suppressed"].sum()) if table.height else 0
    if sup:
        out.append(
            f"{_count(sup)} estimation{'s' if sup > 1 else ''} "
            f"masquée{'s' if sup > 1 else ''} (effectif insuffisant)."
        )
    return out
