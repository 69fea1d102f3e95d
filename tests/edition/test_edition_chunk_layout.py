"""Columns added to a table read in chunks keep its layout, so Polars never copies the table."""

from __future__ import annotations

import numpy as np
import polars as pl

from barometre.edition.chunk_layout import chunk_lengths, with_aligned_columns
from barometre.edition.files import with_lines
from barometre.stats.analysis import join_frame


def chunked_answers(pieces: int = 4, rows: int = 50) -> pl.DataFrame:
    """Text answers in `pieces` chunks, as `read_csv` gives a national file."""
    return pl.concat(
        [
            pl.DataFrame(
                {
                    "code": [f"{p:02d}{i:03d}" for i in range(rows)],
                    "q1": ["oui", "non"] * (rows // 2),
                    "q2": ["m1"] * rows,
                }
            )
            for p in range(pieces)
        ],
        rechunk=False,
    )


def test_the_premise_a_column_of_another_layout_makes_polars_copy_every_column() -> None:
    answers = chunked_answers()
    ragged = answers.with_columns(__line=pl.int_range(pl.len()) + 2)
    assert ragged.with_columns(pl.col("code").str.strip_chars()).n_chunks("all") == [1] * 4


def test_line_numbers_follow_the_chunks_and_nothing_is_copied_after() -> None:
    answers = chunked_answers()
    lined = with_lines(answers)
    assert lined["__line"].to_list() == list(range(2, 202))
    assert lined["__line"].dtype == pl.Int64
    assert chunk_lengths(lined.select("__line")) == chunk_lengths(answers) == [50] * 4
    stripped = lined.with_columns(pl.col("code").str.strip_chars())
    assert stripped.n_chunks("all") == [4] * 4  # the answers were not rechunked


def test_frame_columns_joined_by_code_keep_the_answers_in_place() -> None:
    answers = with_lines(chunked_answers())
    frame = pl.DataFrame(
        {
            "code": answers["code"].reverse(),
            "kind": ["commune"] * answers.height,
            "population": np.arange(answers.height)[::-1],
        }
    )
    sample = join_frame(answers, frame)
    assert sample.n_chunks("all") == [4] * sample.width
    assert sample["population"].to_list() == list(range(answers.height))
    assert sample.select("code", "q1").equals(answers.select("code", "q1"))


def test_a_single_chunk_table_stays_single() -> None:
    table = pl.DataFrame({"a": [1, 2, 3]})
    added = with_aligned_columns(table, pl.DataFrame({"b": ["x", "y", "z"]}))
    assert added.n_chunks("all") == [1, 1] and added["b"].to_list() == ["x", "y", "z"]
