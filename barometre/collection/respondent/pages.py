"""The respondent's pages: one per open theme, with the display data of each question."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

from barometre.collection.models import Campaign
from barometre.collection.respondent.answering import answer_label
from barometre.collection.respondent.expressions import condition
from barometre.questionnaire.answers import MAX_ANSWER_CHARS
from barometre.questionnaire.model import NSP_CODE, Question, Questionnaire, QuestionType, Theme


def page_themes(
    questionnaire: Questionnaire, campaign: Campaign, answers: Mapping[str, str]
) -> list[Theme]:
    """Themes the respondent answers now: in an open wave and relevant on the current answers."""
    open_ids = campaign.open_theme_ids()
    return [
        theme
        for theme in questionnaire.themes
        if (open_ids is None or theme.id in open_ids)
        and theme.questions
        and (theme.relevant is None or condition(questionnaire, theme.relevant, answers))
    ]


class ThemeProgress:
    """Which page themes are complete: some answer given, nothing required missing or invalid.

    Computed on first use only (the navigation asks for it), once per request.
    """

    def __init__(self, questionnaire: Questionnaire, answers: Mapping[str, str], themes) -> None:
        self.questionnaire = questionnaire
        self.answers = answers
        self.themes = list(themes)

    @cached_property
    def complete(self) -> frozenset[str]:
        """Ids of the complete themes."""
        from barometre.collection.respondent.answering import missing_answers

        ids = [theme.id for theme in self.themes]
        missing = missing_answers(self.questionnaire, self.answers, ids)
        answered = {qid for qid, value in self.answers.items() if value not in (None, "")}
        return frozenset(
            theme.id
            for theme in self.themes
            if any(q.id in answered for q in theme.questions)
            and not any(q.id in missing for q in theme.questions)
        )


@dataclass
class OptionView:
    """One radio or checkbox of a question, ready for the template."""

    id: str
    code: str
    label: str
    description: str
    checked: bool
    nsp: bool = False


@dataclass
class QuestionView:
    """A question with its current value, error and ids, ready for the template."""

    question: Question
    shown: bool
    values: list[str]
    error: str = ""
    conflict_value: str | None = None

    @property
    def id(self) -> str:
        """The question id."""
        return self.question.id

    @property
    def html_id(self) -> str:
        """The id of the question's first focusable input (target of error-summary links)."""
        if self.question.type.is_choice:
            return f"q-{self.question.id}-0"
        return f"q-{self.question.id}"

    @property
    def widget(self) -> str:
        """Template family: radios, checkboxes, textarea or number."""
        kind = self.question.type
        if kind is QuestionType.MULTIPLE_CHOICE:
            return "checkboxes"
        if kind.is_choice:
            return "radios"
        return "number" if kind.is_numeric else "textarea"

    @property
    def max_chars(self) -> int:
        """The longest answer accepted (also the textarea's `maxlength`)."""
        return MAX_ANSWER_CHARS

    @property
    def text_value(self) -> str:
        """The value of a free input (number or text), empty when the answer is `nsp`."""
        first = self.values[0] if self.values else ""
        return "" if first == NSP_CODE else first

    @property
    def is_nsp(self) -> bool:
        """True when the current value is the explicit "Ne sait pas / sans réponse"."""
        return NSP_CODE in self.values

    @property
    def options(self) -> list[OptionView]:
        """The options of a closed question, `nsp` last when allowed."""
        question = self.question
        descriptions = {level.code: level.description for level in question.levels}
        items = [
            OptionView(
                id=f"q-{question.id}-{i}",
                code=option.code,
                label=option.label,
                description=descriptions.get(option.code, ""),
                checked=option.code in self.values,
            )
            for i, option in enumerate(question.options)
        ]
        if question.allow_nsp:
            items.append(
                OptionView(
                    id=f"q-{question.id}-{len(items)}",
                    code=NSP_CODE,
                    label="Ne sait pas / sans réponse",
                    description="",
                    checked=NSP_CODE in self.values,
                    nsp=True,
                )
            )
        return items

    @property
    def described_by(self) -> str:
        """Ids of the hint, error and conflict texts describing the question's input or group."""
        ids = []
        if self.question.hint or self.widget in ("checkboxes", "number"):
            ids.append(f"hint-{self.id}")
        if self.error:
            ids.append(f"error-{self.id}")
        if self.conflict_value is not None:
            ids.append(f"conflict-{self.id}")
        return " ".join(ids)

    @property
    def conflict_label(self) -> str:
        """The display text of the value another person saved meanwhile."""
        if self.conflict_value is None:
            return ""
        return answer_label(self.question, self.conflict_value) or "(réponse effacée)"


def stored_as_posted(question: Question, value: str | None) -> list[str]:
    """A stored answer as the list of posted values a form would send."""
    if not value:
        return []
    if question.type is QuestionType.MULTIPLE_CHOICE:
        return value.split()
    if question.type.is_numeric and value != NSP_CODE:
        return [value.replace(".", ",")]
    return [value]
