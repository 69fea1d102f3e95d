"""Questionnaire YAML format: load (JSON Schema then semantic checks, every error reported) and dump."""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jsonschema_rs
import yaml

from barometre.questionnaire.expressions import check
from barometre.questionnaire.file_limits import yaml_limit_issues, yaml_problem_text
from barometre.questionnaire.issues import Issue, QuestionnaireError
from barometre.questionnaire.model import (
    DEFAULT_POPULATION,
    NSP_CODE,
    Choice,
    Level,
    Population,
    Question,
    Questionnaire,
    QuestionType,
    Theme,
    Wave,
)
from barometre.questionnaire.statements import predicate_problem, relative_clause_problem

if TYPE_CHECKING:
    import jsonschema

PathKey = tuple[str | int, ...]
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available
_YAML_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


@cache
def json_schema() -> dict[str, Any]:
    """The published JSON Schema (draft 2020-12) of the questionnaire YAML format."""
    text = resources.files("barometre.questionnaire").joinpath("schema/questionnaire.schema.json")
    return json.loads(text.read_text(encoding="utf-8"))


@cache
def _validator() -> jsonschema.Draft202012Validator:
    """The validator that explains every violation (jsonschema), built once, only for an invalid
    questionnaire (it takes 0.1 s to import and 0.1 s to check 150 questions)."""
    import jsonschema

    return jsonschema.Draft202012Validator(json_schema())


@cache
def _fast_validator() -> jsonschema_rs.Validator:
    """The same schema compiled by jsonschema-rs: says only whether a document is valid, in
    microseconds (the common case: a questionnaire that was valid when it was written)."""
    return jsonschema_rs.validator_for(json_schema())


def _surely_valid(data: Any) -> bool:
    """True when jsonschema-rs finds `data` valid; False when it does not or cannot tell (a value
    JSON has no type for, such as a YAML date): the full check then decides."""
    try:
        return _fast_validator().is_valid(data)
    except (TypeError, ValueError):
        return False


def format_path(path: PathKey) -> str:
    """`('themes', 2, 'questions', 4, 'choices')` → `themes[2].questions[4].choices`."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


class _Located:
    """Line numbers and raw scalar texts of a composed YAML document, by path."""

    def __init__(self) -> None:
        self.lines: dict[PathKey, int] = {}
        self.raw: dict[PathKey, str] = {}
        self.issues: list[Issue] = []

    def index(self, node: yaml.Node, path: PathKey = ()) -> None:
        """Walk the node tree, recording lines, raw scalars and duplicate keys."""
        self.lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key_node, value_node in node.value:
                key = str(key_node.value)
                if key in seen:
                    self.issues.append(
                        Issue(
                            "duplicate_key",
                            format_path((*path, key)),
                            f"clé « {key} » répétée",
                            key_node.start_mark.line + 1,
                        )
                    )
                seen.add(key)
                self.index(value_node, (*path, key))
        elif isinstance(node, yaml.SequenceNode):
            for position, item in enumerate(node.value):
                self.index(item, (*path, position))
        elif isinstance(node, yaml.ScalarNode):
            self.raw[path] = node.value

    def line(self, path: PathKey) -> int | None:
        """Line of the closest located ancestor of `path`."""
        for end in range(len(path), -1, -1):
            if path[:end] in self.lines:
                return self.lines[path[:end]]
        return None

    def issue(self, code: str, path: PathKey, message: str) -> Issue:
        """An issue located at `path`."""
        return Issue(code, format_path(path), message, self.line(path))


_SCHEMA_MESSAGES: dict[str, str] = {
    "required": "clé obligatoire manquante : {missing}",
    "additionalProperties": "clé inconnue : {extra}",
    "type": "type attendu : {expected}, trouvé : {found}",
    "enum": "valeur « {value} » non permise (valeurs possibles : {allowed})",
    "minItems": "la liste ne doit pas être vide",
    "minLength": "le texte ne doit pas être vide",
    "pattern": "identifiant ou code « {value} » invalide (lettres, chiffres, _ . -)",
    "minimum": "la valeur doit être ≥ {limit}",
    "anyOf": "attendu : le nom d'une liste déclarée dans choice_lists, ou une liste de"
    " modalités {{code, label}}",
}

_TYPE_NAMES = {
    "string": "texte",
    "number": "nombre",
    "integer": "entier",
    "boolean": "booléen (true/false)",
    "array": "liste",
    "object": "dictionnaire",
    "null": "vide",
}


def _type_name(value: Any) -> str:
    """French name of a YAML value's type."""
    if isinstance(value, bool):
        return "booléen"
    if value is None:
        return "vide"
    return {
        str: "texte",
        int: "entier",
        float: "nombre",
        list: "liste",
        dict: "dictionnaire",
    }.get(type(value), type(value).__name__)


def _schema_issue(error: jsonschema.ValidationError, located: _Located) -> Issue:
    """A JSON Schema error as a French issue."""
    path: PathKey = tuple(error.absolute_path)
    kind = str(error.validator)
    if kind == "required":
        missing = error.message.split("'")[1] if "'" in error.message else "?"
        message = _SCHEMA_MESSAGES[kind].format(missing=missing)
    elif kind == "additionalProperties":
        allowed = set(error.schema.get("properties", {}))
        extra = ", ".join(sorted(str(key) for key in error.instance if key not in allowed))
        message = _SCHEMA_MESSAGES[kind].format(extra=extra)
        if allowed:
            message += f" (clés permises : {', '.join(sorted(allowed))})"
    elif kind == "type":
        expected = error.validator_value
        expected = expected if isinstance(expected, list) else [expected]
        message = _SCHEMA_MESSAGES[kind].format(
            expected=" ou ".join(_TYPE_NAMES.get(name, name) for name in expected),
            found=_type_name(error.instance),
        )
    elif kind == "enum":
        message = _SCHEMA_MESSAGES[kind].format(
            value=error.instance, allowed=", ".join(map(str, error.validator_value))
        )
    elif kind == "propertyNames" or (kind == "pattern" and path == () and error.path == ()):
        message = f"nom « {error.instance} » invalide (lettres, chiffres, _ . -)"
    elif kind in {"pattern", "minItems", "minLength", "anyOf"}:
        message = _SCHEMA_MESSAGES[kind].format(value=error.instance)
    elif kind == "minimum":
        message = _SCHEMA_MESSAGES[kind].format(limit=error.validator_value)
    else:
        message = error.message
    return located.issue(f"schema_{kind}", path, message)


def _schema_issues(data: Any, located: _Located) -> list[Issue]:
    """Every JSON Schema violation, in document order."""
    if _surely_valid(data):
        return []
    validator = _validator()
    errors = sorted(
        validator.iter_errors(data), key=lambda e: located.line(tuple(e.absolute_path)) or 0
    )
    return [_schema_issue(error, located) for error in errors]


def _text(value: Any, raw: str | None) -> str:
    """A scalar as text, using the raw YAML text for unquoted numbers (`2024.10`, `01`)."""
    if raw is not None and not isinstance(value, str):
        return raw
    return str(value)


def _options(
    items: Any, path: PathKey, located: _Located, issues: list[Issue], with_description: bool
) -> tuple[Any, ...]:
    """Choices or levels, checking duplicate and reserved codes."""
    options: list[Any] = []
    seen: set[str] = set()
    for position, item in enumerate(items if isinstance(items, list) else []):
        if not isinstance(item, dict) or "code" not in item:
            continue
        code = _text(item["code"], located.raw.get((*path, position, "code")))
        item_path = (*path, position, "code")
        if code == NSP_CODE:
            issues.append(
                located.issue(
                    "reserved_code",
                    item_path,
                    f"le code « {NSP_CODE} » est réservé à « Ne sait pas / sans réponse » :"
                    " utilisez allow_nsp: true",
                )
            )
        if code in seen:
            issues.append(located.issue("duplicate_code", item_path, f"code « {code} » répété"))
        seen.add(code)
        label = str(item.get("label", ""))
        if with_description:
            options.append(Level(code, label, str(item.get("description", "") or "")))
        else:
            options.append(Choice(code, label, str(item.get("statement", "") or "")))
    return tuple(options)


_EXCLUSIVE_KEYS: dict[QuestionType, tuple[set[str], set[str]]] = {
    # type -> (keys it needs one of, keys it must not have)
    QuestionType.SINGLE_CHOICE: ({"choices"}, {"scale", "levels", "max_choices", "statement"}),
    QuestionType.MULTIPLE_CHOICE: ({"choices"}, {"scale", "levels", "statement"}),
    QuestionType.YES_NO: (set(), {"choices", "scale", "levels", "max_choices"}),
    QuestionType.MATURITY: ({"scale", "levels"}, {"choices", "max_choices", "statement"}),
    QuestionType.NUMBER: (set(), {"choices", "scale", "levels", "max_choices", "statement"}),
    QuestionType.PERCENTAGE: (set(), {"choices", "scale", "levels", "max_choices", "statement"}),
    QuestionType.TEXT: (set(), {"choices", "scale", "levels", "max_choices", "statement"}),
}


def _question(
    raw: dict[str, Any],
    path: PathKey,
    theme_id: str,
    scales: Mapping[str, tuple[Level, ...]],
    lists: Mapping[str, tuple[Choice, ...]],
    located: _Located,
    issues: list[Issue],
) -> Question | None:
    """Build one question, collecting issues; None when it cannot be built."""
    try:
        qtype = QuestionType(raw.get("type"))
    except ValueError:
        return None
    qid = str(raw.get("id", ""))
    needs, forbidden = _EXCLUSIVE_KEYS[qtype]
    for key in sorted(forbidden & raw.keys()):
        issues.append(
            located.issue(
                "key_not_allowed",
                (*path, key),
                f"« {key} » n'a pas de sens pour une question de type {qtype.value}",
            )
        )
    if needs and not needs & raw.keys():
        what = (
            "de niveaux (scale ou levels)"
            if qtype is QuestionType.MATURITY
            else "de modalités (choices)"
        )
        issues.append(
            located.issue(
                "missing_options", path, f"la question « {qid} » ({qtype.value}) n'a pas {what}"
            )
        )
    if qtype is QuestionType.MATURITY and {"scale", "levels"} <= raw.keys():
        issues.append(
            located.issue("scale_and_levels", path, "« scale » et « levels » sont exclusifs")
        )
    choices: tuple[Choice, ...] = ()
    levels: tuple[Level, ...] = ()
    choice_list = scale = None
    if "choices" in raw and "choices" not in forbidden:
        if isinstance(raw["choices"], str):
            choice_list = raw["choices"]
            if choice_list not in lists:
                issues.append(
                    located.issue(
                        "unknown_choice_list",
                        (*path, "choices"),
                        f"liste de modalités « {choice_list} » inconnue (choice_lists :"
                        f" {', '.join(lists) or 'aucune'})",
                    )
                )
            choices = lists.get(choice_list, ())
        else:
            choices = _options(raw["choices"], (*path, "choices"), located, issues, False)
    if qtype is QuestionType.MATURITY:
        if isinstance(raw.get("scale"), str):
            scale = raw["scale"]
            if scale not in scales:
                issues.append(
                    located.issue(
                        "unknown_scale",
                        (*path, "scale"),
                        f"échelle « {scale} » inconnue (scales : {', '.join(scales) or 'aucune'})",
                    )
                )
            levels = scales.get(scale, ())
        elif "levels" in raw:
            levels = _options(raw["levels"], (*path, "levels"), located, issues, True)
    max_choices = raw.get("max_choices")
    if (
        qtype is QuestionType.MULTIPLE_CHOICE
        and isinstance(max_choices, int)
        and choices
        and max_choices > len(choices)
    ):
        issues.append(
            located.issue(
                "max_choices_too_large",
                (*path, "max_choices"),
                f"max_choices ({max_choices}) dépasse le nombre de modalités ({len(choices)})",
            )
        )
    if qtype is not QuestionType.MULTIPLE_CHOICE:
        max_choices = None
    weight = raw.get("weight", 1)
    return Question(
        id=qid,
        theme=theme_id,
        type=qtype,
        label=str(raw.get("label", "")),
        hint=str(raw.get("hint", "") or ""),
        choices=choices,
        levels=levels,
        relevant=raw.get("relevant"),
        required=bool(raw.get("required", False)),
        constraint=raw.get("constraint"),
        constraint_message=raw.get("constraint_message"),
        max_choices=max_choices if isinstance(max_choices, int) else None,
        allow_nsp=bool(raw.get("allow_nsp", False)),
        weight=float(weight) if isinstance(weight, int | float) else 1.0,
        unit=raw.get("unit"),
        choice_list=choice_list,
        scale=scale,
        statement=str(raw.get("statement", "") or "") if "statement" not in forbidden else "",
        relevant_statement=str(raw.get("relevant_statement", "") or ""),
    )


def _population(raw: Any) -> Population:
    """The population noun of the YAML mapping (the default « collectivités » when absent)."""
    if not isinstance(raw, dict) or not raw.get("plural"):
        return DEFAULT_POPULATION
    plural = str(raw["plural"])
    singular = raw.get("singular") or " ".join(word.removesuffix("s") for word in plural.split())
    return Population(plural, str(singular), raw.get("gender", "feminine") != "masculine")


def _statement_issues(data: dict[str, Any], located: _Located) -> list[Issue]:
    """French grammar of the statements: plural predicates, relative clauses."""
    issues: list[Issue] = []

    def check_options(items: Any, path: PathKey) -> None:
        for position, item in enumerate(items if isinstance(items, list) else []):
            if isinstance(item, dict) and item.get("statement"):
                problem = predicate_problem(str(item["statement"]))
                if problem:
                    issues.append(
                        located.issue("statement_grammar", (*path, position, "statement"), problem)
                    )

    for name, items in (data.get("choice_lists") or {}).items():
        check_options(items, ("choice_lists", name))
    for t_pos, theme in enumerate(data.get("themes") or []):
        for q_pos, question in enumerate((theme or {}).get("questions") or []):
            if not isinstance(question, dict):
                continue
            path: PathKey = ("themes", t_pos, "questions", q_pos)
            for key, checker in (
                ("statement", predicate_problem),
                ("relevant_statement", relative_clause_problem),
            ):
                if question.get(key):
                    problem = checker(str(question[key]))
                    if problem:
                        issues.append(located.issue("statement_grammar", (*path, key), problem))
            check_options(question.get("choices"), (*path, "choices"))
    return issues


def _expression_issues(
    questionnaire: Questionnaire,
    question_paths: Mapping[str, PathKey],
    theme_paths: Mapping[str, PathKey],
    located: _Located,
) -> list[Issue]:
    """Check every `relevant` and `constraint` against the questions."""
    questions = questionnaire.questions
    order = {question.id: rank for rank, question in enumerate(questions)}
    types = {question.id: question.type for question in questions}
    codes = {question.id: question.codes for question in questions}
    issues: list[Issue] = []
    for theme in questionnaire.themes:
        if theme.relevant is not None and theme.questions:
            for problem in check(
                theme.relevant,
                kind="relevant",
                question_id=theme.questions[0].id,
                order=order,
                types=types,
                codes=codes,
            ):
                issues.append(
                    located.issue(
                        problem.code, (*theme_paths[theme.id], "relevant"), problem.message
                    )
                )
    for question in questions:
        for kind in ("relevant", "constraint"):
            text = getattr(question, kind)
            if text is None:
                continue
            for problem in check(
                text, kind=kind, question_id=question.id, order=order, types=types, codes=codes
            ):
                issues.append(
                    located.issue(
                        problem.code, (*question_paths[question.id], kind), problem.message
                    )
                )
    return issues


def build_questionnaire(data: Any, located: _Located | None = None) -> Questionnaire:
    """Validate a parsed YAML document (schema, then semantics) and build the model."""
    located = located or _Located()
    issues = list(located.issues)
    schema_issues = _schema_issues(data, located)
    issues += schema_issues
    if not isinstance(data, dict):
        raise QuestionnaireError(issues)
    if not schema_issues:
        return _build(data, located, issues)
    # the document breaks the schema: still collect the semantic issues where the structure allows
    try:
        _build(data, located, issues)
    except QuestionnaireError as error:
        raise QuestionnaireError(error.issues) from None
    except (TypeError, AttributeError, ValueError, KeyError):
        pass
    raise QuestionnaireError(issues)


def _build(data: dict[str, Any], located: _Located, issues: list[Issue]) -> Questionnaire:
    """Semantic checks and model construction; raises QuestionnaireError with every issue."""
    scales: dict[str, tuple[Level, ...]] = {}
    for name, items in (
        (data.get("scales") or {}).items() if isinstance(data.get("scales"), dict) else ()
    ):
        scales[str(name)] = _options(items, ("scales", name), located, issues, True)
    lists: dict[str, tuple[Choice, ...]] = {}
    raw_lists = data.get("choice_lists")
    for name, items in raw_lists.items() if isinstance(raw_lists, dict) else ():
        lists[str(name)] = _options(items, ("choice_lists", name), located, issues, False)
    waves: list[Wave] = []
    wave_ids: set[str] = set()
    for position, raw in enumerate(data.get("waves") or []):
        if not isinstance(raw, dict):
            continue
        wave = Wave(str(raw.get("id", "")), str(raw.get("label", "")))
        if wave.id in wave_ids:
            issues.append(
                located.issue(
                    "duplicate_id", ("waves", position, "id"), f"vague « {wave.id} » répétée"
                )
            )
        wave_ids.add(wave.id)
        waves.append(wave)
    themes: list[Theme] = []
    seen_questions: dict[str, PathKey] = {}
    theme_paths: dict[str, PathKey] = {}
    for t_pos, raw_theme in enumerate(data.get("themes") or []):
        if not isinstance(raw_theme, dict):
            continue
        t_path: PathKey = ("themes", t_pos)
        theme_id = str(raw_theme.get("id", ""))
        if theme_id in theme_paths:
            issues.append(
                located.issue("duplicate_id", (*t_path, "id"), f"thème « {theme_id} » répété")
            )
        theme_paths.setdefault(theme_id, t_path)
        wave = raw_theme.get("wave")
        if wave is not None and wave not in wave_ids:
            issues.append(
                located.issue(
                    "unknown_wave",
                    (*t_path, "wave"),
                    f"vague « {wave} » inconnue (waves : {', '.join(sorted(wave_ids)) or 'aucune'})",
                )
            )
        questions: list[Question] = []
        raw_questions = raw_theme.get("questions")
        for q_pos, raw_question in enumerate(
            raw_questions if isinstance(raw_questions, list) else []
        ):
            if not isinstance(raw_question, dict):
                continue
            q_path: PathKey = (*t_path, "questions", q_pos)
            qid = str(raw_question.get("id", ""))
            if qid in seen_questions:
                issues.append(
                    located.issue(
                        "duplicate_id",
                        (*q_path, "id"),
                        f"question « {qid} » répétée (déjà en {format_path(seen_questions[qid])})",
                    )
                )
            else:
                seen_questions[qid] = q_path
            question = _question(raw_question, q_path, theme_id, scales, lists, located, issues)
            if question is not None:
                questions.append(question)
        weight = raw_theme.get("weight", 1)
        themes.append(
            Theme(
                id=theme_id,
                label=str(raw_theme.get("label", "")),
                description=str(raw_theme.get("description", "") or ""),
                wave=wave,
                weight=float(weight) if isinstance(weight, int | float) else 1.0,
                relevant=raw_theme.get("relevant"),
                questions=tuple(questions),
            )
        )
    population = _population(data.get("population"))
    questionnaire = Questionnaire(
        id=str(data.get("id", "")),
        title=str(data.get("title", "")),
        version=_text(data.get("version", ""), located.raw.get(("version",))),
        edition=_text(data.get("edition", ""), located.raw.get(("edition",))),
        themes=tuple(themes),
        waves=tuple(waves),
        settings=dict(data.get("settings") or {}) if isinstance(data.get("settings"), dict) else {},
        language=str(data.get("language", "fr")),
        description=str(data.get("description", "") or ""),
        scales=scales,
        choice_lists=lists,
        population=population,
    )
    if questionnaire.language == "fr":
        issues += _statement_issues(data, located)
    if not issues:
        issues += _expression_issues(questionnaire, seen_questions, theme_paths, located)
    if issues:
        raise QuestionnaireError(issues)
    return questionnaire


_TEXT_KEYS = {
    "code",
    "label",
    "title",
    "version",
    "edition",
    "hint",
    "description",
    "unit",
    "constraint_message",
    "statement",
    "relevant_statement",
    "plural",
    "singular",
}


def _texts_as_written(data: Any, located: _Located) -> None:
    """Keep text fields as written: `code: 01`, `code: yes` or `version: 2024.10` stay text."""
    for path, raw in located.raw.items():
        if not path or path[-1] not in _TEXT_KEYS:
            continue
        parent = data
        try:
            for part in path[:-1]:
                parent = parent[part]
        except (KeyError, IndexError, TypeError):
            continue
        value = parent.get(path[-1]) if isinstance(parent, dict) else None
        if value is not None and not isinstance(value, str):
            parent[path[-1]] = raw


def loads_questionnaire(text: str, source: str = "") -> Questionnaire:
    """Parse and validate questionnaire YAML text; raise QuestionnaireError listing every problem.

    The text is first checked against `file_limits` (size, depth, node count, no aliases).
    """
    limits = yaml_limit_issues(text)
    if limits:
        raise QuestionnaireError(limits, source)
    located = _Located()
    try:
        loader = _YAML_LOADER(text)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        problem = getattr(error, "problem", None) or str(error)
        line = mark.line + 1 if mark is not None else None
        raise QuestionnaireError(
            [Issue("yaml_syntax", "", f"YAML invalide : {yaml_problem_text(problem)}", line)],
            source,
        ) from None
    if node is not None:
        located.index(node)
        _texts_as_written(data, located)
    try:
        return build_questionnaire(data, located)
    except QuestionnaireError as error:
        raise QuestionnaireError(error.issues, source) from None


def load_questionnaire(path: str | Path) -> Questionnaire:
    """Read and validate a questionnaire YAML file."""
    path = Path(path)
    return loads_questionnaire(path.read_text(encoding="utf-8"), str(path))


def _number(value: float) -> int | float:
    """Integral floats as ints, for a tidy YAML."""
    return int(value) if float(value).is_integer() else value


def _choices_data(choices: tuple[Choice, ...]) -> list[dict[str, str]]:
    """Choices as YAML data (statements when written)."""
    return [
        {"code": choice.code, "label": choice.label}
        | ({"statement": choice.statement} if choice.statement else {})
        for choice in choices
    ]


def _levels_data(levels: tuple[Level, ...]) -> list[dict[str, str]]:
    """Levels as YAML data (empty descriptions omitted)."""
    data = []
    for level in levels:
        item = {"code": level.code, "label": level.label}
        if level.description:
            item["description"] = level.description
        data.append(item)
    return data


def _question_data(question: Question) -> dict[str, Any]:
    """One question as canonical YAML data (default values omitted)."""
    data: dict[str, Any] = {"id": question.id, "type": question.type.value, "label": question.label}
    if question.statement:
        data["statement"] = question.statement
    if question.hint:
        data["hint"] = question.hint
    if question.required:
        data["required"] = True
    if question.allow_nsp:
        data["allow_nsp"] = True
    if question.relevant is not None:
        data["relevant"] = question.relevant
    if question.relevant_statement:
        data["relevant_statement"] = question.relevant_statement
    if question.type in (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE):
        data["choices"] = question.choice_list or _choices_data(question.choices)
    if question.max_choices is not None:
        data["max_choices"] = question.max_choices
    if question.type is QuestionType.MATURITY:
        if question.scale is not None:
            data["scale"] = question.scale
        else:
            data["levels"] = _levels_data(question.levels)
    if question.weight != 1:
        data["weight"] = _number(question.weight)
    if question.unit is not None:
        data["unit"] = question.unit
    if question.constraint is not None:
        data["constraint"] = question.constraint
    if question.constraint_message is not None:
        data["constraint_message"] = question.constraint_message
    return data


def questionnaire_data(questionnaire: Questionnaire) -> dict[str, Any]:
    """The questionnaire as canonical YAML data (key order of the contract)."""
    data: dict[str, Any] = {
        "id": questionnaire.id,
        "title": questionnaire.title,
        "version": questionnaire.version,
        "edition": questionnaire.edition,
        "language": questionnaire.language,
    }
    if questionnaire.description:
        data["description"] = questionnaire.description
    if questionnaire.population != DEFAULT_POPULATION:
        population = questionnaire.population
        data["population"] = {
            "plural": population.plural,
            "singular": population.singular,
            "gender": "feminine" if population.feminine else "masculine",
        }
    if questionnaire.settings:
        data["settings"] = dict(questionnaire.settings)
    if questionnaire.waves:
        data["waves"] = [{"id": wave.id, "label": wave.label} for wave in questionnaire.waves]
    if questionnaire.scales:
        data["scales"] = {
            name: _levels_data(levels) for name, levels in questionnaire.scales.items()
        }
    if questionnaire.choice_lists:
        data["choice_lists"] = {
            name: _choices_data(choices) for name, choices in questionnaire.choice_lists.items()
        }
    themes = []
    for theme in questionnaire.themes:
        item: dict[str, Any] = {"id": theme.id, "label": theme.label}
        if theme.description:
            item["description"] = theme.description
        if theme.wave is not None:
            item["wave"] = theme.wave
        item["weight"] = _number(theme.weight)
        if theme.relevant is not None:
            item["relevant"] = theme.relevant
        item["questions"] = [_question_data(question) for question in theme.questions]
        themes.append(item)
    data["themes"] = themes
    return data


def dump_questionnaire(questionnaire: Questionnaire) -> str:
    """The questionnaire as canonical YAML text."""
    return yaml.dump(
        questionnaire_data(questionnaire),
        Dumper=_YAML_DUMPER,
        allow_unicode=True,
        sort_keys=False,
        width=100,
    )


def save_questionnaire(questionnaire: Questionnaire, path: str | Path) -> None:
    """Write the questionnaire as canonical YAML."""
    Path(path).write_text(dump_questionnaire(questionnaire), encoding="utf-8")
