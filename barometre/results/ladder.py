"""The one fallback ladder of the calibration, used by every analysis of an edition.

When the calibration asked for cannot be done (raking that does not converge, an empty cell with
`--min-cell 0`, a merge refused because one respondent would stand for too large a share of the
population, infeasible bounds), the design steps down, in this order, and says so:

1. `requested` — the margins and method asked for (empty cells merged, with a warning);
2. `sparse_cells` — the same margins, cells with fewer than 5 respondents merged;
3. `fewer_margins` — post-stratification on the first margin only, sparse cells merged;
4. `coarser_classes` — post-stratification on the first variable of the first margin (for
   `kind_detail*size_class`: the kind alone), sparse cells merged;
5. `no_calibration` — no calibration: weights N/n on the target population.

A step that repeats the previous one is skipped. The step taken, every failed attempt and a French
sentence for the method page are in the diagnostics (`calibration_ladder`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import polars as pl

from barometre.register.labels import STRATUM_TITLES
from barometre.stats.analysis import AnalysisOptions, DesignBuild, build_design, parse_margins
from barometre.stats.errors import CalibrationError

SPARSE_CELL = 5  # from step 2 on, cells with fewer respondents are merged
REASONS = (  # words of the method page for the first failure
    ("n'a pas convergé", "le calage ne converge pas sur cet échantillon"),
    (
        "regroupement refusé",
        "il aurait fallu regrouper des cellules au point qu'un seul répondant représente une trop "
        "grande part de la population",
    ),
    ("infaisables", "aucun jeu de poids dans les bornes demandées ne reproduit les marges"),
    ("vide", "une cellule de calage n'a aucun répondant"),
)


@dataclass(frozen=True)
class Step:
    """One rung of the ladder: its key, its French description and the options it uses."""

    key: str
    label: str
    options: AnalysisOptions


def _margins_text(margins: tuple[str, ...]) -> str:
    """« nature × tranche de population et région » (column names of the frame for others)."""
    words = [
        " × ".join(STRATUM_TITLES.get(name, name).lower() for name in names)
        for names in parse_margins(margins)
    ]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " et " + words[-1]


def _describe(options: AnalysisOptions) -> str:
    """French description of a calibration: method, margins, merged cells."""
    if options.method == "none":
        return "sans calage (poids N/n sur la population cible)"
    names = {
        "raking": "calage par ratissage (raking)",
        "poststrat": "post-stratification",
        "logit": "calage logit borné",
        "linear": "calage linéaire",
    }
    text = f"{names.get(options.method, options.method)} sur {_margins_text(options.margins)}"
    if options.min_cell and options.min_cell > 1:
        text += f", cellules de moins de {options.min_cell} répondants regroupées"
    return text


def steps(options: AnalysisOptions) -> list[Step]:
    """The ladder for the options asked for (the first step is the request itself)."""
    out = [Step("requested", _describe(options), options)]
    if options.method == "none":
        return out
    sparse = max(options.min_cell or 0, SPARSE_CELL)
    candidates = [("sparse_cells", replace(options, min_cell=sparse))]
    first = parse_margins(options.margins)[0] if options.margins else []
    if first:
        candidates.append(
            (
                "fewer_margins",
                replace(
                    options,
                    margins=("*".join(first),),
                    method="poststrat",
                    bounds=None,
                    min_cell=sparse,
                ),
            )
        )
        candidates.append(
            (
                "coarser_classes",
                replace(
                    options, margins=(first[0],), method="poststrat", bounds=None, min_cell=sparse
                ),
            )
        )
    candidates.append(("no_calibration", replace(options, method="none", bounds=None)))
    for key, candidate in candidates:
        if all(candidate != s.options for s in out):
            out.append(Step(key, _describe(candidate), candidate))
    return out


@dataclass(frozen=True)
class LadderOutcome:
    """The design built, the step that built it and the diagnostics of the ladder."""

    built: DesignBuild
    step: Step
    diagnostics: dict

    @property
    def options(self) -> AnalysisOptions:
        """The options the design was built with."""
        return self.step.options


def build_with_fallback(
    sample: pl.DataFrame,
    population: pl.DataFrame,
    options: AnalysisOptions,
    fallback: bool = True,
) -> LadderOutcome:
    """Build the design, stepping down the ladder on calibration failures (unless `fallback` is
    False: then the first failure is raised)."""
    attempts = []
    ladder = steps(options)
    for number, step in enumerate(ladder, start=1):
        try:
            built = build_design(sample, population, step.options)
        except CalibrationError as error:
            if not fallback:
                raise
            attempts.append(
                {"step": number, "key": step.key, "label": step.label, "error": str(error)}
            )
            continue
        return LadderOutcome(
            built, step, _diagnostics(ladder, number, step, attempts, options, fallback)
        )
    raise CalibrationError(attempts[-1]["error"])  # unreachable: the last step never calibrates


def _diagnostics(
    ladder: list[Step],
    number: int,
    step: Step,
    attempts: list[dict],
    requested: AnalysisOptions,
    fallback: bool,
) -> dict:
    """The ladder part of the diagnostics: a French sentence for the method page (`sentence`)
    and one for the operator with the error itself (`detail`)."""
    if attempts:
        first = attempts[0]["error"]
        reason = next((text for key, text in REASONS if key in first), "")
        sentence = (
            f"Le calage demandé ({_describe(requested)}) n'a pas pu être réalisé"
            + (f" ({reason})" if reason else "")
            + f" : les poids retenus sont ceux de l'étape {number} de la procédure de repli, "
            f"{step.label}."
        )
        detail = (
            f"Le calage demandé ({_describe(requested)}) n'a pas pu être réalisé : {first} Les "
            f"poids retenus sont ceux de l'étape {number} de la procédure de repli : {step.label}."
        )
    else:
        sentence = detail = f"Pondération : {step.label}."
    return {
        "fallback": fallback,
        "requested": {
            "method": requested.method,
            "margins": list(requested.margins),
            "min_cell": requested.min_cell,
            "label": _describe(requested),
        },
        "step": number,
        "key": step.key,
        "label": step.label,
        "method": step.options.method,
        "margins": list(step.options.margins) if step.options.method != "none" else [],
        "steps": [{"key": s.key, "label": s.label} for s in ladder],
        "attempts": attempts,
        "sentence": sentence,
        "detail": detail,
    }
