"""The Villes Internet × Deloitte findings restated on a corpus, with their margins."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from barometre.initiatives.findings import spearman_interval
from barometre.initiatives.report import build_report


def test_the_four_main_domains_are_one_merged_share_with_its_interval(
    classified, entities, taxonomy
) -> None:
    report = build_report(classified, entities, taxonomy)
    finding = report.findings[0]
    top = report.shares.sort("part", descending=True).head(4)
    merged = float(finding.statement.split("rassemblent ")[1].split("\u202f%")[0].replace(",", "."))
    assert merged == pytest.approx(100 * top["part"].sum(), abs=0.05)
    for label in top["libelle"]:
        assert label in finding.statement
    assert finding.statement.count("IC 95 %") == 5  # the four shares and their sum
    assert finding.agrees is True and "2016" not in finding.statement
    assert "communication publique (18,5 %)" in finding.seed


def test_size_and_age_findings_say_whether_the_corpus_agrees(
    classified, entities, taxonomy
) -> None:
    without = build_report(classified, entities, taxonomy)
    size, age = without.findings[1], without.findings[2]
    assert size.agrees is True and "multiplié par 1,66" in size.statement
    assert age.agrees is None and "age_median" in age.statement
    codes = classified["code"].unique()
    population = entities.filter(pl.col("code").is_in(codes.implode()))["population"]
    rng = np.random.default_rng(5)
    # an age made only of size (plus noise): the raw link is there, not at equal population
    frame = entities.join(
        entities.select(
            "code",
            (50 - 3 * pl.col("population").clip(1).log10()).alias("age_median"),
        ),
        on="code",
    ).with_columns(pl.col("age_median") + pl.Series(rng.normal(0, 0.5, entities.height)))
    report = build_report(classified, frame, taxonomy, attributes=["age_median"])
    age = report.findings[2]
    assert population.len() == report.collectivites
    assert age.agrees is True and "aucun effet significatif à 5 %" in age.statement
    assert "disparaît à population égale" in age.statement
    lines = report.findings_lines()
    assert len(lines) == 3 and all(" — " in line and "En 2016 : " in line for line in lines)
    assert "Les constats du baromètre de référence" in report.to_markdown()


def test_spearman_interval_is_symmetric_in_z_and_shrinks_with_n() -> None:
    low, high = spearman_interval(0.5, 103)
    assert low < 0.5 < high
    assert np.arctanh(high) - np.arctanh(0.5) == pytest.approx(np.arctanh(0.5) - np.arctanh(low))
    assert np.arctanh(high) - np.arctanh(0.5) == pytest.approx(
        1.959964 * np.sqrt(1.06 / 100), rel=1e-5
    )
    wide = spearman_interval(0.5, 23)
    assert wide[0] < low and wide[1] > high
    assert all(np.isnan(spearman_interval(0.5, 3)))
