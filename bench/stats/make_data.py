"""Build the benchmark edition: every commune and EPCI of the real frame answers 150 items.

Writes bench/stats/.data/edition.parquet (for barometre and samplics) and edition.csv.gz (for R).
Items: 100 yes/no (share of "oui"), 50 with six categories (one share per category), 50 of them
asked only after a filter question (skip logic): 400 indicator-options, 3 denominators.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

HERE = Path(__file__).parent
REF = HERE.parent.parent / "tests" / "stats" / "reference"
DATA = HERE / ".data"


def build(seed: int = 2026) -> pl.DataFrame:
    """The benchmark table: strata, base weights, masks and 400 indicator columns."""
    rng = np.random.default_rng(seed)
    frame = pl.read_csv(REF / "frame.csv.gz", infer_schema=False).with_columns(
        pl.col("population").cast(pl.Int64), pl.col("opsn").cast(pl.Int64)
    )
    n = frame.height
    lp = np.log10(frame["population"].to_numpy() + 10)
    opsn = frame["opsn"].to_numpy()
    reg = np.unique(frame["region_group"].to_numpy(), return_inverse=True)[1]
    # base weights constant within groups (1/π by size stratum and OPSN, as from a stratified
    # draw; `barometre analyse` starts from N_h/n_h), not matching the margins: raking iterates
    kd = np.unique(frame["kd_size"].to_numpy(), return_inverse=True)[1]
    pi = np.clip(0.25 + 0.1 * kd + 0.2 * opsn, 0.05, 1)
    base = 1 / pi
    cols: dict[str, np.ndarray] = {}
    effect = rng.normal(0, 0.8, 150)
    for j in range(100):
        p = 1 / (1 + np.exp(-(effect[j] + 0.5 * (lp - 3) + 0.4 * opsn + 0.1 * np.sin(reg + j))))
        cols[f"b{j:03d}"] = (rng.random(n) < p).astype(np.int8)
    asked1 = cols["b000"] == 1
    asked2 = cols["b001"] == 1
    for j in range(50):
        logits = rng.normal(0, 1, 6)[None, :] + np.outer(lp - 3, rng.normal(0, 0.5, 6))
        probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
        cat = (rng.random(n)[:, None] > np.cumsum(probs, axis=1)).sum(axis=1)
        asked = asked1 if j < 25 else asked2
        for c in range(6):
            cols[f"c{j:02d}_{c}"] = np.where(asked, (cat == c).astype(np.int8), 0).astype(np.int8)
    kind = np.where(frame["kd_size"].str.starts_with("commune").to_numpy(), "commune", "epci")
    return pl.DataFrame(
        {
            "code": frame["code"],
            "kd_size": frame["kd_size"],
            "region_group": frame["region_group"],
            "opsn": frame["opsn"].cast(pl.String),
            "kind": kind,
            "base_weight": base,
            "asked1": asked1.astype(np.int8),
            "asked2": asked2.astype(np.int8),
            **cols,
        }
    )


def main() -> None:
    """Write the benchmark files and the population totals."""
    DATA.mkdir(exist_ok=True)
    table = build()
    table.write_parquet(DATA / "edition.parquet")
    table.write_csv(DATA / "edition.csv")
    totals = (
        pl.concat(
            [
                table.group_by(m)
                .len()
                .rename({m: "category", "len": "total"})
                .with_columns(margin=pl.lit(m))
                for m in ("kd_size", "region_group")
            ]
        )
        .select("margin", "category", "total")
        .sort("margin", "category")
    )
    totals.write_csv(DATA / "totals.csv")
    print(table.shape)


if __name__ == "__main__":
    main()
