"""Benchmark: load the register and add strata (cold, in a fresh process), then stratum totals.

Run: `.venv/bin/python bench/register/bench_register_load.py` (prints the best of 5 runs).
"""

from __future__ import annotations

import subprocess
import sys

CODE = """
import time
t0 = time.perf_counter()
import polars
t1 = time.perf_counter()
from barometre.register import add_strata, load_register, stratum_totals
t2 = time.perf_counter()
entities = add_strata(load_register().entities)
t3 = time.perf_counter()
stratum_totals(entities)
t4 = time.perf_counter()
print(t1 - t0, t2 - t1, t3 - t2, t4 - t3)
"""


def main(runs: int = 5) -> None:
    """Print the best timing of each step over `runs` fresh processes."""
    results = []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", CODE], capture_output=True, text=True, check=True
        )
        results.append([float(x) for x in out.stdout.split()])
    best = [min(r[i] for r in results) for i in range(4)]
    labels = (
        "import polars",
        "import barometre.register",
        "load_register + add_strata",
        "stratum_totals",
    )
    for label, value in zip(labels, best, strict=True):
        print(f"{label:<28} {value * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
