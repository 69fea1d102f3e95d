"""Build the design reference datasets (fpc, census strata, lonely strata) from the real register.

Run once with `.venv/bin/python tests/stats/reference/design/make_design_data.py`; the CSV files are
committed, then `Rscript tests/stats/reference/design/make_design_reference.R` writes R `survey`'s
results to `r_output/`. Two datasets:

- `bzh`: communes and EPCI of Bretagne (1,262 entities), 137 respondents drawn per cell of
  kind_detail × size_class: four cells fully enumerated (one of a single entity), two cells with
  a single respondent among several entities (lonely strata), the others sampled;
- `nc`: the 34 communes and collectivity of New Caledonia, all respondents (a census).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

from barometre.register.frame import load_register
from barometre.results.population import frame_of

HERE = Path(__file__).parent
SEED = 2026
# respondents per cell of kind_detail × size_class in Bretagne; None: every entity (census)
BZH_TAKE = {
    ("commune", "moins de 500 hab."): 8,
    ("commune", "de 500 à 1 999 hab."): 25,
    ("commune", "de 2 000 à 3 499 hab."): 20,
    ("commune", "de 3 500 à 4 999 hab."): 15,
    ("commune", "de 5 000 à 9 999 hab."): 20,
    ("commune", "de 10 000 à 19 999 hab."): 12,
    ("commune", "de 20 000 à 49 999 hab."): 4,
    ("commune", "de 50 000 à 99 999 hab."): None,
    ("commune", "100 000 hab. et plus"): None,
    ("epci_CA", "de 20 000 à 49 999 hab."): None,  # a single entity, enumerated
    ("epci_CA", "de 50 000 à 99 999 hab."): 5,
    ("epci_CA", "100 000 hab. et plus"): 4,
    ("epci_CC", "de 5 000 à 9 999 hab."): 1,  # lonely: 1 of 2
    ("epci_CC", "de 10 000 à 19 999 hab."): 4,
    ("epci_CC", "de 20 000 à 49 999 hab."): 10,
    ("epci_CC", "de 50 000 à 99 999 hab."): 1,  # lonely: 1 of 3
    ("epci_METRO", "100 000 hab. et plus"): None,
}
COLUMNS = ["code", "kind", "kind_detail", "size_class", "departement", "region_group"]


def population(rows: pl.DataFrame) -> pl.DataFrame:
    """The population columns the tests and R need."""
    return rows.select(*COLUMNS, "population").with_columns(pl.col("size_class").cast(pl.String))


def answers(sample: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """y1, y2 (0/1), n (a count) depending on size and département; dom = size group."""
    lp = np.log10(sample["population"].to_numpy() + 10)
    dep = np.unique(sample["departement"].fill_null("").to_numpy(), return_inverse=True)[1]
    p1 = 1 / (1 + np.exp(-(-1.5 + 0.6 * (lp - 3) + 0.3 * np.sin(dep))))
    p2 = 1 / (1 + np.exp(-(0.4 - 0.3 * (lp - 3))))
    return sample.with_columns(
        y1=pl.Series((rng.random(sample.height) < p1).astype(np.int64)),
        y2=pl.Series((rng.random(sample.height) < p2).astype(np.int64)),
        n=pl.Series(np.round(rng.gamma(2.0, 3.0 + 2 * lp)).astype(np.int64)),
        dom=pl.when(pl.col("population") >= 10_000)
        .then(pl.lit("grand"))
        .otherwise(pl.lit("petit")),
    )


def with_cells(sample: pl.DataFrame, pop: pl.DataFrame) -> pl.DataFrame:
    """The R stratum label (kind_detail × size_class) and its population count N_h."""
    cell = pl.concat_str(["kind_detail", "size_class"], separator=" × ")
    sizes = pop.group_by(cell.alias("cell")).len("N_h")
    return sample.with_columns(cell.alias("cell")).join(sizes, on="cell", how="left")


def main() -> None:
    rng = np.random.default_rng(SEED)
    frame = frame_of(load_register()).sort("code")
    bzh = population(
        frame.filter(pl.col("region") == "53", pl.col("kind").is_in(["commune", "epci"]))
    )
    parts = []
    for (kind, size), take in BZH_TAKE.items():
        cell = bzh.filter(kind_detail=kind, size_class=size)
        assert cell.height, (kind, size)
        pick = np.sort(
            rng.choice(cell.height, cell.height if take is None else take, replace=False)
        )
        parts.append(cell[pick])
    assert sum(p.height for p in parts) == 137
    assert bzh.group_by("kind_detail", "size_class").len().height == len(BZH_TAKE)
    sample = with_cells(answers(pl.concat(parts).sort("code"), rng), bzh)
    nc = population(
        frame.filter(pl.col("code").str.starts_with("988") | (pl.col("code") == "C988"))
    )
    assert nc.height == 34
    census = with_cells(answers(nc, rng), nc)
    bzh.write_csv(HERE / "bzh_population.csv")
    sample.drop("population").write_csv(HERE / "bzh_sample.csv")
    nc.write_csv(HERE / "nc_population.csv")
    census.drop("population").write_csv(HERE / "nc_sample.csv")


if __name__ == "__main__":
    main()
