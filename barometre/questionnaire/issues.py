"""Validation issues: typed errors with French messages naming the line and the field."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Issue:
    """One problem found in a questionnaire file, located by its path (and line when known)."""

    code: str
    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"ligne {self.line}, " if self.line is not None else ""
        return f"{where}{self.path or '(racine)'} : {self.message}"


class QuestionnaireError(ValueError):
    """Raised when a questionnaire file is invalid; carries every issue found, not only the first."""

    def __init__(self, issues: Iterable[Issue], source: str = "") -> None:
        self.issues = tuple(issues)
        self.source = source
        super().__init__(self.report())

    def report(self) -> str:
        """The issues as a French, one-per-line report."""
        head = f"{len(self.issues)} erreur(s) dans le questionnaire"
        head += f" {self.source}" if self.source else ""
        return "\n".join([head + " :", *(f"  - {issue}" for issue in self.issues)])
