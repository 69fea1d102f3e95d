"""Benchmark: classify 10,000 initiatives with the shipped model (goal: under 10 s).

Builds 10,000 initiatives from the shipped corpus (each title paired with the description of
another initiative of the same domain, seeded), then times, separately: training the shipped
model (first use, writes the cache file), loading it from the cache file, and classifying.
Run: .venv/bin/python bench/initiatives/bench_classify.py [--n 10000] [--csv out.csv]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

import numpy as np
import polars as pl

from barometre.initiatives.classifier import shipped_classifier
from barometre.initiatives.corpus import example_corpus


def synthetic_initiatives(n: int, seed: int = 7) -> pl.DataFrame:
    """n initiatives: a title of the corpus with the description of another of its domain."""
    corpus = example_corpus()
    rng = np.random.default_rng(seed)
    picks = corpus.sample(n, with_replacement=True, seed=seed).with_row_index("row")
    shuffled = picks.with_columns(
        pl.col("row").shuffle(seed=int(rng.integers(1 << 30))).over("domain").alias("other")
    )
    descriptions = picks.select("row", pl.col("description").alias("other_description"))
    return (
        shuffled.join(descriptions, left_on="other", right_on="row")
        .sort("row")
        .select(
            "code",
            pl.col("title").alias("titre"),
            pl.col("other_description").alias("description"),
            "domain",
        )
    )


def main() -> None:
    """Time model preparation and classification; print a Markdown line of results."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--csv", default=None, help="also write the texts as CSV (for the CLI)")
    args = parser.parse_args()
    data = synthetic_initiatives(args.n)
    if args.csv:
        data.drop("domain").write_csv(args.csv)
    distinct = data.select("titre", "description").n_unique()

    with tempfile.TemporaryDirectory() as cache:
        os.environ.pop("BAROMETRE_HOME", None)
        os.environ["XDG_CACHE_HOME"] = cache
        wall, cpu = time.perf_counter(), time.process_time()
        shipped_classifier.__wrapped__()  # trains and writes the cache file
        train_wall, train_cpu = time.perf_counter() - wall, time.process_time() - cpu
        wall, cpu = time.perf_counter(), time.process_time()
        model = shipped_classifier.__wrapped__()  # loads the cache file
        load_wall, load_cpu = time.perf_counter() - wall, time.process_time() - cpu

    wall, cpu = time.perf_counter(), time.process_time()
    predicted = model.predict(data.get_column("titre"), data.get_column("description"))
    run_wall, run_cpu = time.perf_counter() - wall, time.process_time() - cpu

    assert predicted.height == args.n
    print(
        f"| {args.n} ({distinct} distinct) | {train_wall:.2f} s ({train_cpu:.2f} s CPU) | "
        f"{load_wall:.2f} s ({load_cpu:.2f} s CPU) | "
        f"{run_wall:.2f} s ({run_cpu:.2f} s CPU) |"
    )


if __name__ == "__main__":
    main()
