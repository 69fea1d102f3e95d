"""The reading rule of multiple choice: « ticked nothing » versus « no answer » (docs/contracts.md)."""

from __future__ import annotations

import polars as pl

from barometre.edition.answer_columns import (
    NOTHING_TICKED,
    mark_nothing_ticked,
    merge_option_columns,
    nothing_ticked,
    option_indicators,
)
from barometre.questionnaire.yaml_format import loads_questionnaire

WAVES_YAML = """\
id: t
title: T
version: "1"
edition: "2026"
waves:
  - {id: v1, label: Vague 1}
  - {id: v2, label: Vague 2}
themes:
  - id: a
    label: A
    wave: v1
    questions:
      - {id: filtre, type: yes_no, label: F}
      - id: mc1
        type: multiple_choice
        label: M1
        relevant: "${filtre} = 'oui'"
        allow_nsp: true
        choices: [{code: x, label: X}, {code: y, label: Y}]
  - id: b
    label: B
    wave: v1
    questions:
      - {id: texte, type: text, label: T}
  - id: c
    label: C
    wave: v2
    questions:
      - id: mc2
        type: multiple_choice
        label: M2
        choices: [{code: x, label: X}, {code: y, label: Y}]
      - {id: nombre, type: number, label: N}
"""
Q = loads_questionnaire(WAVES_YAML)


def frame(rows: list[tuple]) -> pl.DataFrame:
    """Rows of (status, filtre, mc1, texte, mc2, nombre)."""
    return pl.DataFrame(
        rows,
        schema=["status", "filtre", "mc1", "texte", "mc2", "nombre"],
        orient="row",
    )


def test_the_rule_status_position_relevance_and_waves():
    rows = frame(
        [
            ("complete", "oui", None, None, "x", "3"),  # 0 mc1 ticked nothing (complete, wave v1)
            ("complete", "non", None, None, "x", "3"),  # 1 mc1 not asked
            ("partial", "oui", None, None, None, None),  # 2 mc1 same theme answered: reached
            ("partial", None, None, "t", None, None),  # 3 mc1 not asked (filtre empty)
            ("complete", "oui", "x", None, None, None),  # 4 mc2: wave v2 never answered
            ("partial", "oui", "nsp", None, None, "4"),  # 5 mc2 same theme answered: reached
            ("partial", "oui", None, None, None, None),  # 6 mc2 not reached (partial)
            ("complete", None, None, None, None, "2"),  # 7 mc2 wave v2 answered: ticked nothing
        ]
    )
    flags = nothing_ticked(rows, Q)
    assert flags["mc1"].to_list() == [True, False, True, False, False, False, True, False]
    assert flags["mc2"].to_list() == [False, False, False, False, False, True, False, True]


def test_a_column_empty_everywhere_was_not_collected():
    rows = frame(
        [("complete", "oui", None, None, None, "3"), ("complete", "oui", None, "t", None, "1")]
    )
    assert not nothing_ticked(rows, Q)["mc1"].any()
    assert "mc2" not in nothing_ticked(rows.drop("mc2"), Q).columns


def test_marking_is_idempotent_and_option_indicators_count_it():
    rows = frame(
        [
            ("complete", "oui", None, None, "y", "3"),
            ("partial", "oui", "x", None, None, None),
            ("complete", "oui", "x y", None, None, "2"),
        ]
    )
    once = mark_nothing_ticked(rows, Q)
    assert once["mc1"].to_list() == [NOTHING_TICKED, "x", "x y"]
    assert once["mc2"].to_list() == ["y", None, NOTHING_TICKED]
    assert mark_nothing_ticked(once, Q).equals(once)
    columns = option_indicators(once.with_columns(code=pl.lit("1")), Q, ["mc1"])
    assert columns["mc1__x"].to_list() == [0.0, 1.0, 1.0]
    assert columns["mc1__nsp"].to_list() == [0.0, 0.0, 0.0]


def test_per_option_columns_carry_ticked_nothing_explicitly():
    raw = pl.DataFrame(
        {
            "status": ["partial", "partial", "complete", "complete"],
            "filtre": ["oui"] * 4,
            "mc1[x]": ["Y", "N", None, None],
            "mc1[y]": [None, "N", None, None],
            "mc1[nsp]": [None, None, None, "Y"],
            "mc2/x": ["1", "0", None, "0"],
            "mc2/y": ["0", "0", None, "1"],
        }
    )
    merged = merge_option_columns(raw, Q)
    assert merged["mc1"].to_list() == ["x", NOTHING_TICKED, None, "nsp"]
    assert merged["mc2"].to_list() == ["x", NOTHING_TICKED, None, "y"]
    assert not {"mc1[x]", "mc2/y"} & set(merged.columns)
    # the explicit « not ticked » holds for a partial submission; the empty row is decided by status
    flags = nothing_ticked(merged, Q)
    assert flags["mc1"].to_list() == [False, True, True, False]
