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
