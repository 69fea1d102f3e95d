"""Consolidation: the last complete submission per collectivité, else the last partial one."""

from __future__ import annotations

from datetime import datetime, timedelta

import polars as pl

from barometre.edition.consolidation import consolidate, submissions_per_code


def _responses(rows: list[tuple[str, str, str, str, str]]) -> pl.DataFrame:
    return pl.DataFrame(
        rows, schema=["response_id", "code", "submitted_at", "status", "q"], orient="row"
    ).with_columns(pl.col("submitted_at").str.to_datetime("%Y-%m-%dT%H:%M:%S"))


def test_complete_wins_over_a_later_partial() -> None:
    responses = _responses(
        [
            ("R1", "01001", "2024-03-01T10:00:00", "complete", "first"),
            ("R2", "01001", "2024-04-01T10:00:00", "partial", "later partial"),
        ]
    )
    kept = consolidate(responses)
    assert kept.get_column("response_id").to_list() == ["R1"]


def test_last_complete_wins_and_last_partial_when_no_complete() -> None:
    responses = _responses(
        [
            ("R1", "01001", "2024-03-05T10:00:00", "complete", "a"),
            ("R2", "01001", "2024-03-01T10:00:00", "complete", "b"),
            ("R3", "200054781", "2024-03-01T10:00:00", "partial", "c"),
            ("R4", "200054781", "2024-03-09T10:00:00", "partial", "d"),
            ("R5", "D01", "2024-03-02T10:00:00", "complete", "e"),
        ]
    )
    kept = consolidate(responses)
    assert kept.get_column("response_id").to_list() == ["R1", "R4", "R5"]
    assert kept.columns == responses.columns
    assert kept.get_column("code").is_unique().all()
    assert kept.schema["submitted_at"] == pl.Datetime("us")


def test_ties_are_broken_by_response_id_and_text_dates_work() -> None:
    responses = pl.DataFrame(
        {
            "response_id": ["R7", "R3"],
            "code": ["01001", "01001"],
            "submitted_at": ["2024-03-01T10:00:00", "2024-03-01T10:00:00"],
            "status": ["complete", "complete"],
        }
    )
    assert consolidate(responses).get_column("response_id").to_list() == ["R7"]


def test_consolidation_is_vectorised_on_a_large_frame() -> None:
    n = 200_000
    start = datetime(2024, 1, 1)
    responses = pl.DataFrame(
        {
            "response_id": [f"R{i:07d}" for i in range(n)],
            "code": [f"{i % 50_000:05d}" for i in range(n)],
            "submitted_at": pl.datetime_range(
                start, start + timedelta(seconds=n - 1), interval="1s", eager=True
            ),
            "status": ["partial" if i % 3 else "complete" for i in range(n)],
        }
    )
    kept = consolidate(responses)
    expected = (
        responses.filter(pl.col("status") == "complete")
        .group_by("code")
        .agg(pl.col("response_id").max())
        .sort("code")
    )
    assert kept.height == 50_000
    assert kept.select("code", "response_id").sort("code").equals(expected)
    counts = submissions_per_code(responses)
    assert counts.get_column("complete").sum() + counts.get_column("partial").sum() == n


def test_first_appearance_order_and_a_kept_table_is_not_copied() -> None:
    responses = _responses(
        [
            ("R1", "D01", "2024-03-05T10:00:00", "complete", "a"),
            ("R2", "01001", "2024-03-01T10:00:00", "partial", "b"),
            ("R3", "01001", "2024-03-02T10:00:00", "complete", "c"),
            ("R4", "200054781", "2024-03-01T10:00:00", "complete", "d"),
        ]
    )
    assert consolidate(responses)["response_id"].to_list() == ["R1", "R3", "R4"]
    one_each = responses.filter(pl.col("response_id") != "R2")
    assert consolidate(one_each) is one_each  # every row kept in place: no copy
