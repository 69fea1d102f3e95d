"""Compare barometre with R `survey` and samplics on the benchmark edition; write RESULTS.md."""

from __future__ import annotations

import json
import os
import platform
from pathlib import Path

import numpy as np
import polars as pl

HERE = Path(__file__).parent
DATA = HERE / ".data"
LEVELS = {"kd_size": 7, "region_group": 14, "opsn": 2, "kind": 2}


def main() -> None:
    """Read the three JSON timings and the estimates, write RESULTS.md."""
    ours = json.loads((DATA / "barometre.json").read_text())
    r = json.loads((DATA / "r.json").read_text())
    peers = json.loads((DATA / "samplics.json").read_text())
    est = pl.read_parquet(DATA / "barometre_estimates.parquet")
    r_est = pl.read_csv(DATA / "r_estimates.csv", schema_overrides={"level": pl.String})
    joined = r_est.join(est, on=["indicator", "domain", "level"], suffix="_b")
    d_est = float((joined["estimate"] - joined["estimate_b"]).abs().max())
    d_se = float(((joined["se_b"] / joined["se"]) - 1).abs().filter(joined["se"] > 0).max())
    w_ours = pl.read_parquet(DATA / "barometre_weights.parquet")
    w_peer = pl.read_parquet(DATA / "samplics_weights.parquet")
    d_w = float(np.max(np.abs(w_peer["weight"].to_numpy() / w_ours["weight"].to_numpy() - 1)))

    measured = [b for b in LEVELS if b in r["seconds"]]
    per_level = {
        key: sum(r[key][b] for b in measured) / sum(LEVELS[b] for b in measured)
        for key in ("seconds", "cpu_seconds")
    }
    r_total = {
        key: r[key]["calibrate"]
        + r[key]["overall"]
        + sum(r[key][b] if b in r[key] else per_level[key] * LEVELS[b] for b in LEVELS)
        for key in ("seconds", "cpu_seconds")
    }
    extrapolated = [b for b in LEVELS if b not in measured]
    lines = [
        "# Benchmark: barometre.stats vs R `survey` vs samplics",
        "",
        "Command (from the repository root): `bash bench/stats/run.sh`",
        "",
        f"Work: a full national edition, n = {ours['n']:,} respondents (every commune and EPCI of the real "
        f"frame), 150 items → {ours['indicators']} indicator-options (3 denominators from skip logic), "
        "raking on kind × size (7 cells) and region group (14 cells), then every indicator overall and by "
        f"4 breakdowns (size, region, OPSN, kind: {sum(LEVELS.values())} levels) with calibrated "
        f"linearised SE and logit CI: {ours['estimates']:,} estimates.",
        "",
        f"Machine: {os.cpu_count()} cores shared with other jobs ({platform.machine()}), "
        f"Python {ours['python']}, load average at the end of the run {os.getloadavg()[0]:.1f}. "
        "Wall-clock time depends on the load; CPU time is the fairer figure.",
        "",
        "| tool | wall (s) | CPU (s) | peak memory | what |",
        "|---|---|---|---|---|",
        f"| barometre | {ours['seconds']:.2f} | {ours['cpu_seconds']:.2f} | {ours['peak_rss_mb']} MB (whole process) | all of it, measured |",
        f"| R survey {r['tool'].split()[-1]} | {r_total['seconds']:.0f} | {r_total['cpu_seconds']:.0f} | – | calibrate + svymean + svyby "
        + (
            f"(measured: overall, {', '.join(measured)}; **extrapolated** per domain level: {', '.join(extrapolated)})"
            if extrapolated
            else "(all measured)"
        )
        + " |",
        f"| samplics {peers['version']} | {peers['seconds_extrapolated_400']:.0f} | {peers['cpu_extrapolated_400']:.0f} | – | rake + TaylorEstimator, "
        f"**extrapolated** from {peers['indicators_measured']} indicators (fixed-weight SE, {peers['failed_calls']} calls failed on zero estimates) |",
    ]
    pipeline = DATA / "pipeline.json"
    if pipeline.exists():
        pipe = json.loads(pipeline.read_text())
        lines.append(
            f"| barometre analyse, whole pipeline | {pipe['seconds']:.2f} | {pipe['cpu_seconds']:.2f} | "
            f"{pipe['peak_rss_mb']} MB (whole process, input tables included) | text answers + questionnaire "
            f"→ relevance, indicators, raking, {pipe['rows']:,} tidy rows (`bench_pipeline.py`) |"
        )
    lines += [
        "",
        f"Speed-up over R: **{r_total['seconds'] / ours['seconds']:.0f}×** wall, "
        f"**{r_total['cpu_seconds'] / ours['cpu_seconds']:.0f}×** CPU.",
        "",
        "R timings measured (s): "
        + ", ".join(
            f"{k} {v:.1f} (CPU {r['cpu_seconds'][k]:.1f})" for k, v in r["seconds"].items()
        ),
        "",
        f"Identical numbers: on the {joined.height:,} estimates R computed, max |estimate difference| = "
        f"{d_est:.1e}, max relative SE difference = {d_se:.1e}. samplics raking weights vs barometre: "
        f"max relative difference {d_w:.1e} (its SEs ignore the calibration, so they are not compared).",
    ]
    (HERE / "RESULTS.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
