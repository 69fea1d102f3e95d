"""Build the replicate-weight reference inputs: a stratified sample with fpc and bootstrap factors.

Run once with `.venv/bin/python tests/stats/reference/make_replicates.py` (after make_datasets.py);
the outputs are committed, then `Rscript tests/stats/reference/make_replicates.R` writes R `survey`'s
results. `strat.csv`: n = 160 communes and EPCI from the reference frame, stratified by kd_size with
N_h (fpc), one stratum fully enumerated (epci_CU, 36 of 36), the others sampled with unequal
response by OPSN; one extra row (`extra` = 1) is the only respondent of epci_CA, for the lonely-stratum
options. Bootstrap factors come from `barometre.stats.replicates.bootstrap` with a fixed seed: R gets
them through `svrepdesign(repweights = …)`, since its own random stream cannot be reproduced.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import polars as pl

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent))
from stats_reference_data import design_for, replicate_design  # noqa: E402

from barometre.stats.replicates import bootstrap  # noqa: E402

SAMPLE = {
    "commune_a_moins500": 30,
    "commune_b_500_1999": 30,
    "commune_c_2000_9999": 24,
    "commune_d_10000plus": 20,
    "epci_CC": 20,
    "epci_CU": 36,
}
SEEDS = {"tiny": 11, "strat": 12}
REPLICATES = {"tiny": 50, "strat": 100}


def strat(rng: np.random.Generator) -> pl.DataFrame:
    """The stratified sample (plus the lonely epci_CA respondent)."""
    frame = pl.read_csv(HERE / "frame.csv.gz", infer_schema=False).with_columns(
        pl.col("population").cast(pl.Int64), pl.col("opsn").cast(pl.Int64)
    )
    # answers for every frame unit: the medium dataset's model re-drawn on the whole frame
    lp = np.log10(frame["population"].to_numpy() + 10)
    opsn = frame["opsn"].to_numpy()
    n = frame.height

    def binary(a: float, b: float, c: float) -> np.ndarray:
        return (rng.random(n) < 1 / (1 + np.exp(-(a + b * (lp - 3) + c * opsn)))).astype(int)

    pop = frame.with_columns(
        y1=pl.Series(binary(-0.5, 0.8, 0.6)),
        y2=pl.Series(binary(0.3, 0.5, -0.3)),
        y3=pl.Series(binary(-2.0, 0.7, 0.2)),
        rg3=pl.col("region_group").map_elements(
            lambda r: "nord" if r in {"11", "24", "27", "28", "32", "44"} else "sud",
            return_dtype=pl.String,
        ),
        dom=pl.when(pl.col("population") >= 2000)
        .then(pl.lit("grande"))
        .otherwise(pl.lit("petite")),
    )
    sizes = pop.group_by("kd_size").len().rename({"len": "N_h"})
    parts = []
    for stratum, size in SAMPLE.items():
        members = pop.filter(kd_size=stratum)
        p = 1 + members["opsn"].to_numpy()
        idx = rng.choice(members.height, size=size, replace=False, p=p / p.sum())
        parts.append(members[np.sort(idx)])
    lonely = pop.filter(kd_size="epci_CA")
    parts.append(lonely[int(rng.integers(lonely.height))].with_columns(extra=pl.lit(1)))
    sample = pl.concat(
        [p.with_columns(extra=pl.lit(0)) if "extra" not in p.columns else p for p in parts]
    )
    sample = sample.join(sizes, on="kd_size").with_columns(
        w=pl.col("N_h") / pl.len().over("kd_size")
    )
    totals = [("opsn", str(k), c) for k, c in pop.group_by("opsn").len().sort("opsn").iter_rows()]
    totals += [("rg3", k, c) for k, c in pop.group_by("rg3").len().sort("rg3").iter_rows()]
    pl.DataFrame(totals, schema=["margin", "category", "total"], orient="row").write_csv(
        HERE / "strat_totals.csv"
    )
    cells = pop.group_by(category=pl.col("opsn").cast(pl.String) + " × " + pl.col("rg3")).len()
    cells.sort("category").rename({"len": "total"}).write_csv(HERE / "strat_cells.csv")
    return sample.sort("extra", "kd_size", "code")


def main() -> None:
    """Write strat.csv, strat_totals.csv and the bootstrap factors of tiny and strat."""
    rng = np.random.default_rng(20260501)
    strat(rng).write_csv(HERE / "strat.csv")
    for name in ("tiny", "strat"):
        design = design_for(name, "none")[1] if name == "tiny" else replicate_design()[1]
        factors = bootstrap(design, REPLICATES[name], SEEDS[name]).factors
        pl.DataFrame(
            factors.astype(np.int64), schema=[f"r{i}" for i in range(factors.shape[1])]
        ).write_csv(HERE / f"bootstrap_factors_{name}.csv")
    print("ok")


if __name__ == "__main__":
    main()
