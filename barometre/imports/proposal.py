"""A questionnaire proposed from an export alone, written as YAML for the operator to review.

When no structure file exists (no `.lss`, no XLSForm), each column of the export becomes a
question: its distinct values become the choices; bracketed sub-columns (`Q[SQ001]`, `Texte
[Sous-question]`, Kobo's `question/choix`) become one multiple choice when they hold ticks
(`Y`, `Oui`, `1`, empty) and one question per sub-column otherwise (arrays); ranks (`[Classement
1]`, `[Rank 1]`) become one question per rank; numbers become `number` questions; long or varied
texts `text` questions. « Je ne sais pas » and its synonyms become the `nsp` answer, not a choice.
Technical columns are left out. The proposal keeps, in `settings.import_columns`, which column
feeds which question, so that the same export imports with it once reviewed.
"""

from __future__ import annotations

import re
import unicodedata
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from barometre.imports.answer_checks import NSP_FOLDED, YES_NO_ALIASES, fold
from barometre.imports.columns import LINE
from barometre.imports.kobo import SUBMISSION_TIME, TECHNICAL
from barometre.imports.limesurvey import NOT_REACHED, TICKED, UNTICKED, meta_of
from barometre.imports.tables import Table
from barometre.questionnaire.answer_input import parse_number
from barometre.questionnaire.model import Questionnaire
from barometre.questionnaire.yaml_format import build_questionnaire, dump_questionnaire

MAX_CHOICES = 15
_RANK = re.compile(r"^(?:classement|rang|rank|ranking)\s*(\d+)$")
_OTHER = ("other", "autre")
_IGNORED_SUBS = ("comment", "commentaire", "filecount")
YES_NO_WORDS = frozenset({"oui", "non", *YES_NO_ALIASES})


@dataclass
class Proposal:
    """The proposed questionnaire, its YAML text and what was left out (French notes)."""

    questionnaire: Questionnaire
    text: str
    notes: list[str] = field(default_factory=list)


def _slug(text: str, limit: int = 40) -> str:
    bare = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "_", bare.lower()).strip("_")[:limit].strip("_")
    return slug or "q"


def _split(header: str) -> tuple[str, list[str]]:
    """Base and sub-parts of a heading: LimeSurvey brackets, or Kobo/ODK `question/choix`."""
    parts = re.findall(r"\s?\[([^\]]*)\]", header)
    if parts:
        return re.sub(r"\s?\[[^\]]*\]", "", header).strip(), [p.strip() for p in parts]
    return header.strip(), []


def _filled(column: pl.Series) -> int:
    """Number of non-empty cells."""
    texts = column.cast(pl.String).str.strip_chars()
    return int((texts.is_not_null() & (texts != "")).sum())


def _values(column: pl.Series) -> list[str]:
    """Distinct non-empty values of a column, in order of first appearance."""
    texts = column.cast(pl.String).drop_nulls().str.strip_chars()
    return [v for v in texts.unique(maintain_order=True).to_list() if v != ""]


def _is_tick_column(values: list[str]) -> bool:
    folded = {fold(v) for v in values}
    return bool(folded) and folded <= (TICKED | UNTICKED | NOT_REACHED)


def _kind_of(values: list[str], filled: int) -> str:
    """`number`, `yes_no`, `single_choice` or `text` from a column's distinct values."""
    answers = [v for v in values if fold(v) not in NSP_FOLDED and fold(v) not in NOT_REACHED]
    if not answers:
        return "text"
    if all(parse_number(v) is not None for v in answers):
        return "number"
    if {fold(v) for v in answers} <= YES_NO_WORDS:
        return "yes_no"
    wordy = any(len(v) > 60 or len(v.split()) > 8 for v in answers)
    repeated = filled > len(answers)
    if not wordy and len(answers) <= MAX_CHOICES and repeated:
        return "single_choice"
    return "text"


def _choices(values: list[str]) -> list[dict[str, str]]:
    used: set[str] = set()
    choices = []
    kept = [v for v in values if fold(v) not in NSP_FOLDED and fold(v) not in NOT_REACHED]
    as_codes = all(re.fullmatch(r"[A-Za-z]*\d[A-Za-z0-9_.\-]*|-oth-", v) for v in kept)
    for value in kept:
        code = value if as_codes else _slug(value, 30)
        while code in used:
            code += "_"
        used.add(code)
        choices.append({"code": code, "label": value})
    return choices


class _Ids:
    def __init__(self) -> None:
        self.used: set[str] = set()

    def make(self, text: str) -> str:
        base = text if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", text) else _slug(text)
        if not re.match(r"[a-z_]", base, re.IGNORECASE):
            base = f"q_{base}"
        candidate, n = base, 2
        while candidate in self.used:
            candidate, n = f"{base}_{n}", n + 1
        self.used.add(candidate)
        return candidate


def propose_questionnaire(
    table: Table,
    *,
    title: str = "Questionnaire proposé",
    identifier_column: str = "",
    source: str = "limesurvey",
) -> Proposal:
    """Propose a questionnaire from an export's columns and values (to review before importing)."""
    rows = table.rows
    ids = _Ids()
    notes: list[str] = []
    columns: list[dict[str, Any]] = []
    questions: list[dict[str, Any]] = []
    groups: OrderedDict[str, list[str]] = OrderedDict()
    for header in table.header:
        if header.strip() == identifier_column.strip() and identifier_column:
            notes.append(f"« {header} » : identifiant de la collectivité (pas une question)")
            continue
        last = header.rsplit("/", 1)[-1]
        if meta_of(header) or header in TECHNICAL or last in TECHNICAL or header in SUBMISSION_TIME:
            notes.append(f"« {header} » : colonne technique, laissée de côté")
            continue
        base, parts = _split(header)
        if not parts and "/" in header and header.rsplit("/", 1)[0] in table.header:
            notes.append(f"« {header} » : colonne d'une modalité, la colonne de la question suffit")
            continue
        groups.setdefault(base, []).append(header)
    for base, grouped in groups.items():
        plain = [h for h in grouped if not _split(h)[1]]
        headers = [h for h in grouped if h not in plain]
        for header in plain:
            values = _values(rows.get_column(header))
            filled = _filled(rows.get_column(header))
            kind = _kind_of(values, filled)
            qid = ids.make(header.rsplit("/", 1)[-1])
            item: dict[str, Any] = {"id": qid, "type": kind, "label": base.rsplit("/", 1)[-1]}
            if kind == "single_choice":
                item["choices"] = _choices(values)
            if any(fold(v) in NSP_FOLDED for v in values) and kind != "text":
                item["allow_nsp"] = True
            questions.append(item)
            columns.append({"code": header, "headings": [header], "question": qid})
        if not headers:
            continue
        subs = [(h, _split(h)[1][0]) for h in headers]
        kept = [(h, s) for h, s in subs if fold(s) not in _OTHER + _IGNORED_SUBS]
        for h, s in subs:
            if (h, s) not in kept:
                columns.append({"code": h, "headings": [h], "ignore": "texte libre ou technique"})
                notes.append(f"« {h} » : texte libre (« Autre », commentaire), laissé de côté")
        if not kept:
            continue
        ranks = [(h, _RANK.match(fold(s)) or re.fullmatch(r"(\d+)", s)) for h, s in kept]
        values_by = {h: _values(rows.get_column(h)) for h, _ in kept}
        all_values = list(OrderedDict.fromkeys(v for h, _ in kept for v in values_by[h]))
        if all(m for _, m in ranks):
            base_id = ids.make(_slug(base, 30))
            for h, m in ranks:
                qid = ids.make(f"{base_id}_rang{m.group(1)}")
                questions.append(
                    {
                        "id": qid,
                        "type": "single_choice",
                        "label": f"{base} — rang {m.group(1)}",
                        "choices": _choices(all_values),
                    }
                )
                columns.append({"code": h, "headings": [h], "question": qid})
            continue
        if all(_is_tick_column(values_by[h]) or not values_by[h] for h, _ in kept):
            qid = ids.make(base if re.fullmatch(r"[A-Za-z_]\w*", base) else _slug(base))
            choices = []
            used: set[str] = set()
            for h, s in kept:
                code = s if re.fullmatch(r"[A-Za-z0-9_.\-]+", s) else _slug(s, 30)
                while code in used:
                    code += "_"
                used.add(code)
                choices.append({"code": code, "label": s})
                columns.append({"code": h, "headings": [h], "question": qid, "option": code})
            questions.append(
                {"id": qid, "type": "multiple_choice", "label": base, "choices": choices}
            )
            continue
        base_id = base if re.fullmatch(r"[A-Za-z_]\w*", base) else _slug(base, 30)
        kind = _kind_of(all_values, sum(_filled(rows.get_column(h)) for h, _ in kept))
        for h, s in kept:
            qid = ids.make(f"{base_id}_{s}" if re.fullmatch(r"\w+", s) else f"{base_id}_{_slug(s)}")
            item = {"id": qid, "type": kind, "label": f"{base} — {s}"}
            if kind == "single_choice":
                item["choices"] = _choices(all_values)
            questions.append(item)
            columns.append({"code": h, "headings": [h], "question": qid})
    for item in questions:
        if item["type"] == "single_choice" and not item.get("choices"):
            item["type"] = "text"
            item.pop("choices", None)
    data = {
        "id": _slug(title, 60) or "questionnaire",
        "title": title,
        "version": "1",
        "edition": "import",
        "language": "fr",
        "description": "Proposé à partir d'un export de réponses : à relire avant l'import.",
        "settings": {"import_columns": {"source": source, "columns": columns}},
        "themes": [{"id": "questions", "label": "Questions", "questions": questions}],
    }
    questionnaire = build_questionnaire(data)
    head = (
        "# Questionnaire proposé à partir de l'export (colonnes → questions, valeurs → modalités).\n"
        "# À relire avant l'import : types, libellés, codes des modalités, questions obligatoires,\n"
        "# conditions d'affichage. settings.import_columns dit quelle colonne nourrit quelle\n"
        "# question.\n"
    )
    return Proposal(questionnaire, head + dump_questionnaire(questionnaire), notes)


__all__ = ["LINE", "Proposal", "propose_questionnaire"]
