"""The design built from the frame reproduces R `survey`: fpc per stratum, census strata, every
`survey.lonely.psu` rule, alone and with raking (committed references, see reference/design/)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest

from barometre.questionnaire.yaml_format import loads_questionnaire
from barometre.stats.analysis import AnalysisOptions, analyse, build_design
from barometre.stats.domains import Breakdown, domain_means
from barometre.stats.errors import DesignError

REF = Path(__file__).parent / "reference" / "design"
OUT = REF / "r_output"
LONELY = ("adjust", "certainty", "remove", "average")
MARGINS = ("kind_detail*size_class", "departement")
INDICATORS = ("y1", "y2", "n")
QUESTIONNAIRE = """
id: design
title: Plan
version: "1"
edition: "2026"
themes:
  - id: t
    label: Thème
    questions:
      - {id: y1, type: yes_no, label: Y1}
      - {id: y2, type: yes_no, label: Y2}
      - {id: n, type: number, label: N}
"""


def read(name: str) -> pl.DataFrame:
    """A committed CSV, every column as text."""
    return pl.read_csv(REF / name, infer_schema=False)


def data(dataset: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(sample with its __line, population) of a reference dataset."""
    sample = read(f"{dataset}_sample.csv").with_columns(__line=pl.int_range(pl.len()) + 2)
    return sample, read(f"{dataset}_population.csv")


@pytest.fixture(scope="module")
def reference() -> pl.DataFrame:
    """R's estimates and SEs."""
    return pl.read_csv(
        OUT / "design_estimates.csv", schema_overrides={"level": pl.String}, null_values="NA"
    )


def build(dataset: str, design: str, lonely: str):
    """The design of `barometre.stats.build_design` matching R's `svydesign` (+ `calibrate`)."""
    sample, population = data(dataset)
    if design == "none":
        options = AnalysisOptions(method="none", strata="kind_detail*size_class", lonely_psu=lonely)
    else:
        margins = MARGINS if dataset == "bzh" else MARGINS[:1]
        options = AnalysisOptions(margins=margins, lonely_psu=lonely, tolerance=1e-13)  # R epsilon
    return sample, build_design(sample, population, options).design


def compare(sample: pl.DataFrame, design, ref: pl.DataFrame) -> int:
    """Estimates (1e-10) and SEs (1e-9 relative) of every domain of `ref`; rows compared."""
    y = sample.select(INDICATORS).cast(pl.Float64).to_numpy()
    masks = np.ones((sample.height, 1), dtype=bool)
    checked = 0
    for dom in ref["domain"].unique().to_list():
        values = (
            np.full(sample.height, "ensemble")
            if dom == "ensemble"
            else sample[dom].to_numpy().astype(str)
        )
        b = Breakdown.from_values(dom, values)
        r = domain_means(design, y, masks, np.zeros(3, dtype=np.int64), b, binary=False)
        part = ref.filter(domain=dom)
        g = np.array([b.labels.index(level) for level in part["level"].to_list()])
        k = np.array([INDICATORS.index(i) for i in part["indicator"].to_list()])
        np.testing.assert_allclose(r.estimate[g, k], part["estimate"], rtol=0, atol=1e-10)
        r_se = part["se"].fill_null(np.nan).to_numpy()  # R: NA for a domain of lonely strata
        np.testing.assert_allclose(r.se[g, k], r_se, rtol=1e-9, atol=1e-13)
        checked += part.height
    return checked


@pytest.mark.parametrize("lonely", LONELY)
@pytest.mark.parametrize("design", ["none", "raking"])
def test_fpc_census_and_lonely_strata_match_r(design: str, lonely: str, reference) -> None:
    sample, built = build("bzh", design, lonely)
    ref = reference.filter(dataset="bzh", design=design, lonely=lonely)
    assert compare(sample, built, ref) == ref.height >= 60
    assert built.lonely_psu == lonely
    assert sorted(built.lonely_strata()) == [
        "epci_CC × de 5 000 à 9 999 hab.",
        "epci_CC × de 50 000 à 99 999 hab.",
    ]


def test_weights_match_r() -> None:
    r_weights = pl.read_csv(OUT / "design_weights.csv", schema_overrides={"code": pl.String})
    for design in ("none", "raking"):
        sample, built = build("bzh", design, "adjust")
        ref = r_weights.filter(design=design)
        assert ref["code"].to_list() == sample["code"].to_list()
        np.testing.assert_allclose(built.weights, ref["weight"], rtol=1e-10)


def test_the_rules_differ_where_they_should(reference) -> None:
    """The four rules give four different overall SEs; census cells have SE 0 under every rule."""
    overall = reference.filter(dataset="bzh", design="none", domain="ensemble", indicator="y1")
    assert overall["se"].n_unique() == 3  # certainty and remove coincide in R 4.1
    census = reference.filter(dataset="bzh", domain="cell", level="commune × 100 000 hab. et plus")
    assert census.height == 24 and (census.filter(design="none")["se"] == 0).all()


def test_lonely_fail_names_the_stratum_like_r() -> None:
    r_message = (OUT / "lonely_fail.txt").read_text(encoding="utf-8")
    assert "epci_CC × de 5 000 à 9 999 hab." in r_message
    sample, built = build("bzh", "none", "fail")
    y = sample.select("y1").cast(pl.Float64).to_numpy()
    with pytest.raises(DesignError, match=r"« epci_CC × de 5 000 à 9 999 hab\. » : un seul"):
        domain_means(built, y, np.ones((sample.height, 1), bool), np.zeros(1, np.int64),
                     Breakdown.overall(sample.height))  # fmt: skip


@pytest.mark.parametrize("design", ["none", "raking"])
def test_a_census_has_zero_variance_and_never_fails(design: str, reference) -> None:
    sample, built = build("nc", design, "fail")
    ref = reference.filter(dataset="nc", design=design)
    assert compare(sample, built, ref) == ref.height
    assert (ref["se"] == 0).all()
    y = sample.select(INDICATORS).cast(pl.Float64).to_numpy()
    r = domain_means(built, y, np.ones((sample.height, 1), bool), np.zeros(3, np.int64),
                     Breakdown.overall(sample.height), binary=False)  # fmt: skip
    assert (r.se == 0).all()  # exactly


def test_the_pipeline_gives_r_figures_and_exact_census_intervals(reference) -> None:
    q = loads_questionnaire(QUESTIONNAIRE, "design.yaml")
    for dataset in ("bzh", "nc"):
        sample, population = data(dataset)
        responses = sample.with_columns(
            pl.when(pl.col(c) == "1").then(pl.lit("oui")).otherwise(pl.lit("non")).alias(c)
            for c in ("y1", "y2")
        ).drop(*(c for c in sample.columns if c not in ("code", "y1", "y2", "n", "__line")))
        margins = MARGINS if dataset == "bzh" else MARGINS[:1]
        options = AnalysisOptions(
            margins=margins,
            breakdowns=("dom",),
            lonely_psu="adjust" if dataset == "bzh" else "fail",
        )
        table = analyse(
            responses,
            q,
            population.join(sample.select("code", "dom"), on="code", how="left"),
            options,
        ).table
        ref = reference.filter(dataset=dataset, design="raking", indicator="y1")
        if dataset == "bzh":
            ref = ref.filter(lonely="adjust")
        mine = table.filter(indicator="y1", option="oui").join(
            ref, left_on=["domain", "domain_value"], right_on=["domain", "level"]
        )
        assert mine.height == ref.filter(pl.col("domain").is_in(["ensemble", "dom"])).height > 0
        np.testing.assert_allclose(mine["estimate"], mine["estimate_right"], atol=1e-10)
        np.testing.assert_allclose(mine["se"], mine["se_right"], rtol=1e-9, atol=1e-13)
        if dataset == "nc":
            assert (table["se"].drop_nulls() == 0).all()
            shown = table.filter(~pl.col("suppressed"))
            assert (shown["ci_low"] == shown["estimate"]).all()
            assert (shown["ci_high"] == shown["estimate"]).all()
