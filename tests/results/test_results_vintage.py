"""Population counts from the register vintage of the survey's year, when the operator asks."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest
from click.testing import CliRunner

from barometre.cli import main
from barometre.edition.files import write_edition
from barometre.register.frame import load_register
from barometre.register.strata import add_strata
from barometre.register.vintages import VintageError, import_vintage, load_vintage
from barometre.results.options import SurveyOptions
from barometre.results.store import compute_results
from barometre.results.survey import Survey
from barometre.stats.errors import StatsError

FIXTURE = Path(__file__).parent / "fixtures" / "decoupage-administratif-5.0.0-35.tgz"
QUESTIONNAIRE = """
id: millesime
title: Millésime
version: "1"
edition: "2025"
themes:
  - id: t
    label: Thème
    questions:
      - {id: site, type: yes_no, label: Site internet ?}
"""


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A register workspace holding the 2025 vintage (real records of Ille-et-Vilaine)."""
    monkeypatch.setenv("BAROMETRE_HOME", str(tmp_path / "home"))
    result = CliRunner().invoke(
        main, ["register", "vintage", "import", "2025", "--tarball", str(FIXTURE)]
    )
    assert result.exit_code == 0, result.output
    assert "Millésime 2025 importé depuis @etalab/decoupage-administratif@5.0.0" in result.output
    return tmp_path / "home"


def edition(folder: Path, vintage: str | None) -> Path:
    """60 communes of Ille-et-Vilaine answering a 2025 survey."""
    codes = sorted(
        load_register().entities.filter(pl.col("departement") == "35", kind="commune")["code"]
    )[::5][:60]
    rng = np.random.default_rng(3)
    n = len(codes)
    meta = {"id": "m", "title": "M", "year": 2025, "population": {"exclude": ["departement!=35"]}}
    if vintage:
        meta["population"]["vintage"] = vintage
    return write_edition(
        folder,
        meta=meta,
        questionnaire_text=QUESTIONNAIRE,
        responses=pl.DataFrame(
            {
                "response_id": [f"R{i}" for i in range(n)],
                "code": codes,
                "submitted_at": ["2025-03-01T10:00:00"] * n,
                "status": ["complete"] * n,
                "respondent_role": ["dgs"] * n,
                "site": rng.choice(["oui", "non"], n).tolist(),
            }
        ),
    )


def class_totals(entities: pl.DataFrame) -> dict[str, int]:
    """Communes of Ille-et-Vilaine per size class."""
    communes = add_strata(entities).filter(pl.col("departement") == "35", kind="commune")
    return dict(communes.group_by(pl.col("size_class").cast(pl.String)).len().iter_rows())


def test_the_survey_year_vintage_gives_the_population_counts(home: Path, tmp_path: Path) -> None:
    survey = Survey.from_edition(edition(tmp_path / "e", "survey"))
    assert survey.population.vintage == "2025"
    assert survey.diagnostics["population"]["register_vintage"] == "2025"
    then = class_totals(load_vintage("2025").entities)
    now = class_totals(load_register().entities)
    assert then != now  # populations moved between the two vintages
    assert class_totals(survey.population.frame) == then
    assert survey.design.weights.sum() == pytest.approx(sum(then.values()))
    results = compute_results(tmp_path / "e")
    assert results.meta["register"]["vintage"] == "2025"
    assert results.meta["register"]["version"] == "5.0.0"
    default = Survey.from_edition(edition(tmp_path / "d", None))
    assert default.population.vintage == load_register().vintage


def test_the_command_line_asks_for_a_vintage(home: Path, tmp_path: Path) -> None:
    folder = edition(tmp_path / "e", None)
    out = tmp_path / "r.csv"
    result = CliRunner().invoke(main, ["analyse", str(folder), "-o", str(out), "--vintage", "2025"])
    assert result.exit_code == 0, result.output
    listed = CliRunner().invoke(main, ["register", "vintage", "list"])
    assert "Importés dans" in listed.output and ": 2025." in listed.output


def test_a_vintage_not_imported_is_a_french_error(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("BAROMETRE_HOME", str(tmp_path / "vide"))
    with pytest.raises(StatsError, match="barometre register vintage import 2024"):
        Survey.from_edition(edition(tmp_path / "e", None), SurveyOptions(vintage="2024"))
    with pytest.raises(VintageError, match="non pris en charge"):
        import_vintage("2019", FIXTURE, tmp_path / "ws")
    with pytest.raises(VintageError, match="version inattendue"):
        import_vintage("2024", FIXTURE, tmp_path / "ws")
    assert not (tmp_path / "ws" / "vintages" / "2024").exists()
