"""Benchmark: maturity scores + typology on 36,224 simulated respondents (target: under 2 s).

Run: .venv/bin/python bench/maturity/bench_maturity.py [--n 36224] [--repeat 3]
Answers are drawn with NumPy on the EY × France urbaine template (9 themes, 37 items on 5 stages):
three planted profiles plus noise and 5 % of `nsp`. Timings are the best of `--repeat` runs.
"""

from __future__ import annotations

import argparse
import platform
import time
from pathlib import Path

import numpy as np
import polars as pl

from barometre.maturity.model import MaturityModel
from barometre.maturity.scores import NSP_CODE, compute_scores
from barometre.maturity.typology import build_typology
from barometre.questionnaire.yaml_format import load_questionnaire

TEMPLATE = (
    Path(__file__).resolve().parents[2]
    / "barometre/questionnaire/templates/ey-france-urbaine-maturite.yaml"
)


def simulated_answers(model: MaturityModel, n: int, seed: int) -> pl.DataFrame:
    """n respondents in three planted profiles (strategy-led, operations-led, lagging)."""
    rng = np.random.default_rng(seed)
    profile = rng.choice(3, size=n, p=[0.3, 0.4, 0.3])
    strategy = set(model.strategy_theme_ids())
    data: dict[str, object] = {"code": [f"R{i:06d}" for i in range(n)]}
    for item in model.items:
        top = len(item.levels) - 1
        centre = (
            np.array([0.85, 0.35, 0.1]) if item.theme in strategy else np.array([0.6, 0.65, 0.15])
        )
        rank = np.clip(np.rint(centre[profile] * top + rng.normal(0, 0.8, n)), 0, top)
        codes = np.array([lv.code for lv in item.levels], dtype=object)[rank.astype(int)]
        codes[rng.random(n) < 0.05] = NSP_CODE
        data[item.id] = codes.tolist()
    return pl.DataFrame(data)


def best_of(repeat: int, func) -> tuple[float, object]:
    """Best wall-clock time of `repeat` calls, and the last result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = func()
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> None:
    """Time scores, typology (k=3, no bootstrap), then bootstrap and k=auto separately."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=36_224)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    model = MaturityModel.from_questionnaire(load_questionnaire(TEMPLATE))
    answers = simulated_answers(model, args.n, seed=1)
    weights = np.random.default_rng(2).uniform(1, 10, args.n)
    t_scores, scores = best_of(args.repeat, lambda: compute_scores(answers, model))
    t_typology, typology = best_of(
        args.repeat,
        lambda: build_typology(
            scores, k=3, weights=weights, n_bootstrap=0, strategy_themes=["strategie"]
        ),
    )
    t_boot, boot = best_of(1, lambda: build_typology(scores, k=3, weights=weights, n_bootstrap=20))
    t_auto, auto = best_of(
        1, lambda: build_typology(scores, k="auto", weights=weights, n_bootstrap=0)
    )
    print(
        f"machine: {platform.processor() or platform.machine()}, python {platform.python_version()}"
    )
    print(f"respondents: {args.n}, items: {len(model.items)}, themes: {len(model.theme_ids)}")
    print(f"scores:                          {t_scores:.3f} s")
    print(f"typology k=3 (no bootstrap):     {t_typology:.3f} s  names={typology.names}")
    print(f"scores + typology:               {t_scores + t_typology:.3f} s  (target < 2 s)")
    print(f"typology k=3 + 20 bootstraps:    {t_boot:.3f} s  ARI={boot.stability:.3f}")
    print(f"typology k=auto (2..6):          {t_auto:.3f} s  k={auto.k}")


if __name__ == "__main__":
    main()
