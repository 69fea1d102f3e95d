"""Benchmark: vectorised skip logic (relevance + constraints) for 36,000 respondents.

Run: `.venv/bin/python bench/questionnaire/bench_questionnaire_relevance.py [--rows 36000] [--template NOM]`.
Random answers (codes, numbers, blanks, `nsp`) for every question of a shipped template, then the
Polars relevance cascade, the constraints, and the same on one dict per respondent for comparison.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import polars as pl

from barometre.questionnaire import load_template
from barometre.questionnaire.skip_logic import constraint_frame, relevance, relevance_frame


def random_answers(questionnaire, rows: int, seed: int = 1) -> pl.DataFrame:
    """One column per question, values drawn from its codes (or numbers/texts), with blanks."""
    rng = np.random.default_rng(seed)
    columns = {}
    for question in questionnaire.questions:
        if question.type.is_choice:
            values = [*question.codes, None]
            if question.type.value == "multiple_choice":
                values.append(" ".join(question.codes[:2]))
        elif question.type.is_numeric:
            values = ["0", "5", "40", "120", None, "nsp"]
        else:
            values = ["", "texte", None]
        columns[question.id] = np.array(values, dtype=object)[rng.integers(0, len(values), rows)]
    return pl.DataFrame(
        {name: list(values) for name, values in columns.items()},
        schema={name: pl.Utf8 for name in columns},
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=36_000)
    parser.add_argument("--template", default="dinum-collectivites-numerique-2024")
    args = parser.parse_args()
    questionnaire = load_template(args.template)
    frame = random_answers(questionnaire, args.rows)
    start = time.perf_counter()
    asked = relevance_frame(questionnaire, frame)
    relevance_seconds = time.perf_counter() - start
    start = time.perf_counter()
    violations = constraint_frame(questionnaire, frame)
    constraint_seconds = time.perf_counter() - start
    sample = frame.head(2_000).to_dicts()
    start = time.perf_counter()
    for row in sample:
        relevance(questionnaire, row)
    per_dict = (time.perf_counter() - start) / len(sample)
    print(
        f"{args.template}: {len(questionnaire.questions)} questions, {args.rows} répondants\n"
        f"  pertinence (Polars)  : {relevance_seconds:.3f} s ({asked.shape[1]} colonnes)\n"
        f"  contraintes (Polars) : {constraint_seconds:.3f} s ({violations.shape[1]} contraintes)\n"
        f"  un répondant (dict)  : {per_dict * 1e3:.3f} ms, soit {per_dict * args.rows:.1f} s"
        " pour tout l'échantillon en boucle"
    )


if __name__ == "__main__":
    main()
