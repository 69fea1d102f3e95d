"""Skip-logic and constraint expressions evaluated on one respondent's answers."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

from barometre.questionnaire.expressions import Node, Scope, evaluate_condition, parse
from barometre.questionnaire.model import Questionnaire


@lru_cache(maxsize=4096)
def _parsed(text: str) -> Node:
    """The parsed expression (cached: the same few expressions are evaluated on every request)."""
    return parse(text)


def scope_of(questionnaire: Questionnaire, current: str | None = None) -> Scope:
    """The evaluation scope of a questionnaire (question types; `.` stands for `current`)."""
    return Scope(types={q.id: q.type for q in questionnaire.questions}, current=current)


def condition(
    questionnaire: Questionnaire,
    expression: str,
    answers: Mapping[str, str],
    current: str | None = None,
) -> bool:
    """Evaluate a `relevant` or `constraint` expression; `current` is the question `.` stands for."""
    value = answers.get(current) if current is not None else None
    return evaluate_condition(_parsed(expression), answers, scope_of(questionnaire, current), value)
