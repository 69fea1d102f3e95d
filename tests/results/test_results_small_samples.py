"""Small samples on a peer's design: an explicit target population, merges that are never silent
and refused when one respondent would stand for too much, and the calibration fallback ladder."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from click.testing import CliRunner

from barometre.cli import main
from barometre.edition.files import write_edition
from barometre.register.frame import load_register
from barometre.register.labels import cell_label
from barometre.results.options import SurveyOptions
from barometre.results.store import compute_results
from barometre.results.survey import Survey
from barometre.stats.errors import StatsError

QUESTIONNAIRE = """
id: pair
title: Enquête d'un pair
version: "1"
edition: "2024"
themes:
  - id: t
    label: Thème
    questions:
      - {id: site, type: yes_no, label: Site internet ?}
"""
SMALL = "communes de moins de 3 500 hab."
MIDDLE = "communes de 3 500 à 19 999 hab."
LARGE = "communes de 20 000 hab. et plus"
EXCLUDE_SMALL = "kind=commune,population<3500"


def peer_strata() -> pl.DataFrame:
    """The peer's strata for every commune and EPCI (an attribute of the frame)."""
    entities = load_register().of_kind("commune", "epci")
    population = pl.col("population")
    stratum = (
        pl.when(pl.col("kind") == "epci")
        .then(pl.lit("EPCI"))
        .when(population < 3500)
        .then(pl.lit(SMALL))
        .when(population < 20000)
        .then(pl.lit(MIDDLE))
        .otherwise(pl.lit(LARGE))
    )
    return entities.select("code", stratum.alias("strate_pair"), "kind", "population")


def edition(folder: Path, small_respondents: int = 0) -> Path:
    """116 respondents like the peer's: no commune under 3,500 (unless asked), 6 between 3,500
    and 19,999, 20 of 20,000 and more, 90 EPCI; the peer post-stratified on its strata."""
    strata = peer_strata()
    rng = np.random.default_rng(15)
    picks = []
    for name, size in ((SMALL, small_respondents), (MIDDLE, 6), (LARGE, 20), ("EPCI", 90)):
        codes = strata.filter(strate_pair=name)["code"].sort()
        picks.extend(codes.gather(rng.choice(codes.len(), size, replace=False)).to_list())
    n = len(picks)
    responses = pl.DataFrame(
        {
            "response_id": [f"R{i}" for i in range(n)],
            "code": picks,
            "submitted_at": ["2024-03-01T10:00:00"] * n,
            "status": ["complete"] * n,
            "respondent_role": ["dgs"] * n,
            "site": rng.choice(["oui", "non"], n, p=[0.7, 0.3]).tolist(),
        }
    )
    return write_edition(
        folder,
        meta={
            "id": "pair",
            "title": "Pair",
            "year": 2024,
            "calibration": {"method": "poststrat", "margins": ["strate_pair"]},
        },
        questionnaire_text=QUESTIONNAIRE,
        responses=responses,
        frame_attributes=strata.select("code", "strate_pair"),
    )


@pytest.fixture(scope="module")
def peer(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return edition(tmp_path_factory.mktemp("pair") / "edition")


def test_a_merge_that_makes_one_respondent_stand_for_too_much_is_refused(peer: Path) -> None:
    with pytest.raises(StatsError) as error:
        Survey.from_edition(peer, SurveyOptions(fallback=False))
    message = str(error.value)
    assert "Marge « strate_pair » : regroupement refusé" in message
    assert f"« {SMALL} » (31\u202f679 entités, aucun répondant)" in message
    assert f"« {MIDDLE} » " in message and "6 répondants" in message
    assert re.search(
        r"représenterait \d+,\d\u202f% de la population, au-delà du seuil de 5,0\u202f%", message
    )


def test_the_ladder_steps_down_and_says_so(peer: Path) -> None:
    survey = Survey.from_edition(peer)
    ladder = survey.diagnostics["calibration_ladder"]
    assert [a["key"] for a in ladder["attempts"]] == ["requested", "sparse_cells"]
    assert all("regroupement refusé" in a["error"] for a in ladder["attempts"])
    assert ladder["key"] == "no_calibration" and ladder["step"] == 3
    assert "trop grande part de la population" in ladder["sentence"]
    assert survey.diagnostics["warnings"][0] == ladder["detail"]
    weights = survey.design.weights
    np.testing.assert_allclose(weights, survey.population.size / survey.design.n)


def test_a_restricted_population_is_explicit_and_calibrates(peer: Path) -> None:
    survey = Survey.from_edition(peer, SurveyOptions(exclude=(EXCLUDE_SMALL,)))
    population = survey.diagnostics["population"]
    assert population["size"] == 4545
    assert population["description"].endswith(
        "hors communes de moins de 3\u202f500 hab. (31\u202f679 entités)"
    )
    assert population["exclusions"][0]["entities"] == 31679
    ladder = survey.diagnostics["calibration_ladder"]
    assert ladder["key"] == "requested" and not ladder["attempts"]
    assert survey.design.calibration.diagnostics["collapsed"] == []
    assert survey.design.weights.sum() == pytest.approx(4545)
    totals = dict(
        peer_strata().filter(pl.col("population") >= 3500).group_by("strate_pair").len().iter_rows()
    )
    weighted = pl.DataFrame({"s": survey.sample["strate_pair"], "w": survey.design.weights})
    for name, total in weighted.group_by("s").agg(pl.col("w").sum()).iter_rows():
        assert total == pytest.approx(totals[name] if name != "EPCI" else 1255)


def test_respondents_inside_an_exclusion_leave_with_a_warning(tmp_path: Path) -> None:
    folder = edition(tmp_path / "edition", small_respondents=3)
    survey = Survey.from_edition(folder, SurveyOptions(exclude=(EXCLUDE_SMALL,)))
    assert survey.design.n == 116
    assert any(
        w.startswith("3 répondant(s) hors de la population étudiée (exclusions : "
                     "kind=commune,population<3500) écarté(s)")
        for w in survey.diagnostics["warnings"]
    )  # fmt: skip


def test_the_peer_strata_reproduce_its_weights(peer: Path) -> None:
    survey = Survey.from_edition(peer, SurveyOptions(method="none", strata="strate_pair"))
    counts = peer_strata().group_by("strate_pair").len()
    n = pl.DataFrame({"s": survey.sample["strate_pair"]}).group_by("s").len("n")
    expected = n.join(counts, left_on="s", right_on="strate_pair")
    weights = dict(zip(survey.sample["strate_pair"], survey.design.weights, strict=True))
    for name, n_h, big_n in expected.iter_rows():
        assert weights[name] == pytest.approx(big_n / n_h)
    assert any(f"Strate « {SMALL} » sans répondant" in w for w in survey.diagnostics["warnings"])


def test_every_merge_is_named_with_its_population_and_weight(peer: Path) -> None:
    survey = Survey.from_edition(
        peer, SurveyOptions(exclude=(EXCLUDE_SMALL,), margins=("kind_detail*size_class",))
    )
    collapsed = survey.design.calibration.diagnostics["collapsed"]
    merges = [w for w in survey.diagnostics["warnings"] if "cellules regroupées" in w]
    assert collapsed and len(merges) == len(collapsed)
    for record, warning in zip(collapsed, merges, strict=True):
        for cell in record["cells"]:
            assert f"« {cell_label(record['margin'], cell['label'])} » (" in warning
            assert "commune × " not in warning and "epci" not in warning  # labels, not codes
        assert re.search(
            r"représentent? [\d\u202f]+ entités?, soit \d+,\d\u202f% du poids total", warning
        )
        assert record["weight_share"] == pytest.approx(record["population"] / 4545)


def test_non_convergence_falls_back_and_the_method_page_says_it(tmp_path: Path) -> None:
    folder = tmp_path / "petit"
    result = CliRunner().invoke(
        main, ["demo", str(folder), "--size", "116", "--seed", "1", "--sans-rapport"]
    )
    assert result.exit_code == 0, result.output
    results = compute_results(folder)
    ladder = results.diagnostics["calibration_ladder"]
    assert ladder["attempts"][0]["key"] == "requested"
    assert "n'a pas convergé" in ladder["attempts"][0]["error"]
    assert ladder["key"] == "sparse_cells"
    from barometre.publish.pages import methodology_page

    page = methodology_page(results)
    assert page["fallback"] == ladder["sentence"]
    assert "le calage ne converge pas sur cet échantillon" in page["fallback"]
    assert ladder["detail"] not in page["warnings"]


def test_command_options_for_small_samples(peer: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.csv"
    refused = CliRunner().invoke(main, ["analyse", str(peer), "-o", str(out), "--no-fallback"])
    assert refused.exit_code == 1 and "regroupement refusé" in refused.output
    assert not out.exists()
    done = CliRunner().invoke(
        main, ["analyse", str(peer), "-o", str(out), "--exclude", EXCLUDE_SMALL]
    )
    assert done.exit_code == 0, done.output
    assert "population étudiée : 4\u202f545 entités" in done.output
    assert "hors communes de moins de 3\u202f500 hab." in done.output
    bad = CliRunner().invoke(main, ["analyse", str(peer), "-o", str(out), "--exclude", "taille<3"])
    assert bad.exit_code == 1 and "variable « taille » inconnue" in bad.output


def test_an_empty_cell_merges_with_its_neighbour_class_not_a_look_alike_label() -> None:
    """« de 50 000 à 99 999 hab. » goes with its neighbours, never with « de 500 à 1 999 hab. »."""
    from barometre.stats.calibration import Margin, collapse_margin

    cells = [
        "commune × de 500 à 1 999 hab.",
        "commune × de 20 000 à 49 999 hab.",
        "commune × de 50 000 à 99 999 hab.",
        "commune × 100 000 hab. et plus",
        "epci_CC × de 50 000 à 99 999 hab.",
    ]
    totals = dict.fromkeys(cells, 100.0)
    sample = np.array([cells[0]] * 40 + [cells[1]] * 5 + [cells[3]] * 5 + [cells[4]] * 3)
    _, records = collapse_margin(Margin("m", sample, totals), 1)
    assert [r.merged for r in records] == [(cells[1], cells[2])]
