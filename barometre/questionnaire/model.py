"""The questionnaire model: frozen dataclasses for questionnaires, themes, questions and answers."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import Any

NSP_CODE = "nsp"
"""Reserved code of the explicit "Ne sait pas / sans réponse" answer (distinct from an empty answer)."""

NSP_LABEL = "Ne sait pas / sans réponse"


class QuestionType(StrEnum):
    """The question types barometre supports."""

    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    YES_NO = "yes_no"
    MATURITY = "maturity"
    NUMBER = "number"
    PERCENTAGE = "percentage"
    TEXT = "text"

    @property
    def is_choice(self) -> bool:
        """True for types answered with codes from a closed list."""
        return self in CHOICE_TYPES

    @property
    def is_numeric(self) -> bool:
        """True for types answered with a number."""
        return self in (QuestionType.NUMBER, QuestionType.PERCENTAGE)


CHOICE_TYPES = frozenset(
    {
        QuestionType.SINGLE_CHOICE,
        QuestionType.MULTIPLE_CHOICE,
        QuestionType.YES_NO,
        QuestionType.MATURITY,
    }
)

TYPE_LABELS_FR: dict[QuestionType, str] = {
    QuestionType.SINGLE_CHOICE: "choix unique",
    QuestionType.MULTIPLE_CHOICE: "choix multiple",
    QuestionType.YES_NO: "oui / non",
    QuestionType.MATURITY: "échelle de maturité",
    QuestionType.NUMBER: "nombre",
    QuestionType.PERCENTAGE: "pourcentage (0–100)",
    QuestionType.TEXT: "texte libre",
}


@dataclass(frozen=True)
class Choice:
    """One answer option of a closed question.

    `statement` is what choosing it says, as a predicate in the third person plural whose subject
    is the population (« disposent d'un ordinateur portable »): published figures read as
    sentences (« 98 % des services publics disposent d'un ordinateur portable »).
    """

    code: str
    label: str
    statement: str = ""


@dataclass(frozen=True)
class Level:
    """One ordered level of a maturity scale, from the lowest to the highest."""

    code: str
    label: str
    description: str = ""


YES_NO_CHOICES: tuple[Choice, ...] = (Choice("oui", "Oui"), Choice("non", "Non"))


@dataclass(frozen=True)
class Population:
    """The noun naming the surveyed units in published sentences, with its agreement.

    « 75 % des collectivités … », « 34 services publics interrogés », « communes répondantes ».
    """

    plural: str = "collectivités"
    singular: str = "collectivité"
    feminine: bool = True

    def agree(self, adjective: str) -> str:
        """A plural past participle or adjective agreed with the noun: `interrogé` → `interrogées`."""
        return f"{adjective}es" if self.feminine else f"{adjective}s"


DEFAULT_POPULATION = Population()


@dataclass(frozen=True)
class Wave:
    """A collection wave grouping themes asked together."""

    id: str
    label: str


@dataclass(frozen=True)
class Question:
    """One question; `choices` and `levels` are always resolved (named lists are remembered by name).

    `statement` (yes/no questions): what « oui » says, as a predicate in the third person plural
    (« proposent des actions de médiation numérique »). `relevant_statement`: who is asked, as a
    relative clause (« qui sont connectés à internet »), for conditions that cannot be put in
    words from the statements of the questions they test. Both feed the published sentences.
    """

    id: str
    theme: str
    type: QuestionType
    label: str
    hint: str = ""
    choices: tuple[Choice, ...] = ()
    levels: tuple[Level, ...] = ()
    relevant: str | None = None
    required: bool = False
    constraint: str | None = None
    constraint_message: str | None = None
    max_choices: int | None = None
    allow_nsp: bool = False
    weight: float = 1.0
    unit: str | None = None
    choice_list: str | None = None
    scale: str | None = None
    statement: str = ""
    relevant_statement: str = ""

    @property
    def options(self) -> tuple[Choice, ...]:
        """The answer options as choices (levels for maturity), without `nsp`."""
        if self.type is QuestionType.MATURITY:
            return tuple(Choice(level.code, level.label) for level in self.levels)
        if self.type is QuestionType.YES_NO:
            return YES_NO_CHOICES
        return self.choices

    @property
    def codes(self) -> tuple[str, ...]:
        """Every valid answer code, `nsp` included when allowed (empty for open questions)."""
        if not self.type.is_choice:
            return ()
        codes = tuple(option.code for option in self.options)
        return (*codes, NSP_CODE) if self.allow_nsp else codes


@dataclass(frozen=True)
class Theme:
    """A theme (section) of the questionnaire, with its weight in the overall maturity index."""

    id: str
    label: str
    description: str = ""
    wave: str | None = None
    weight: float = 1.0
    relevant: str | None = None
    questions: tuple[Question, ...] = ()


@dataclass(frozen=True)
class Questionnaire:
    """A versioned questionnaire of one edition."""

    id: str
    title: str
    version: str
    edition: str
    themes: tuple[Theme, ...]
    waves: tuple[Wave, ...] = ()
    settings: dict[str, Any] = field(default_factory=dict, hash=False)
    language: str = "fr"
    description: str = ""
    scales: dict[str, tuple[Level, ...]] = field(default_factory=dict, hash=False)
    choice_lists: dict[str, tuple[Choice, ...]] = field(default_factory=dict, hash=False)
    population: Population = DEFAULT_POPULATION

    @cached_property
    def questions(self) -> tuple[Question, ...]:
        """All questions in questionnaire order."""
        return tuple(question for theme in self.themes for question in theme.questions)

    @cached_property
    def _questions_by_id(self) -> dict[str, Question]:
        """Questions by id (computed once)."""
        return {question.id: question for question in self.questions}

    def question(self, question_id: str) -> Question:
        """The question with this id (KeyError if absent)."""
        return self._questions_by_id[question_id]

    def theme(self, theme_id: str) -> Theme:
        """The theme with this id (KeyError if absent)."""
        for theme in self.themes:
            if theme.id == theme_id:
                return theme
        raise KeyError(theme_id)


@dataclass(frozen=True)
class Change:
    """One difference between two versions of a questionnaire."""

    kind: str
    item: str
    detail: str

    def __str__(self) -> str:
        return f"{self.item} : {self.detail}"


_COMPARED_FIELDS: dict[str, str] = {
    "type": "type",
    "label": "libellé",
    "hint": "aide",
    "relevant": "condition d'affichage",
    "required": "obligatoire",
    "constraint": "contrainte",
    "constraint_message": "message de contrainte",
    "max_choices": "nombre maximal de choix",
    "allow_nsp": "« ne sait pas » proposé",
    "weight": "poids",
    "unit": "unité",
    "theme": "thème",
    "statement": "affirmation",
    "relevant_statement": "condition en mots",
}

_THEME_FIELDS: dict[str, str] = {
    "label": "libellé",
    "description": "description",
    "wave": "vague",
    "weight": "poids",
    "relevant": "condition d'affichage",
}


def _compare_options(
    item: str, kind: str, old: tuple[Choice, ...] | tuple[Level, ...], new: tuple[Any, ...]
) -> list[Change]:
    """Item-by-item differences between two option lists (choices or levels)."""
    if kind == "levels_changed":
        noun, plural, added, removed, changed = "niveau", "niveaux", "ajouté", "supprimé", "modifié"
    else:
        noun, plural, added, removed, changed = (
            "modalité",
            "modalités",
            "ajoutée",
            "supprimée",
            "modifiée",
        )
    old_by_code = {option.code: option for option in old}
    new_by_code = {option.code: option for option in new}
    changes = [
        Change(kind, item, f"{noun} « {code} » {added}")
        for code in new_by_code
        if code not in old_by_code
    ]
    changes += [
        Change(kind, item, f"{noun} « {code} » {removed}")
        for code in old_by_code
        if code not in new_by_code
    ]
    for code, option in new_by_code.items():
        before = old_by_code.get(code)
        if before is not None and before != option:
            fields = [
                f"{label} {getattr(before, name)!r} → {getattr(option, name)!r}"
                for name, label in (
                    ("label", "libellé"),
                    ("description", "description"),
                    ("statement", "affirmation"),
                )
                if getattr(before, name, "") != getattr(option, name, "")
            ]
            changes.append(Change(kind, item, f"{noun} « {code} » {changed} : {', '.join(fields)}"))
    common_old = [code for code in old_by_code if code in new_by_code]
    common_new = [code for code in new_by_code if code in old_by_code]
    if common_old != common_new:
        changes.append(
            Change(kind, item, f"ordre des {plural} modifié : {common_old} → {common_new}")
        )
    return changes


def compare(old: Questionnaire, new: Questionnaire) -> list[Change]:
    """List, item by item, what changed from `old` to `new` (themes, questions, choices, levels)."""
    changes: list[Change] = []
    for name in ("id", "title", "version", "edition"):
        if getattr(old, name) != getattr(new, name):
            changes.append(
                Change(
                    "questionnaire_changed",
                    name,
                    f"{getattr(old, name)!r} → {getattr(new, name)!r}",
                )
            )
    old_themes = {theme.id: theme for theme in old.themes}
    new_themes = {theme.id: theme for theme in new.themes}
    changes += [
        Change("theme_added", theme_id, "thème ajouté")
        for theme_id in new_themes
        if theme_id not in old_themes
    ]
    changes += [
        Change("theme_removed", theme_id, "thème supprimé")
        for theme_id in old_themes
        if theme_id not in new_themes
    ]
    for theme_id, theme in new_themes.items():
        before = old_themes.get(theme_id)
        if before is None:
            continue
        for name, label in _THEME_FIELDS.items():
            if getattr(before, name) != getattr(theme, name):
                changes.append(
                    Change(
                        "theme_changed",
                        theme_id,
                        f"{label} : {getattr(before, name)!r} → {getattr(theme, name)!r}",
                    )
                )
    old_questions = {question.id: question for question in old.questions}
    new_questions = {question.id: question for question in new.questions}
    changes += [
        Change("question_added", question_id, f"question ajoutée (thème {question.theme})")
        for question_id, question in new_questions.items()
        if question_id not in old_questions
    ]
    changes += [
        Change("question_removed", question_id, "question supprimée")
        for question_id in old_questions
        if question_id not in new_questions
    ]
    for question_id, question in new_questions.items():
        before = old_questions.get(question_id)
        if before is None:
            continue
        for name, label in _COMPARED_FIELDS.items():
            if getattr(before, name) != getattr(question, name):
                changes.append(
                    Change(
                        "question_changed",
                        question_id,
                        f"{label} : {getattr(before, name)!r} → {getattr(question, name)!r}",
                    )
                )
        changes += _compare_options(
            question_id, "choices_changed", before.choices, question.choices
        )
        changes += _compare_options(question_id, "levels_changed", before.levels, question.levels)
    return changes
