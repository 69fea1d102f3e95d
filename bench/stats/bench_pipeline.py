"""Time the whole `analyse` pipeline (text answers → tidy table) on the benchmark edition.

The 150 items of make_data.py become a questionnaire (100 yes/no, 50 six-category questions behind
a filter question) and text answers for every commune and EPCI; the frame is the real register.
"""

from __future__ import annotations

import json
import resource
import time
from pathlib import Path

import numpy as np
import polars as pl

from barometre.questionnaire.yaml_format import loads_questionnaire
from barometre.register.frame import load_register
from barometre.register.strata import add_strata, region_group_expr
from barometre.stats.analysis import AnalysisOptions, analyse

DATA = Path(__file__).parent / ".data"


def questionnaire_yaml() -> str:
    """150 questions: b000–b099 yes/no, c00–c49 single choice asked after b000 or b001 = oui."""
    lines = ["id: bench", "title: Banc d'essai", 'version: "1"', 'edition: "2026"', "themes:"]
    lines += ["  - id: t", "    label: Thème", "    questions:"]
    lines += [
        f"      - {{id: b{j:03d}, type: yes_no, label: Q{j}, allow_nsp: true}}" for j in range(100)
    ]
    for j in range(50):
        filt = "b000" if j < 25 else "b001"
        choices = ", ".join(f"{{code: m{c}, label: M{c}}}" for c in range(6))
        lines.append(
            f"      - {{id: c{j:02d}, type: single_choice, label: C{j}, "
            f"relevant: \"${{{filt}}} = 'oui'\", choices: [{choices}]}}"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    """Build text answers, run analyse with 4 breakdowns, print timing."""
    table = pl.read_parquet(DATA / "edition.parquet")
    answers = {"code": table["code"]}
    for j in range(100):
        answers[f"b{j:03d}"] = np.where(table[f"b{j:03d}"].to_numpy() == 1, "oui", "non")
    for j in range(50):
        cat = np.stack([table[f"c{j:02d}_{c}"].to_numpy() for c in range(6)], axis=1)
        answers[f"c{j:02d}"] = np.where(
            cat.any(axis=1), np.char.add("m", cat.argmax(axis=1).astype(str)), ""
        )
    responses = pl.DataFrame(answers)
    q = loads_questionnaire(questionnaire_yaml(), "bench.yaml")
    frame = add_strata(load_register().entities).with_columns(region_group_expr())
    frame = frame.filter(pl.col("kind").is_in(["commune", "epci"]))  # the target population
    frame = frame.join(table.select("code", "opsn"), on="code", how="left")
    options = AnalysisOptions(
        margins=("kind_detail*size_class", "region_group"),
        breakdowns=("size_class", "region_group", "opsn", "kind"),
        medians=False,
    )
    start, cpu = time.perf_counter(), time.process_time()
    result = analyse(responses, q, frame, options)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(
        json.dumps(
            {
                "tool": "barometre analyse (pipeline)",
                "seconds": round(elapsed, 3),
                "cpu_seconds": round(cpu, 3),
                "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                "rows": result.table.height,
                "n": result.diagnostics["n_respondents"],
            }
        )
    )


if __name__ == "__main__":
    main()
