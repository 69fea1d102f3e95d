"""Coverage of the published 95 % intervals, measured by simulation on the real frame.

A synthetic population is fixed once on the real register (34,969 communes and 1,255 EPCI): OPSN
membership (as the demo draws it) and indicators whose truth is known, depending on size, région
and OPSN: `p50` (≈ 50 %), `p05` (≈ 5 %, rarer in small communes) and `p20` (≈ 20 %). Then, many
times, a sample of respondents is drawn with a non-response biased by size and OPSN membership
(Poisson sampling by size class and OPSN: large authorities and OPSN members answer much more
often; the propensity depends only on what the calibration sees, so that the coverage measures the
intervals and not a bias), and the published
machinery runs on it: `build_design` (default margins kind_detail × size_class and region_group,
plus opsn since response depends on it; strata and finite-population correction from the first
margin's cells), domain estimates, and the intervals (`proportion_ci`, the published method and
the alternatives, zero-width on fully enumerated domains as published). Coverage = share of the
intervals that contain the truth, by family: overall, size classes (those of 10,000 inhabitants
and more apart: high sampling fractions), régions, and small domains (départements with 20 to 60
respondents).

Usage (from the repository root, ≈ 1–2 s per sample on one core):

    .venv/bin/python bench/stats/coverage_sim.py --samples 500 --n 3000 --out bench/stats/.data/coverage_3000.json
    .venv/bin/python bench/stats/coverage_sim.py --markdown bench/stats/.data/coverage_*.json

A scenario without the OPSN margin (`--no-opsn-margin`) shows the bias left when the response
depends on a variable the calibration ignores (the interval method cannot fix that).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl

from barometre.edition.simulate import simulate_opsn
from barometre.register.frame import load_register
from barometre.results.population import frame_of
from barometre.stats.analysis import AnalysisOptions, build_design, enumerated_levels
from barometre.stats.domains import Breakdown, domain_means
from barometre.stats.intervals import CI_METHODS, proportion_ci

INDICATORS = ("p50", "p20", "p05")
BIG_CLASSES = (
    "de 10 000 à 19 999 hab.",
    "de 20 000 à 49 999 hab.",
    "de 50 000 à 99 999 hab.",
    "100 000 hab. et plus",
)
BREAKDOWNS = ("size_class", "region_group", "departement")
SMALL = (20, 60)


def population(seed: int = 20260501) -> tuple[pl.DataFrame, np.ndarray]:
    """The frame (communes and EPCI) with OPSN, and the (N, 3) true 0/1 indicators."""
    rng = np.random.default_rng(seed)
    frame = frame_of(load_register()).filter(pl.col("kind").is_in(["commune", "epci"]))
    frame = frame.join(simulate_opsn(frame, rng), on="code", how="left").with_columns(
        pl.col("opsn").cast(pl.String)
    )
    lp = np.log10(frame["population"].to_numpy() + 10) - 3
    opsn = frame["opsn"].to_numpy().astype(int)
    region = np.unique(frame["region_group"].to_numpy(), return_inverse=True)[1]
    region_effect = np.sin(region * 1.3) * 0.3
    noise = rng.normal(0, 0.6, (frame.height, 3))

    def draw(a: float, b: float, c: float, j: int) -> np.ndarray:
        logit = a + b * lp + c * opsn + region_effect + noise[:, j]
        return rng.random(frame.height) < 1 / (1 + np.exp(-logit))

    y = np.column_stack([draw(0.0, 0.8, 0.6, 0), draw(-1.5, 0.6, 0.5, 1), draw(-3.3, 0.9, 0.5, 2)])
    return frame, y


def response_probability(frame: pl.DataFrame, n: int) -> np.ndarray:
    """Poisson inclusion probabilities biased by size and OPSN, scaled to an expected n.

    The propensity depends on the size class (the mean log-population of the unit's kind × size
    cell) and on OPSN membership: variables the calibration sees, so the calibrated estimator is
    unbiased and the coverage measures the intervals, not a bias.
    """
    cell = frame["kind_detail"].cast(pl.String) + " × " + frame["size_class"].cast(pl.String)
    lp = frame.select(((pl.col("population") + 10).log10() - 3).mean().over(cell).alias("lp"))[
        "lp"
    ].to_numpy()
    opsn_factor = np.where(frame["opsn"].to_numpy().astype(int) == 1, 1.0, 0.4)
    size = np.exp(1.3 * lp)
    scale = 1.0
    for _ in range(60):  # the size factor is capped at 0.98, so solve for the scale
        p = np.minimum(scale * size, 0.98) * opsn_factor
        scale *= n / p.sum()
    # a product of a size factor and an OPSN factor: the log-linear model raking fits exactly
    return np.minimum(scale * size, 0.98) * opsn_factor


def truths(frame: pl.DataFrame, y: np.ndarray) -> dict[str, dict[str, np.ndarray]]:
    """Population proportion of each indicator per breakdown level (and overall)."""
    out = {"ensemble": {"ensemble": y.mean(axis=0)}}
    for name in BREAKDOWNS:
        values = frame[name].cast(pl.String).to_numpy()
        out[name] = {v: y[values == v].mean(axis=0) for v in np.unique(values)}
    return out


def one_sample(frame, y, truth, prob, options, rng) -> list[dict]:
    """Draw, build the published design, estimate and check every interval."""
    picked = np.flatnonzero(rng.random(frame.height) < prob)
    sample = frame[picked].with_columns(__line=pl.int_range(pl.len()) + 2)
    design = build_design(sample, frame, options).design
    masks = np.ones((sample.height, 1), bool)
    records = []
    for name in ("ensemble", *BREAKDOWNS):
        b = (
            Breakdown.overall(sample.height)
            if name == "ensemble"
            else Breakdown.from_values(name, sample[name].cast(pl.String))
        )
        r = domain_means(design, y[picked], masks, np.zeros(3, np.int64), b)
        enumerated = enumerated_levels(design, b)
        bounds = {}
        for method in CI_METHODS:
            lo, hi = proportion_ci(
                r.estimate, r.se, r.n_unweighted, r.df, 0.95, method, design.n, r.n_weighted
            )
            exact = enumerated[:, None] & (r.se == 0) & np.isfinite(r.estimate)
            bounds[method] = (np.where(exact, r.estimate, lo), np.where(exact, r.estimate, hi))
        for i, level in enumerate(b.labels):
            true = truth[name][level]
            for j, ind in enumerate(INDICATORS):
                records.append(
                    {
                        "domain": name,
                        "level": level,
                        "indicator": ind,
                        "n": int(r.n_unweighted[i, j]),
                        "truth": float(true[j]),
                        **{
                            m: bool(bounds[m][0][i, j] <= true[j] <= bounds[m][1][i, j])
                            for m in CI_METHODS
                        },
                        **{
                            f"width_{m}": float(bounds[m][1][i, j] - bounds[m][0][i, j])
                            for m in CI_METHODS
                        },
                    }
                )
    return records


def family(row: dict) -> str | None:
    """The reporting family of one interval (None: not reported)."""
    if row["domain"] == "ensemble":
        return "ensemble"
    if row["domain"] == "size_class":
        return (
            "grandes tailles (≥ 10 000 hab.)" if row["level"] in BIG_CLASSES else "autres tailles"
        )
    if row["domain"] == "region_group":
        return "régions" if row["n"] >= SMALL[0] else None
    if row["domain"] == "departement" and SMALL[0] <= row["n"] <= SMALL[1]:
        return f"petits domaines ({SMALL[0]}–{SMALL[1]} répondants)"
    return None


def summarise(rows: list[dict]) -> pl.DataFrame:
    """Coverage and mean width by family and indicator."""
    table = pl.DataFrame(rows).with_columns(
        family=pl.Series([family(r) for r in rows], dtype=pl.String)
    )
    return (
        table.filter(pl.col("family").is_not_null() & (pl.col("n") > 0))
        .group_by("family", "indicator")
        .agg(
            pl.len().alias("intervals"),
            pl.col("truth").mean().alias("mean_truth"),
            pl.col("n").median().alias("median_n"),
            *(pl.col(m).mean().alias(m) for m in CI_METHODS),
            *(pl.col(f"width_{m}").mean().alias(f"width_{m}") for m in CI_METHODS),
        )
        .sort("family", "indicator")
    )


def markdown(results: list[dict]) -> str:
    """A Markdown table per scenario result."""
    out = []
    for result in results:
        out.append(
            f"**{result['label']}** — {result['samples']} échantillons, n moyen "
            f"{result['mean_n']:.0f}, marges {', '.join(result['margins'])}, {result['seconds']:.0f} s"
        )
        out.append("")
        out.append(
            "| famille | indicateur | vraie part moyenne | n médian | intervalles | "
            + " | ".join(CI_METHODS)
            + " | largeur moyenne (logit) |"
        )
        out.append("|---|---|---|---|---|" + "---|" * len(CI_METHODS) + "---|")
        for r in result["summary"]:
            cells = " | ".join(f"{100 * r[m]:.1f} %" for m in CI_METHODS)
            out.append(
                f"| {r['family']} | {r['indicator']} | {100 * r['mean_truth']:.1f} % | "
                f"{r['median_n']:.0f} | {r['intervals']} | {cells} | {100 * r['width_logit']:.1f} pt |"
            )
        out.append("")
    return "\n".join(out)


def main() -> None:
    """Run one scenario and write its summary as JSON (or render result files as Markdown)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=500)
    parser.add_argument("--n", type=int, default=3000, help="expected number of respondents")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-opsn-margin", action="store_true")
    parser.add_argument("--no-fpc", action="store_true")
    parser.add_argument("--strata", default=None, help="fpc strata (default: first margin's cells)")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--markdown", nargs="*", type=Path)
    args = parser.parse_args()
    if args.markdown:
        print(markdown([json.loads(path.read_text()) for path in args.markdown]))
        return
    frame, y = population()
    truth = truths(frame, y)
    margins = ("kind_detail*size_class", "region_group") + (
        () if args.no_opsn_margin else ("opsn",)
    )
    options = AnalysisOptions(
        margins=margins, fpc=not args.no_fpc, strata=args.strata, medians=False
    )
    prob = response_probability(frame, args.n)
    rng = np.random.default_rng(args.seed)
    rows: list[dict] = []
    sizes = []
    start = time.perf_counter()
    for s in range(args.samples):
        sample_rows = one_sample(frame, y, truth, prob, options, rng)
        sizes.append(next(r["n"] for r in sample_rows if r["domain"] == "ensemble"))
        rows.extend(sample_rows)
        if (s + 1) % 50 == 0:
            print(f"{s + 1} échantillons, {time.perf_counter() - start:.0f} s", file=sys.stderr)
    summary = summarise(rows)
    label = (
        f"n ≈ {args.n}, marges {'sans' if args.no_opsn_margin else 'avec'} OPSN, "
        f"{'sans' if args.no_fpc else 'avec'} correction de population finie"
        + (f" (strates {args.strata})" if args.strata and not args.no_fpc else "")
    )
    result = {
        "label": label,
        "samples": args.samples,
        "mean_n": float(np.mean(sizes)),
        "margins": list(margins),
        "fpc": not args.no_fpc,
        "strata": args.strata,
        "seconds": time.perf_counter() - start,
        "summary": summary.to_dicts(),
    }
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, ensure_ascii=False, indent=1))
    print(markdown([result]))


if __name__ == "__main__":
    main()
