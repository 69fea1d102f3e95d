"""Editions in the database: create one from a shipped template, a YAML or an XLSForm file."""

from __future__ import annotations

import tempfile
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.text import slugify

from barometre.collection.models import Edition, audit

if TYPE_CHECKING:  # pragma: no cover
    from barometre.questionnaire.model import Questionnaire


class EditionInvalid(ValueError):
    """The questionnaire file is invalid; the message lists the problems in French."""


def decode_questionnaire_text(content: bytes) -> str:
    """The text of an uploaded YAML questionnaire (UTF-8, with or without BOM), French error else."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = content[: exc.start].count(b"\n") + 1
        raise EditionInvalid(
            f"Le fichier n'est pas encodé en UTF-8 (ligne {line}, octet {exc.start + 1}) : "
            "enregistrez-le en UTF-8 depuis votre éditeur, puis recommencez."
        ) from None


def parse_questionnaire_yaml(text: str, source: str = "") -> Questionnaire:
    """Parse and validate questionnaire YAML text with `barometre.questionnaire`."""
    from barometre.questionnaire.yaml_format import loads_questionnaire

    return loads_questionnaire(text, source)


@lru_cache(maxsize=32)
def cached_questionnaire(text: str) -> Questionnaire:
    """Parsed questionnaire shared by every request of the process (the model is immutable)."""
    return parse_questionnaire_yaml(text)


def questionnaire_yaml_text(questionnaire: Questionnaire) -> str:
    """YAML text of a questionnaire (the stored form)."""
    from barometre.questionnaire.yaml_format import dump_questionnaire

    return dump_questionnaire(questionnaire)


def create_edition(
    yaml_text: str,
    *,
    source: str,
    source_name: str = "",
    slug: str = "",
    title: str = "",
    year: int | None = None,
    actor: object = None,
) -> Edition:
    """Validate questionnaire YAML and store it as a new edition (nothing stored when invalid)."""
    try:
        questionnaire = parse_questionnaire_yaml(yaml_text, source_name)
    except ValueError as exc:
        raise EditionInvalid(str(exc)) from exc
    except (TypeError, KeyError, AttributeError) as exc:  # malformed structure the loader missed
        raise EditionInvalid(f"Questionnaire invalide : structure inattendue ({exc}).") from exc
    base = slugify(slug or f"{questionnaire.id}-{questionnaire.edition}")[:90] or "edition"
    candidate, n = base, 1
    while Edition.objects.filter(slug=candidate).exists():
        n += 1
        candidate = f"{base}-{n}"
    if year is None and str(questionnaire.edition)[:4].isdigit():
        year = int(str(questionnaire.edition)[:4])
    with transaction.atomic():
        edition = Edition.objects.create(
            slug=candidate,
            title=title or questionnaire.title,
            year=year,
            questionnaire_yaml=yaml_text,
            questionnaire_id=questionnaire.id,
            questionnaire_version=str(questionnaire.version),
            source=source,
            source_name=source_name,
        )
        audit("edition_created", actor=actor, obj=edition, source=source, name=source_name)
    return edition


def edition_from_template(name: str, actor: object = None, **fields) -> Edition:
    """Create an edition from a shipped questionnaire template."""
    from barometre.questionnaire.templates_catalogue import template_text

    try:
        text = template_text(name)
    except KeyError as exc:
        raise EditionInvalid(str(exc.args[0])) from exc
    return create_edition(
        text, source=Edition.Source.TEMPLATE, source_name=name, actor=actor, **fields
    )


def edition_from_xlsform(content: bytes, file_name: str, actor: object = None, **fields) -> Edition:
    """Create an edition from an uploaded XLSForm workbook.

    The import report's remarks (what was adapted, dropped or unreadable, row and column named)
    are kept on the returned edition as `import_notes` (French lines) for the operator.
    """
    from barometre.questionnaire.xlsform import read_xlsform

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / (Path(file_name).name or "questionnaire.xlsx")
        path.write_bytes(content)
        result = read_xlsform(path)
    if result.questionnaire is None:
        errors = [str(note) for note in result.notes if note.level == "erreur"]
        raise EditionInvalid("XLSForm illisible :\n" + "\n".join(errors or ["import impossible"]))
    edition = create_edition(
        questionnaire_yaml_text(result.questionnaire),
        source=Edition.Source.XLSFORM,
        source_name=file_name,
        actor=actor,
        **fields,
    )
    edition.import_notes = [str(note) for note in result.unsupported]
    return edition


def edition_from_lss(
    content: bytes, file_name: str, actor: object = None, **fields
) -> tuple[Edition, list[str]]:
    """Create an edition from a LimeSurvey structure file; also returns the conversion notes."""
    from barometre.imports.limesurvey_structure import (
        StructureError,
        questionnaire_from_lss,
        read_lss,
    )
    from barometre.questionnaire.issues import QuestionnaireError

    try:
        converted = questionnaire_from_lss(read_lss(content))
    except (StructureError, QuestionnaireError) as exc:
        raise EditionInvalid(str(exc)) from exc
    edition = create_edition(
        questionnaire_yaml_text(converted.questionnaire),
        source=Edition.Source.LIMESURVEY,
        source_name=file_name,
        actor=actor,
        **fields,
    )
    return edition, converted.notes


@lru_cache(maxsize=1)
def template_choices() -> tuple[tuple[str, str], ...]:
    """(name, title) of the shipped questionnaire templates (read once: they ship with the code)."""
    from barometre.questionnaire.templates_catalogue import list_templates, template_info

    return tuple((name, template_info(name).title) for name in list_templates())
