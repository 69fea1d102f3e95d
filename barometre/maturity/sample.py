"""The respondents a maturity analysis runs on: consolidated answers, frame columns and design.

The maturity engine receives columns: `barometre.results` reads the edition, restricts the frame
to the target population and builds the calibrated design (the same design as every other table
of the edition), then hands them over with `MaturitySample.from_columns`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from barometre.maturity.model import MaturityModel
from barometre.questionnaire.model import Questionnaire
from barometre.questionnaire.skip_logic import relevance_frame
from barometre.stats.design import Design


@dataclass(frozen=True)
class MaturitySample:
    """Consolidated respondents (one row per `code`), with what every maturity figure needs."""

    questionnaire: Questionnaire
    model: MaturityModel
    answers: pl.DataFrame  # one row per respondent, typed answers (not-asked answers are null)
    asked: np.ndarray  # (N, I) whether each maturity item was asked
    frame: pl.DataFrame  # code + register columns + strata + frame attributes, same row order
    design: Design
    design_source: str  # French description of where the weights come from

    @classmethod
    def from_columns(
        cls,
        questionnaire: Questionnaire,
        answers: pl.DataFrame,
        frame: pl.DataFrame,
        design: Design,
        design_source: str,
        strategy_themes: tuple[str, ...] = (),
    ) -> MaturitySample:
        """Respondents in the design's row order: typed answers, frame columns and the design."""
        if answers.height != design.n or frame.height != design.n:
            raise ValueError(
                f"Maturité : {answers.height} réponses et {frame.height} lignes de base de sondage "
                f"pour un plan de {design.n} répondants."
            )
        model = MaturityModel.from_questionnaire(questionnaire, strategy_themes)
        relevant = relevance_frame(questionnaire, answers)
        asked = relevant.select(model.item_ids).to_numpy().astype(bool).reshape(answers.height, -1)
        return cls(questionnaire, model, answers, asked, frame, design, design_source)

    @property
    def codes(self) -> np.ndarray:
        """Respondent codes in row order."""
        return self.answers.get_column("code").to_numpy()
