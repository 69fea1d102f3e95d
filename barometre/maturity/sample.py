"""The respondents a maturity analysis runs on: consolidated answers, frame attributes and design.

Read from an edition folder (or a questionnaire plus a responses file), joined to the register on
`code`. The population is the frame the edition's template is aimed at (its demo frame: kinds,
EPCI natures, population bounds), else the register entities of the respondents' kinds
(kind_detail). The sampling design is, in order of preference:

1. the weights file given (`code`, `weight` or `poids`, optional `stratum` or `strate`), e.g. the
   `_poids` file written by `barometre analyse`;
2. the calibrated design of `barometre.stats` (`build_design`: base weights N / n, calibration on
   the margins and method of `edition.yaml`, else raking on kind_detail × size_class and
   region_group), so that variances account for the calibration;
3. when calibration is impossible (or not wanted): a stratified design on the register
   (kind_detail × size_class, N_h from the register, weights N_h / n_h, finite population
   correction; strata with fewer than 2 respondents merged with a neighbouring size class of the
   same kind by `barometre.stats.calibration.collapse_margin`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from barometre.edition.consolidation import consolidate
from barometre.edition.figures import load_figures
from barometre.edition.files import read_edition, typed_responses, validate_responses
from barometre.edition.problems import EditionError
from barometre.edition.simulate import template_frame
from barometre.maturity.model import MaturityModel
from barometre.questionnaire.model import Questionnaire
from barometre.questionnaire.skip_logic import relevance_frame
from barometre.questionnaire.yaml_format import load_questionnaire
from barometre.register.frame import Register, load_register
from barometre.register.strata import region_group_expr
from barometre.stats.analysis import AnalysisOptions, build_design
from barometre.stats.calibration import Margin, collapse_margin
from barometre.stats.design import Design
from barometre.stats.errors import DesignError, StatsError

WEIGHT_COLUMNS = ("weight", "poids")
STRATUM_COLUMNS = ("stratum", "strate")
MIN_PER_STRATUM = 2
DEFAULT_MARGINS = ("kind_detail*size_class", "region_group")


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

    @property
    def codes(self) -> np.ndarray:
        """Respondent codes in row order."""
        return self.answers.get_column("code").to_numpy()


def sample_from_edition(
    folder: str | Path,
    weights_file: str | Path | None = None,
    register: Register | None = None,
    strategy_themes: tuple[str, ...] = (),
    calibration: bool = True,
) -> MaturitySample:
    """Respondents of an edition folder (validated by `barometre.edition`)."""
    register = register or load_register()
    edition = read_edition(folder, known_codes=register.entities.get_column("code"))
    return _sample(
        edition.questionnaire,
        edition.consolidated(),
        edition.frame_attributes,
        weights_file,
        register,
        strategy_themes,
        target_population(edition.meta, register),
        edition.meta,
        calibration,
    )


def sample_from_files(
    questionnaire_file: str | Path,
    responses_file: str | Path,
    weights_file: str | Path | None = None,
    attributes_file: str | Path | None = None,
    register: Register | None = None,
    strategy_themes: tuple[str, ...] = (),
    calibration: bool = True,
) -> MaturitySample:
    """Respondents of a questionnaire YAML and a responses CSV shaped like an edition's."""
    register = register or load_register()
    questionnaire = load_questionnaire(questionnaire_file)
    raw = pl.read_csv(responses_file, infer_schema=False)
    problems = validate_responses(raw, questionnaire, register.entities.get_column("code"))
    if problems.height:
        raise EditionError(problems, str(responses_file))
    responses = consolidate(typed_responses(raw, questionnaire))
    attributes = None
    if attributes_file is not None:
        attributes = pl.read_csv(attributes_file, schema_overrides={"code": pl.String})
    return _sample(
        questionnaire,
        responses,
        attributes,
        weights_file,
        register,
        strategy_themes,
        calibration=calibration,
    )


def target_population(meta: dict, register: Register) -> pl.DataFrame | None:
    """Register entities an edition's template is aimed at (its demo frame), when it has one."""
    template = meta.get("template")
    if not template:
        return None
    try:
        demo = load_figures(str(template)).demo
    except (KeyError, FileNotFoundError):
        return None
    return template_frame(register.entities, demo).select("code")


def _sample(
    questionnaire: Questionnaire,
    responses: pl.DataFrame,
    attributes: pl.DataFrame | None,
    weights_file: str | Path | None,
    register: Register,
    strategy_themes: tuple[str, ...],
    target: pl.DataFrame | None = None,
    meta: dict | None = None,
    calibration: bool = True,
) -> MaturitySample:
    """Join answers to the register and attributes, compute the asked mask, build the design."""
    model = MaturityModel.from_questionnaire(questionnaire, strategy_themes)
    answers = responses.sort("code")
    relevant = relevance_frame(questionnaire, answers)
    asked = relevant.select(model.item_ids).to_numpy().astype(bool).reshape(answers.height, -1)
    entities = register.with_strata().with_columns(region_group_expr())
    frame = answers.select("code").join(entities, on="code", how="left", maintain_order="left")
    if attributes is not None:
        extra = attributes.drop(
            [c for c in attributes.columns if c != "code" and c in frame.columns]
        )
        frame = frame.join(extra, on="code", how="left", maintain_order="left")
    if target is not None:
        population = entities.join(target, on="code", how="semi")
    else:
        kinds = frame.get_column("kind_detail").drop_nulls().unique().implode()
        population = entities.filter(pl.col("kind_detail").is_in(kinds))
    if weights_file is not None:
        design, source = _design_from_file(answers, Path(weights_file))
    elif calibration:
        design, source = _calibrated_design(frame, population, meta or {})
    else:
        design, source = _register_design(frame, population)
    return MaturitySample(questionnaire, model, answers, asked, frame, design, source)


def _calibrated_design(
    frame: pl.DataFrame, population: pl.DataFrame, meta: dict
) -> tuple[Design, str]:
    """Calibrated design of `barometre.stats` (margins and method of edition.yaml, or defaults).

    Falls back to the stratified design, saying why, when calibration is impossible.
    """
    settings = meta.get("calibration") or {}
    margins = settings.get("margins") or DEFAULT_MARGINS
    margins = tuple(margins.split(",") if isinstance(margins, str) else margins)
    method = settings.get("method", "raking")
    options = AnalysisOptions(margins=margins, method=method)
    try:
        design = build_design(frame, population, options)[0]
    except StatsError as error:
        fallback, source = _register_design(frame, population)
        return fallback, f"{source} (calage impossible : {error})"
    return design, (
        f"calage {method} sur {', '.join(margins)} (base de sondage de {population.height} entités)"
    )


def _design_from_file(answers: pl.DataFrame, path: Path) -> tuple[Design, str]:
    """Design from a weights CSV (`code`, `weight`/`poids`, optional `stratum`/`strate`)."""
    table = pl.read_csv(path, infer_schema=False)
    weight = next((c for c in WEIGHT_COLUMNS if c in table.columns), None)
    if "code" not in table.columns or weight is None:
        raise DesignError(
            f"{path.name}, ligne 1 : colonnes « code » et « weight » (ou « poids ») attendues."
        )
    stratum = next((c for c in STRATUM_COLUMNS if c in table.columns), None)
    table = table.with_row_index("__line", offset=2)
    values = table.get_column(weight).str.replace(",", ".").cast(pl.Float64, strict=False)
    bad = table.filter(values.is_null() | (values <= 0))
    if bad.height:
        line = bad.get_column("__line")[0]
        raise DesignError(
            f"{path.name}, ligne {line}, champ « {weight} » : poids manquant, nul ou négatif."
        )
    table = table.with_columns(values.alias("__weight"))
    repeated = table.filter(pl.int_range(pl.len()).over("code") > 0)
    if repeated.height:
        raise DesignError(
            f"{path.name}, ligne {repeated.get_column('__line')[0]}, champ « code » : "
            f"code « {repeated.get_column('code')[0]} » en double."
        )
    joined = answers.select("code").join(table, on="code", how="left", maintain_order="left")
    missing = joined.filter(pl.col("__weight").is_null()).get_column("code")
    if missing.len():
        raise DesignError(
            f"{path.name} : pas de poids pour {missing.len()} répondant(s), "
            f"par exemple « {missing[0]} »."
        )
    strata = None if stratum is None else joined.get_column(stratum).to_numpy()
    design = Design.from_columns(weights=joined.get_column("__weight").to_numpy(), strata=strata)
    return design, f"poids du fichier {path.name}"


def _register_design(frame: pl.DataFrame, population: pl.DataFrame) -> tuple[Design, str]:
    """Stratified design on the register: kind_detail × size_class, small strata collapsed."""
    detail = pl.col("kind_detail") + pl.lit(" × ") + pl.col("size_class").cast(pl.Utf8)
    cells = (
        population.group_by("kind_detail", "size_class")
        .agg(pl.len().alias("N"))
        .sort("kind_detail", "size_class")
        .with_columns(detail.alias("cell"))
    )
    sample_cells = frame.with_columns(detail.alias("cell")).get_column("cell")
    outside = ~sample_cells.is_in(cells.get_column("cell").implode())
    if outside.any() or sample_cells.null_count():
        return Design.from_columns(
            n=frame.height
        ), "poids uniformes (répondants hors de la base de sondage)"
    margin = Margin(
        "strate",
        sample_cells.to_numpy().astype(object),
        dict(zip(cells.get_column("cell"), cells.get_column("N").cast(pl.Float64), strict=True)),
    )
    merged, _ = collapse_margin(margin, MIN_PER_STRATUM)
    strata = pl.Series(merged.sample.astype(str))
    sizes = strata.replace_strict(merged.totals, return_dtype=pl.Float64).to_numpy()
    strata = strata.to_numpy()
    if len(merged.totals) == 1 and frame.height < MIN_PER_STRATUM:
        return Design.from_columns(n=frame.height), "poids uniformes (trop peu de répondants)"
    design = Design.from_columns(strata=strata, population_sizes=sizes)
    return design, "plan stratifié du registre (type × taille), poids N_h / n_h"
