"""Server-side answering rules: parse posted values, skip logic, required and constraint checks."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from barometre.collection.respondent.expressions import condition
from barometre.questionnaire.answer_input import parse_value
from barometre.questionnaire.model import NSP_CODE, Question, Questionnaire, QuestionType, Theme
from barometre.questionnaire.skip_logic import relevance

REQUIRED_MESSAGE = "Cette question est obligatoire : choisissez une réponse."
REQUIRED_INPUT_MESSAGE = "Cette question est obligatoire : saisissez une réponse."


@dataclass
class PageAnswers:
    """Values parsed from one posted page: what to store, the field errors, the raw input."""

    values: dict[str, str | None] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    raw: dict[str, list[str]] = field(default_factory=dict)
    # questions of the page's themes asked once the values are stored; None when a value breaking
    # its constraint was refused (what is stored then differs from what was checked: compute again)
    relevant: set[str] | None = None


def relevant_question_ids(
    questionnaire: Questionnaire, answers: Mapping[str, str], theme_ids: Iterable[str]
) -> set[str]:
    """Ids of the questions of `theme_ids` asked given `answers` (XLSForm cascade of relevance)."""
    asked = relevance(questionnaire, answers)
    wanted = set(theme_ids)
    return {
        question.id
        for theme in questionnaire.themes
        if theme.id in wanted
        for question in theme.questions
        if asked[question.id]
    }


def answer_error(
    questionnaire: Questionnaire,
    question: Question,
    value: str | None,
    answers: Mapping[str, str],
) -> str | None:
    """The French error of a stored answer of a relevant question: required or constraint."""
    if value is None or value == "":
        if question.required:
            return REQUIRED_INPUT_MESSAGE if not question.type.is_choice else REQUIRED_MESSAGE
        return None
    if question.constraint and value != NSP_CODE:
        context = {**answers, question.id: value}
        if not condition(questionnaire, question.constraint, context, current=question.id):
            return question.constraint_message or "Cette réponse ne respecte pas la règle attendue."
    return None


def parse_page(
    questionnaire: Questionnaire,
    theme: Theme,
    posted: Mapping[str, Sequence[str]],
    stored: Mapping[str, str],
    theme_ids: Iterable[str],
    only: Iterable[str] | None = None,
) -> PageAnswers:
    """Parse one posted theme page against the stored answers; check skip logic and rules.

    `only` restricts parsing to some question ids (autosave of changed fields). Non-relevant
    questions of the page are cleared (XLSForm semantics: not asked means empty).
    """
    result = PageAnswers()
    limit = set(only) if only is not None else None
    merged = dict(stored)
    for question in theme.questions:
        if limit is not None and question.id not in limit:
            continue
        raw = list(posted.get(question.id, []))
        result.raw[question.id] = raw
        value, error = parse_value(question, raw)
        if error:
            result.errors[question.id] = error
            continue
        result.values[question.id] = value
        if value is None:
            merged.pop(question.id, None)
        else:
            merged[question.id] = value
    relevant = relevant_question_ids(questionnaire, merged, theme_ids)
    result.relevant = relevant
    for question in theme.questions:
        if question.id not in relevant:
            result.errors.pop(question.id, None)
            if question.id in stored or question.id in result.values:
                result.values[question.id] = None
            continue
        if limit is not None and question.id not in limit:
            continue
        if question.id in result.errors:
            continue
        error = answer_error(questionnaire, question, merged.get(question.id), merged)
        if error:
            result.errors[question.id] = error
            if question.constraint and merged.get(question.id) not in (None, "", NSP_CODE):
                # a value breaking its constraint is not stored
                result.values.pop(question.id, None)
                result.relevant = None
    return result


def missing_answers(
    questionnaire: Questionnaire, answers: Mapping[str, str], theme_ids: Iterable[str]
) -> dict[str, str]:
    """Errors of the whole response (relevant questions only): {question_id: French message}."""
    theme_ids = list(theme_ids)
    relevant = relevant_question_ids(questionnaire, answers, theme_ids)
    errors: dict[str, str] = {}
    for question in questionnaire.questions:
        if question.id in relevant:
            error = answer_error(questionnaire, question, answers.get(question.id), answers)
            if error:
                errors[question.id] = error
    return errors


def answer_label(question: Question, value: str | None) -> str:
    """The French display text of a stored answer (labels for codes, unit for numbers)."""
    if value is None or value == "":
        return ""
    if value == NSP_CODE:
        return "Ne sait pas / sans réponse"
    if question.type.is_choice:
        labels = {option.code: option.label for option in question.options}
        return ", ".join(labels.get(code, code) for code in value.split())
    if question.type is QuestionType.PERCENTAGE:
        return f"{value.replace('.', ',')} %"
    if question.type is QuestionType.NUMBER:
        text = value.replace(".", ",")
        return f"{text} {question.unit}" if question.unit else text
    return value
