"""`barometre analyse EDITION` and the published `estimations.csv` are the same table, for every
shipped template (one design, one population, one set of defaults)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from barometre.cli import main
from barometre.publish.opendata import write_package
from barometre.questionnaire.templates_catalogue import list_templates
from barometre.results.store import compute_results

SIZES = {
    "dinum-collectivites-numerique-2024": 300,
    "ey-france-urbaine-maturite": 39,
    "jvs-petites-communes-dematerialisation": 200,
    "nouvelle-caledonie-services-publics": 34,
}


@pytest.fixture(scope="module")
def editions(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A small demo edition of every shipped template, written by `barometre demo`."""
    root = tmp_path_factory.mktemp("identity")
    out = {}
    for template, size in SIZES.items():
        folder = root / template
        result = CliRunner().invoke(
            main,
            ["demo", str(folder), "--template", template, "--size", str(size), "--sans-rapport"],
        )
        assert result.exit_code == 0, result.output
        out[template] = folder
    return out


def test_every_shipped_template_is_covered() -> None:
    assert set(SIZES) == set(list_templates())


@pytest.mark.parametrize("template", sorted(SIZES))
def test_analyse_and_published_estimates_are_identical(
    template: str, editions: dict[str, Path], tmp_path: Path
) -> None:
    folder = editions[template]
    table = tmp_path / "analyse.csv"
    result = CliRunner().invoke(main, ["analyse", str(folder), "-o", str(table)])
    assert result.exit_code == 0, result.output
    write_package(compute_results(folder), tmp_path / "donnees")
    published = tmp_path / "donnees" / "estimations.csv"
    assert table.read_bytes() == published.read_bytes()
    rows = pl.read_csv(published, infer_schema_length=None)
    assert rows.height > 0
    assert set(rows["domain"].unique()) == {"ensemble", "size_class", "kind_detail", "region_group"}


def test_a_census_edition_has_zero_standard_errors(editions: dict[str, Path]) -> None:
    """The New Caledonia demo surveys all 34 entities: no sampling error, exact intervals."""
    from barometre.results.survey import Survey

    survey = Survey.from_edition(editions["nouvelle-caledonie-services-publics"])
    assert survey.population.size == survey.design.n == 34
    table = survey.estimates.filter(~pl.col("suppressed"))
    assert table.height > 0 and (table["se"] == 0).all()
    assert (table["ci_low"] == table["estimate"]).all() and (
        table["ci_high"] == table["estimate"]
    ).all()
    figures = survey.key_figures()
    assert figures.height > 0 and (figures["se"].drop_nulls() == 0).all()
    assert survey.diagnostics["census"] is True
    design = survey.diagnostics["design"]
    assert design["fpc"] and len(design["census_strata"]) == design["n_strata"]


def test_every_table_uses_the_one_design(editions: dict[str, Path]) -> None:
    """Maturity figures and the respondents table get the survey's calibrated weights."""
    from barometre.results.survey import Survey

    survey = Survey.from_edition(editions["ey-france-urbaine-maturite"])
    sample = survey.maturity_sample()
    assert sample.design is survey.design
    assert sample.answers["code"].to_list() == survey.codes.to_list()
    assert survey.respondents()["weight"].to_list() == survey.design.weights.tolist()
    assert survey.design.calibration is not None and survey.design.population_sizes is not None
    assert survey.diagnostics["census"] is False
