"""LimeSurvey response exports (CSV, XLSX) in every heading and answer mode, read into answers.

LimeSurvey writes one column per answer field (`application/helpers/admin/export/Writer.php`):
the heading is, at the operator's choice, the question code (`Q`, `Q[SQ]`, `Q[SQ][1]`, `Q[other]`,
`Q[comment]`, `Q[1]` for rank 1), the full text (`Texte de la question [Texte de la sous-question]`,
`… [Autre]`, `… [Classement 1]`), the abbreviated text (cut with `..`), or code and text together
(`Q[SQ]. Texte…`). The values are the answer codes (`A1`, `Y`) or their texts (`Oui`, `Autre`).
Multiple choice: a sub-question column holds `Y` (or its text, or `1` when converted) when ticked,
`""` (or `Non`, or the converted `N` value) when the question was shown and the box left unticked,
and nothing (or `N/A` in text mode) when the question was never reached. `submitdate` is empty for
an unfinished response. Technical columns (`id`, `lastpage`, `startlanguage`, `seed`, `token`,
`startdate`, `datestamp`, `ipaddr`, `refurl`, `[filecount]`, timings) are ignored and listed.

Columns are found with the questionnaire's `settings.import_columns` when it came from a `.lss`
(exact code and full-text headings), otherwise by matching question ids (ignoring case and
non-alphanumerics: `inclieux` ↔ `inc_lieux`), question and choice labels.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import polars as pl

from barometre.edition.answer_columns import NOTHING_TICKED
from barometre.imports.answer_checks import fold
from barometre.imports.columns import LINE, ColumnUse, IdentityColumns, Mapped
from barometre.questionnaire.model import Question, Questionnaire, QuestionType

META = {
    "id": ("ignored", "numéro de réponse LimeSurvey", ("response id", "id de la reponse")),
    "submitdate": (
        "submitted_at",
        "",
        ("date submitted", "date de soumission", "date d'envoi", "date de validation"),
    ),
    "lastpage": ("ignored", "dernière page vue (technique)", ("last page", "derniere page")),
    "startlanguage": (
        "ignored",
        "langue de départ (technique)",
        ("start language", "langue de depart"),
    ),
    "seed": ("ignored", "graine aléatoire (technique)", ("seed", "graine")),
    "token": (
        "ignored",
        "code d'accès LimeSurvey",
        ("token", "access code", "code d'acces", "invitation"),
    ),
    "startdate": ("ignored", "date de début (technique)", ("date started", "date de debut")),
    "datestamp": (
        "ignored",
        "date de dernière action (technique)",
        ("date last action", "date de la derniere action"),
    ),
    "ipaddr": ("ignored", "adresse IP (non importée)", ("ip address", "adresse ip")),
    "refurl": (
        "ignored",
        "adresse de provenance (non importée)",
        ("referrer url", "url de provenance", "url de reference", "url referente"),
    ),
    "interviewtime": ("ignored", "durée de saisie (technique)", ("total time", "temps total")),
}
TICKED = frozenset({"y", "yes", "oui", "1", "true", "vrai", "x", "coche", "cochee"})
UNTICKED = frozenset({"", "n", "no", "non", "0", "2", "false", "faux"})
NOT_REACHED = frozenset({"n/a", "na", "non applicable", "sans objet"})
IGNORED_SUBS = {
    "other": "texte saisi pour « Autre »",
    "autre": "texte saisi pour « Autre »",
    "comment": "commentaire libre",
    "commentaire": "commentaire libre",
    "filecount": "nombre de fichiers déposés (technique)",
}
_FIELD = re.compile(r"^(?P<base>[^\[\]]+?)((?:\[[^\]]*\])*)$")
_RANK = re.compile(r"^(?:classement|rang|rank|ranking)\s*(\d+)$")


def alnum(text: str) -> str:
    """Lower-case alphanumerics only (how LimeSurvey codes relate to question ids)."""
    return re.sub(r"[^0-9a-z]", "", text.lower())


@dataclass(frozen=True)
class Target:
    """What one column of the export feeds: a question, or one option of a multiple choice."""

    question: str
    option: str | None = None
    other_text: bool = False
    values: tuple[tuple[str, str], ...] = ()


def _split_heading(header: str) -> tuple[str, list[str]]:
    """A heading's base and its bracketed parts: `Q[SQ][1]` → (`Q`, [`SQ`, `1`])."""
    parts = re.findall(r"\s?\[([^\]]*)\]", header)
    base = re.sub(r"\s?\[[^\]]*\]", "", header).strip()
    return base, parts


def _same_abbreviated(header: str, heading: str) -> bool:
    """True when `header` is `heading` cut by LimeSurvey (each part may end with `..`)."""
    h_base, h_parts = _split_heading(header)
    f_base, f_parts = _split_heading(heading)
    if len(h_parts) != len(f_parts):
        return False
    for cut, full in zip([h_base, *h_parts], [f_base, *f_parts], strict=True):
        cut_text = fold(cut)
        if cut_text.endswith(".."):
            if not fold(full).startswith(cut_text[:-2].strip()):
                return False
        elif cut_text != fold(full):
            return False
    return True


class _Matcher:
    """Finds the target of each export heading with the questionnaire (and its `.lss` mapping)."""

    def __init__(self, questionnaire: Questionnaire) -> None:
        self.questionnaire = questionnaire
        self.by_id = {q.id: q for q in questionnaire.questions}
        self.by_alnum: dict[str, Question] = {alnum(q.id): q for q in questionnaire.questions}
        self.by_label: dict[str, Question] = {}
        for question in questionnaire.questions:
            self.by_label.setdefault(fold(question.label), question)
        self.codes: dict[str, Target | str] = {}
        self.headings: dict[str, Target | str] = {}
        mapping = (questionnaire.settings or {}).get("import_columns") or {}
        for entry in mapping.get("columns", []) if isinstance(mapping, dict) else []:
            if not isinstance(entry, dict):
                continue
            target: Target | str
            if entry.get("ignore"):
                target = str(entry["ignore"])
            elif entry.get("question") in self.by_id:
                values = entry.get("values") if isinstance(entry.get("values"), dict) else {}
                target = Target(
                    entry["question"],
                    entry.get("option"),
                    entry.get("other") == "text",
                    tuple((str(k), str(v)) for k, v in values.items()),
                )
            else:
                continue
            if entry.get("code"):
                self.codes[str(entry["code"])] = target
            for heading in entry.get("headings") or []:
                self.headings.setdefault(fold(str(heading)), target)
        self.heading_texts = {fold(h): h for h in self.headings}

    def from_mapping(self, header: str) -> Target | str | None:
        """The target given by the `.lss` mapping (code, code + text, full or cut heading)."""
        if header in self.codes:
            return self.codes[header]
        match = re.match(r"^(\S+?)(?:\.\s|\s-\s|:\s|\s)(.+)$", header)
        if match and match.group(1) in self.codes:
            return self.codes[match.group(1)]
        folded = fold(header)
        if folded in self.headings:
            return self.headings[folded]
        if ".." in header:
            found = [t for h, t in self.headings.items() if _same_abbreviated(header, h)]
            if len(found) == 1:
                return found[0]
        return None

    def option_of(self, question: Question, sub: str) -> str | None:
        """The choice code a sub-question code or text designates."""
        for option in question.options:
            if alnum(option.code) == alnum(sub) or fold(option.label) == fold(sub):
                return option.code
        return None

    def generic(self, header: str) -> Target | str | None:
        """The target found without a mapping: question ids and codes, or question labels."""
        base, parts = _split_heading(header)
        for key in (alnum(base + "".join(parts)), alnum("_".join([base, *parts]))):
            question = self.by_alnum.get(key) if parts else None
            if question is not None:
                return Target(question.id)
        question = self.by_alnum.get(alnum(base)) or self.by_label.get(fold(base))
        if question is None:
            return None
        if not parts:
            return Target(question.id)
        sub = parts[0].strip()
        if fold(sub) in IGNORED_SUBS and question.type is not QuestionType.MULTIPLE_CHOICE:
            return IGNORED_SUBS[fold(sub)]
        if fold(sub) in ("other", "autre") and question.type is QuestionType.MULTIPLE_CHOICE:
            option = self.option_of(question, "-oth-") or self.option_of(question, "autre")
            return Target(question.id, option, True) if option else IGNORED_SUBS["other"]
        if fold(sub) in IGNORED_SUBS or fold(sub).endswith("comment"):
            return IGNORED_SUBS.get(fold(sub), "commentaire libre")
        rank = _RANK.match(fold(sub))
        if rank or sub.isdigit():
            number = rank.group(1) if rank else sub
            ranked = self.by_id.get(f"{question.id}_rang{number}")
            return Target(ranked.id) if ranked else None
        if question.type is QuestionType.MULTIPLE_CHOICE and len(parts) == 1:
            option = self.option_of(question, sub)
            return Target(question.id, option) if option else None
        return None

    def target(self, header: str) -> Target | str | None:
        return self.from_mapping(header) or self.generic(header)


def meta_of(header: str) -> str | None:
    """The LimeSurvey technical column a heading names (by code or by its English/French text)."""
    if header in META:
        return header
    folded = fold(header)
    for code, (_, _, texts) in META.items():
        if folded in texts:
            return code
    if header.endswith("Time") or folded.startswith(("group time", "question time")):
        return "interviewtime"
    return None


def _ticked(column: str) -> pl.Expr:
    """True when ticked, False when shown and left unticked, null when not reached (or unknown)."""
    raw = pl.col(column)
    value = raw.str.strip_chars().str.to_lowercase()
    return (
        pl.when(raw.is_null() | value.is_in(list(NOT_REACHED)))
        .then(None)
        .when(value.is_in(list(TICKED)))
        .then(True)
        .when(value.is_in(list(UNTICKED)))
        .then(False)
        .otherwise(None)
    )


def _other_ticked(column: str) -> pl.Expr:
    """« Autre » text of a multiple choice: ticked when a text was typed."""
    raw = pl.col(column)
    value = raw.str.strip_chars()
    return pl.when(raw.is_null()).then(None).otherwise(value != "")


def _single(column: str, values: tuple[tuple[str, str], ...] = ()) -> pl.Expr:
    """A single-answer column; LimeSurvey's `N/A` of text mode is no answer; `values` recodes."""
    value = pl.col(column)
    if values:
        value = value.replace(dict(values))
    return (
        pl.when(value.str.strip_chars().str.to_lowercase().is_in(list(NOT_REACHED)))
        .then(None)
        .otherwise(value)
    )


def from_limesurvey(
    rows: pl.DataFrame,
    header: list[str],
    questionnaire: Questionnaire,
    identity: IdentityColumns | None = None,
) -> Mapped:
    """Answers of a LimeSurvey export in any heading and answer mode."""
    identity = identity or IdentityColumns()
    matcher = _Matcher(questionnaire)
    uses: list[ColumnUse] = []
    single: dict[str, tuple[str, tuple[tuple[str, str], ...]]] = {}
    options: dict[str, list[tuple[str, str, bool]]] = {}
    meta: list[pl.Expr] = []
    labels: dict[str, str] = {}
    stamps = {
        meta_of(name): name for name in header if meta_of(name) in ("submitdate", "datestamp")
    }
    for name in header:
        role = identity.role(name)
        if role is not None and role not in labels:
            meta.append(pl.col(name).alias(role))
            labels[role] = name
            target = matcher.target(name)
            if isinstance(target, Target) and target.option is None:
                # the identifier (or name) is also the answer to a question of the survey
                single[target.question] = (name, target.values)
                labels[target.question] = name
            uses.append(ColumnUse(name, "meta", role))
            continue
        technical = meta_of(name)
        if technical == "submitdate":
            filled = pl.col(name).str.strip_chars().fill_null("") != ""
            last_action = stamps.get("datestamp")
            # an unfinished response is dated by its last action
            when = pl.when(filled).then(pl.col(name))
            meta.append(
                (when.otherwise(pl.col(last_action)) if last_action else pl.col(name)).alias(
                    "submitted_at"
                )
            )
            meta.append(
                pl.when(filled)
                .then(pl.lit("complete"))
                .otherwise(pl.lit("partial"))
                .alias("status")
            )
            uses.append(ColumnUse(name, "meta", "submitted_at"))
            labels["submitted_at"] = name
            continue
        if technical is not None:
            uses.append(ColumnUse(name, "ignored", reason=META[technical][1]))
            continue
        target = matcher.target(name)
        if target is None:
            uses.append(ColumnUse(name, "unknown", reason="aucune question ne correspond"))
        elif isinstance(target, str):
            uses.append(ColumnUse(name, "ignored", reason=target))
        elif target.option is not None:
            options.setdefault(target.question, []).append((name, target.option, target.other_text))
            uses.append(ColumnUse(name, "question", target.question, f"modalité {target.option}"))
        elif target.question in single or target.question in options:
            uses.append(
                ColumnUse(name, "unknown", target.question, "autre colonne pour la même question")
            )
        else:
            single[target.question] = (name, target.values)
            labels[target.question] = name
            uses.append(ColumnUse(name, "question", target.question))
    exprs = [pl.col(LINE), *meta]
    exprs += [
        _single(column, values).alias(question_id)
        for question_id, (column, values) in single.items()
    ]
    for question_id, parts in options.items():
        flags = [
            (_other_ticked(column) if other else _ticked(column), code)
            for column, code, other in parts
        ]
        codes = pl.concat_str(
            [pl.when(flag).then(pl.lit(code)) for flag, code in flags],
            separator=" ",
            ignore_nulls=True,
        )
        any_unticked = pl.any_horizontal([(flag == False).fill_null(False) for flag, _ in flags])  # noqa: E712
        exprs.append(
            pl.when(codes != "")
            .then(codes)
            .when(any_unticked)
            .then(pl.lit(NOTHING_TICKED))
            .otherwise(None)
            .alias(question_id)
        )
        base = _split_heading(parts[0][0])[0]
        labels[question_id] = f"{base} […]"
    return Mapped(rows.select(exprs), uses, labels)
