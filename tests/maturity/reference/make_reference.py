"""Write the maturity reference case's inputs and R `survey`'s figures on it (needs Rscript).

    .venv/bin/python tests/maturity/reference/make_reference.py

Writes `d.csv` (one row per respondent: strata, base weight, strategy score, first-stage flag),
`tot.csv` (raking margins) and `r_output.json` (`make_reference.R`) beside this file.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from maturity_fixtures import raked_reference_case  # noqa: E402


def main() -> None:
    _, _, _, rows, totals = raked_reference_case()
    rows.write_csv(HERE / "d.csv", float_precision=17)
    totals.write_csv(HERE / "tot.csv")
    out = subprocess.run(
        ["Rscript", str(HERE / "make_reference.R"), str(HERE / "d.csv"), str(HERE / "tot.csv")],
        capture_output=True,
        text=True,
        check=True,
    )
    (HERE / "r_output.json").write_text(out.stdout.strip() + "\n", encoding="utf-8")
    version = subprocess.run(
        ["Rscript", "-e", 'cat(as.character(packageVersion("survey")))'],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    print(f"r_output.json written with R survey {version}")


if __name__ == "__main__":
    main()
