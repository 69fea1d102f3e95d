"""Time samplics (separate venv bench/.venv-peers, Python 3.12) on the benchmark edition.

samplics rakes like R but its Taylor SEs treat the raked weights as fixed (no calibration term).
Usage: bench/.venv-peers/bin/python bench/stats/bench_samplics.py [n_indicators]
"""

from __future__ import annotations

import json
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import polars as pl

warnings.simplefilter("ignore")
from samplics.estimation import TaylorEstimator  # noqa: E402
from samplics.utils.types import PopParam  # noqa: E402
from samplics.weighting import SampleWeight  # noqa: E402

DATA = Path(__file__).parent / ".data"
BREAKDOWNS = ("kd_size", "region_group", "opsn", "kind")


def main() -> None:
    """Rake, then estimate the first n indicators overall and by each breakdown; extrapolate."""
    limit = int(sys.argv[1]) if len(sys.argv) > 1 else 40
    table = pl.read_parquet(DATA / "edition.parquet")
    totals = pl.read_csv(DATA / "totals.csv", infer_schema=False)
    names = [c for c in table.columns if c[0] in "bc" and c[1].isdigit()]
    control = {
        m: {r["category"]: float(r["total"]) for r in totals.filter(margin=m).iter_rows(named=True)}
        for m in ("kd_size", "region_group")
    }
    start, cpu = time.perf_counter(), time.process_time()
    weights = SampleWeight().rake(
        samp_weight=table["base_weight"].to_numpy(),
        margins={m: table[m].to_numpy() for m in control},
        control=control,
        tol=1e-10,
        max_iter=500,
    )
    rake_s = time.perf_counter() - start
    step = max(1, len(names) // limit)
    chosen = names[::step][:limit]
    est = {}
    failures = 0
    for name in chosen:
        y = table[name].to_numpy().astype(float)
        if name.startswith("c"):
            asked = table["asked1" if int(name[1:3]) < 25 else "asked2"].to_numpy() == 1
            y = np.where(asked, y, np.nan)
        for b in (None, *BREAKDOWNS):
            t = TaylorEstimator(PopParam.mean)
            try:
                t.estimate(
                    y=y,
                    samp_weight=weights,
                    domain=None if b is None else table[b].to_numpy(),
                    remove_nan=True,
                )
            except ZeroDivisionError:  # samplics fails on a domain whose estimate is 0
                failures += 1
                continue
            if b is None:
                est[name] = float(
                    np.asarray(
                        list(t.point_est.values()) if isinstance(t.point_est, dict) else t.point_est
                    ).ravel()[0]
                )
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    per_indicator = (elapsed - rake_s) / len(chosen)
    print(
        json.dumps(
            {
                "tool": "samplics",
                "version": __import__("samplics").__version__,
                "indicators_measured": len(chosen),
                "seconds_measured": round(elapsed, 3),
                "cpu_seconds_measured": round(cpu, 3),
                "rake_seconds": round(rake_s, 3),
                "failed_calls": failures,
                "seconds_extrapolated_400": round(rake_s + per_indicator * len(names), 1),
                "cpu_extrapolated_400": round(
                    cpu / elapsed * (rake_s + per_indicator * len(names)), 1
                ),
            }
        )
    )
    pl.DataFrame({"code": table["code"], "weight": weights}).write_parquet(
        DATA / "samplics_weights.parquet"
    )
    pl.DataFrame({"indicator": list(est), "estimate": list(est.values())}).write_parquet(
        DATA / "samplics_estimates.parquet"
    )


if __name__ == "__main__":
    main()
