"""barometre.questionnaire: the questionnaire model, its expressions, YAML/XLSForm I/O and templates."""

from __future__ import annotations

from typing import Any

from barometre.questionnaire.issues import Issue, QuestionnaireError
from barometre.questionnaire.model import (
    NSP_CODE,
    NSP_LABEL,
    Change,
    Choice,
    Level,
    Question,
    Questionnaire,
    QuestionType,
    Theme,
    Wave,
    compare,
)
from barometre.questionnaire.templates_catalogue import list_templates, load_template
from barometre.questionnaire.yaml_format import (
    dump_questionnaire,
    load_questionnaire,
    loads_questionnaire,
    save_questionnaire,
)

_LAZY = {
    "read_xlsform": "barometre.questionnaire.xlsform",
    "load_xlsform": "barometre.questionnaire.xlsform",
    "write_xlsform": "barometre.questionnaire.xlsform",
    "load_any": "barometre.questionnaire.files",
    "save_any": "barometre.questionnaire.files",
}

__all__ = [
    "NSP_CODE",
    "NSP_LABEL",
    "Change",
    "Choice",
    "Issue",
    "Level",
    "Question",
    "QuestionType",
    "Questionnaire",
    "QuestionnaireError",
    "Theme",
    "Wave",
    "compare",
    "dump_questionnaire",
    "list_templates",
    "load_any",
    "load_questionnaire",
    "load_template",
    "load_xlsform",
    "loads_questionnaire",
    "read_xlsform",
    "save_any",
    "save_questionnaire",
    "write_xlsform",
]


def __getattr__(name: str) -> Any:
    """Import the XLSForm helpers (openpyxl, pyxform) only when used."""
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(name)
