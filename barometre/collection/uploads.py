"""Caps on uploaded files, with French messages naming the field."""

from __future__ import annotations

from barometre.questionnaire.file_limits import MAX_WORKBOOK_BYTES, MAX_YAML_CHARS, megabytes

QUESTIONNAIRE_YAML_MAX_BYTES = MAX_YAML_CHARS
QUESTIONNAIRE_WORKBOOK_MAX_BYTES = MAX_WORKBOOK_BYTES
CODES_FILE_MAX_BYTES = 5_000_000
CONTACTS_FILE_MAX_BYTES = 5_000_000
ANSWERS_FILE_MAX_BYTES = 40_000_000


def upload_problem(upload, limit: int, label: str) -> str | None:
    """Why an uploaded file is refused for its size (None when small enough)."""
    size = getattr(upload, "size", 0) or 0
    if size <= limit:
        return None
    return f"« {label} » : fichier trop volumineux ({megabytes(size)}), {megabytes(limit)} au plus."
