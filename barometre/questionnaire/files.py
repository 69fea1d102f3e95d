"""Questionnaire files by extension: YAML (`.yaml`, `.yml`) or XLSForm (`.xlsx`, `.xls`, `.ods`)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from barometre.questionnaire.issues import Issue, QuestionnaireError
from barometre.questionnaire.model import Questionnaire
from barometre.questionnaire.yaml_format import load_questionnaire, save_questionnaire

YAML_SUFFIXES = (".yaml", ".yml")
XLSFORM_SUFFIXES = (".xlsx", ".xls", ".xlsm", ".ods")


def file_format(path: str | Path) -> str:
    """`yaml` or `xlsform` from the file extension (QuestionnaireError otherwise)."""
    suffix = Path(path).suffix.lower()
    if suffix in YAML_SUFFIXES:
        return "yaml"
    if suffix in XLSFORM_SUFFIXES:
        return "xlsform"
    raise QuestionnaireError(
        [
            Issue(
                "unknown_extension",
                str(path),
                f"extension « {suffix or '(aucune)'} » non reconnue : attendu"
                f" {', '.join(YAML_SUFFIXES + XLSFORM_SUFFIXES)}",
            )
        ]
    )


def load_any(path: str | Path) -> Questionnaire:
    """Load a questionnaire from YAML or XLSForm, by extension."""
    if file_format(path) == "yaml":
        return load_questionnaire(path)
    from barometre.questionnaire.xlsform import load_xlsform

    return load_xlsform(path)


def save_any(questionnaire: Questionnaire, path: str | Path) -> None:
    """Write a questionnaire as YAML or XLSForm (`.xlsx`), by extension, atomically."""
    path = Path(path)
    kind = file_format(path)
    if kind == "xlsform" and path.suffix.lower() != ".xlsx":
        raise QuestionnaireError(
            [Issue("unknown_extension", str(path), "l'export XLSForm s'écrit en .xlsx")]
        )
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    os.close(handle)
    try:
        if kind == "yaml":
            save_questionnaire(questionnaire, temporary)
        else:
            from barometre.questionnaire.xlsform import write_xlsform

            write_xlsform(questionnaire, temporary)
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
