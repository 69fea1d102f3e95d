"""`Survey`: an edition turned, once, into what every analysis and publication needs.

Like a design object of R `survey`, built once and handed to every estimator: the target
population (frame restricted and worded), the respondents joined to it (one row per
collectivité, in the order of the file: sorting 36,000 rows of text answers would copy them all,
and no figure depends on the order), the design built from the frame (finite-population
correction, calibration through the one fallback ladder), and from these the result tables. `barometre
analyse`, `barometre maturity`, `barometre report`, the positioning reports and the dashboard
all go through it, so that they show the same figures.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from barometre.edition.files import Edition, read_edition, with_lines
from barometre.questionnaire.model import Questionnaire
from barometre.register.frame import Register
from barometre.results.ladder import LadderOutcome, build_with_fallback
from barometre.results.options import SurveyOptions
from barometre.results.population import (
    Population,
    excluded_respondents,
    frame_of,
    target_population,
)
from barometre.results.vintage import register_for
from barometre.stats.analysis import (
    Analysis,
    AnalysisOptions,
    analysis_of,
    join_frame,
    one_per_collectivite,
)
from barometre.stats.design import Design
from barometre.stats.indicators import merge_option_columns

if TYPE_CHECKING:
    from barometre.maturity.sample import MaturitySample

RESPONDENT_COLUMNS = ("code", "name", "kind", "kind_detail", "size_class", "region_group")


@dataclass
class Survey:
    """One edition's respondents, target population and design (see the module docstring)."""

    meta: dict
    questionnaire: Questionnaire
    population: Population
    sample: pl.DataFrame  # text answers + frame columns, one row per respondent (file order)
    answers: pl.DataFrame | None  # typed consolidated answers in the same order (editions)
    outcome: LadderOutcome
    requested: AnalysisOptions
    warnings: list[str] = field(default_factory=list)
    folder: Path | None = None
    register: Register | None = field(default=None, repr=False)
    out_of_frame: int = 0  # respondents outside the register, kept apart by read_edition

    # ---------------------------------------------------------------------------- building

    @classmethod
    def from_edition(
        cls,
        edition: str | Path | Edition,
        options: SurveyOptions | None = None,
        register: Register | None = None,
        attributes: pl.DataFrame | None = None,
    ) -> Survey:
        """The survey of an edition folder (or an already read `Edition`); `attributes` replace
        the edition's frame attributes when given."""
        options = options or SurveyOptions()
        if not isinstance(edition, Edition):
            meta = edition_meta(Path(edition))
            register = register or register_for(options.register_vintage(meta), meta)
            edition = read_edition(edition, known_codes=register.entities["code"])
        else:
            register = register or register_for(
                options.register_vintage(edition.meta), edition.meta
            )
        typed = with_lines(edition.responses)
        answers = one_per_collectivite(typed)
        text = answers.with_columns(pl.all().exclude("__line").cast(pl.String))
        survey = cls._build(
            edition.meta,
            edition.questionnaire,
            text,
            answers,
            edition.frame_attributes if attributes is None else attributes,
            options,
            register,
        )
        survey.folder = edition.folder
        if edition.out_of_frame is not None:
            survey.out_of_frame = edition.out_of_frame.get_column("code").n_unique()
        return survey

    @classmethod
    def from_responses(
        cls,
        responses: pl.DataFrame,
        questionnaire: Questionnaire,
        attributes: pl.DataFrame | None = None,
        options: SurveyOptions | None = None,
        register: Register | None = None,
        meta: dict | None = None,
        typed: pl.DataFrame | None = None,
    ) -> Survey:
        """The survey of a responses table (text columns, one row per submission or respondent).

        `typed`: the same submissions typed as an edition's (for the maturity figures), if known.
        """
        options = options or SurveyOptions()
        meta = meta or {}
        register = register or register_for(options.register_vintage(meta), meta)
        text = one_per_collectivite(merge_option_columns(responses, questionnaire))
        answers = None
        if typed is not None:
            answers = text.select("code").join(
                one_per_collectivite(typed), on="code", how="left", maintain_order="left"
            )
        return cls._build(meta, questionnaire, text, answers, attributes, options, register)

    @classmethod
    def _build(
        cls,
        meta: dict,
        questionnaire: Questionnaire,
        text: pl.DataFrame,
        answers: pl.DataFrame | None,
        attributes: pl.DataFrame | None,
        options: SurveyOptions,
        register: Register,
    ) -> Survey:
        """Population, respondents and design (through the fallback ladder)."""
        frame = frame_of(register, attributes)
        kinds = (
            text.select("code")
            .join(frame.select("code", "kind"), on="code", how="inner")["kind"]
            .unique()
            .to_list()
        )
        population = target_population(
            frame,
            template=meta.get("template"),
            respondent_kinds=kinds,
            exclusions=options.exclusions(meta),
            label=options.label(meta),
            vintage=register.vintage,
            source="Population (exclusions)",
        )
        warnings = []
        dropped = excluded_respondents(population, text["code"])
        if dropped.len():
            warnings.append(
                f"{dropped.len()} répondant(s) hors de la population étudiée (exclusions : "
                f"{'; '.join(e.text for e in population.exclusions)}) écarté(s) de l'analyse, "
                f"par exemple « {dropped[0]} »."
            )
            keep = ~text["code"].is_in(dropped.implode())
            text = text.filter(keep)
            if answers is not None:
                answers = answers.filter(keep)
        sample = join_frame(text, population.frame)
        requested = options.analysis_options(meta)
        outcome = build_with_fallback(sample, population.frame, requested, options.fallback)
        if outcome.diagnostics["attempts"]:
            warnings.insert(0, outcome.diagnostics["detail"])
        return cls(
            meta=meta,
            questionnaire=questionnaire,
            population=population,
            sample=sample,
            answers=answers,
            outcome=outcome,
            requested=requested,
            warnings=warnings,
            register=register,
        )

    # ---------------------------------------------------------------------------- the design

    @property
    def design(self) -> Design:
        """The calibrated design (weights, strata, fpc) every estimate uses."""
        return self.outcome.built.design

    @property
    def options(self) -> AnalysisOptions:
        """The engine options actually used (after the fallback ladder)."""
        return self.outcome.options

    @property
    def codes(self) -> pl.Series:
        """Respondent codes, in the design's row order."""
        return self.sample["code"]

    def respondents(self) -> pl.DataFrame:
        """One row per respondent (the design's order): code, weight and the frame columns reports
        group by."""
        return pl.DataFrame({"code": self.codes, "weight": self.design.weights}).join(
            self.sample.select(RESPONDENT_COLUMNS).with_columns(
                pl.col("size_class").cast(pl.String)
            ),
            on="code",
            how="left",
            maintain_order="left",
        )

    # ---------------------------------------------------------------------------- the tables

    @cached_property
    def analysis(self) -> Analysis:
        """Every indicator, overall and by breakdown, with weights and diagnostics."""
        result = analysis_of(
            self.sample, self.questionnaire, self.outcome.built, self.population.size, self.options
        )
        d = result.diagnostics
        d["population"] = self.population.diagnostics()
        d["calibration_ladder"] = self.outcome.diagnostics
        d["out_of_frame"] = self.out_of_frame  # listed on the method page, never weighted
        d["warnings"] = [*self.warnings, *d["warnings"]]
        return result

    @property
    def estimates(self) -> pl.DataFrame:
        """The tidy estimates table (`barometre analyse`, `estimations.csv`)."""
        return self.analysis.table

    @property
    def diagnostics(self) -> dict:
        """Population, design, calibration ladder, variance and warnings."""
        return self.analysis.diagnostics

    def key_figures(self, figures: list | None = None) -> pl.DataFrame:
        """The template's key figures (options pooled) with their CI on this design."""
        from barometre.results.tables import figure_estimates

        if figures is None:
            from barometre.edition.figures import figures_or_default

            template = self.meta.get("template")
            figures = list(figures_or_default(str(template)).figures) if template else []
        return figure_estimates(self, figures)

    def response_rates(self) -> pl.DataFrame:
        """Respondents / population entities per stratum."""
        from barometre.results.tables import response_rates

        return response_rates(self.population.frame, self.codes)

    def maturity_sample(self, strategy_themes: tuple[str, ...] = ()) -> MaturitySample:
        """The respondents as the maturity engine wants them, on this survey's design."""
        from barometre.maturity.sample import MaturitySample

        if self.answers is None:
            raise ValueError("Réponses typées absentes : la maturité demande une édition.")
        frame_columns = [c for c in self.population.frame.columns if c in self.sample.columns]
        return MaturitySample.from_columns(
            self.questionnaire,
            self.answers.drop("__line", strict=False),
            self.sample.select(frame_columns),
            self.design,
            self.design_source(),
            strategy_themes,
        )

    def design_source(self) -> str:
        """French: how the weights were made and on which population."""
        return f"{self.outcome.step.label} (population : {self.population.description()})"


def edition_meta(folder: Path) -> dict:
    """edition.yaml before validation (to pick the register vintage); {} when unreadable."""
    import yaml

    try:
        meta = yaml.safe_load((folder / "edition.yaml").read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return {}
    return meta if isinstance(meta, dict) else {}
