"""Scores, levels and recommendations on hand-computed cases."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from maturity_fixtures import small_questionnaire

from barometre.maturity.levels import EY2019, EY2023, LevelScale, level_scale
from barometre.maturity.model import MaturityModel
from barometre.maturity.recommendations import (
    item_levels,
    item_recommendations,
    theme_recommendations,
)
from barometre.maturity.scores import OVERALL, AnswerError, compute_scores


@pytest.fixture
def model() -> MaturityModel:
    return MaturityModel.from_questionnaire(small_questionnaire())


@pytest.fixture
def answers() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "code": ["A", "B", "C"],
            "s1": ["2", None, "0"],
            "s2": ["4", "nsp", ""],
            "u1": ["n5", "n3", None],
            "u2": ["n0", None, None],
            "u3": ["nsp", "", None],
            "u_nb": [3, 1, 0],
            "t1": ["1", "4", None],
        }
    )


def test_model_reads_maturity_questions_only(model: MaturityModel) -> None:
    assert model.item_ids == ["s1", "s2", "u1", "u2", "u3", "t1"]
    assert model.theme_ids == ["strategie", "services", "territoire"]
    assert model.items[2].scores() == {"n0": 0, "n1": 20, "n2": 40, "n3": 60, "n4": 80, "n5": 100}
    assert model.strategy_theme_ids() == ["strategie"]


def test_hand_computed_scores(model: MaturityModel, answers: pl.DataFrame) -> None:
    scores = compute_scores(answers, model)
    a, b, c = scores.theme_scores
    assert a == pytest.approx([(50 + 2 * 100) / 3, 50, 25])
    assert np.isnan(b[0]) and np.isnan(b[1]) and b[2] == 100
    assert np.isnan(c).all()
    assert scores.overall[0] == pytest.approx((2 * 250 / 3 + 50 + 25) / 4)
    assert np.isnan(scores.overall[1]) and np.isnan(scores.overall[2])
    assert scores.n_answered.tolist() == [[2, 2, 1], [0, 1, 1], [1, 0, 0]]
    assert scores.answered_share[2, 0] == pytest.approx(1 / 3)


def test_min_answered_share_is_configurable(model: MaturityModel, answers: pl.DataFrame) -> None:
    scores = compute_scores(answers, model, min_answered_share=0.3)
    assert scores.theme_scores[1, 1] == pytest.approx(60)
    assert scores.theme_scores[2, 0] == pytest.approx(0)
    # B: services 60 and territoire 100 cover half the theme weight → overall on those two
    assert scores.overall[1] == pytest.approx(80)
    summary = compute_scores(answers, model).missing_summary()
    assert summary.filter(pl.col("theme") == "services")["n_missing"].item() == 2
    assert summary.filter(pl.col("theme") == OVERALL)["n_scored"].item() == 1


def test_not_asked_items_leave_the_denominator(model: MaturityModel, answers: pl.DataFrame) -> None:
    asked = np.ones((3, 6), dtype=bool)
    asked[1, 3:5] = False  # B was not asked u2 and u3: u1 alone is the whole theme
    scores = compute_scores(answers, model, asked=asked)
    assert scores.theme_scores[1, 1] == pytest.approx(60)
    assert scores.n_items[1].tolist() == [2, 1, 1]


def test_unknown_level_names_line_and_field(model: MaturityModel, answers: pl.DataFrame) -> None:
    bad = answers.with_columns(pl.Series("u1", ["n5", "n9", None]))
    with pytest.raises(AnswerError) as error:
        compute_scores(bad, model)
    assert error.value.errors == [(3, "u1", error.value.errors[0][2])]
    assert (
        "ligne 3" in str(error.value) and "« u1 »" in str(error.value) and "n9" in str(error.value)
    )


def test_tables_are_tidy(model: MaturityModel, answers: pl.DataFrame) -> None:
    scores = compute_scores(answers, model)
    wide = scores.to_frame()
    assert wide.columns == ["code", "strategie", "services", "territoire", OVERALL]
    assert wide["services"].null_count() == 2
    long = scores.to_long()
    assert long.height == 3 * 4
    assert long.filter((pl.col("code") == "A") & (pl.col("theme") == "territoire"))[
        "score"
    ].item() == pytest.approx(25)


def test_levels_presets_and_thresholds() -> None:
    values = np.array([0, 9.99, 10, 29.9, 50, 83.3, 90, 100, np.nan])
    assert EY2023.assign(values).tolist() == [0, 0, 1, 1, 3, 4, 5, 5, -1]
    assert len(EY2023.names) == 6 and len(EY2019.names) == 5
    # a single 5-stage item lands on its own stage
    stages = EY2019.assign(np.array([0, 25, 50, 75, 100]))
    assert stages.tolist() == [0, 1, 2, 3, 4]
    assert EY2019.labels(np.array([100.0, np.nan])).tolist() == [
        "Mise en œuvre complète et effective",
        None,
    ]
    custom = level_scale("ey2019", (20, 40, 60, 80))
    assert custom.assign(np.array([19, 20, 79, 80])).tolist() == [0, 1, 3, 4]
    with pytest.raises(ValueError, match="seuils"):
        LevelScale("x", ("a", "b", "c"), (60, 40))
    with pytest.raises(ValueError, match="inconnue"):
        level_scale("ey2030")


def test_recommendations_give_the_next_level(model: MaturityModel, answers: pl.DataFrame) -> None:
    scores = compute_scores(answers, model)
    themes = theme_recommendations(scores, EY2023)
    a_strat = themes.filter((pl.col("code") == "A") & (pl.col("theme") == "strategie")).row(
        0, named=True
    )
    assert a_strat["level"] == "Avancée" and a_strat["next_level"] == "Exemplaire"
    assert a_strat["next_level_description"] == EY2023.descriptions[5]
    b_terr = themes.filter((pl.col("code") == "B") & (pl.col("theme") == "territoire"))
    assert b_terr["level"].item() == "Exemplaire" and b_terr["next_level"].item() is None
    items = item_recommendations(scores, model)
    a_items = items.filter(pl.col("code") == "A")
    # s2 and u1 are at their top level; nsp (u3) gets no recommendation
    assert a_items["question"].to_list() == ["s1", "u2", "t1"]
    assert a_items["next_code"].to_list() == ["3", "n1", "2"]
    assert a_items["next_description"].to_list()[1] == "Atteindre le niveau 1"


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            *[st.sampled_from(["0", "1", "2", "3", "4", "nsp", ""])] * 2,
            *[st.sampled_from(["n0", "n1", "n2", "n3", "n4", "n5", "nsp", ""])] * 3,
            st.sampled_from(["0", "2", "4", "nsp", ""]),
        ),
        min_size=1,
        max_size=30,
    ),
    st.sampled_from([0.0, 0.34, 0.5, 1.0]),
)
def test_scores_stay_within_answered_items(rows, share) -> None:
    """A theme score lies between its lowest and highest answered item; overall likewise."""
    model = MaturityModel.from_questionnaire(small_questionnaire())
    columns = list(zip(*rows, strict=True))
    answers = pl.DataFrame(
        {"code": [str(i) for i in range(len(rows))]}
        | {qid: list(col) for qid, col in zip(model.item_ids, columns, strict=True)}
    )
    scores = compute_scores(answers, model, min_answered_share=share)
    weights = model.item_theme_weights()
    for j in range(len(model.theme_ids)):
        items = scores.item_scores[:, weights[:, j] > 0]
        theme = scores.theme_scores[:, j]
        ok = ~np.isnan(theme)
        assert np.all(theme[ok] >= np.nanmin(items[ok], axis=1) - 1e-9)
        assert np.all(theme[ok] <= np.nanmax(items[ok], axis=1) + 1e-9)
        assert np.all(scores.answered_share[ok, j] >= share - 1e-9)
    ok = ~np.isnan(scores.overall)
    assert np.all(scores.overall[ok] >= np.nanmin(scores.theme_scores[ok], axis=1) - 1e-9)
    assert np.all(scores.overall[ok] <= np.nanmax(scores.theme_scores[ok], axis=1) + 1e-9)


def test_recommendations_for_one_respondent_and_compact_tables(
    model: MaturityModel, answers: pl.DataFrame
) -> None:
    scores = compute_scores(answers, model)
    one = item_recommendations(scores, model, codes=["A"])
    assert set(one["code"].to_list()) == {"A"}
    full = item_recommendations(scores, model)
    assert one.equals(full.filter(pl.col("code") == "A"))
    compact = item_recommendations(scores, model, with_text=False)
    assert compact.columns == ["code", "theme", "question", "current_code", "next_code"]
    levels = item_levels(model)
    assert levels.height == 5 + 5 + 6 + 6 + 6 + 5
    joined = compact.join(
        levels.select("question", pl.col("level_code").alias("next_code"), "level_description"),
        on=["question", "next_code"],
        how="left",
    )
    assert joined["level_description"].null_count() == 0
    themes = theme_recommendations(scores, EY2023, codes=["B"], with_text=False)
    assert (
        themes["code"].unique().to_list() == ["B"]
        and "next_level_description" not in themes.columns
    )
