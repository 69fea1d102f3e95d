"""Build the multiple-choice reference data: « ticked nothing » versus « no answer ».

Run once with `.venv/bin/python tests/stats/reference/make_multiple_choice.py`; the outputs are
committed, then `Rscript tests/stats/reference/make_multiple_choice.R` writes R `survey`'s results.

Two samples of communes and EPCI of the real register answer `multiple_questionnaire.yaml` (three
themes, three multiple-choice questions, two behind a filter): `multiple_national.csv` (n ≈ 600,
biased to large units and OPSN members, raked on kind × size class and region_group) and
`multiple_web.csv` (n = 36, answered through the web form by the tests, raked on kind). Each is a
`responses.csv` table (status complete or partial); R receives it as text with the calibration
cells and re-derives every indicator from the documented rule (docs/contracts.md):
an empty multiple-choice cell is « ticked nothing » when the question is asked and the respondent
reached it (complete submission, or an answer in the same or a later theme).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import polars as pl

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent))
from stats_reference_data import multiple_choice_frame  # noqa: E402

THEMES = {
    "equipement": ["site", "outils", "avis_site"],
    "usages": ["canaux", "agents"],
    "projets": ["projet", "projet_types"],
}
OPTIONS = {
    "outils": ["cms", "formulaire", "paiement", "rdv"],
    "canaux": ["email", "sms", "courrier", "reseaux"],
    "projet_types": ["dematerialisation", "cyber", "donnees"],
}


def multiple(
    rng: np.random.Generator, codes: list[str], base: np.ndarray, nothing: float, nsp: float
) -> np.ndarray:
    """Space-separated ticked codes; '' for « ticked nothing », 'nsp' for « ne sait pas »."""
    n = base.size
    effects = rng.normal(0, 0.8, len(codes))
    p = 1 / (1 + np.exp(-(effects[None, :] + base[:, None])))
    ticked = rng.random((n, len(codes))) < p
    u = rng.random(n)
    none = u < nothing
    ticked[none] = False
    joined = np.array([" ".join(np.asarray(codes)[row]) for row in ticked], dtype=object)
    # a respondent who ticks nothing by chance ticks the most likely option instead
    empty = (joined == "") & ~none
    joined[empty] = np.asarray(codes)[np.argmax(p[empty], axis=1)]
    joined[(u >= nothing) & (u < nothing + nsp)] = "nsp"
    return joined


def answers(sample: pl.DataFrame, rng: np.random.Generator, first_stop: int = 0) -> pl.DataFrame:
    """One submission per unit: answers, status and the point where partial ones stop.

    `first_stop` = 1: every partial submission answered its first theme (a web response with no
    saved answer is a draft, never exported).
    """
    n = sample.height
    lp = np.log10(sample["population"].to_numpy() + 10) - 3
    opsn = sample["opsn"].to_numpy()
    u = rng.random(n)
    site_p = 1 / (1 + np.exp(-(0.3 + 0.9 * lp + 0.4 * opsn)))
    site = np.where(u < site_p, "oui", np.where(u < 0.95, "non", "nsp"))
    avis = rng.choice(["bon", "moyen", "mauvais"], size=n, p=[0.5, 0.35, 0.15])
    projet = np.where(rng.random(n) < 1 / (1 + np.exp(-(0.6 * lp + 0.5 * opsn))), "oui", "non")
    cols = {
        "site": site,
        "outils": multiple(rng, OPTIONS["outils"], 0.5 * lp + 0.3 * opsn, 0.15, 0.05),
        "avis_site": avis,
        "canaux": multiple(rng, OPTIONS["canaux"], 0.4 * lp, 0.12, 0.0),
        "agents": np.round(np.exp(1.2 + 0.9 * lp + rng.normal(0, 0.4, n))).astype(int).astype(str),
        "projet": projet,
        "projet_types": multiple(rng, OPTIONS["projet_types"], 0.3 * lp - 0.2, 0.2, 0.06),
    }
    cols["outils"] = np.where(site == "oui", cols["outils"], "")
    cols["avis_site"] = np.where(site == "oui", avis, "")
    cols["projet_types"] = np.where(projet == "oui", cols["projet_types"], "")
    # partial submissions: stop before a theme (never reached), or leave a theme's multiple
    # choice empty and answer a later theme (reached: « ticked nothing » by the rule)
    status = np.where(rng.random(n) < 0.8, "complete", "partial")
    stop = np.where(
        status == "partial", rng.integers(first_stop, 4, n), 3
    )  # themes answered: [0, stop)
    order = [q for qs in THEMES.values() for q in qs]
    table = pl.DataFrame({q: np.asarray(cols[q], dtype=object).astype(str) for q in order})
    theme_of = {q: i for i, qs in enumerate(THEMES.values()) for q in qs}
    table = table.with_columns(
        pl.when((pl.Series(stop) > theme_of[q]) & (pl.col(q) != "")).then(pl.col(q)).alias(q)
        for q in order
    )
    return pl.concat(
        [
            pl.DataFrame(
                {
                    "response_id": [f"r{i:04d}" for i in range(n)],
                    "code": sample["code"],
                    "submitted_at": [f"2026-04-{1 + i % 28:02d}T10:00:00" for i in range(n)],
                    "status": status,
                    "respondent_role": "DGS",
                }
            ),
            table,
            sample.select("cell", "region_group", "kind", "opsn"),
        ],
        how="horizontal",
    )


def totals(population: pl.DataFrame, margins: list[str]) -> pl.DataFrame:
    """Population count per category of each margin (R's calibration totals)."""
    return pl.concat(
        [
            population.group_by(m)
            .len()
            .select(
                pl.lit(m).alias("margin"),
                pl.col(m).cast(pl.String).alias("category"),
                pl.col("len").alias("total"),
            )
            .sort("category")
            for m in margins
        ]
    )


def main() -> None:
    """Write multiple_national.csv, multiple_web.csv and their calibration totals."""
    rng = np.random.default_rng(20260415)
    pop = multiple_choice_frame().with_columns(pl.col("opsn").cast(pl.Int64))
    lp = np.log10(pop["population"].to_numpy() + 10)
    p = (0.4 + 0.5 * pop["opsn"].to_numpy()) * (0.3 + 0.4 * (lp - 1.5))
    pick = rng.random(pop.height) < np.clip(p * 600 / p.sum(), 0, 1)
    national = answers(pop.filter(pl.Series(pick)), rng)
    national.write_csv(HERE / "multiple_national.csv")
    totals(pop, ["cell", "region_group"]).write_csv(HERE / "multiple_national_totals.csv")
    big = pop.filter(pl.col("population") >= 20000)
    web = answers(big[np.sort(rng.choice(big.height, 36, replace=False))], rng, first_stop=1)
    web.write_csv(HERE / "multiple_web.csv")
    totals(pop, ["kind"]).write_csv(HERE / "multiple_web_totals.csv")
    print(national.height, web.height)


if __name__ == "__main__":
    main()
