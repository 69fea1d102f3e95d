"""`barometre demo` copies the shipped initiatives corpus into the edition, which stays valid."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from barometre.cli import main
from barometre.edition.files import read_edition
from barometre.initiatives.corpus import example_corpus
from barometre.initiatives.report import edition_report


def test_demo_edition_holds_the_example_corpus(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    result = CliRunner().invoke(main, ["demo", str(folder), "--size", "60", "--sans-rapport"])
    assert result.exit_code == 0, result.output
    assert "initiatives/corpus.csv" in result.output
    assert read_edition(folder).consolidated().height == 60
    expected = example_corpus()
    report = edition_report(folder)
    assert report is not None
    assert report.initiatives == expected.height
    assert report.collectivites == expected["code"].n_unique()
    (folder / "initiatives" / "corpus.csv").unlink()
    assert edition_report(folder) is None


def test_the_corpus_belongs_to_the_edition_territory(tmp_path: Path) -> None:
    """New Caledonia carries no metropolitan initiative; EY keeps only its large collectivités."""
    import polars as pl

    from barometre.edition.figures import load_figures
    from barometre.edition.simulate import template_frame
    from barometre.register import load_register

    caledonia = tmp_path / "nc"
    result = CliRunner().invoke(
        main,
        ["demo", str(caledonia), "-t", "nouvelle-caledonie-services-publics", "--sans-rapport"],
    )
    assert result.exit_code == 0, result.output
    assert "aucune initiative du corpus d'exemple ne concerne le territoire" in result.output
    assert not (caledonia / "initiatives").exists() and edition_report(caledonia) is None
    ey = tmp_path / "ey"
    result = CliRunner().invoke(
        main, ["demo", str(ey), "-t", "ey-france-urbaine-maturite", "--sans-rapport"]
    )
    assert result.exit_code == 0, result.output
    corpus = pl.read_csv(ey / "initiatives" / "corpus.csv", schema_overrides={"code": pl.String})
    frame = template_frame(
        load_register().entities, load_figures("ey-france-urbaine-maturite").demo
    )
    assert 0 < corpus.height < example_corpus().height
    assert set(corpus["code"]) <= set(frame["code"])
    ages = pl.read_csv(ey / "frame_attributes.csv", schema_overrides={"code": pl.String})
    assert ages["age_median"].is_between(28, 62).all()  # the simulated median age of the frame
    report = edition_report(ey)
    assert report is not None and report.findings[2].agrees is not None  # the age is crossed
