"""Analyses: shares add up, intensity is the ratio of totals, associations react to real signal."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from barometre.initiatives.analysis import (
    attribute_association,
    domain_shares,
    intensity,
    population_association,
)
from barometre.initiatives.corpus import write_corpus
from barometre.initiatives.folder import InitiativesFolder
from barometre.initiatives.report import build_report, edition_report


def test_shares_sum_to_one_in_every_size_class(classified, entities, taxonomy):
    shares = domain_shares(classified, entities, by="size_class", taxonomy=taxonomy)
    sums = shares.group_by("groupe").agg(pl.col("part").sum(), pl.col("initiatives").sum())
    np.testing.assert_allclose(sums.get_column("part").to_numpy(), 1.0)
    assert sums.get_column("initiatives").sum() == classified.height
    assert (shares.get_column("ic_bas") <= shares.get_column("part")).all()
    assert (shares.get_column("part") <= shares.get_column("ic_haut")).all()


def test_intensity_is_initiatives_per_thousand_inhabitants(classified, entities):
    table = intensity(classified, entities, by="size_class")
    codes = classified.get_column("code").unique()
    population = (
        entities.filter(pl.col("code").is_in(codes.implode())).get_column("population").sum()
    )
    overall = table.filter(pl.col("groupe") == "ensemble").row(0, named=True)
    assert overall["initiatives"] == classified.height
    assert overall["population"] == population
    assert abs(overall["pour_1000_hab"] - 1000 * classified.height / population) < 1e-12
    by_class = table.filter(pl.col("groupe") != "ensemble")
    assert by_class.get_column("initiatives").sum() == classified.height


def test_larger_communes_publish_more_in_the_example_corpus(classified, entities):
    result = population_association(classified, entities)
    assert result["spearman_rho"] > 0.3 and result["spearman_p"] < 0.001
    table = result["modele"].table()
    slope = table.filter(pl.col("terme") == "log10_population").row(0, named=True)
    assert slope["ic_bas"] > 0
    assert result["rapport_x10"] > 1


def test_attribute_association_finds_a_planted_effect_and_not_noise(classified, entities):
    rng = np.random.default_rng(3)
    counts = classified.group_by("code").len()
    frame = entities.join(counts, on="code", how="left").with_columns(
        pl.Series("bruit", rng.normal(40, 5, entities.height)),
        (pl.col("len").fill_null(0) + pl.Series(rng.normal(0, 0.3, entities.height))).alias(
            "signal"
        ),
    )
    noise = attribute_association(classified, frame, "bruit")
    signal = attribute_association(classified, frame, "signal")
    assert noise["spearman_p"] > 0.01
    noise_term = noise["modele"].table().filter(pl.col("terme") == "bruit").row(0, named=True)
    assert noise_term["ic_bas"] < 0 < noise_term["ic_haut"]
    signal_term = signal["modele"].table().filter(pl.col("terme") == "signal").row(0, named=True)
    assert signal_term["ic_bas"] > 0
    terciles = noise["parts_par_tiers"]
    assert set(terciles.get_column("groupe")) == {"1er tiers", "2e tiers", "3e tiers"}


def test_report_key_figures_are_french_and_complete(classified, entities, taxonomy, tmp_path):
    report = build_report(classified, entities, taxonomy)
    figures = dict(report.key_figures())
    assert figures["Initiatives analysées"] == f"{classified.height:,}".replace(",", " ")
    assert "Part « Accès au numérique et inclusion »" in figures
    assert "IC 95 %" in figures["Part « Accès au numérique et inclusion »"]
    assert "," in figures["Part « Culture et patrimoine »"]
    written = report.write(tmp_path)
    assert {p.name for p in written} >= {"parts_domaines.csv", "initiatives.md"}


def test_edition_report_uses_the_edition_corpus_and_frame_attributes(tmp_path, corpus, register):
    assert edition_report(tmp_path, register) is None
    write_corpus(corpus, InitiativesFolder.of_edition(tmp_path).corpus_file)
    codes = corpus.get_column("code").unique().sort()
    rng = np.random.default_rng(11)
    pl.DataFrame({"code": codes, "age_median": rng.normal(42, 6, codes.len()).round(1)}).write_csv(
        tmp_path / "frame_attributes.csv"
    )
    report = edition_report(tmp_path, register, attributes=["age_median"])
    assert report is not None and report.initiatives == corpus.height
    labels = [label for label, _ in report.key_figures()]
    assert any("âge médian" in label for label in labels)
    assert "modele_age_median" in report.tables()
    with pytest.raises(ValueError, match=r"attribut\(s\) absent\(s\) du registre : inconnu"):
        edition_report(tmp_path, register, attributes=["inconnu"])
