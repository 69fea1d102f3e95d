"""LimeSurvey survey structure files (`.lss`, XML) → a barometre questionnaire and its column mapping.

A `.lss` file is a LimeSurvey database dump: `<groups>`, `<questions>`, `<subquestions>`,
`<answers>`, `<question_attributes>`, `<conditions>` and, since LimeSurvey 4, their translations in
`<group_l10ns>`, `<question_l10ns>`, `<answer_l10ns>` (before, the texts sit in the rows themselves,
one row per language). Question groups become themes; question types map as follows:

| LimeSurvey | barometre |
|---|---|
| `L` liste, `!` liste déroulante, `O` liste avec commentaire, `5` échelle 1–5, `G` genre | `single_choice` (« Autre » → modalité `-oth-`) |
| `Y` oui / non | `yes_no` |
| `M` choix multiple, `P` choix multiple avec commentaires | `multiple_choice` (« Autre » → modalité `-oth-`) |
| `F`, `H` tableaux, `A` (1–5), `B` (1–10), `C` (oui / incertain / non), `E` (plus / pareil / moins), `1` double échelle | one `single_choice` per line (`Q_SQ`; `Q_SQ_1`, `Q_SQ_2` for the two scales) |
| `R` classement | one `single_choice` per rank (`Q_rang1`, `Q_rang2`…) |
| `N` numérique, `K` numériques multiples, `:` tableau de nombres | `number` (one per line / cell) |
| `S`, `T`, `U` textes, `Q` textes multiples, `;` tableau de textes, `D` date | `text` |
| `X` affichage, `*` équation, `\\|` dépôt de fichier | no question (listed as not imported) |

Mandatory questions are `required`; `min_num_value_n`/`max_num_value_n` become a `constraint`,
`max_answers` `max_choices`. Relevance equations (Expression Manager) and legacy conditions are
translated to XLSForm expressions when they use the usual forms (`Q.NAOK == "A1"`,
`Q_SQ.NAOK == "Y"`, comparisons, `and`/`or`/`!`, `is_empty`); the others are reported.

The questionnaire keeps, in `settings.import_columns`, how each LimeSurvey export column maps to a
question (its code heading `Q[SQ]` and its full-text heading `Question [Sous-question]`), so that an
export in any heading mode can be imported with it.
"""

from __future__ import annotations

import html
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from defusedxml import ElementTree

from barometre.imports.answer_checks import NSP_FOLDED, fold
from barometre.questionnaire.expressions import ExpressionSyntaxError, parse
from barometre.questionnaire.model import Questionnaire
from barometre.questionnaire.yaml_format import build_questionnaire

SINGLE = {"L", "!", "O", "5", "G"}
MULTIPLE = {"M", "P"}
ARRAYS = {"F", "H", "A", "B", "C", "E", "1"}
NUMBERS = {"N", "K", ":"}
TEXTS = {"S", "T", "U", "Q", ";", "D"}
NOT_QUESTIONS = {
    "X": "texte d'affichage (pas de réponse)",
    "*": "équation (calculée par LimeSurvey)",
    "|": "dépôt de fichier (non importé)",
}
FIXED_SCALES: dict[str, list[tuple[str, str]]] = {
    "5": [(str(i), str(i)) for i in range(1, 6)],
    "A": [(str(i), str(i)) for i in range(1, 6)],
    "B": [(str(i), str(i)) for i in range(1, 11)],
    "C": [("Y", "Oui"), ("U", "Incertain"), ("N", "Non")],
    "E": [("I", "Plus"), ("S", "Pareil"), ("D", "Moins")],
    "G": [("F", "Femme"), ("M", "Homme")],
}
OTHER_CODE = "-oth-"
TRANSLATED = {
    "other": ("Autre", "Other"),
    "comment": ("Commentaire", "Comment"),
    "rank": ("Classement {}", "Rank {}"),
}


class StructureError(ValueError):
    """The file is not a readable LimeSurvey structure file (message in French)."""


@dataclass
class LssQuestion:
    """One top-level LimeSurvey question with its texts, sub-questions, answers and attributes."""

    qid: str
    gid: str
    type: str
    code: str
    text: str = ""
    help: str = ""
    mandatory: bool = False
    other: bool = False
    relevance: str = ""
    order: int = 0
    subquestions: list[dict[str, Any]] = field(default_factory=list)
    answers: list[dict[str, Any]] = field(default_factory=list)
    attributes: dict[str, str] = field(default_factory=dict)


@dataclass
class LssSurvey:
    """The parts of a `.lss` file barometre uses."""

    sid: str
    title: str
    language: str
    groups: list[dict[str, Any]]
    questions: list[LssQuestion]
    conditions: list[dict[str, Any]]
    db_version: int = 0


@dataclass
class Converted:
    """A questionnaire built from a `.lss`, with the French notes on what could not be carried."""

    questionnaire: Questionnaire
    data: dict[str, Any]
    notes: list[str]


def flatten(text: str | None) -> str:
    """LimeSurvey's flat text: HTML tags and entities removed, whitespace collapsed."""
    if not text:
        return ""
    without_tags = re.sub(r"<[^>]+>", " ", text)
    return re.sub(r"\s+", " ", html.unescape(without_tags)).strip()


def _rows(document: Any, section: str) -> list[dict[str, str]]:
    """The rows of one section of the document as dicts of text."""
    node = document.find(section)
    if node is None or node.find("rows") is None:
        return []
    return [
        {child.tag: (child.text or "") for child in row} for row in node.find("rows").findall("row")
    ]


def _localised(
    rows: list[dict[str, str]], l10ns: list[dict[str, str]], key: str, language: str
) -> dict[str, dict[str, str]]:
    """Rows by `key`, with the texts of `language` merged in (old files hold them in the rows)."""
    texts = {r[key]: r for r in l10ns if r.get("language", language) == language and r.get(key)}
    merged: dict[str, dict[str, str]] = {}
    for row in rows:
        if row.get("language", language) != language:
            continue
        merged[row[key]] = {**row, **{k: v for k, v in texts.get(row[key], {}).items() if v}}
    return merged


def read_lss(content: bytes) -> LssSurvey:
    """Parse a LimeSurvey structure file (StructureError in French when it is not one)."""
    try:
        document = ElementTree.fromstring(content)
    except Exception as error:  # defusedxml raises several types for hostile or broken XML
        raise StructureError(
            "fichier de structure illisible : ce n'est pas un fichier XML LimeSurvey (.lss) valide"
        ) from error
    kind = (document.findtext("LimeSurveyDocType") or "").strip()
    if document.tag != "document" or kind != "Survey":
        raise StructureError(
            "ce fichier n'est pas une structure de questionnaire LimeSurvey (.lss) "
            f"(type trouvé : « {kind or document.tag} »)"
        )
    languages = [n.text or "" for n in document.iter("language")]
    survey_rows = _rows(document, "surveys")
    language = (survey_rows[0].get("language") if survey_rows else "") or (
        languages[0] if languages else "fr"
    )
    settings = [
        r
        for r in _rows(document, "surveys_languagesettings")
        if r.get("surveyls_language", language) == language
    ]
    groups = _localised(_rows(document, "groups"), _rows(document, "group_l10ns"), "gid", language)
    questions = _localised(
        _rows(document, "questions"), _rows(document, "question_l10ns"), "qid", language
    )
    subquestions = _localised(
        _rows(document, "subquestions"), _rows(document, "question_l10ns"), "qid", language
    )
    answer_rows = _rows(document, "answers")
    answer_l10ns = _rows(document, "answer_l10ns")
    if answer_l10ns:
        answers = list(_localised(answer_rows, answer_l10ns, "aid", language).values())
    else:
        answers = [r for r in answer_rows if r.get("language", language) == language]
    attributes: dict[str, dict[str, str]] = defaultdict(dict)
    for row in _rows(document, "question_attributes"):
        if row.get("language") in (None, "", language):
            attributes[row.get("qid", "")][row.get("attribute", "")] = row.get("value", "")
    by_qid: dict[str, LssQuestion] = {}
    for row in questions.values():
        if row.get("parent_qid", "0") not in ("0", ""):
            continue
        by_qid[row["qid"]] = LssQuestion(
            qid=row["qid"],
            gid=row.get("gid", ""),
            type=row.get("type", ""),
            code=row.get("title", ""),
            text=flatten(row.get("question")),
            help=flatten(row.get("help")),
            mandatory=row.get("mandatory", "N") == "Y",
            other=row.get("other", "N") == "Y",
            relevance=(row.get("relevance") or "").strip(),
            order=int(row.get("question_order") or 0),
            attributes=attributes.get(row["qid"], {}),
        )
    for row in list(subquestions.values()) + [
        r for r in questions.values() if r.get("parent_qid", "0") not in ("0", "")
    ]:
        parent = by_qid.get(row.get("parent_qid", ""))
        if parent is not None and all(s["qid"] != row["qid"] for s in parent.subquestions):
            parent.subquestions.append(
                {
                    "qid": row["qid"],
                    "code": row.get("title", ""),
                    "text": flatten(row.get("question")),
                    "scale": int(row.get("scale_id") or 0),
                    "order": int(row.get("question_order") or 0),
                    "relevance": (row.get("relevance") or "").strip(),
                }
            )
    for row in answers:
        question = by_qid.get(row.get("qid", ""))
        if question is not None:
            question.answers.append(
                {
                    "code": row.get("code", ""),
                    "text": flatten(row.get("answer")),
                    "scale": int(row.get("scale_id") or 0),
                    "order": int(row.get("sortorder") or 0),
                }
            )
    for question in by_qid.values():
        question.subquestions.sort(key=lambda s: (s["scale"], s["order"]))
        question.answers.sort(key=lambda a: (a["scale"], a["order"]))
    group_list = sorted(
        (
            {
                "gid": g["gid"],
                "name": flatten(g.get("group_name")) or f"Groupe {g['gid']}",
                "description": flatten(g.get("description")),
                "relevance": (g.get("grelevance") or "").strip(),
                "order": int(g.get("group_order") or 0),
            }
            for g in groups.values()
        ),
        key=lambda g: g["order"],
    )
    order = {g["gid"]: i for i, g in enumerate(group_list)}
    ordered = sorted(by_qid.values(), key=lambda q: (order.get(q.gid, 99_999), q.order))
    return LssSurvey(
        sid=survey_rows[0].get("sid", "") if survey_rows else "",
        title=flatten(settings[0].get("surveyls_title")) if settings else "",
        language=language,
        groups=group_list,
        questions=ordered,
        conditions=_rows(document, "conditions"),
        db_version=int((document.findtext("DBVersion") or "0").strip() or 0),
    )


# --------------------------------------------------------------------------- questionnaire


def _identifier(text: str) -> str:
    """A questionnaire identifier from a LimeSurvey code (letters, digits, `_`)."""
    cleaned = re.sub(r"[^A-Za-z0-9_]", "_", text).strip("_") or "q"
    return cleaned if re.match(r"[A-Za-z_]", cleaned) else f"q_{cleaned}"


def _slug(text: str) -> str:
    """An identifier from a group name."""
    import unicodedata

    bare = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "_", bare.lower()).strip("_")[:40]
    return slug or "theme"


def _code(text: str) -> str:
    """A choice code accepted by the questionnaire format."""
    return re.sub(r"[^A-Za-z0-9_.\-]", "_", text) or "_"


def _heading(question: LssQuestion, *subs: str) -> str:
    """LimeSurvey's full-text heading: question text, then ` [sub-question]` parts."""
    return question.text + "".join(f" [{s}]" for s in subs if s)


@dataclass
class _Builder:
    """Collects themes, questions and column keys while walking the survey."""

    survey: LssSurvey
    notes: list[str] = field(default_factory=list)
    columns: list[dict[str, Any]] = field(default_factory=list)
    targets: dict[str, dict[str, str]] = field(default_factory=dict)

    def column(self, code: str, headings: list[str], **target: Any) -> None:
        self.columns.append({"code": code, "headings": [h for h in headings if h], **target})

    def ignore(self, code: str, headings: list[str], reason: str) -> None:
        self.column(code, headings, ignore=reason)


def _choices(pairs: list[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"code": _code(code), "label": label or code} for code, label in pairs]


def _answer_pairs(question: LssQuestion, scale: int = 0) -> list[tuple[str, str]]:
    pairs = [(a["code"], a["text"]) for a in question.answers if a["scale"] == scale]
    return pairs or FIXED_SCALES.get(question.type, [])


def _numeric_constraint(question: LssQuestion) -> str | None:
    """XLSForm constraint from LimeSurvey's minimum and maximum attributes."""
    low = question.attributes.get("min_num_value_n", "").strip()
    high = question.attributes.get("max_num_value_n", "").strip()
    parts = []
    if re.fullmatch(r"-?\d+(\.\d+)?", low):
        parts.append(f". >= {low}")
    if re.fullmatch(r"-?\d+(\.\d+)?", high):
        parts.append(f". <= {high}")
    return " and ".join(parts) or None


def _add(builder: _Builder, question: LssQuestion, items: list[dict[str, Any]]) -> list[dict]:
    """Questionnaire items for one LimeSurvey question; records its export columns."""
    kind, code = question.type, question.code
    base = _identifier(code)
    out: list[dict[str, Any]] = []
    hint = question.help or None
    required = question.mandatory
    other_fr, other_en = TRANSLATED["other"]
    if kind in NOT_QUESTIONS:
        builder.notes.append(f"{code} : {NOT_QUESTIONS[kind]} — pas de question")
        if kind == "|":
            builder.ignore(f"{code}", [question.text], NOT_QUESTIONS[kind])
            builder.ignore(
                f"{code}[filecount]", [f"filecount - {question.text}"], "nombre de fichiers"
            )
        else:
            builder.ignore(code, [question.text], NOT_QUESTIONS[kind])
        return out
    if kind in SINGLE or kind == "Y":
        item: dict[str, Any] = {"id": base, "label": question.text, "required": required}
        if kind == "Y":
            item["type"] = "yes_no"
        values: dict[str, str] = {}
        if kind != "Y":
            pairs = _answer_pairs(question)
            nsp = [(c, t) for c, t in pairs if fold(t) in NSP_FOLDED]
            if nsp:
                pairs = [p for p in pairs if p not in nsp]
                item["allow_nsp"] = True
                values = {c: "nsp" for c, _ in nsp}
            if question.other:
                pairs = [*pairs, (OTHER_CODE, other_fr)]
            item.update(type="single_choice", choices=_choices(pairs))
        if hint:
            item["hint"] = hint
        out.append(item)
        if values:
            builder.column(code, [question.text], question=base, values=values)
        else:
            builder.column(code, [question.text], question=base)
        builder.targets[code] = {"question": base}
        if question.other:
            builder.ignore(
                f"{code}[other]",
                [_heading(question, other_fr), _heading(question, other_en)],
                "texte saisi pour « Autre »",
            )
        if kind == "O":
            builder.ignore(
                f"{code}[comment]",
                [_heading(question, s) for s in TRANSLATED["comment"]],
                "commentaire libre",
            )
        return out
    if kind in MULTIPLE:
        pairs = [(s["code"], s["text"]) for s in question.subquestions]
        if question.other:
            pairs.append((OTHER_CODE, other_fr))
        item = {
            "id": base,
            "type": "multiple_choice",
            "label": question.text,
            "required": required,
            "choices": _choices(pairs),
        }
        maximum = question.attributes.get("max_answers", "").strip()
        if maximum.isdigit() and int(maximum) > 0:
            item["max_choices"] = int(maximum)
        if hint:
            item["hint"] = hint
        out.append(item)
        for sub in question.subquestions:
            builder.column(
                f"{code}[{sub['code']}]",
                [_heading(question, sub["text"])],
                question=base,
                option=_code(sub["code"]),
            )
            builder.targets[f"{code}_{sub['code']}"] = {"question": base, "option": sub["code"]}
            if kind == "P":
                builder.ignore(
                    f"{code}[{sub['code']}comment]",
                    [_heading(question, sub["text"], c) for c in TRANSLATED["comment"]],
                    "commentaire libre",
                )
        if question.other:
            builder.column(
                f"{code}[other]",
                [_heading(question, other_fr), _heading(question, other_en)],
                question=base,
                option=OTHER_CODE,
                other="text",
            )
            builder.targets[f"{code}_other"] = {"question": base, "option": OTHER_CODE}
        builder.targets[code] = {"question": base}
        return out
    if kind in ARRAYS:
        rows = [s for s in question.subquestions if s["scale"] == 0]
        scales = [0, 1] if kind == "1" else [0]
        for sub in rows:
            for scale in scales:
                suffix = f"_{scale + 1}" if kind == "1" else ""
                qid = f"{base}_{_identifier(sub['code'])}{suffix}"
                label = f"{question.text} — {sub['text']}"
                if kind == "1":
                    label += f" (échelle {scale + 1})"
                out.append(
                    {
                        "id": qid,
                        "type": "single_choice",
                        "label": label,
                        "required": required,
                        "choices": _choices(_answer_pairs(question, scale)),
                    }
                )
                column = f"{code}[{sub['code']}]" + (f"[{scale + 1}]" if kind == "1" else "")
                headings = [_heading(question, sub["text"])]
                if kind == "1":
                    headings = [
                        _heading(question, sub["text"], f"Échelle {scale + 1}"),
                        _heading(question, sub["text"], f"Scale {scale + 1}"),
                    ]
                builder.column(column, headings, question=qid)
                builder.targets[f"{code}_{sub['code']}"] = {"question": qid}
        return out
    if kind == "R":
        items_to_rank = [(a["code"], a["text"]) for a in question.answers] or [
            (s["code"], s["text"]) for s in question.subquestions
        ]
        limit = question.attributes.get("max_subquestions", "").strip()
        count = len(items_to_rank)
        if limit.isdigit() and 0 < int(limit) < count:
            count = int(limit)
        for rank in range(1, count + 1):
            qid = f"{base}_rang{rank}"
            out.append(
                {
                    "id": qid,
                    "type": "single_choice",
                    "label": f"{question.text} — rang {rank}",
                    "required": False,
                    "choices": _choices(items_to_rank),
                }
            )
            builder.column(
                f"{code}[{rank}]",
                [_heading(question, t.format(rank)) for t in TRANSLATED["rank"]],
                question=qid,
            )
        return out
    if kind in NUMBERS or kind in TEXTS:
        type_ = "number" if kind in NUMBERS else "text"
        constraint = _numeric_constraint(question) if type_ == "number" else None
        if kind in ("N", "S", "T", "U", "D"):
            item = {"id": base, "type": type_, "label": question.text, "required": required}
            if constraint:
                item["constraint"] = constraint
            if hint:
                item["hint"] = hint
            out.append(item)
            builder.column(code, [question.text], question=base)
            builder.targets[code] = {"question": base}
            if kind == "D":
                builder.notes.append(f"{code} : date importée comme texte")
            return out
        rows = [s for s in question.subquestions if s["scale"] == 0]
        columns = [s for s in question.subquestions if s["scale"] == 1] or [None]
        for sub in rows:
            for col in columns:
                suffix = f"_{_identifier(col['code'])}" if col else ""
                qid = f"{base}_{_identifier(sub['code'])}{suffix}"
                label = f"{question.text} — {sub['text']}" + (f" — {col['text']}" if col else "")
                item = {"id": qid, "type": type_, "label": label, "required": required}
                if constraint:
                    item["constraint"] = constraint
                out.append(item)
                column = f"{code}[{sub['code']}]" + (f"[{col['code']}]" if col else "")
                builder.column(
                    column,
                    [_heading(question, sub["text"], col["text"] if col else "")],
                    question=qid,
                )
                builder.targets[f"{code}_{sub['code']}"] = {"question": qid}
        return out
    builder.notes.append(f"{code} : type LimeSurvey « {kind} » inconnu — question non importée")
    builder.ignore(code, [question.text], f"type LimeSurvey « {kind} » non pris en charge")
    return out


# ------------------------------------------------------------------------------ relevance

_TOKEN = re.compile(
    r"""\s*(?:
    (?P<string>"[^"]*"|'[^']*')
    |(?P<number>-?\d+(?:\.\d+)?)
    |(?P<op>==|!=|<=|>=|<|>|&&|\|\||!|\(|\)|,)
    |(?P<name>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z]+)?)
    )""",
    re.VERBOSE,
)


class _Untranslatable(Exception):
    pass


def translate_relevance(expression: str, questions: dict[str, dict], targets: dict) -> str | None:
    """An Expression Manager equation as an XLSForm expression; None when always true.

    `questions` maps questionnaire ids to their items (for types); `targets` maps LimeSurvey
    variable names (`Q`, `Q_SQ`) to a question id and, for multiple choice, an option code.
    Raises ValueError when the equation uses forms that are not translated.
    """
    text = expression.strip()
    if text in ("", "1", "true"):
        return None
    tokens: list[tuple[str, str]] = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            if text[position:].strip() == "":
                break
            raise ValueError(f"élément non traduit : « {text[position : position + 20]} »")
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        position = match.end()

    def variable(name: str) -> tuple[str, str | None]:
        bare = re.sub(r"\.(NAOK|value|code|shown)$", "", name)
        if bare in targets:
            target = targets[bare]
            return target["question"], target.get("option")
        raise _Untranslatable(bare)

    def literal(raw: str, question_id: str) -> str:
        value = raw[1:-1] if raw[0] in "\"'" else raw
        item = questions.get(question_id, {})
        if item.get("type") == "yes_no":
            value = {"Y": "oui", "N": "non"}.get(value, value)
        if item.get("type") in ("number", "percentage") and raw[0] not in "\"'":
            return value
        if item.get("type") in ("number", "percentage") and re.fullmatch(r"-?\d+(\.\d+)?", value):
            return value
        return "'" + value.replace("'", "") + "'"

    out: list[str] = []
    i = 0
    while i < len(tokens):
        kind, value = tokens[i]
        if kind == "name" and value in ("and", "or"):
            out.append(value)
        elif kind == "op" and value in ("&&", "||"):
            out.append("and" if value == "&&" else "or")
        elif kind == "op" and value in ("(", ")"):
            out.append(value)
        elif kind == "op" and value == "!":
            if i + 1 < len(tokens) and tokens[i + 1] == ("name", "is_empty"):
                tokens[i + 1] = ("name", "!is_empty")
            else:
                out.append("not")
        elif kind == "name" and value in ("is_empty", "!is_empty"):
            if i + 3 >= len(tokens) + 0 or tokens[i + 1][1] != "(" or tokens[i + 3][1] != ")":
                raise ValueError("is_empty() non traduit")
            question_id, option = variable(tokens[i + 2][1])
            if option is not None:
                test = f"selected(${{{question_id}}}, '{option}')"
                out.append(test if value == "!is_empty" else f"not({test})")
            else:
                out.append(f"${{{question_id}}} {'!=' if value == '!is_empty' else '='} ''")
            i += 4
            continue
        elif kind == "name":
            question_id, option = variable(value)
            if (
                i + 2 < len(tokens)
                and tokens[i + 1][0] == "op"
                and tokens[i + 1][1]
                in (
                    "==",
                    "!=",
                    "<",
                    ">",
                    "<=",
                    ">=",
                )
            ):
                operator, right = tokens[i + 1][1], tokens[i + 2]
                if option is not None:
                    wanted = right[1].strip("\"'")
                    positive = (operator == "==" and wanted == "Y") or (
                        operator == "!=" and wanted == ""
                    )
                    test = f"selected(${{{question_id}}}, '{option}')"
                    out.append(test if positive else f"not({test})")
                else:
                    xls = "=" if operator == "==" else operator
                    out.append(f"${{{question_id}}} {xls} {literal(right[1], question_id)}")
                i += 3
                continue
            if option is not None:
                out.append(f"selected(${{{question_id}}}, '{option}')")
            else:
                out.append(f"${{{question_id}}} != ''")
        else:
            raise ValueError(f"élément non traduit : « {value} »")
        i += 1
    result = " ".join(out).replace("( ", "(").replace(" )", ")")
    try:
        parse(result)
    except ExpressionSyntaxError as error:
        raise ValueError(f"expression traduite invalide : {result}") from error
    return result


def _conditions_expression(
    survey: LssSurvey, qid: str, fieldnames: dict[str, tuple[str, str | None]], questions: dict
) -> str | None:
    """Legacy conditions of one question as one expression (scenarios OR-ed, conditions AND-ed)."""
    rows = [c for c in survey.conditions if c.get("qid") == qid]
    if not rows:
        return None
    scenarios: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        target = fieldnames.get(row.get("cfieldname", ""))
        if target is None:
            raise ValueError(f"condition sur « {row.get('cfieldname')} » non traduite")
        question_id, option = target
        method = row.get("method", "==")
        value = row.get("value", "")
        if option is not None:
            test = f"selected(${{{question_id}}}, '{option}')"
            scenarios[row.get("scenario", "1")].append(test if value == "Y" else f"not({test})")
        else:
            if method not in ("==", "!=", "<", ">", "<=", ">="):
                raise ValueError(f"opérateur de condition « {method} » non traduit")
            operator = "=" if method == "==" else method
            if questions.get(question_id, {}).get("type") == "yes_no":
                value = {"Y": "oui", "N": "non"}.get(value, value)
            literal = value if re.fullmatch(r"-?\d+(\.\d+)?", value) else f"'{value}'"
            scenarios[row.get("scenario", "1")].append(f"${{{question_id}}} {operator} {literal}")
    parts = [" and ".join(tests) for tests in scenarios.values()]
    return parts[0] if len(parts) == 1 else " or ".join(f"({p})" for p in parts)


def questionnaire_from_lss(
    survey: LssSurvey, *, questionnaire_id: str | None = None, edition: str = ""
) -> Converted:
    """A questionnaire (and its column mapping in `settings.import_columns`) from a `.lss`."""
    builder = _Builder(survey)
    themes: list[dict[str, Any]] = []
    items_by_question: dict[str, list[dict]] = {}
    questions_by_group: dict[str, list[LssQuestion]] = defaultdict(list)
    for question in survey.questions:
        questions_by_group[question.gid].append(question)
    used_ids: set[str] = set()
    for group in survey.groups:
        theme_id = _slug(group["name"])
        while theme_id in used_ids:
            theme_id += "_"
        used_ids.add(theme_id)
        theme: dict[str, Any] = {"id": theme_id, "label": group["name"], "questions": []}
        if group["description"]:
            theme["description"] = group["description"]
        for question in questions_by_group.get(group["gid"], []):
            items = _add(builder, question, [])
            items_by_question[question.qid] = items
            theme["questions"].extend(items)
        theme["__relevance"] = group["relevance"]
        themes.append(theme)
    all_items = {item["id"]: item for items in items_by_question.values() for item in items}
    fieldnames: dict[str, tuple[str, str | None]] = {}
    for question in survey.questions:
        prefix = f"{survey.sid}X{question.gid}X{question.qid}"
        for key, target in builder.targets.items():
            if key == question.code:
                fieldnames[prefix] = (target["question"], target.get("option"))
            elif key.startswith(question.code + "_"):
                fieldnames[prefix + key[len(question.code) + 1 :]] = (
                    target["question"],
                    target.get("option"),
                )
    for question in survey.questions:
        items = items_by_question.get(question.qid, [])
        if not items:
            continue
        expression = None
        try:
            if question.relevance not in ("", "1"):
                expression = translate_relevance(question.relevance, all_items, builder.targets)
            else:
                expression = _conditions_expression(survey, question.qid, fieldnames, all_items)
        except (ValueError, _Untranslatable) as error:
            builder.notes.append(
                f"{question.code} : condition d'affichage non traduite ({error}) : "
                f"« {question.relevance or 'conditions'} » — la question est toujours posée"
            )
        if expression:
            for item in items:
                item["relevant"] = expression
    for theme in themes:
        relevance = theme.pop("__relevance")
        if relevance not in ("", "1"):
            try:
                expression = translate_relevance(relevance, all_items, builder.targets)
            except (ValueError, _Untranslatable) as error:
                builder.notes.append(
                    f"groupe « {theme['label']} » : condition non traduite ({error})"
                )
            else:
                if expression:
                    theme["relevant"] = expression
    themes = [t for t in themes if t["questions"]]
    data = {
        "id": questionnaire_id or _identifier(f"limesurvey_{survey.sid or 'questionnaire'}"),
        "title": survey.title or f"Questionnaire LimeSurvey {survey.sid}",
        "version": "1",
        "edition": edition or "import",
        "language": "fr",
        "description": f"Converti de la structure LimeSurvey {survey.sid}.",
        "settings": {
            "import_columns": {"source": "limesurvey", "columns": builder.columns},
        },
        "themes": themes,
    }
    for item in all_items.values():
        if not item.get("required"):
            item.pop("required", None)
    return Converted(build_questionnaire(data), data, builder.notes)
