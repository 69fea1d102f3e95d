"""Benchmark: the whole `barometre maturity all` pipeline on a 36,224-respondent edition.

Run: .venv/bin/python bench/maturity/bench_maturity_all.py [--bootstrap 20]
Builds (in a temporary folder) an edition of the EY × France urbaine questionnaire answered by
every commune and EPCI of the real register (36,224 entities), then times each stage in-process:
reading and validating the edition, calibration, scores and population figures, typology,
correlations, writing the tables.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_maturity import TEMPLATE, simulated_answers

from barometre.edition.files import response_columns, write_edition
from barometre.maturity.analysis import (
    MaturityOptions,
    correlation_tables,
    score_tables,
    typology_tables,
)
from barometre.maturity.model import MaturityModel
from barometre.questionnaire.yaml_format import load_questionnaire
from barometre.register.frame import load_register
from barometre.results.maturity_sample import sample_from_edition


def build_edition(folder: Path) -> int:
    """Write the edition: every commune and EPCI answers once; returns the number of respondents."""
    questionnaire = load_questionnaire(TEMPLATE)
    model = MaturityModel.from_questionnaire(questionnaire)
    register = load_register().entities.filter(pl.col("kind").is_in(["commune", "epci"]))
    answers = simulated_answers(model, register.height, seed=3).with_columns(
        register.get_column("code").alias("code")
    )
    responses = answers.with_columns(
        pl.format("R{}", pl.int_range(pl.len())).alias("response_id"),
        pl.lit("2026-03-01T10:00:00").alias("submitted_at"),
        pl.lit("complete").alias("status"),
        pl.lit("dgs").alias("respondent_role"),
        pl.col(model.item_ids).replace("nsp", None),  # the EY items do not offer `nsp`
    ).select(response_columns(questionnaire))
    write_edition(
        folder,
        meta={"id": "bench", "title": "Bench", "year": 2026},
        questionnaire_text=TEMPLATE.read_text(encoding="utf-8"),
        responses=responses,
    )
    return responses.height


def main() -> None:
    """Time each stage once."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bootstrap", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "edition"
        n = build_edition(folder)
        load_register()  # warm the register cache, as a running CLI would have it
        options = MaturityOptions(n_bootstrap=args.bootstrap)
        timings = {}
        start = time.perf_counter()
        sample = sample_from_edition(folder)
        timings["read, validate, consolidate, calibrate"] = time.perf_counter() - start
        start = time.perf_counter()
        results = score_tables(sample, options)
        timings["scores, levels, population figures, recommendations"] = time.perf_counter() - start
        start = time.perf_counter()
        typology = typology_tables(sample, options, results.scores)
        timings[f"typology (k=3, {args.bootstrap} bootstraps, shares)"] = (
            time.perf_counter() - start
        )
        start = time.perf_counter()
        correlations = correlation_tables(sample, options, results.scores)
        timings["correlations (theme × theme, population)"] = time.perf_counter() - start
        results.tables.update(typology.tables)
        results.tables.update(correlations.tables)
        start = time.perf_counter()
        results.write(Path(tmp) / "out", "parquet")
        timings["write tables (Parquet)"] = time.perf_counter() - start
    print(f"respondents: {n}; {sample.design_source}")
    for name, seconds in timings.items():
        print(f"{name:55s} {seconds:6.2f} s")
    print(f"{'total':55s} {sum(timings.values()):6.2f} s")


if __name__ == "__main__":
    main()
