"""What a typed or ticked answer becomes once stored: one rule for the web form and for imports.

`parse_value` turns the raw inputs of one question (the ticked codes, or the typed text) into the
stored text (None for no answer) or a French error. The web form (barometre.collection) and the
import of files collected elsewhere (barometre.imports) both call it, so that an import accepts
exactly what a respondent could have entered.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

from barometre.questionnaire.answers import MAX_ANSWER_CHARS
from barometre.questionnaire.model import NSP_CODE, Question, QuestionType
from barometre.register.labels import count

NUMBER_HINT = "Saisissez un nombre (par exemple 12 ou 12,5)."
THOUSANDS_SPACES = ("\u202f", "\u00a0", " ")


def format_number(number: Decimal) -> str:
    """A number as stored text: no exponent, no trailing zeros ("12", "12.5")."""
    text = format(number.normalize(), "f")
    return text if "." not in text else text.rstrip("0").rstrip(".")


def parse_number(text: str) -> Decimal | None:
    """A typed number (comma or point, spaces as thousands separators); None when not a number."""
    cleaned = text.replace(",", ".")
    for space in THOUSANDS_SPACES:
        cleaned = cleaned.replace(space, "")
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def parse_value(question: Question, raw: Sequence[str]) -> tuple[str | None, str | None]:
    """The stored text of one posted answer (None = empty) and a French error, if any.

    An input longer than `MAX_ANSWER_CHARS` is refused before anything else is done with it.
    """
    longest = max((len(item) for item in raw if item is not None), default=0)
    if longest > MAX_ANSWER_CHARS:
        return None, (
            f"Réponse trop longue : {count(longest)} caractères, {count(MAX_ANSWER_CHARS)} au plus."
            " Raccourcissez-la : elle n'a pas été enregistrée."
        )
    items = [item.strip() for item in raw if item is not None and item.strip() != ""]
    kind = question.type
    if kind is QuestionType.MULTIPLE_CHOICE:
        unknown = [code for code in items if code not in question.codes]
        if unknown:
            return None, "Réponse non reconnue : choisissez parmi les options proposées."
        if NSP_CODE in items and len(items) > 1:
            return (
                None,
                "« Ne sait pas / sans réponse » ne peut pas être combiné avec une autre réponse.",
            )
        if question.max_choices and len(items) > question.max_choices:
            return None, f"Choisissez au plus {question.max_choices} réponses."
        ordered = [code for code in question.codes if code in items]
        return (" ".join(ordered) or None), None
    if not items:
        return None, None
    if kind.is_choice:
        if len(items) > 1 or items[0] not in question.codes:
            return None, "Réponse non reconnue : choisissez une des options proposées."
        return items[0], None
    if NSP_CODE in items and question.allow_nsp:
        if len(items) > 1:
            return (
                None,
                "Saisissez une réponse ou cochez « Ne sait pas / sans réponse », pas les deux.",
            )
        return NSP_CODE, None
    value = items[0]
    if kind.is_numeric:
        number = parse_number(value)
        if number is None:
            return None, NUMBER_HINT
        if kind is QuestionType.PERCENTAGE and not 0 <= number <= 100:
            return None, "Saisissez un pourcentage compris entre 0 et 100."
        return format_number(number), None
    return value, None
