"""Answer checks: one answer (dict) and vectorised (Polars) agree and explain in French."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest

from barometre.questionnaire import load_questionnaire
from barometre.questionnaire.answers import answer_problem, answer_problems, invalid_answers_frame

RICH = Path(__file__).parent / "rich_questionnaire.yaml"


@pytest.fixture(scope="module")
def rich():
    return load_questionnaire(RICH)


def test_single_answers(rich) -> None:
    domains = rich.question("strat_domaines")
    assert answer_problem(domains, "rh si") is None
    assert answer_problem(domains, ["rh"]) is None
    assert "« ia » inconnu" in answer_problem(domains, "rh ia")
    assert "3 modalités cochées" in answer_problem(domains, "rh si usagers")
    assert "code répété" in answer_problem(domains, "rh rh")
    assert "n'est pas proposé" in answer_problem(domains, "nsp")
    assert answer_problem(rich.question("strat_existe"), "nsp") is None
    assert answer_problem(rich.question("agents"), "nsp") is None
    assert "n'est pas un nombre" in answer_problem(rich.question("agents"), "beaucoup")
    assert answer_problem(rich.question("agents"), "12,5") is None
    part = rich.question("part_teletravail")
    assert "entre 0 et 100" in answer_problem(part, 140)
    assert answer_problem(part, "") is None
    assert answer_problem(rich.question("strat_maturite"), 1.0) is None  # code "1" read as a float
    assert answer_problems(rich, {"strat_elu": "peut-être", "agents": "3"}) == {
        "strat_elu": answer_problem(rich.question("strat_elu"), "peut-être")
    }


def test_vectorised_checks_match_single_checks(rich) -> None:
    rng = np.random.default_rng(11)
    pools = {
        "agents": ["3", "-2", "nsp", "x", None, "1.5", "12,5"],
        "part_teletravail": ["0", "100", "101", "nsp", None, "50.5"],
        "commentaire": ["", "texte", None],
        "strat_existe": ["oui", "non", "nsp", "autre", None, " en_cours "],
        "strat_domaines": [
            "rh",
            "rh si",
            "rh si usagers",
            "ia",
            "",
            None,
            "si  rh",
            "rh rh",
            "nsp",
        ],
        "strat_maturite": ["0", "2", "3", "nsp", None],
        "strat_pilotage": ["bas", "haut", "moyen", None],
        "strat_elu": ["oui", "non", "nsp", "peut-être", None],
    }
    frame = pl.DataFrame(
        {
            name: [values[i] for i in rng.integers(0, len(values), 500)]
            for name, values in pools.items()
        },
        schema={name: pl.Utf8 for name in pools},
    )
    invalid = invalid_answers_frame(rich, frame)
    for position, row in enumerate(frame.iter_rows(named=True)):
        expected = {
            q.id: answer_problem(q, row[q.id]) is not None for q in rich.questions if q.id in row
        }
        assert invalid.row(position, named=True) == expected


def test_float_columns(rich) -> None:
    frame = pl.DataFrame({"strat_maturite": [0.0, 2.0, 3.0, float("nan"), None]})
    invalid = invalid_answers_frame(rich, frame)["strat_maturite"].to_list()
    assert invalid == [False, False, True, False, False]
