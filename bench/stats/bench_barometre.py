"""Time barometre.stats on the benchmark edition: raking + 400 indicators × (overall + 4 breakdowns).

Prints one JSON line (seconds, peak memory) and writes the estimates for the comparison with R.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl

from barometre.stats.calibration import Margin, calibrate
from barometre.stats.design import Design
from barometre.stats.domains import Breakdown, domain_means, prepare_indicators
from barometre.stats.intervals import proportion_ci

DATA = Path(__file__).parent / ".data"
BREAKDOWNS = ("kd_size", "region_group", "opsn", "kind")


def main() -> None:
    """Run the timed work once after a warm-up on a small slice."""
    table = pl.read_parquet(DATA / "edition.parquet")
    totals = pl.read_csv(DATA / "totals.csv", infer_schema=False)
    names = [c for c in table.columns if c[0] in "bc" and c[1].isdigit()]
    y = table.select(names).to_numpy().astype(np.float64)
    masks = np.column_stack(
        [
            np.ones(table.height, bool),
            table["asked1"].to_numpy() == 1,
            table["asked2"].to_numpy() == 1,
        ]
    )
    mask_of = np.array([0 if c[0] == "b" else (1 if int(c[1:3]) < 25 else 2) for c in names])
    columns = {b: table[b].to_numpy().astype(str) for b in BREAKDOWNS}
    tot = {
        m: {r["category"]: float(r["total"]) for r in totals.filter(margin=m).iter_rows(named=True)}
        for m in ("kd_size", "region_group")
    }
    base_w = table["base_weight"].to_numpy()

    def work() -> list:
        design = calibrate(
            Design.from_columns(weights=base_w),
            [Margin(m, columns[m], tot[m]) for m in ("kd_size", "region_group")],
            "raking",
        )
        out = [design.weights]
        x = prepare_indicators(y, masks, mask_of)
        for b in [Breakdown.overall(design.n)] + [
            Breakdown.from_values(b, columns[b]) for b in BREAKDOWNS
        ]:
            r = domain_means(design, y, masks, mask_of, b, prepared=x)
            lo, hi = proportion_ci(r.estimate, r.se, r.n_unweighted, r.df)
            out.append((b, r, lo, hi))
        return out

    start, cpu = time.perf_counter(), time.process_time()
    weights, *results = work()
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows = []
    for b, r, lo, hi in results:
        g, k = r.estimate.shape
        rows.append(
            pl.DataFrame(
                {
                    "indicator": np.tile(names, g),
                    "domain": b.name,
                    "level": np.repeat(np.array(b.labels), k),
                    "estimate": r.estimate.ravel(),
                    "se": r.se.ravel(),
                    "ci_low": lo.ravel(),
                    "ci_high": hi.ravel(),
                }
            )
        )
    pl.concat(rows).write_parquet(DATA / "barometre_estimates.parquet")
    pl.DataFrame({"code": table["code"], "weight": weights}).write_parquet(
        DATA / "barometre_weights.parquet"
    )
    n_est = sum(r.estimate.size for _, r, _, _ in results)
    print(
        json.dumps(
            {
                "tool": "barometre",
                "seconds": round(elapsed, 3),
                "cpu_seconds": round(cpu, 3),
                "peak_rss_mb": round(peak_mb),
                "estimates": n_est,
                "indicators": len(names),
                "n": int(table.height),
                "python": sys.version.split()[0],
            }
        )
    )


if __name__ == "__main__":
    main()
