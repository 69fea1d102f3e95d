"""Several editions of one barometer for the demo: the simulated truth moves, a panel answers again.

The last edition aims at the template's published shares; an edition k steps earlier aims at the
figure's published previous value when the template gives one for the edition just before (JVS:
33 % in 2015 against 48 % in 2016), else at the share reduced by `EARLIER_FACTOR` per step. In
each later edition, `PANEL_SHARE` of the respondents are collectivités that answered the edition
before (a panel); a collectivité keeps part of its latent maturity from one edition to the next,
so the panel's answers are correlated, as real ones are. Everything else is `simulate`'s.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

import numpy as np
import polars as pl

from barometre.edition.figures import DemoFrame, Figure
from barometre.edition.simulate import (
    AGE_STREAM,
    SimulatedEdition,
    add_resubmissions,
    draw_sample,
    simulate_age_median,
    simulate_answers,
    simulate_opsn,
    template_frame,
)
from barometre.questionnaire.model import Questionnaire

PANEL_SHARE = 0.4
EARLIER_FACTOR = 0.85
PERSISTENT_STREAM = 2


@dataclass(frozen=True)
class SimulatedYear:
    """One edition of the series: its year, questionnaire (text too), targets and simulation."""

    year: int
    questionnaire: Questionnaire
    questionnaire_text: str
    figures: list[Figure]
    simulated: SimulatedEdition
    panel: int  # respondents who also answered the edition before (0 for the first edition)


def earlier_figures(figures: list[Figure], steps: int) -> list[Figure]:
    """The figures of an edition `steps` editions before the template's: the truth of that year."""
    if steps == 0:
        return list(figures)
    moved = []
    for figure in figures:
        target = figure.target
        if target is None or figure.statistic != "share":
            moved.append(figure)
            continue
        if steps == 1 and figure.previous_value is not None:
            value = float(figure.previous_value)
        else:
            value = float(np.clip(target * EARLIER_FACTOR**steps, 0.01, 0.99))
        moved.append(
            dataclasses.replace(figure, seed_value=value, demo_value=value, previous_value=None)
        )
    return moved


def questionnaire_of_year(
    questionnaire: Questionnaire, text: str, year: int
) -> tuple[Questionnaire, str]:
    """The questionnaire (and its YAML text) of the edition of `year`."""
    edited = re.sub(r'(?m)^edition:\s*"?[^"\n]*"?\s*$', f'edition: "{year}"', text, count=1)
    return dataclasses.replace(questionnaire, edition=str(year)), edited


def _next_sample(
    frame: pl.DataFrame, previous: pl.DataFrame, size: int, rng: np.random.Generator
) -> tuple[pl.DataFrame, int]:
    """A later edition's sample: part of the previous respondents again, the rest drawn anew."""
    wanted = min(size, frame.height)
    panel_n = min(round(PANEL_SHARE * wanted), previous.height)
    chosen = rng.choice(previous.height, size=panel_n, replace=False)
    panel_codes = previous["code"].gather(np.sort(chosen))
    others = frame.filter(~pl.col("code").is_in(panel_codes.implode()))
    fresh = draw_sample(others, wanted - panel_n, rng)["code"]
    codes = pl.concat([panel_codes, fresh])
    again = int(codes.is_in(previous["code"].implode()).sum())  # fresh draws may answer again
    return frame.filter(pl.col("code").is_in(codes.implode())), again


def simulate_editions(
    questionnaire: Questionnaire,
    questionnaire_text: str,
    figures: list[Figure],
    entities: pl.DataFrame,
    demo: DemoFrame,
    *,
    years: list[int],
    size: int,
    seed: int,
) -> list[SimulatedYear]:
    """One simulated edition per year (oldest first), deterministic per seed."""
    years = sorted(set(years))
    rng = np.random.default_rng(seed)
    opsn = simulate_opsn(entities, rng)
    ages = simulate_age_median(entities, np.random.default_rng([seed, AGE_STREAM]))
    attributes = opsn.join(ages, on="code", maintain_order="left")
    own = entities.drop("opsn", strict=False).join(opsn, on="code", maintain_order="left")
    frame = template_frame(own, demo)
    persistent = pl.DataFrame(
        {
            "code": frame["code"],
            "persistent": np.random.default_rng([seed, PERSISTENT_STREAM]).normal(
                size=frame.height
            ),
        }
    )
    out: list[SimulatedYear] = []
    sample = None
    for year in years:
        steps = years[-1] - year
        year_questionnaire, text = questionnaire_of_year(questionnaire, questionnaire_text, year)
        targets = earlier_figures(figures, steps)
        if sample is None:
            sample, panel = draw_sample(frame, size, rng), 0
        else:
            sample, panel = _next_sample(frame, sample, size, rng)
        kept = sample.join(persistent, on="code", how="left", maintain_order="left")
        answers = simulate_answers(
            year_questionnaire, targets, sample, rng, kept["persistent"].to_numpy()
        )
        responses = add_resubmissions(year_questionnaire, sample, answers, year, rng)
        out.append(
            SimulatedYear(
                year=year,
                questionnaire=year_questionnaire,
                questionnaire_text=text,
                figures=targets,
                simulated=SimulatedEdition(responses, attributes, sample),
                panel=panel,
            )
        )
    return out
