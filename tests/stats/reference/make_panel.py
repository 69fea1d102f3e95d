"""Build `panel.csv`: answers of a previous edition for part of the medium dataset (a panel).

Run once with `.venv/bin/python tests/stats/reference/make_panel.py`; the output is committed,
then `Rscript tests/stats/reference/make_panel_reference.R` writes R `survey`'s paired
differences next to it. About 40 % of `medium.csv`'s respondents answered the previous edition;
their previous answers are their current ones, changed for some (a real, moderate change), with
a few items missing in the previous edition.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

HERE = Path(__file__).parent


def main() -> None:
    """Write panel.csv next to medium.csv."""
    medium = pl.read_csv(HERE / "medium.csv", infer_schema=False)
    rng = np.random.default_rng(2016)
    n = medium.height
    panel = rng.random(n) < 0.4
    y1 = medium["y1"].cast(pl.Int64).to_numpy()
    oui = (medium["q5"] == "oui").cast(pl.Int64).to_numpy()
    n7 = medium["n7"].cast(pl.Float64).to_numpy()
    y8 = medium["y8"].cast(pl.Float64, strict=False).to_numpy()  # null where not asked

    def previous(values: np.ndarray, flip: float) -> np.ndarray:
        """Previous answers of 0/1 items: the same, some switched off (a rise since)."""
        before = values.astype(float).copy()
        before[(values == 1) & (rng.random(n) < flip)] = 0
        before[(values == 0) & (rng.random(n) < flip / 3)] = 1
        return before

    before = {
        "before_y1": previous(y1, 0.3),
        "before_q5_oui": previous(oui, 0.2),
        "before_n7": np.round(n7 - rng.normal(0.5, 1.0, n), 1),
        "before_y8": previous(np.nan_to_num(y8).astype(int), 0.25),
    }
    missing = rng.random(n) < 0.05  # items left unanswered in the previous edition
    columns = {}
    for name, values in before.items():
        values = np.where(panel & ~missing, values, np.nan)
        columns[name] = pl.Series(name, values).fill_nan(None)
    pl.DataFrame({"code": medium["code"], **columns}).write_csv(HERE / "panel.csv")


if __name__ == "__main__":
    main()
