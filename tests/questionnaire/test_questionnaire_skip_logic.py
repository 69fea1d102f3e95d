"""Skip logic: relevance cascade and constraints, one respondent (dict) vs whole sample (Polars)."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from barometre.questionnaire import load_questionnaire, load_template
from barometre.questionnaire.skip_logic import (
    apply_relevance,
    constraint_frame,
    constraint_violations,
    effective_answers,
    relevance,
    relevance_frame,
)

RICH = Path(__file__).parent / "rich_questionnaire.yaml"


@pytest.fixture(scope="module")
def rich():
    return load_questionnaire(RICH)


def test_not_asked_cascades_to_dependent_questions(rich) -> None:
    answers = {
        "agents": "10",
        "part_teletravail": 20,
        "strat_existe": "non",
        "strat_domaines": "si rh",  # answered although not asked: must be ignored
        "strat_maturite": "1",
    }
    asked = relevance(rich, answers)
    assert asked["part_teletravail"] is True
    assert asked["strat_domaines"] is False  # strat_existe = non
    assert asked["strat_maturite"] is False  # depends on a question not asked
    assert effective_answers(rich, answers)["strat_domaines"] is None


def test_theme_condition_hides_the_whole_theme(rich) -> None:
    asked = relevance(rich, {"agents": None, "strat_existe": "oui", "strat_domaines": "si"})
    assert not any(asked[q.id] for q in rich.theme("strategie").questions)
    assert asked["agents"] and asked["commentaire"]


def test_nsp_is_an_answer_distinct_from_empty(rich) -> None:
    # for a number question, "nsp" is not a number: expressions read it as empty, and its
    # constraint is not checked
    asked = relevance(rich, {"agents": "nsp"})
    assert asked["part_teletravail"] is False
    assert constraint_violations(rich, {"agents": "nsp"}) == []


def test_constraints_checked_only_when_asked_and_answered(rich) -> None:
    assert constraint_violations(rich, {"agents": "-3"}) == ["agents"]
    assert constraint_violations(rich, {"agents": "30"}) == []
    violations = constraint_violations(
        rich, {"agents": "30", "strat_existe": "oui", "strat_domaines": ""}
    )
    assert violations == []  # empty answer: not checked
    violations = constraint_violations(
        rich, {"agents": "30", "strat_existe": "non", "strat_domaines": "si"}
    )
    assert violations == []  # not asked


def _random_frame(questionnaire, size: int, seed: int) -> pl.DataFrame:
    """Random wide answers (codes, numbers, blanks, nsp) for every question."""
    rng = np.random.default_rng(seed)
    columns = {}
    for question in questionnaire.questions:
        if question.type.is_choice:
            values = [*question.codes, None, ""]
            if question.type.value == "multiple_choice":
                values += [" ".join(question.codes[:2]), " ".join(question.codes[1:])]
        elif question.type.is_numeric:
            values = ["0", "3", "42", "250000", "-1", None, "nsp", "12.5"]
        else:
            values = ["", "court", "x" * 600, None]
        picks = rng.integers(0, len(values), size)
        columns[question.id] = [values[i] for i in picks]
    return pl.DataFrame(columns, schema={name: pl.Utf8 for name in columns})


@pytest.mark.parametrize(
    "source", ["rich", "dinum-collectivites-numerique-2024", "ey-france-urbaine-maturite"]
)
def test_vectorised_relevance_matches_dict_evaluation(source: str, rich) -> None:
    questionnaire = rich if source == "rich" else load_template(source)
    frame = _random_frame(questionnaire, 300, seed=7)
    vectorised = relevance_frame(questionnaire, frame)
    violations = constraint_frame(questionnaire, frame)
    masked = apply_relevance(questionnaire, frame)
    for position, row in enumerate(frame.iter_rows(named=True)):
        expected = relevance(questionnaire, row)
        assert vectorised.row(position, named=True) == expected
        expected_effective = effective_answers(questionnaire, row)
        assert masked.row(position, named=True) == expected_effective
        if violations.width:
            got = [name for name, bad in violations.row(position, named=True).items() if bad]
            assert got == constraint_violations(questionnaire, row)


def test_relevance_for_36000_respondents_is_fast(rich) -> None:
    frame = _random_frame(rich, 36_000, seed=3)
    start = time.perf_counter()
    result = relevance_frame(rich, frame)
    elapsed = time.perf_counter() - start
    assert result.shape == (36_000, len(rich.questions))
    assert result["agents"].all()
    assert elapsed < 5  # vectorised: well under a second on one core


def test_missing_columns_are_treated_as_unanswered(rich) -> None:
    result = relevance_frame(rich, pl.DataFrame({"agents": ["5", None]}))
    assert result["part_teletravail"].to_list() == [True, False]
    assert result["strat_existe"].to_list() == [True, False]
