"""Columns laid out in the chunks of a wide table, so that Polars never copies the table.

A CSV is read in parallel chunks: every column of a national `responses.csv` is held in about ten
pieces. When a frame mixes columns of different piece lengths, Polars rechunks (copies) every
column at the next `with_columns` or `select`: for 36,000 × 150 text answers, 80 MB of views copied
for a one-column change. New columns added to such a table (line numbers, frame columns joined
by code) are therefore cut to the table's own piece lengths, which costs nothing.
"""

from __future__ import annotations

import itertools

import numpy as np
import polars as pl


def chunk_lengths(frame: pl.DataFrame) -> list[int]:
    """Lengths of the pieces of the frame's first column ([height] when it has no column)."""
    if not frame.width:
        return [frame.height]
    return [len(chunk) for chunk in frame.to_series(0).get_chunks()]


def laid_out(columns: pl.DataFrame, lengths: list[int]) -> pl.DataFrame:
    """`columns` (same height as the pieces' total) cut in pieces of `lengths`."""
    if len(lengths) <= 1:
        return columns.rechunk()
    bounds = np.cumsum([0, *lengths]).tolist()
    pieces = [columns.slice(a, b - a).rechunk() for a, b in itertools.pairwise(bounds)]
    return pl.concat(pieces, how="vertical", rechunk=False)


def with_aligned_columns(frame: pl.DataFrame, columns: pl.DataFrame) -> pl.DataFrame:
    """`frame` with `columns` (same rows, same order) added or replaced, in `frame`'s pieces."""
    return frame.with_columns(laid_out(columns, chunk_lengths(frame)).get_columns())
