"""Build the reference datasets (tiny, medium, census-like) from the real register frame.

Run once with `.venv/bin/python tests/stats/reference/make_datasets.py`; the outputs are committed,
then `Rscript tests/stats/reference/make_reference.R` writes R `survey`'s results next to them.
"""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path

import numpy as np
import polars as pl

from barometre.register.frame import load_register

HERE = Path(__file__).parent
SIZE_EDGES = [500, 2000, 10000]
SIZE_LABELS = ["a_moins500", "b_500_1999", "c_2000_9999", "d_10000plus"]


def frame_extract() -> pl.DataFrame:
    """Communes and EPCI of the official register with the strata used by the references."""
    e = load_register().entities.filter(pl.col("kind").is_in(["commune", "epci"]))
    pop = e["population"].to_numpy()
    size = np.array(SIZE_LABELS)[np.searchsorted(SIZE_EDGES, pop, side="right")]
    nature = e["epci_nature"].fill_null("").to_numpy()
    kd = np.where(
        e["kind"].to_numpy() == "commune",
        np.char.add("commune_", size.astype(str)),
        np.where(
            np.isin(nature, ["CC", "CA"]), np.char.add("epci_", nature.astype(str)), "epci_CU"
        ),
    )
    dep = e["departement"].to_list()
    opsn = np.array([zlib.crc32(d.encode()) % 10 < 6 for d in dep], dtype=np.int64)
    region = np.where(e["zone"].to_numpy() == "metro", e["region"].to_numpy(), "OM")
    return pl.DataFrame(
        {
            "code": e["code"],
            "kd_size": kd,
            "region_group": region,
            "opsn": opsn,
            "population": pop,
        }
    ).sort("code")


def simulate_answers(frame: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """Answers for every frame unit, depending on size, OPSN and region (a synthetic population)."""
    n = frame.height
    lp = np.log10(frame["population"].to_numpy() + 10)
    opsn = frame["opsn"].to_numpy()
    reg = np.unique(frame["region_group"].to_numpy(), return_inverse=True)[1]
    reg_eff = np.sin(reg * 1.7) * 0.4

    def binary(a: float, b: float, c: float) -> np.ndarray:
        p = 1 / (1 + np.exp(-(a + b * (lp - 3) + c * opsn + reg_eff)))
        return (rng.random(n) < p).astype(np.int64)

    cols = {
        "y1": binary(-0.5, 0.8, 0.6),
        "y2": binary(0.3, 0.5, -0.3),
        "y3": binary(-2.0, 0.7, 0.2),
        "y4": binary(1.5, 0.3, 0.4),
    }
    u = rng.random(n)
    p_oui = 1 / (1 + np.exp(-(-0.3 + 0.6 * (lp - 3) + 0.5 * opsn)))
    q5 = np.where(
        u < p_oui, "oui", np.where(u < p_oui + 0.2, "en_cours", np.where(u < 0.93, "non", "nsp"))
    )
    cols["q5"] = q5
    level = np.clip(np.round(1 + 0.9 * (lp - 3) + 0.5 * opsn + rng.normal(0, 1, n)), 0, 4)
    cols["m6"] = level.astype(np.int64)
    cols["n7"] = np.round(np.exp(0.9 * lp - 1.5 + rng.normal(0, 0.5, n)), 1)
    asked = cols["y1"] == 1
    cols["asked8"] = asked.astype(np.int64)
    cols["y8"] = np.where(asked, binary(0.0, 0.4, 0.5), 0)
    return pl.DataFrame(cols)


def _write_gz(df: pl.DataFrame, path: Path) -> None:
    """Write a gzip-compressed CSV with a fixed timestamp (reproducible bytes)."""
    with gzip.GzipFile(path, "wb", mtime=0) as fh:
        fh.write(df.write_csv().encode())


def main() -> None:
    """Write frame.csv.gz, the three datasets and their population totals."""
    rng = np.random.default_rng(20261123)
    frame = frame_extract()
    _write_gz(frame, HERE / "frame.csv.gz")
    pop = pl.concat([frame, simulate_answers(frame, rng)], how="horizontal")
    n_frame = pop.height
    lp = np.log10(pop["population"].to_numpy() + 10)

    # tiny: big communes and large EPCI, n = 39, biased to the largest
    big = pop.filter(
        ((pl.col("kd_size") == "commune_d_10000plus") & (pl.col("population") >= 50000))
        | pl.col("kd_size").is_in(["epci_CA", "epci_CU"])
    ).with_columns(
        kind=pl.col("kd_size").str.slice(0, 4),
        big=pl.when(pl.col("population") >= 150000)
        .then(pl.lit("grande"))
        .otherwise(pl.lit("moyenne")),
    )
    prob = np.sqrt(big["population"].to_numpy().astype(float))
    idx = rng.choice(big.height, size=39, replace=False, p=prob / prob.sum())
    tiny = big[np.sort(idx)].with_columns(w=pl.lit(big.height / 39.0))
    tiny.write_csv(HERE / "tiny.csv")
    totals = [("kind", k, c) for k, c in big.group_by("kind").len().sort("kind").iter_rows()]
    totals += [("big", k, c) for k, c in big.group_by("big").len().sort("big").iter_rows()]
    pl.DataFrame(totals, schema=["margin", "category", "total"], orient="row").write_csv(
        HERE / "tiny_totals.csv"
    )
    cells = (
        big.with_columns(category=pl.col("kind") + " × " + pl.col("big"))
        .group_by("category")
        .len()
        .sort("category")
        .rename({"len": "total"})
    )
    cells.write_csv(HERE / "tiny_cells.csv")

    # medium: n ≈ 3,000, OPSN-biased, larger units over-represented
    p = 0.05 * (1 + 1.5 * pop["opsn"].to_numpy()) * (0.5 + 0.35 * (lp - 2))
    p = np.clip(p * 3000 / p.sum(), 0, 1)
    medium = pop.filter(rng.random(n_frame) < p)
    medium = medium.with_columns(w=pl.lit(n_frame / medium.height))
    medium.write_csv(HERE / "medium.csv")

    # census-like: stratified by kd_size with fpc, response rate by stratum (one census stratum)
    rate = {
        "commune_a_moins500": 0.35,
        "commune_b_500_1999": 0.45,
        "commune_c_2000_9999": 0.6,
        "commune_d_10000plus": 0.8,
        "epci_CC": 0.7,
        "epci_CA": 0.9,
        "epci_CU": 1.0,
    }
    r = np.array([rate[k] for k in pop["kd_size"].to_list()])
    r = np.where(r < 1, np.clip(r * (0.8 + 0.4 * pop["opsn"].to_numpy()), 0, 0.99), 1.0)
    census = pop.filter(rng.random(n_frame) < r)
    sizes = pop.group_by("kd_size").len().rename({"len": "N_h"})
    census = census.join(sizes, on="kd_size").with_columns(
        w=pl.col("N_h") / pl.len().over("kd_size")
    )
    _write_gz(census.sort("code"), HERE / "census.csv.gz")

    totals = [
        ("kd_size", k, c) for k, c in pop.group_by("kd_size").len().sort("kd_size").iter_rows()
    ]
    totals += [
        ("region_group", k, c)
        for k, c in pop.group_by("region_group").len().sort("region_group").iter_rows()
    ]
    totals += [("opsn", str(k), c) for k, c in pop.group_by("opsn").len().sort("opsn").iter_rows()]
    pl.DataFrame(totals, schema=["margin", "category", "total"], orient="row").write_csv(
        HERE / "frame_totals.csv"
    )
    print(tiny.height, medium.height, census.height, n_frame)


if __name__ == "__main__":
    main()
