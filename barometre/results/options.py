"""The options of an edition's analysis, and how `edition.yaml` and the command line combine.

Precedence: an option given on the command line (or in Python), else `edition.yaml`, else the
documented default. There is one default for each setting, defined here or in `barometre.stats`.
"""

from __future__ import annotations

from dataclasses import dataclass

from barometre.stats.analysis import (
    DEFAULT_MARGINS,
    MAX_RESPONDENT_SHARE,
    AnalysisOptions,
)
from barometre.stats.design import DEFAULT_LONELY_PSU
from barometre.stats.errors import StatsError
from barometre.stats.intervals import DEFAULT_CI

DEFAULT_BREAKDOWNS = ("size_class", "kind_detail", "region_group")
DEFAULT_METHOD = "raking"
DEFAULT_TOLERANCE = 1e-10


@dataclass(frozen=True)
class SurveyOptions:
    """What the operator may choose; None means « from edition.yaml, else the default »."""

    margins: tuple[str, ...] | None = None
    method: str | None = None
    bounds: tuple[float, float] | None = None
    strata: str | None = None
    fpc: bool | None = None
    lonely_psu: str | None = None
    min_cell: int | None = 1
    max_respondent_share: float | None = None
    fallback: bool = True
    breakdowns: tuple[str, ...] | None = None
    ci: str = DEFAULT_CI
    level: float = 0.95
    min_n: int | None = None
    exclude_nsp: bool = False
    variance: str = "linearisation"
    replicates: int = 200
    seed: int = 0
    exclude: tuple[str, ...] = ()
    population_label: str | None = None
    vintage: str | None = None

    def analysis_options(self, meta: dict) -> AnalysisOptions:
        """The concrete engine options for an edition whose `edition.yaml` is `meta`."""
        calibration = _section(meta, "calibration")
        analysis = _section(meta, "analysis")
        margins = self.margins or _strings(calibration.get("margins")) or DEFAULT_MARGINS
        bounds = self.bounds or _bounds(calibration.get("bounds"))
        if self.breakdowns is not None:
            breakdowns = self.breakdowns
        elif "breakdowns" in analysis:
            breakdowns = _strings(analysis["breakdowns"])
        else:
            breakdowns = DEFAULT_BREAKDOWNS
        return AnalysisOptions(
            margins=tuple(margins),
            breakdowns=tuple(breakdowns),
            method=self.method or str(calibration.get("method") or DEFAULT_METHOD),
            bounds=bounds,
            ci=self.ci,
            level=self.level,
            min_n=int(self.min_n if self.min_n is not None else analysis.get("min_n", 5)),
            exclude_nsp=self.exclude_nsp,
            strata=self.strata if self.strata is not None else calibration.get("strata"),
            fpc=bool(self.fpc if self.fpc is not None else calibration.get("fpc", True)),
            lonely_psu=str(self.lonely_psu or calibration.get("lonely_psu") or DEFAULT_LONELY_PSU),
            min_cell=self.min_cell,
            max_respondent_share=float(
                self.max_respondent_share
                if self.max_respondent_share is not None
                else calibration.get("max_respondent_share", MAX_RESPONDENT_SHARE)
            ),
            tolerance=float(calibration.get("tolerance") or DEFAULT_TOLERANCE),
            variance=self.variance,
            replicates=self.replicates,
            seed=self.seed,
        )

    def exclusions(self, meta: dict) -> tuple[str, ...]:
        """The population exclusions: those of edition.yaml, then those given here."""
        value = _section(meta, "population").get("exclude") or ()
        return (*([value] if isinstance(value, str) else [str(v) for v in value]), *self.exclude)

    def label(self, meta: dict) -> str | None:
        """The operator's wording of the population, if any."""
        return self.population_label or _section(meta, "population").get("label")

    def register_vintage(self, meta: dict) -> str | None:
        """The register vintage asked for (`survey`: the edition's year), if any."""
        value = self.vintage or _section(meta, "population").get("vintage")
        return None if value is None else str(value)


def _section(meta: dict, name: str) -> dict:
    """A mapping of edition.yaml (French error if it is not one)."""
    value = meta.get(name) or {}
    if not isinstance(value, dict):
        raise StatsError(f"edition.yaml, champ « {name} » : une table de réglages est attendue.")
    return value


def _strings(value) -> tuple[str, ...]:
    """A list of strings from YAML (a single string is split on commas)."""
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(v.strip() for v in value.split(",") if v.strip())
    return tuple(str(v) for v in value)


def _bounds(value) -> tuple[float, float] | None:
    """Bounds `[L, U]` from YAML."""
    if value is None:
        return None
    try:
        low, high = (float(v) for v in value)
    except (TypeError, ValueError):
        raise StatsError(
            "edition.yaml, champ « calibration.bounds » : deux nombres [L, U] attendus."
        ) from None
    return low, high
