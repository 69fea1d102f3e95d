"""Shares and the count model match R (`survey::svymean` with collectivités as clusters, `glm`)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from barometre.initiatives.analysis import domain_shares, population_association

R_SCRIPT = r"""
suppressMessages(library(survey))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1], colClasses = c(code = "character"))
d$domaine <- factor(d$domaine, levels = strsplit(args[2], ",")[[1]])
des <- svydesign(ids = ~code, data = d)
m <- svymean(~domaine, des)
by_class <- svyby(~domaine, ~size_class, des, svymean)
ci <- lapply(levels(d$domaine), function(l) {
  f <- as.formula(paste0("~I(domaine == '", l, "')"))
  as.numeric(confint(svyciprop(f, des, method = "logit")))
})
cc <- aggregate(list(n = rep(1, nrow(d))), list(code = d$code, population = d$population), sum)
g <- glm(n ~ log10(population), family = poisson, data = cc)
X <- model.matrix(g); mu <- fitted(g); y <- cc$n
bread <- solve(t(X) %*% (X * mu)); meat <- t(X * (y - mu)^2) %*% X
V <- bread %*% meat %*% bread
cat(jsonlite::toJSON(list(
  mean = unname(coef(m)), se = unname(SE(m)), ci = ci,
  by_se = unname(as.matrix(SE(by_class))), by_levels = as.character(by_class$size_class),
  glm = unname(coef(g)), glm_se = unname(sqrt(diag(V)))
), digits = 15))
"""


STORED = Path(__file__).resolve().parent / "reference" / "r_survey_example_corpus.json"


def run_r(classified: pl.DataFrame, entities: pl.DataFrame, folder: Path) -> dict:
    """Run R `survey` and `glm` on the classified corpus (needs r-cran-survey, r-cran-jsonlite)."""
    table = classified.select("code", pl.col("domain_final").alias("domaine")).join(
        entities.select("code", "population", pl.col("size_class").cast(pl.String)), on="code"
    )
    table.write_csv(folder / "d.csv")
    (folder / "ref.R").write_text(R_SCRIPT)
    levels = ",".join(classified.get_column("domain_final").unique().sort().to_list())
    out = subprocess.run(
        ["Rscript", str(folder / "ref.R"), str(folder / "d.csv"), levels],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    return {"levels": levels.split(","), **json.loads(out.stdout)}


@pytest.fixture(scope="module")
def r_reference(classified, entities, tmp_path_factory) -> dict:
    """R's estimates on the example corpus: computed live when R is installed, else as stored."""
    if shutil.which("Rscript") is None:
        return json.loads(STORED.read_text(encoding="utf-8"))
    live = run_r(classified, entities, tmp_path_factory.mktemp("r"))
    stored = json.loads(STORED.read_text(encoding="utf-8"))
    assert stored["levels"] == live["levels"]
    np.testing.assert_allclose(stored["se"], live["se"], rtol=1e-12)
    np.testing.assert_allclose(stored["glm_se"], live["glm_se"], rtol=1e-12)
    return live


def test_shares_match_r_svymean_with_clusters(classified, entities, taxonomy, r_reference):
    shares = domain_shares(classified, entities, taxonomy=taxonomy)
    ours = shares.sort("domaine")
    assert ours.get_column("domaine").to_list() == r_reference["levels"]
    np.testing.assert_allclose(ours.get_column("part").to_numpy(), r_reference["mean"], atol=1e-12)
    np.testing.assert_allclose(
        ours.get_column("erreur_type").to_numpy(), r_reference["se"], rtol=1e-9
    )
    lows = ours.get_column("ic_bas").to_numpy()
    highs = ours.get_column("ic_haut").to_numpy()
    order = {d: i for i, d in enumerate(r_reference["levels"])}
    for d, i in order.items():
        np.testing.assert_allclose([lows[i], highs[i]], r_reference["ci"][i], rtol=1e-7, err_msg=d)


def test_shares_by_size_class_match_r_svyby(classified, entities, taxonomy, r_reference):
    shares = domain_shares(classified, entities, by="size_class", taxonomy=taxonomy)
    wide = shares.sort("domaine").pivot(on="domaine", index="groupe", values="erreur_type")
    wide = pl.DataFrame({"groupe": r_reference["by_levels"]}).join(wide, on="groupe", how="left")
    ours = wide.select(r_reference["levels"]).to_numpy()
    np.testing.assert_allclose(ours, np.asarray(r_reference["by_se"]), rtol=1e-8, atol=1e-14)


def test_count_model_matches_r_glm_with_sandwich(classified, entities, r_reference):
    model = population_association(classified, entities)["modele"]
    np.testing.assert_allclose(model.coefficients, r_reference["glm"], rtol=1e-7)
    np.testing.assert_allclose(model.se, r_reference["glm_se"], rtol=1e-6)
