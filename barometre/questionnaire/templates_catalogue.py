"""The questionnaire templates shipped with barometre (`barometre/questionnaire/templates/*.yaml`)."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable

from barometre.questionnaire.model import Questionnaire
from barometre.questionnaire.yaml_format import loads_questionnaire

TEMPLATES_PACKAGE = "barometre.questionnaire"
TEMPLATES_FOLDER = "templates"


@dataclass(frozen=True)
class TemplateInfo:
    """A shipped template: its name (file stem) and headline metadata."""

    name: str
    title: str
    version: str
    edition: str
    themes: int
    questions: int


def _folder() -> Traversable:
    """The templates folder as an importlib resource."""
    return resources.files(TEMPLATES_PACKAGE).joinpath(TEMPLATES_FOLDER)


def list_templates() -> list[str]:
    """Names of the shipped templates, sorted."""
    folder = _folder()
    if not folder.is_dir():
        return []
    # companion files such as `<name>.figures.yaml` are not questionnaires
    return sorted(
        entry.name.rsplit(".", 1)[0]
        for entry in folder.iterdir()
        if entry.name.endswith((".yaml", ".yml")) and entry.name.count(".") == 1
    )


def template_text(name: str) -> str:
    """The YAML text of a shipped template (KeyError with the known names if absent)."""
    for suffix in (".yaml", ".yml"):
        entry = _folder().joinpath(name + suffix)
        if entry.is_file():
            return entry.read_text(encoding="utf-8")
    raise KeyError(
        f"modèle « {name} » inconnu (modèles disponibles : {', '.join(list_templates()) or 'aucun'})"
    )


def load_template(name: str) -> Questionnaire:
    """Load and validate a shipped template."""
    return loads_questionnaire(template_text(name), f"modèle {name}")


def template_info(name: str) -> TemplateInfo:
    """Headline metadata of a shipped template."""
    questionnaire = load_template(name)
    return TemplateInfo(
        name,
        questionnaire.title,
        questionnaire.version,
        questionnaire.edition,
        len(questionnaire.themes),
        len(questionnaire.questions),
    )
