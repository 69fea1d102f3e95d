"""The maturity engine's input built from an edition (or a questionnaire and a responses file).

The respondents, the target population and the design are those of `Survey` (the same as the
estimates of `barometre analyse` and of the report); a weights file (`code`, `weight` or `poids`,
optional `stratum`/`strate`, such as the `_poids` file of `barometre analyse`) replaces the design
when given.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import polars as pl

from barometre.edition.files import read_text_csv, typed_responses, validate_responses
from barometre.edition.problems import EditionError
from barometre.maturity.sample import MaturitySample
from barometre.questionnaire.yaml_format import load_questionnaire
from barometre.register.frame import Register
from barometre.results.options import SurveyOptions
from barometre.results.survey import Survey
from barometre.stats.design import Design
from barometre.stats.errors import DesignError

WEIGHT_COLUMNS = ("weight", "poids")
STRATUM_COLUMNS = ("stratum", "strate")


def _options(calibration: bool) -> SurveyOptions:
    """Without calibration: weights N/n on the target population (with its fpc)."""
    return SurveyOptions() if calibration else SurveyOptions(method="none")


def _with_weights(sample: MaturitySample, weights_file: str | Path | None) -> MaturitySample:
    """The sample with the design of a weights file, when one is given."""
    if weights_file is None:
        return sample
    design, source = design_from_file(sample.answers["code"], Path(weights_file))
    return replace(sample, design=design, design_source=source)


def sample_from_edition(
    folder: str | Path,
    weights_file: str | Path | None = None,
    register: Register | None = None,
    strategy_themes: tuple[str, ...] = (),
    calibration: bool = True,
) -> MaturitySample:
    """Respondents of an edition folder on the edition's design (see `Survey.from_edition`)."""
    survey = Survey.from_edition(folder, _options(calibration), register)
    return _with_weights(survey.maturity_sample(strategy_themes), weights_file)


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
    from barometre.results.vintage import register_for

    register = register or register_for(None, {})
    questionnaire = load_questionnaire(questionnaire_file)
    raw = read_text_csv(responses_file)
    problems = validate_responses(raw, questionnaire, register.entities.get_column("code"))
    if problems.height:
        raise EditionError(problems, str(responses_file))
    typed = typed_responses(raw, questionnaire).with_columns(__line=pl.int_range(pl.len()) + 2)
    attributes = None
    if attributes_file is not None:
        attributes = pl.read_csv(attributes_file, infer_schema=False)
    survey = Survey.from_responses(
        typed.with_columns(pl.all().exclude("__line").cast(pl.String)),
        questionnaire,
        attributes,
        _options(calibration),
        register,
        typed=typed,
    )
    return _with_weights(survey.maturity_sample(strategy_themes), weights_file)


def design_from_file(codes: pl.Series, path: Path) -> tuple[Design, str]:
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
    joined = codes.to_frame("code").join(table, on="code", how="left", maintain_order="left")
    missing = joined.filter(pl.col("__weight").is_null()).get_column("code")
    if missing.len():
        raise DesignError(
            f"{path.name} : pas de poids pour {missing.len()} répondant(s), "
            f"par exemple « {missing[0]} »."
        )
    strata = None if stratum is None else joined.get_column(stratum).to_numpy()
    design = Design.from_columns(weights=joined.get_column("__weight").to_numpy(), strata=strata)
    return design, f"poids du fichier {path.name}"
