"""Published key figures of the seed templates (`templates/<name>.figures.yaml`) and demo frames."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

import barometre.questionnaire as questionnaire_package

TEMPLATES_DIR = Path(questionnaire_package.__file__).resolve().parent / "templates"
FIGURES_SUFFIX = ".figures.yaml"


@dataclass(frozen=True)
class Figure:
    """One published figure of a seed barometer and the answers that compute it.

    The value is the share, among respondents asked `question` who answered it (`nsp` included),
    of those whose answer is one of `options` (for a multiple choice: who selected at least one).
    `label` is a short name (« Ordinateur portable »); `statement`, when the figure pools several
    options, is what it says as a plural predicate (« ont un équipement informatique »): with one
    option, the statement of that choice (or of the yes/no question) is used.
    """

    id: str
    label: str
    question: str
    options: tuple[str, ...]
    seed_value: float | None
    demo_value: float | None = None
    comparison: str = "approx"
    statistic: str = "share"
    domain: dict[str, Any] | None = None
    previous_value: float | None = None
    note: str = ""
    statement: str = ""

    @property
    def target(self) -> float | None:
        """The share the demo simulator aims at: the published share, else the assumed demo value."""
        if self.statistic == "share" and self.seed_value is not None:
            return float(self.seed_value)
        return None if self.demo_value is None else float(self.demo_value)


@dataclass(frozen=True)
class DemoFrame:
    """Which register entities a template is aimed at, and the demo's default sample size."""

    kinds: tuple[str, ...] = ("commune", "epci")
    epci_natures: tuple[str, ...] = ()
    min_population: int | None = None
    max_population: int | None = None
    code_prefixes: tuple[str, ...] = ()
    size: int = 3000


@dataclass(frozen=True)
class TemplateFigures:
    """The figures file of a template: source, demo frame and figures."""

    template: str
    source: str
    demo: DemoFrame
    figures: tuple[Figure, ...] = field(default_factory=tuple)


def figures_path(name: str) -> Path:
    """Path of a shipped template's figures file (KeyError with a French message if absent)."""
    path = TEMPLATES_DIR / f"{name}{FIGURES_SUFFIX}"
    if not path.is_file():
        raise KeyError(f"pas de chiffres clés pour le modèle « {name} »")
    return path


def _figure(entry: dict[str, Any]) -> Figure:
    """One figure from its YAML mapping (`option` or `options`)."""
    options = entry.get("options", [entry["option"]] if "option" in entry else [])
    return Figure(
        id=str(entry["id"]),
        label=str(entry["label"]),
        question=str(entry["question"]),
        options=tuple(str(option) for option in options),
        seed_value=entry.get("seed_value"),
        demo_value=entry.get("demo_value"),
        comparison=str(entry.get("comparison", "approx")),
        statistic=str(entry.get("statistic", "share")),
        domain=entry.get("domain"),
        previous_value=entry.get("previous_value"),
        note=str(entry.get("note", "")),
        statement=str(entry.get("statement", "") or ""),
    )


def load_figures(name: str) -> TemplateFigures:
    """Read a template's figures file."""
    data = yaml.safe_load(figures_path(name).read_text(encoding="utf-8"))
    demo = data.get("demo", {})
    return TemplateFigures(
        template=str(data["template"]),
        source=str(data.get("source", "")),
        demo=DemoFrame(
            kinds=tuple(demo.get("kinds", ("commune", "epci"))),
            epci_natures=tuple(demo.get("epci_natures", ())),
            min_population=demo.get("min_population"),
            max_population=demo.get("max_population"),
            code_prefixes=tuple(str(prefix) for prefix in demo.get("code_prefixes", ())),
            size=int(demo.get("size", 3000)),
        ),
        figures=tuple(_figure(entry) for entry in data.get("figures", ())),
    )


def figures_or_default(name: str) -> TemplateFigures:
    """A template's figures file, or no figures and the default demo frame when it has none."""
    try:
        return load_figures(name)
    except KeyError:
        return TemplateFigures(template=name, source="", demo=DemoFrame())
