"""Key figures as French sentences, built from the question, its options and the population.

« 98 % des services publics disposent d'ordinateurs portables. »
« Parmi les quelque 10 200 collectivités qui proposent des actions de médiation numérique, 75 %
accompagnent les habitants vers les compétences numériques. »
Without a statement the fallback stays readable: « Accompagnement aux compétences numériques :
75 % des collectivités qui proposent des actions de médiation numérique. »
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from barometre.publish.numbers import NNBSP, count
from barometre.questionnaire.expressions import Binary, Call, Literal, Ref, parse
from barometre.questionnaire.model import Population, Question, Questionnaire, QuestionType
from barometre.questionnaire.statements import predicate_problem, relative_clause_problem


@dataclass(frozen=True)
class Sentence:
    """A figure's sentence in three parts, so that the number can be shown big between them."""

    lead: str
    value: str
    rest: str
    fallback: bool = False

    @property
    def text(self) -> str:
        """The whole sentence."""
        return " ".join(part for part in (self.lead, self.value, self.rest) if part)


def option_predicate(question: Question, options: Sequence[str]) -> str | None:
    """The plural predicate of one answer option (yes/no: the question's statement for « oui »)."""
    if len(options) != 1:
        return None
    code = options[0]
    if question.type is QuestionType.YES_NO:
        return (question.statement or None) if code == "oui" else None
    for option in question.choices:
        if option.code == code:
            return option.statement or None
    return None


def _clause(node: Any, questionnaire: Questionnaire) -> str | None:
    """A condition node as a predicate (« proposent … »), or None when it cannot be put in words."""
    if isinstance(node, Binary) and node.op in ("or", "and"):
        left, right = _clause(node.left, questionnaire), _clause(node.right, questionnaire)
        if left and right:
            return f"{left} {'ou' if node.op == 'or' else 'et'} {right}"
        return None
    ref = literal = None
    if isinstance(node, Binary) and node.op == "=":
        pair = (node.left, node.right)
        ref = next((n for n in pair if isinstance(n, Ref)), None)
        literal = next((n for n in pair if isinstance(n, Literal)), None)
    elif isinstance(node, Call) and node.name == "selected" and len(node.args) == 2:
        ref, literal = node.args if isinstance(node.args[0], Ref) else (None, None)
    if not isinstance(ref, Ref) or not isinstance(literal, Literal):
        return None
    try:
        question = questionnaire.question(ref.name)
    except KeyError:
        return None
    return option_predicate(question, [str(literal.value)])


def asked_clause(question: Question, questionnaire: Questionnaire) -> str | None:
    """Who is asked the question, as a relative clause; None when everybody is.

    The question's `relevant_statement` if written, else its condition put in words from the
    statements of the questions it tests, else « à qui la question a été posée ».
    """
    if question.relevant is None:
        return None
    if question.relevant_statement:
        return question.relevant_statement
    try:
        predicate = _clause(parse(question.relevant), questionnaire)
    except ValueError:
        predicate = None
    return f"qui {predicate}" if predicate else "à qui la question a été posée"


def domain_clause(domain: Mapping[str, Any] | None) -> str:
    """A figure's restriction to a population range in words (« de moins de 1 000 habitants »)."""
    if not domain or domain.get("column") != "population":
        return ""
    low, high = domain.get("min"), domain.get("max")
    if low is not None and high is not None:
        return f"de {count(low)} à {count(high)} habitants"
    if high is not None:
        return f"de moins de {count(high + 1)} habitants"
    if low is not None:
        return f"de {count(low)} habitants ou plus"
    return ""


def approximate(total: float | None, exact: bool) -> str:
    """A sub-population size for the lead: exact for a census, else « quelque 10 200 »."""
    if total is None or total != total or total <= 0:
        return ""
    if exact:
        return count(total)
    digits = max(len(str(round(total))) - 2, 0)
    rounded = round(total, -digits) if digits else round(total)
    return f"quelque {count(rounded)}"


def figure_sentence(
    questionnaire: Questionnaire,
    question: Question,
    options: Sequence[str],
    value: str,
    label: str = "",
    statement: str = "",
    domain: Mapping[str, Any] | None = None,
    subpopulation_size: str = "",
) -> Sentence:
    """The sentence of a share: its population (and sub-population), its number, its predicate."""
    population = questionnaire.population
    predicate = statement or option_predicate(question, options)
    clause = asked_clause(question, questionnaire)
    where = domain_clause(domain)
    restriction = " ".join(part for part in (where, clause) if part)
    if predicate is None:
        name = label or question.label.rstrip(" ?")
        subject = f"des {population.plural}" + (f" {restriction}" if restriction else "")
        return Sentence(f"{name} :", value, f"{subject}.", fallback=True)
    if not restriction:
        return Sentence("", value, f"des {population.plural} {predicate}.")
    size = f"{subpopulation_size} " if subpopulation_size else ""
    return Sentence(f"Parmi les {size}{population.plural} {restriction},", value, f"{predicate}.")


# ---------------------------------------------------------------------------- grammar check

_NUMBER = rf"\d[\d{NNBSP}]*(?:,\d+)?{NNBSP}%"


def sentence_problem(text: str, population: Population) -> str | None:
    """Why a published figure's text is not a French sentence of one of the three forms.

    « N % des <population> <predicate>. », « Parmi les [quelque N] <population> <restriction>,
    N % <predicate>. », or the fallback « <Label> : N % des <population>[ <restriction>]. »
    """
    text = _normal_spaces(text)
    if not text or not (text[0].isupper() or text[0].isdigit()):
        return "la phrase ne commence pas par une majuscule ou un nombre"
    if not text.endswith("."):
        return "la phrase ne se termine pas par un point"
    if re.search(r"#\d|\((?:Oui|Non)\)|[+−-]\d+ points?\b", text):
        return "la phrase contient un rang, une modalité entre parenthèses ou une évolution"
    noun = re.escape(population.plural)
    plain = re.fullmatch(rf"{_NUMBER} des {noun} (.+)\.", text)
    if plain:
        return predicate_problem(plain.group(1))
    among = re.fullmatch(
        rf"Parmi les (?:quelque )?(?:\d[\d{NNBSP}]* )?{noun}(?: (.+))?, {_NUMBER} (.+)\.", text
    )
    if among:
        restriction = among.group(1) or ""
        if restriction and not restriction.startswith("de "):
            problem = relative_clause_problem(restriction)
            if problem:
                return problem
        return predicate_problem(among.group(2))
    if re.fullmatch(rf"[A-ZÀ-ÖØ-Þ][^:]* : {_NUMBER} des {noun}(?: .+)?\.", text):
        return None
    return f"forme inattendue (ni « N % des {population.plural} … », ni « Parmi les … , N % … »)"


def is_fallback(text: str) -> bool:
    """True for the fallback form « <Label> : N % des … » (a figure without a statement)."""
    return bool(re.match(rf"[A-ZÀ-ÖØ-Þ][^:]* : {_NUMBER} ", _normal_spaces(text)))


def _normal_spaces(text: str) -> str:
    """Runs of ordinary spaces and line breaks as one space (no-break spaces are kept)."""
    return re.sub(r"[ \t\r\n]+", " ", text).strip()
