"""Load the committed reference datasets and R outputs, and build the matching designs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

from barometre.stats.calibration import Margin, calibrate
from barometre.stats.design import Design

REF = Path(__file__).parent / "reference"
OUT = REF / "r_output"
BINARY = ["y1", "y2", "y3", "y4", *(f"q5_{c}" for c in ("oui", "en_cours", "non", "nsp"))]
BINARY += [f"m6_{i}" for i in range(5)]


def read(name: str) -> pl.DataFrame:
    """A reference dataset with string codes, plus the indicator columns R builds."""
    df = pl.read_csv(REF / name, infer_schema=False)
    ints = ["y1", "y2", "y3", "y4", "m6", "asked8", "y8", "opsn"]
    df = df.with_columns(
        *(pl.col(c).cast(pl.Int64) for c in ints if c in df.columns),
        *(pl.col(c).cast(pl.Float64) for c in ("n7", "w", "N_h", "population") if c in df.columns),
    )
    return df.with_columns(
        *(
            pl.col("q5").eq(c).cast(pl.Float64).alias(f"q5_{c}")
            for c in ("oui", "en_cours", "non", "nsp")
        ),
        *(pl.col("m6").eq(i).cast(pl.Float64).alias(f"m6_{i}") for i in range(5)),
        ensemble=pl.lit("ensemble"),
    )


def totals(name: str) -> dict[str, dict[str, float]]:
    """Population totals per margin, categories in file order."""
    t = pl.read_csv(REF / name, infer_schema=False)
    out: dict[str, dict[str, float]] = {}
    for m, c, v in t.iter_rows():
        out.setdefault(m, {})[c] = float(v)
    return out


def margins(df: pl.DataFrame, tot: dict[str, dict[str, float]], names: list[str]) -> list[Margin]:
    """Margins for the given columns."""
    return [Margin(m, df[m].cast(pl.String).to_numpy(), tot[m]) for m in names]


def design_for(dataset: str, method: str) -> tuple[pl.DataFrame, Design]:
    """The dataset and its design, as built in make_reference.R."""
    if dataset == "tiny":
        df = read("tiny.csv")
        base = Design.from_columns(weights=df["w"].to_numpy())
        if method == "none":
            return df, base
        if method == "poststrat":
            cells = pl.read_csv(REF / "tiny_cells.csv")
            cell = (df["kind"] + " × " + df["big"]).to_numpy()
            mg = [Margin("cell", cell, dict(zip(cells["category"], cells["total"], strict=True)))]
            return df, calibrate(base, mg, method="poststrat")
        return df, calibrate(base, margins(df, totals("tiny_totals.csv"), ["kind", "big"]), method)
    if dataset == "medium":
        df = read("medium.csv")
        base = Design.from_columns(weights=df["w"].to_numpy())
        mg = margins(df, totals("frame_totals.csv"), ["kd_size", "region_group"])
        bounds = (0.1, 4.0) if method == "logit" else None
        return df, calibrate(base, mg, method, bounds=bounds)
    df = read("census.csv.gz")
    base = Design.from_columns(
        weights=df["w"].to_numpy(),
        strata=df["kd_size"].to_numpy(),
        population_sizes=df["N_h"].to_numpy(),
    )
    if method == "none":
        return df, base
    return df, calibrate(
        base, margins(df, totals("frame_totals.csv"), ["region_group", "opsn"]), method
    )


def r_estimates() -> pl.DataFrame:
    """R's svyby/svyciprop outputs."""
    return pl.read_csv(
        OUT / "estimates.csv",
        infer_schema_length=100000,
        null_values="NA",
        schema_overrides={"level": pl.String},
    )


def r_weights() -> pl.DataFrame:
    """R's calibrated weights."""
    return pl.read_csv(OUT / "weights.csv.gz", schema_overrides={"code": pl.String})


def indicator_arrays(df: pl.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """Binary indicators + y8 (asked only) as y, masks, mask_of, names."""
    names = [*BINARY, "y8"]
    y = df.select(names).cast(pl.Float64).to_numpy()
    masks = np.column_stack([np.ones(df.height, bool), df["asked8"].to_numpy() == 1])
    mask_of = np.array([0] * len(BINARY) + [1])
    return y, masks, mask_of, names


def multiple_choice_frame() -> pl.DataFrame:
    """Communes and EPCI of the register with the analysis strata and the reference `cell` margin
    (kind × coarse size) of the multiple-choice references (make_multiple_choice.py)."""
    import zlib

    from barometre.register.frame import load_register
    from barometre.register.strata import add_strata, region_group_expr

    entities = load_register().entities.filter(pl.col("kind").is_in(["commune", "epci"]))
    frame = add_strata(entities).with_columns(region_group_expr())
    opsn = [zlib.crc32((d or "").encode()) % 10 < 6 for d in frame["departement"].to_list()]
    size = (
        pl.when(pl.col("population") < 500)
        .then(pl.lit("a_moins500"))
        .when(pl.col("population") < 2000)
        .then(pl.lit("b_500_1999"))
        .when(pl.col("population") < 10000)
        .then(pl.lit("c_2000_9999"))
        .otherwise(pl.lit("d_10000plus"))
    )
    return frame.with_columns(
        cell=pl.when(pl.col("kind") == "epci").then(pl.lit("epci")).otherwise("commune_" + size),
        opsn=pl.Series(opsn).cast(pl.Int64).cast(pl.String),
    )


def replicate_design(lonely: bool = False, calibrated: bool = False) -> tuple[pl.DataFrame, Design]:
    """The stratified reference sample with fpc (strat.csv) and its design, as make_replicates.R.

    `lonely` adds the only respondent of epci_CA; `calibrated` rakes on opsn and rg3.
    """
    df = pl.read_csv(REF / "strat.csv", infer_schema=False).with_columns(
        *(pl.col(c).cast(pl.Float64) for c in ("y1", "y2", "y3", "w", "N_h")),
        pl.col("extra").cast(pl.Int64),
    )
    if not lonely:
        df = df.filter(extra=0)
    base = Design.from_columns(
        weights=df["w"].to_numpy(),
        strata=df["kd_size"].to_numpy(),
        population_sizes=df["N_h"].to_numpy(),
    )
    if not calibrated:
        return df, base
    return df, calibrate(base, margins(df, totals("strat_totals.csv"), ["opsn", "rg3"]), "raking")
