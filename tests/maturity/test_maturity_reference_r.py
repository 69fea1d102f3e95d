"""Population figures of maturity on a raked design match R `survey` (the variance reference)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from maturity_fixtures import ey_like_questionnaire, planted_answers

from barometre.maturity.levels import EY2019
from barometre.maturity.model import MaturityModel
from barometre.maturity.population import level_distribution, score_means
from barometre.maturity.scores import compute_scores
from barometre.stats.calibration import Margin, calibrate
from barometre.stats.design import Design
from barometre.stats.domains import Breakdown

R_SCRIPT = r"""
suppressMessages(library(survey))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1], colClasses = c(code = "character", a = "character", b = "character"))
tot <- read.csv(args[2], colClasses = c(category = "character"))
d$a <- factor(d$a, levels = tot$category[tot$margin == "a"])
d$b <- factor(d$b, levels = tot$category[tot$margin == "b"])
pa <- data.frame(a = factor(tot$category[tot$margin == "a"], levels = levels(d$a)),
                 Freq = tot$total[tot$margin == "a"])
pb <- data.frame(b = factor(tot$category[tot$margin == "b"], levels = levels(d$b)),
                 Freq = tot$total[tot$margin == "b"])
des <- rake(svydesign(ids = ~1, weights = ~w0, data = d), list(~a, ~b), list(pa, pb),
            control = list(maxit = 100, epsilon = 1e-12))
m <- svymean(~score, des, na.rm = TRUE)
by <- svyby(~score, ~a, des, svymean, na.rm = TRUE)
lev <- subset(des, !is.na(stage1))
p <- svyciprop(~stage1, lev, method = "logit")
pm <- svymean(~stage1, des, na.rm = TRUE)
cat(jsonlite::toJSON(list(
  mean = as.numeric(coef(m)), se = as.numeric(SE(m)),
  by_levels = as.character(by$a), by_mean = as.numeric(by$score), by_se = as.numeric(SE(by)),
  share = as.numeric(p), share_se = as.numeric(SE(pm)), share_ci = as.numeric(attr(p, "ci"))
), digits = 15))
"""


@pytest.fixture(scope="module")
def raked(tmp_path_factory: pytest.TempPathFactory):
    """A raked design over simulated theme scores (with missing ones), and R's figures on it."""
    if shutil.which("Rscript") is None:
        pytest.skip("Rscript absent : `apt-get install -y r-cran-survey r-cran-jsonlite`")
    questionnaire = ey_like_questionnaire(n_themes=3, items_per_theme=2)
    model = MaturityModel.from_questionnaire(questionnaire)
    centers = np.array([[0.8, 0.7, 0.6], [0.3, 0.5, 0.4], [0.1, 0.1, 0.2]])
    answers, truth = planted_answers(questionnaire, centers, n=300, noise=0.9, seed=11)
    rng = np.random.default_rng(4)
    answers = answers.with_columns(  # about a third lose an item: the 75 % rule leaves holes
        pl.when(pl.Series(rng.random(300) < 0.3))
        .then(None)
        .otherwise(pl.col("strategie_q1"))
        .alias("strategie_q1")
    )
    scores = compute_scores(answers, model, min_answered_share=0.75)
    a = np.array(["petite", "moyenne", "grande"])[truth]
    b = np.where(rng.random(300) < 0.6, "opsn", "hors_opsn")
    totals = {"a": {"petite": 5000.0, "moyenne": 2500.0, "grande": 500.0}}
    totals["b"] = {"opsn": 4800.0, "hors_opsn": 3200.0}
    base = Design.from_columns(weights=np.full(300, 8000 / 300))
    design = calibrate(
        base,
        [Margin("a", a.astype(object), totals["a"]), Margin("b", b.astype(object), totals["b"])],
        method="raking",
        tol=1e-12,
    )
    strategy = scores.theme_scores[:, 0]
    folder: Path = tmp_path_factory.mktemp("r")
    pl.DataFrame(
        {
            "code": scores.codes,
            "a": a,
            "b": b,
            "w0": base.weights,
            "score": strategy,
            "stage1": np.where(
                np.isnan(strategy), np.nan, (strategy < EY2019.thresholds[0]).astype(float)
            ),
        }
    ).with_columns(pl.col("score", "stage1").fill_nan(None)).write_csv(folder / "d.csv")
    pl.DataFrame(
        {
            "margin": ["a"] * 3 + ["b"] * 2,
            "category": [*totals["a"], *totals["b"]],
            "total": [*totals["a"].values(), *totals["b"].values()],
        }
    ).write_csv(folder / "tot.csv")
    (folder / "ref.R").write_text(R_SCRIPT)
    out = subprocess.run(
        ["Rscript", str(folder / "ref.R"), str(folder / "d.csv"), str(folder / "tot.csv")],
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0 and "there is no package" in out.stderr:
        pytest.skip(f"paquet R absent : {out.stderr.strip()[-200:]}")
    assert out.returncode == 0, out.stderr
    return scores, design, Breakdown.from_values("a", a), json.loads(out.stdout)


def test_mean_scores_match_r(raked) -> None:
    scores, design, breakdown, ref = raked
    assert np.isnan(scores.theme_scores[:, 0]).sum() > 20  # the domain handling is exercised
    table = score_means(scores, design, [breakdown]).filter(pl.col("theme") == "strategie")
    overall = table.filter(pl.col("breakdown") == "ensemble").row(0, named=True)
    assert overall["estimate"] == pytest.approx(ref["mean"][0], rel=1e-9)
    assert overall["se"] == pytest.approx(ref["se"][0], rel=1e-7)
    by = table.filter(pl.col("breakdown") == "a")
    for level, mean, se in zip(ref["by_levels"], ref["by_mean"], ref["by_se"], strict=True):
        row = by.filter(pl.col("domain") == level).row(0, named=True)
        assert row["estimate"] == pytest.approx(mean, rel=1e-9)
        assert row["se"] == pytest.approx(se, rel=1e-7)


def test_level_share_and_logit_interval_match_r(raked) -> None:
    scores, design, _, ref = raked
    table = level_distribution(scores, EY2019, design).filter(
        (pl.col("theme") == "strategie") & (pl.col("level_rank") == 1)
    )
    row = table.row(0, named=True)
    assert row["estimate"] == pytest.approx(ref["share"][0], rel=1e-9)
    assert row["se"] == pytest.approx(ref["share_se"][0], rel=1e-7)
    # R svyciprop(method = "logit") uses the design degrees of freedom: same as barometre.stats
    assert row["ci_low"] == pytest.approx(ref["share_ci"][0], rel=1e-6)
    assert row["ci_high"] == pytest.approx(ref["share_ci"][1], rel=1e-6)
