"""Grammar checks of the statements that published figures are built from (French).

A statement is a predicate in the third person plural of the present (or a compound tense):
« disposent d'un site internet », « n'ont pas de RSSI », « se méfient du cloud ». Its first
word after the clitic pronouns and the negation is a verb in « -ent » or « -ont » (every French
third person plural ends so; nouns in « -ement » are refused). A heuristic, not a parser: it
catches labels used as statements (« Accompagnement compétences numériques »). A relevant statement is a
relative clause: « qui proposent des actions de médiation », « dont le site est accessible ».
"""

from __future__ import annotations

import re

CLITICS = frozenset(
    {"ne", "n'", "se", "s'", "y", "en", "les", "leur", "l'", "la", "le", "lui", "me", "nous"}
)
RELATIVE_PRONOUNS = re.compile(
    r"^(?:(?:à|a|pour|chez|dans|sur|avec|parmi|par)\s+)?"
    r"(?:qui|que|qu'|dont|où|lesquel\w*|auxquel\w*|desquel\w*)(?:\s|$)"
)
NOUNS_IN_NT = frozenset(
    {"agent", "client", "parent", "incident", "accident", "président", "talent", "argent"}
)
_WORD = re.compile(r"[a-zàâäçéèêëîïôöûùüÿœæ'’-]+", re.IGNORECASE)


def _words(text: str) -> list[str]:
    """Lower-case words, apostrophes kept with the elided word (« n'ont » → « n' », « ont »)."""
    words: list[str] = []
    for token in _WORD.findall(text.replace("’", "'").lower()):
        while "'" in token[:-1]:
            head, _sep, token = token.partition("'")
            words.append(f"{head}'")
        words.append(token)
    return words


def is_plural_verb(word: str) -> bool:
    """True for a verb in the third person plural: « -ent » or « -ont », not a noun in « -ement »."""
    return (
        word.endswith(("ent", "ont"))
        and not word.endswith("ement")
        and word.rstrip("s") not in NOUNS_IN_NT
    )


def predicate_problem(text: str) -> str | None:
    """Why `text` is not a plural predicate (None when it is one)."""
    stripped = text.strip()
    if not stripped:
        return "affirmation vide"
    if stripped[0].isupper():
        return "l'affirmation commence par une majuscule : elle suit le nombre (« 75 % des … »)"
    if stripped.endswith((".", ":", ";")):
        return "l'affirmation ne se termine pas par une ponctuation : la phrase la complète"
    words = _words(stripped)
    verb = next((w for w in words if w not in CLITICS), "")
    if not is_plural_verb(verb):
        return (
            f"l'affirmation doit commencer par un verbe conjugué à la 3e personne du pluriel "
            f"(« disposent de … », « n'ont pas … ») ; trouvé « {verb or stripped} »"
        )
    return None


def relative_clause_problem(text: str) -> str | None:
    """Why `text` is not a relative clause naming a sub-population (None when it is one)."""
    stripped = text.strip()
    if not stripped:
        return "condition vide"
    if not RELATIVE_PRONOUNS.match(stripped.lower()):
        return (
            "la condition en mots doit être une proposition relative "
            "(« qui proposent des actions de médiation », « dont le site est accessible »)"
        )
    return None
