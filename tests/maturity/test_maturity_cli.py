"""`barometre maturity` end to end on simulated editions built on the real register."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest
from click.testing import CliRunner

from barometre.cli import main
from barometre.edition.figures import load_figures
from barometre.edition.files import write_edition
from barometre.edition.simulate import simulate_edition
from barometre.maturity.levels import EY2019
from barometre.maturity.scores import OVERALL
from barometre.questionnaire.templates_catalogue import load_template, template_text
from barometre.register.frame import load_register
from barometre.results.maturity_sample import sample_from_edition

EY = "ey-france-urbaine-maturite"
DINUM = "dinum-collectivites-numerique-2024"


def _edition(folder: Path, template: str, size: int, seed: int) -> Path:
    """Write a simulated edition of a shipped template."""
    questionnaire = load_template(template)
    figures = load_figures(template)
    simulated = simulate_edition(
        questionnaire,
        list(figures.figures),
        load_register().entities,
        figures.demo,
        size=size,
        seed=seed,
    )
    return write_edition(
        folder,
        meta={"id": f"test-{template}", "title": "Test", "year": 2026, "template": template},
        questionnaire_text=template_text(template),
        responses=simulated.responses,
        frame_attributes=simulated.frame_attributes,
    )


@pytest.fixture(scope="module")
def ey_edition(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _edition(tmp_path_factory.mktemp("ey") / "edition", EY, size=200, seed=5)


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["maturity", *args])
    return result.exit_code, result.output


def test_sample_design_uses_the_template_frame(ey_edition: Path) -> None:
    sample = sample_from_edition(ey_edition)
    frame = load_figures(EY).demo
    register = load_register().entities
    in_frame = register.filter(
        (pl.col("population") >= frame.min_population)
        & (
            (pl.col("kind") == "commune")
            | ((pl.col("kind") == "epci") & pl.col("epci_nature").is_in(frame.epci_natures))
        )
    )
    assert sample.design.weights.sum() == pytest.approx(in_frame.height)
    assert sample.design.calibration is not None and "calage" in sample.design_source
    assert sample.answers.get_column("code").is_unique().all()
    assert sample.asked.all()  # no skip logic on EY maturity items
    stratified = sample_from_edition(ey_edition, calibration=False)
    assert stratified.design.calibration is None
    assert stratified.design.weights.sum() == pytest.approx(in_frame.height)
    assert stratified.design.population_sizes.sum() == in_frame.height


def test_all_writes_tidy_tables(ey_edition: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, output = _run("all", "--edition", str(ey_edition), "--out", str(out), "--bootstrap", "3")
    assert code == 0, output
    assert "Indice global de maturité" in output and "Typologie en 3 profils" in output
    scores = pl.read_csv(out / "scores.csv", schema_overrides={"code": pl.Utf8})
    n = scores.get_column("code").n_unique()
    assert scores.height == n * 10  # 9 themes + overall
    scored = scores.filter(pl.col("score").is_not_null())
    expected = EY2019.labels(scored["score"].to_numpy()).tolist()  # the template's 5 stages
    assert scored["level"].to_list() == expected
    assert scores.filter(pl.col("score").is_null())["level"].null_count() == (
        scores.height - scored.height
    )
    shares = pl.read_csv(out / "typology_shares.csv").filter(pl.col("breakdown") == "ensemble")
    assert shares["estimate"].sum() == pytest.approx(1.0)
    population = pl.read_csv(out / "scores_population.csv")
    assert set(population["breakdown"].unique()) == {"ensemble", "kind_detail", "size_class"}
    levels = pl.read_csv(out / "levels_population.csv").filter(
        (pl.col("breakdown") == "ensemble") & (pl.col("theme") == OVERALL)
    )
    assert levels.height == 5 and levels["estimate"].sum() == pytest.approx(1.0)
    correlations = pl.read_csv(out / "correlations.csv")
    assert "log10(population)" in correlations["x"].to_list()
    assert (out / "recommendations_items.csv").is_file()


def test_strategy_vs_services_question(ey_edition: Path, tmp_path: Path) -> None:
    """Seed 003: is strategy maturity associated with services maturity?"""
    out = tmp_path / "corr"
    code, output = _run(
        "correlations",
        "--edition", str(ey_edition),
        "--x", "strategie", "--y", "services_usagers",
        "--permutations", "99",
        "--out", str(out),
    )  # fmt: skip
    assert code == 0, output
    assert "services_usagers selon strategie : ρ =" in output
    table = pl.read_csv(out / "correlations.csv")
    assert table.height == 1
    row = table.row(0, named=True)
    assert -1 <= row["r"] <= 1 and 0 < row["p_value"] <= 1 and 0 < row["p_permutation"] <= 1
    themes = pl.read_csv(out / "correlations_themes.csv")
    assert themes.height == 10 * 9 // 2


def test_typology_is_deterministic_and_editable(ey_edition: Path, tmp_path: Path) -> None:
    args = ["typology", "--edition", str(ey_edition), "--bootstrap", "2", "--seed", "9"]
    assert _run(*args, "--out", str(tmp_path / "a"))[0] == 0
    code, output = _run(*args, "--out", str(tmp_path / "b"), "--name", "2=Intermédiaires")
    assert code == 0, output
    a = pl.read_csv(tmp_path / "a" / "typology_profiles.csv")
    b = pl.read_csv(tmp_path / "b" / "typology_profiles.csv")
    assert a["profile"].to_list() == b["profile"].to_list()
    assert "Intermédiaires" in b["profile_name"].to_list()
    assert "Intermédiaires" not in a["profile_name"].to_list()


def test_population_and_age_question_from_files(tmp_path: Path) -> None:
    """Seed 001: does the number of services grow with population, does age matter?"""
    edition = _edition(tmp_path / "dinum", DINUM, size=400, seed=2)
    register = load_register().entities.select("code", "population")
    responses = pl.read_csv(edition / "responses.csv", infer_schema=False)
    codes = responses.select("code").unique().join(register, on="code")
    rng = np.random.default_rng(0)
    log_pop = np.log10(codes["population"].to_numpy().astype(float) + 1)
    attributes = codes.select("code").with_columns(
        pl.Series("age_median", 48 - 3 * log_pop + rng.normal(0, 2, codes.height))
    )
    attributes.write_csv(tmp_path / "attributes.csv")
    out = tmp_path / "out"
    code, output = _run(
        "correlations",
        "--questionnaire", str(edition / "questionnaire.yaml"),
        "--responses", str(edition / "responses.csv"),
        "--attributes", str(tmp_path / "attributes.csv"),
        "--x", "log10(population)", "--y", "ser_demarches",
        "--x", "age_median", "--y", "ser_demarches",
        "--control", "log10(population)",
        "--out", str(out),
    )  # fmt: skip
    assert code == 0, output
    table = pl.read_csv(out / "correlations.csv")
    assert table["controls"].to_list() == ["log10(population)"] * 2
    # controlling for population, log population itself has no partial correlation left
    assert table["r"][0] is None and table["n"][0] > 300
    assert "ser_demarches selon age_median, à log10(population) égal" in output
    plain = tmp_path / "plain"
    code, output = _run(
        "correlations",
        "--questionnaire", str(edition / "questionnaire.yaml"),
        "--responses", str(edition / "responses.csv"),
        "--x", "log10(population)", "--y", "ser_demarches",
        "--out", str(plain),
    )  # fmt: skip
    assert code == 0, output
    row = pl.read_csv(plain / "correlations.csv").row(0, named=True)
    assert row["r"] > 0 and row["p_value"] < 0.05  # the simulator makes larger ones more advanced


def test_bad_level_is_reported_and_nothing_written(ey_edition: Path, tmp_path: Path) -> None:
    responses = pl.read_csv(ey_edition / "responses.csv", infer_schema=False)
    broken = responses.with_columns(
        pl.when(pl.int_range(pl.len()) == 3)
        .then(pl.lit("7"))
        .otherwise(pl.col("strat_evaluation"))
        .alias("strat_evaluation")
    )
    broken.write_csv(tmp_path / "responses.csv")
    out = tmp_path / "out"
    code, output = _run(
        "scores",
        "--questionnaire", str(ey_edition / "questionnaire.yaml"),
        "--responses", str(tmp_path / "responses.csv"),
        "--out", str(out),
    )  # fmt: skip
    assert code == 1
    assert "ligne 5" in output and "strat_evaluation" in output
    assert not out.exists()


def test_weights_file_and_bad_weight(ey_edition: Path, tmp_path: Path) -> None:
    codes = pl.read_csv(ey_edition / "responses.csv", infer_schema=False)["code"].unique().sort()
    weights = pl.DataFrame({"code": codes, "poids": ["2,5"] * codes.len()})
    weights.write_csv(tmp_path / "poids.csv")
    code, output = _run(
        "scores", "--edition", str(ey_edition), "--weights", str(tmp_path / "poids.csv"),
        "--preset", "ey2019", "--out", str(tmp_path / "out"),
    )  # fmt: skip
    assert code == 0, output
    assert "poids du fichier poids.csv" in output
    levels = pl.read_csv(tmp_path / "out" / "levels_scale.csv")
    assert levels.height == 5
    weights.with_columns(pl.lit("-1").alias("poids")).write_csv(tmp_path / "bad.csv")
    code, output = _run(
        "scores", "--edition", str(ey_edition), "--weights", str(tmp_path / "bad.csv"),
        "--out", str(tmp_path / "bad"),
    )  # fmt: skip
    assert code == 1 and "ligne 2" in output and "poids" in output
    pl.concat([weights, weights.head(2)]).write_csv(tmp_path / "double.csv")
    code, output = _run(
        "scores", "--edition", str(ey_edition), "--weights", str(tmp_path / "double.csv"),
        "--out", str(tmp_path / "double"),
    )  # fmt: skip
    assert code == 1 and f"ligne {codes.len() + 2}" in output and "en double" in output


def test_recommendations_for_one_collectivite(ey_edition: Path, tmp_path: Path) -> None:
    code = pl.read_csv(ey_edition / "responses.csv", infer_schema=False)["code"][0]
    out = tmp_path / "rec"
    exit_code, output = _run(
        "recommendations", "--edition", str(ey_edition), "--code", code, "--out", str(out)
    )
    assert exit_code == 0, output
    assert f"Collectivité {code} :" in output and "Stratégie et gouvernance numériques" in output
    themes = pl.read_csv(out / "recommendations_themes.csv", schema_overrides={"code": pl.Utf8})
    assert themes["code"].unique().to_list() == [code] and themes.height == 9
    items = pl.read_csv(out / "recommendations_items.csv", schema_overrides={"code": pl.Utf8})
    assert {"question_label", "next_description"} <= set(items.columns)
    exit_code, output = _run(
        "recommendations", "--edition", str(ey_edition), "--code", "99999", "--out", str(out)
    )
    assert exit_code == 1 and "99999" in output


def test_all_on_a_tiny_edition_skips_the_typology(tmp_path: Path) -> None:
    edition = _edition(tmp_path / "tiny", EY, size=5, seed=1)
    out = tmp_path / "out"
    code, output = _run("all", "--edition", str(edition), "--out", str(out), "--bootstrap", "0")
    assert code == 0, output
    assert "Attention : Typologie non calculée" in output
    assert (out / "scores.csv").is_file() and not (out / "typology_profiles.csv").exists()
