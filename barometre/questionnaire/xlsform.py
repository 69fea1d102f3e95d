"""XLSForm I/O: write a questionnaire as an XLSForm (lossless through `barometre::` columns) and read
XLSForms written by others, with a field-by-field report of what barometre does not support."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.styles import Font
from python_calamine import CalamineWorkbook
from pyxform.aliases import survey_header as PYXFORM_SURVEY_ALIASES
from pyxform.aliases import yes_no as PYXFORM_YES_NO
from pyxform.question_type_dictionary import QUESTION_TYPE_DICT

from barometre.questionnaire.expressions import check
from barometre.questionnaire.file_limits import MAX_WORKBOOK_ROWS, workbook_limit_problem
from barometre.questionnaire.issues import Issue, QuestionnaireError
from barometre.questionnaire.model import (
    DEFAULT_POPULATION,
    NSP_CODE,
    NSP_LABEL,
    YES_NO_CHOICES,
    Choice,
    Level,
    Question,
    Questionnaire,
    QuestionType,
)
from barometre.questionnaire.yaml_format import build_questionnaire
from barometre.register.labels import count

PREFIX = "barometre::"
# choices columns become item properties in the XForm: they must be valid XML names (no "::")
CHOICE_DESCRIPTION = "barometre_description"
CHOICE_LIST_KIND = "barometre_list"
CHOICE_STATEMENT = "barometre_statement"

SURVEY_COLUMNS = [
    "type",
    "name",
    "label",
    "hint",
    "required",
    "relevant",
    "constraint",
    "constraint_message",
    f"{PREFIX}type",
    f"{PREFIX}allow_nsp",
    f"{PREFIX}max_choices",
    f"{PREFIX}weight",
    f"{PREFIX}unit",
    f"{PREFIX}wave",
    f"{PREFIX}description",
    f"{PREFIX}derived_constraint",
    f"{PREFIX}constraint",
    f"{PREFIX}constraint_message",
    f"{PREFIX}statement",
    f"{PREFIX}relevant_statement",
]
CHOICES_COLUMNS = [
    "list_name",
    "name",
    "label",
    CHOICE_DESCRIPTION,
    CHOICE_LIST_KIND,
    CHOICE_STATEMENT,
]
SETTINGS_COLUMNS = [
    "form_title",
    "form_id",
    "version",
    "default_language",
    f"{PREFIX}edition",
    f"{PREFIX}description",
    f"{PREFIX}waves",
    f"{PREFIX}settings",
    f"{PREFIX}population",
]

YES_NO_LIST = "oui_non"

# ---------------------------------------------------------------------------------------- writing


def _number_cell(value: float) -> int | float:
    """Integral floats written as integers."""
    return int(value) if float(value).is_integer() else value


class _ListNames:
    """Unique XLSForm list names."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def take(self, wanted: str) -> str:
        """The wanted name, suffixed with a number if already taken."""
        name, counter = wanted, 2
        while name in self.used:
            name, counter = f"{wanted}_{counter}", counter + 1
        self.used.add(name)
        return name


def xlsform_rows(
    questionnaire: Questionnaire,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, Any]]:
    """The survey rows, choices rows and settings of the XLSForm for a questionnaire."""
    names = _ListNames()
    choices_rows: list[dict[str, Any]] = []
    list_of_choice_list: dict[str, str] = {}
    list_of_scale: dict[str, str] = {}

    def add_list(name: str, kind: str, options: Iterable[Choice | Level]) -> None:
        """Append the rows of one list to the choices sheet."""
        for option in options:
            row = {
                "list_name": name,
                "name": option.code,
                "label": option.label,
                CHOICE_LIST_KIND: kind,
            }
            description = getattr(option, "description", "")
            if description:
                row[CHOICE_DESCRIPTION] = description
            statement = getattr(option, "statement", "")
            if statement:
                row[CHOICE_STATEMENT] = statement
            choices_rows.append(row)

    for scale, levels in questionnaire.scales.items():
        list_of_scale[scale] = names.take(scale)
        add_list(list_of_scale[scale], f"scale:{scale}", levels)
    for choice_list, choices in questionnaire.choice_lists.items():
        list_of_choice_list[choice_list] = names.take(choice_list)
        add_list(list_of_choice_list[choice_list], f"choice_list:{choice_list}", choices)
    yes_no = None
    nsp_variants: dict[str, str] = {}

    def with_nsp(base: str, options: tuple[Choice | Level, ...]) -> str:
        """The name of the list variant ending with the `nsp` choice."""
        if base not in nsp_variants:
            nsp_variants[base] = names.take(f"{base}_nsp")
            add_list(nsp_variants[base], f"nsp:{base}", (*options, Choice(NSP_CODE, NSP_LABEL)))
        return nsp_variants[base]

    survey_rows: list[dict[str, Any]] = []
    for theme in questionnaire.themes:
        group = {
            "type": "begin_group",
            "name": theme.id,
            "label": theme.label,
            "relevant": theme.relevant,
            f"{PREFIX}description": theme.description or None,
            f"{PREFIX}wave": theme.wave,
            f"{PREFIX}weight": _number_cell(theme.weight),
        }
        survey_rows.append(group)
        for question in theme.questions:
            row = _question_row(question)
            if question.type.is_choice:
                if question.type is QuestionType.YES_NO:
                    if yes_no is None:
                        yes_no = names.take(YES_NO_LIST)
                        add_list(yes_no, "yes_no", YES_NO_CHOICES)
                    list_name = yes_no
                elif question.scale is not None:
                    list_name = list_of_scale[question.scale]
                elif question.choice_list is not None:
                    list_name = list_of_choice_list[question.choice_list]
                else:
                    list_name = names.take(question.id)
                    add_list(list_name, "inline", question.levels or question.choices)
                if question.allow_nsp:
                    list_name = with_nsp(list_name, question.options)
                select = (
                    "select_multiple"
                    if question.type is QuestionType.MULTIPLE_CHOICE
                    else "select_one"
                )
                row["type"] = f"{select} {list_name}"
            survey_rows.append(row)
        survey_rows.append({"type": "end_group"})
    settings = {
        "form_title": questionnaire.title,
        "form_id": questionnaire.id,
        "version": questionnaire.version,
        "default_language": questionnaire.language,
        f"{PREFIX}edition": questionnaire.edition,
        f"{PREFIX}description": questionnaire.description or None,
        f"{PREFIX}waves": json.dumps(
            [{"id": wave.id, "label": wave.label} for wave in questionnaire.waves],
            ensure_ascii=False,
        )
        if questionnaire.waves
        else None,
        f"{PREFIX}settings": json.dumps(questionnaire.settings, ensure_ascii=False, default=str)
        if questionnaire.settings
        else None,
        f"{PREFIX}population": json.dumps(
            {
                "plural": questionnaire.population.plural,
                "singular": questionnaire.population.singular,
                "gender": "feminine" if questionnaire.population.feminine else "masculine",
            },
            ensure_ascii=False,
        )
        if questionnaire.population != DEFAULT_POPULATION
        else None,
    }
    return survey_rows, choices_rows, settings


def derived_constraints(question: Question) -> list[tuple[str, str]]:
    """Checks implied by the question type, written into the XLSForm constraint for ODK/Kobo."""
    checks = []
    if question.type is QuestionType.PERCENTAGE:
        checks.append((". >= 0 and . <= 100", "Le pourcentage doit être compris entre 0 et 100."))
    if question.type is QuestionType.MULTIPLE_CHOICE and question.max_choices is not None:
        checks.append(
            (
                f"count-selected(.) <= {question.max_choices}",
                f"{question.max_choices} réponse(s) au plus.",
            )
        )
    if question.type is QuestionType.MULTIPLE_CHOICE and question.allow_nsp:
        checks.append(
            (
                f"not(selected(., '{NSP_CODE}') and count-selected(.) > 1)",
                "« Ne sait pas » ne se combine pas avec d'autres réponses.",
            )
        )
    return checks


def _question_row(question: Question) -> dict[str, Any]:
    """The survey row of one question (its `type` is completed by the caller for closed questions)."""
    xls_type = {
        QuestionType.NUMBER: "decimal",
        QuestionType.PERCENTAGE: "decimal",
        QuestionType.TEXT: "text",
    }.get(question.type, "")
    derived = derived_constraints(question)
    constraint, message = question.constraint, question.constraint_message
    extra: dict[str, Any] = {}
    if derived:
        checks = [*derived, *([(constraint, message)] if constraint else [])]
        extra = {
            f"{PREFIX}derived_constraint": "yes",
            f"{PREFIX}constraint": constraint,
            f"{PREFIX}constraint_message": message,
        }
        constraint = " and ".join(f"({check})" for check, _ in checks)
        message = " ".join(text for _, text in checks if text) or None
    return {
        **extra,
        "type": xls_type,
        "name": question.id,
        "label": question.label,
        "hint": question.hint or None,
        "required": "yes" if question.required else None,
        "relevant": question.relevant,
        "constraint": constraint,
        "constraint_message": message,
        f"{PREFIX}type": question.type.value,
        f"{PREFIX}allow_nsp": "yes" if question.allow_nsp else None,
        f"{PREFIX}max_choices": question.max_choices,
        f"{PREFIX}weight": _number_cell(question.weight),
        f"{PREFIX}unit": question.unit,
        f"{PREFIX}statement": question.statement or None,
        f"{PREFIX}relevant_statement": question.relevant_statement or None,
    }


def write_xlsform(questionnaire: Questionnaire, path: str | Path) -> None:
    """Write the questionnaire as an XLSForm workbook (`survey`, `choices`, `settings`)."""
    survey_rows, choices_rows, settings = xlsform_rows(questionnaire)
    workbook = openpyxl.Workbook()
    sheets = [
        ("survey", SURVEY_COLUMNS, survey_rows),
        ("choices", CHOICES_COLUMNS, choices_rows),
        ("settings", SETTINGS_COLUMNS, [settings]),
    ]
    workbook.remove(workbook.active)
    for title, columns, rows in sheets:
        sheet = workbook.create_sheet(title)
        sheet.append(columns)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append([row.get(column) for column in columns])
        sheet.freeze_panes = "A2"
    workbook.save(path)


# ---------------------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class ImportNote:
    """One line of the import report: where (sheet, row, column, name) and what was not supported."""

    sheet: str
    row: int | None
    column: str
    name: str
    message: str
    level: str = "non pris en charge"  # or "adapté", "erreur"

    def __str__(self) -> str:
        where = self.sheet + (f" ligne {self.row}" if self.row is not None else "")
        field_word = "champ" if self.sheet == "questionnaire" else "colonne"
        where += f", {field_word} « {self.column} »" if self.column else ""
        where += f", « {self.name} »" if self.name else ""
        return f"[{self.level}] {where} : {self.message}"


@dataclass
class XLSFormImport:
    """The result of reading an XLSForm: the questionnaire (None on failure) and the report."""

    source: str
    questionnaire: Questionnaire | None = None
    notes: list[ImportNote] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when a questionnaire could be built."""
        return self.questionnaire is not None

    @property
    def unsupported(self) -> list[ImportNote]:
        """Notes about what was dropped or could not be read."""
        return [note for note in self.notes if note.level != "adapté"]

    def report(self) -> str:
        """The import report, in French, one note per line."""
        head = f"Import XLSForm {self.source} : "
        if self.questionnaire is not None:
            q = self.questionnaire
            head += f"{len(q.themes)} thème(s), {len(q.questions)} question(s) importée(s)"
        else:
            head += "échec, aucun questionnaire importé"
        if not self.notes:
            return head + "\nTout a été importé."
        return "\n".join([head, *(f"  - {note}" for note in self.notes)])


def _cell_text(value: Any) -> str:
    """A spreadsheet cell as text (integral floats without decimals)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


_BIND_ATTRIBUTES = {
    "relevant": "relevant",
    "required": "required",
    "constraint": "constraint",
    "jr:constraintMsg": "constraint_message",
    "jr:requiredMsg": "required_message",
    "readonly": "read_only",
    "calculate": "calculation",
    "jr:noAppErrorString": "no_app_error_string",
}
_LANGUAGE_COLUMNS = {
    "label",
    "hint",
    "constraint_message",
    "required_message",
    "image",
    "audio",
    "video",
    "big-image",
    "guidance_hint",
}


def _canonical_column(header: str) -> tuple[str, str | None]:
    """An XLSForm column header as (canonical name, language or None), using pyxform's aliases."""
    header = header.strip()
    if header.startswith(PREFIX):
        return header, None
    for prefix in ("bind::", "bind:"):
        if header.startswith(prefix):
            attribute = header[len(prefix) :]
            return _BIND_ATTRIBUTES.get(attribute, attribute), None
    language = None
    for separator in ("::", ":"):
        head, sep, tail = header.partition(separator)
        if sep and head.strip().lower() in _LANGUAGE_COLUMNS | {
            "media",
            "constraint_message",
            "constraining_message",
            "requiredmsg",
            "caption",
        }:
            header, language = head.strip(), tail.strip()
            break
    if header == "media" and language:
        header, language = language.split("::")[0].split(":")[0], None
    alias = PYXFORM_SURVEY_ALIASES.get(header, PYXFORM_SURVEY_ALIASES.get(header.lower()))
    if isinstance(alias, tuple):
        section, attribute = alias
        if section == "bind":
            header = _BIND_ATTRIBUTES.get(attribute, attribute)
        elif section == "media":
            header = attribute
        else:
            header = {"jr:count": "repeat_count"}.get(attribute, attribute)
    elif isinstance(alias, str):
        header = alias
    header = {"list name": "list_name", "list_name": "list_name"}.get(header, header)
    return header, language


@dataclass
class _Sheet:
    """A sheet as rows of {canonical column: text}, with spreadsheet row numbers."""

    name: str
    rows: list[tuple[int, dict[str, str]]]
    columns: list[tuple[str, str, str | None]]  # (header, canonical, language)


class SheetTooLong(ValueError):
    """A sheet has more rows than `MAX_WORKBOOK_ROWS` (French message)."""


def _read_sheet(workbook: CalamineWorkbook, name: str) -> _Sheet | None:
    """Read one sheet (None if absent); skips blank rows."""
    matching = [sheet for sheet in workbook.sheet_names if sheet.strip().lower() == name]
    if not matching:
        return None
    sheet = workbook.get_sheet_by_name(matching[0])
    if sheet.height > MAX_WORKBOOK_ROWS:
        raise SheetTooLong(
            f"feuille « {matching[0]} » trop longue : {count(sheet.height)} lignes, "
            f"{count(MAX_WORKBOOK_ROWS)} au plus"
        )
    table = sheet.to_python(skip_empty_area=False)
    if not table:
        return _Sheet(name, [], [])
    headers = [_cell_text(cell) for cell in table[0]]
    columns = [(header, *_canonical_column(header)) for header in headers]
    rows = []
    for number, cells in enumerate(table[1:], start=2):
        values: dict[str, str] = {}
        for (header, canonical, language), cell in zip(columns, cells, strict=False):
            text = _cell_text(cell)
            if not header or not text:
                continue
            key = canonical if language is None else f"{canonical}::{language}"
            values.setdefault(key, text)
        if values:
            rows.append((number, values))
    return _Sheet(name, rows, columns)


_SELECT_RE = re.compile(
    r"^(select_one|select one|select_multiple|select all that apply|select multiple)"
    r"(?:\s+from)?\s+(\S+)(\s+or_other)?$"
)
_NUMBER_TYPES = {"integer", "int", "decimal", "q int", "q decimal"}
_TEXT_TYPES = {"text", "string", "q string"}
_IGNORED_COLUMNS = {
    "choice_filter": "filtre de modalités (choice_filter) non pris en charge",
    "calculation": "calcul non pris en charge",
    "default": "valeur par défaut non prise en charge",
    "read_only": "lecture seule non prise en charge",
    "repeat_count": "nombre de répétitions non pris en charge",
    "appearance": "apparence ignorée",
    "parameters": "paramètres ignorés",
    "trigger": "déclencheur non pris en charge",
    "required_message": "message d'obligation ignoré",
    "image": "média ignoré",
    "audio": "média ignoré",
    "video": "média ignoré",
    "big-image": "média ignoré",
    "guidance_hint": "aide au guide ignorée",
    "rows": "hauteur de champ ignorée",
}
_KNOWN_COLUMNS = {
    "type",
    "name",
    "label",
    "hint",
    "required",
    "relevant",
    "constraint",
    "constraint_message",
    *_IGNORED_COLUMNS,
}


def _choice_item(item: dict[str, Any]) -> dict[str, Any]:
    """A choice of the YAML data from a list item (its level description dropped)."""
    return {key: item[key] for key in ("code", "label", "statement") if key in item}


def _pick_language(
    columns: list[tuple[str, str, str | None]], wanted: str | None
) -> dict[str, str | None]:
    """For each translatable column, the language kept (None = the column without language)."""
    by_column: dict[str, list[str | None]] = {}
    for _header, canonical, language in columns:
        by_column.setdefault(canonical, []).append(language)
    chosen: dict[str, str | None] = {}
    for canonical, languages in by_column.items():
        if None in languages:
            chosen[canonical] = None
            continue
        preferred = [
            language
            for language in languages
            if language
            and (
                (wanted and wanted.lower() in language.lower())
                or re.search(r"\b(fr|french|français|francais)\b", language.lower())
            )
        ]
        chosen[canonical] = (preferred or languages)[0]
    return chosen


def _flag(text: str) -> bool:
    """An XLSForm yes/no cell as a boolean."""
    return bool(
        PYXFORM_YES_NO.get(text.strip(), text.strip().lower() in {"1", "yes", "true", "oui"})
    )


_COLUMN_OF_KEY = {
    "id": "name",
    "choices": "type",
    "scale": "type",
    "levels": "type",
    "wave": f"{PREFIX}wave",
    "weight": f"{PREFIX}weight",
    "max_choices": f"{PREFIX}max_choices",
    "unit": f"{PREFIX}unit",
}
_DATA_PATH = re.compile(r"^themes\[(\d+)\](?:\.questions\[(\d+)\])?")
_ID_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")
_CODE_RE = re.compile(r"^[A-Za-z0-9_.\-]+$")


def _safe_id(text: str, fallback: str) -> str:
    """A valid identifier made from a name."""
    cleaned = re.sub(r"[^A-Za-z0-9_.\-]+", "_", text).strip("_.-")
    if not cleaned:
        return fallback
    return cleaned if _ID_RE.match(cleaned) else f"f_{cleaned}"


class _Reader:
    """Turns the sheets of an XLSForm into the questionnaire YAML data, noting what it drops."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.notes: list[ImportNote] = []
        self.theme_rows: dict[str, int] = {}
        self.question_rows: dict[str, int] = {}

    def locate(self, data: dict[str, Any], path: str) -> tuple[int | None, str]:
        """The survey row and name of the theme or question a data path points into."""
        match = _DATA_PATH.match(path)
        if match is None:
            return None, ""
        try:
            theme = data["themes"][int(match.group(1))]
            if match.group(2) is None:
                return self.theme_rows.get(theme["id"]), theme["id"]
            question = theme["questions"][int(match.group(2))]
            return self.question_rows.get(question["id"]), question["id"]
        except (IndexError, KeyError, TypeError):
            return None, ""

    def note(
        self,
        sheet: str,
        row: int | None,
        column: str,
        name: str,
        message: str,
        level: str = "non pris en charge",
    ) -> None:
        """Add one line to the import report."""
        self.notes.append(ImportNote(sheet, row, column, name, message, level))

    def read(self, workbook: CalamineWorkbook) -> dict[str, Any] | None:
        """The questionnaire YAML data read from the workbook (None when nothing can be imported)."""
        survey = _read_sheet(workbook, "survey")
        if survey is None:
            self.note(
                "classeur",
                None,
                "",
                "",
                "feuille « survey » absente : ce n'est pas un XLSForm",
                "erreur",
            )
            return None
        choices_sheet = _read_sheet(workbook, "choices")
        settings_sheet = _read_sheet(workbook, "settings")
        for extra in workbook.sheet_names:
            if extra.strip().lower() not in {"survey", "choices", "settings"}:
                self.note(extra, None, "", "", "feuille ignorée")
        settings = settings_sheet.rows[0][1] if settings_sheet and settings_sheet.rows else {}
        self._note_settings(settings_sheet, settings)
        language = settings.get("default_language")
        lists = self._lists(choices_sheet, language) if choices_sheet else {}
        data = self._header(settings)
        data["themes"] = self._themes(survey, lists, language)
        self._lists_into(data, lists)
        self._check_expressions(data)
        if not any(theme["questions"] for theme in data["themes"]):
            self.note("survey", None, "", "", "aucune question importable", "erreur")
            return None
        data["themes"] = [theme for theme in data["themes"] if theme["questions"]]
        return data

    # -- settings

    def _note_settings(self, sheet: _Sheet | None, settings: dict[str, str]) -> None:
        """Report the settings barometre ignores."""
        supported = {"form_title", "title", "form_id", "id_string", "version", "default_language"}
        for key in settings:
            if key not in supported and not key.startswith(PREFIX):
                self.note("settings", 2, key, "", "paramètre ignoré")

    def _header(self, settings: dict[str, str]) -> dict[str, Any]:
        """The questionnaire header (id, title, version…) from the settings sheet."""
        stem = Path(self.source).stem
        title = settings.get("form_title") or settings.get("title") or stem
        form_id = settings.get("form_id") or settings.get("id_string") or stem
        data: dict[str, Any] = {
            "id": _safe_id(form_id, "questionnaire"),
            "title": title,
            "version": settings.get("version") or "1",
            "edition": settings.get(f"{PREFIX}edition", ""),
            "language": settings.get("default_language") or "fr",
        }
        if len(data["language"]) < 2:
            data["language"] = "fr"
        if data["id"] != form_id:
            self.note(
                "settings",
                2,
                "form_id",
                form_id,
                f"identifiant adapté en « {data['id']} »",
                "adapté",
            )
        if settings.get(f"{PREFIX}description"):
            data["description"] = settings[f"{PREFIX}description"]
        for key, target in (
            (f"{PREFIX}waves", "waves"),
            (f"{PREFIX}settings", "settings"),
            (f"{PREFIX}population", "population"),
        ):
            if settings.get(key):
                try:
                    data[target] = json.loads(settings[key])
                except json.JSONDecodeError as error:
                    self.note("settings", 2, key, "", f"JSON invalide ({error.msg}), ignoré")
        return data

    # -- choices

    def _lists(self, sheet: _Sheet, language: str | None) -> dict[str, dict[str, Any]]:
        """The choice lists of the choices sheet, by list name."""
        chosen = _pick_language(sheet.columns, language)
        label_key = "label" if chosen.get("label") is None else f"label::{chosen['label']}"
        self._note_columns(
            sheet,
            chosen,
            {"list_name", "name", "label", CHOICE_DESCRIPTION, CHOICE_LIST_KIND, CHOICE_STATEMENT},
        )
        lists: dict[str, dict[str, Any]] = {}
        for number, row in sheet.rows:
            list_name, code = row.get("list_name", ""), row.get("name", "")
            if not list_name or not code:
                if list_name or code:
                    self.note(
                        "choices",
                        number,
                        "list_name" if not list_name else "name",
                        code or list_name,
                        "modalité incomplète ignorée",
                    )
                continue
            entry = lists.setdefault(
                list_name, {"kind": row.get(CHOICE_LIST_KIND, ""), "items": [], "row": number}
            )
            if not _CODE_RE.match(code):
                self.note(
                    "choices",
                    number,
                    "name",
                    code,
                    "code invalide (lettres, chiffres, _ . -), modalité ignorée",
                )
                continue
            label = row.get(label_key) or row.get("label") or ""
            if not label:
                label = code
                self.note(
                    "choices",
                    number,
                    "label",
                    code,
                    "libellé vide : le code sert de libellé",
                    "adapté",
                )
            item = {"code": code, "label": label}
            if row.get(CHOICE_DESCRIPTION):
                item["description"] = row[CHOICE_DESCRIPTION]
            if row.get(CHOICE_STATEMENT):
                item["statement"] = row[CHOICE_STATEMENT]
            if any(existing["code"] == code for existing in entry["items"]):
                self.note(
                    "choices",
                    number,
                    "name",
                    code,
                    f"code répété dans la liste « {list_name} », ignoré",
                )
                continue
            entry["items"].append(item)
            for column, message in _IGNORED_COLUMNS.items():
                if row.get(column) and column not in {"label"}:
                    self.note("choices", number, column, code, message)
        return lists

    def _note_columns(self, sheet: _Sheet, chosen: dict[str, str | None], known: set[str]) -> None:
        """Report translation columns and unknown columns once per column."""
        for header, canonical, language in sheet.columns:
            if not header:
                continue
            if canonical.startswith((PREFIX, "barometre_")):
                continue
            if language is not None and chosen.get(canonical) != language:
                self.note(
                    sheet.name,
                    1,
                    header,
                    "",
                    f"traduction « {language} » ignorée (une seule langue est importée)",
                )
            elif (
                canonical not in known
                and canonical not in _IGNORED_COLUMNS
                and any(canonical in row for _n, row in sheet.rows)
            ):
                self.note(sheet.name, 1, header, "", "colonne inconnue, ignorée")

    def _lists_into(self, data: dict[str, Any], lists: dict[str, dict[str, Any]]) -> None:
        """Named lists (ours, or foreign lists used by an imported question) into scales/choice_lists."""
        scales: dict[str, list[dict[str, Any]]] = {}
        choice_lists: dict[str, list[dict[str, Any]]] = {}
        used_as_scale = {q["scale"] for t in data["themes"] for q in t["questions"] if "scale" in q}
        used_as_list = {
            q["choices"]
            for t in data["themes"]
            for q in t["questions"]
            if isinstance(q.get("choices"), str)
        }
        for list_name, entry in lists.items():
            kind, _sep, original = entry["kind"].partition(":")
            if kind == "scale":
                scales[original] = entry["items"]
            elif kind == "choice_list":
                choice_lists[original] = [_choice_item(i) for i in entry["items"]]
            elif not kind and list_name in used_as_scale:
                scales[list_name] = entry["items"]
            elif not kind and list_name in used_as_list:
                choice_lists[list_name] = [_choice_item(i) for i in entry["items"]]
        if scales:
            data["scales"] = scales
        if choice_lists:
            data["choice_lists"] = choice_lists

    # -- survey

    def _themes(
        self, sheet: _Sheet, lists: dict[str, dict[str, Any]], language: str | None
    ) -> list[dict[str, Any]]:
        """Themes and their questions from the survey sheet (groups become themes)."""
        chosen = _pick_language(sheet.columns, language)
        self._note_columns(sheet, chosen, _KNOWN_COLUMNS)

        def text(row: dict[str, str], column: str) -> str:
            """A translatable cell in the language kept."""
            language_kept = chosen.get(column)
            return row.get(column if language_kept is None else f"{column}::{language_kept}", "")

        themes: list[dict[str, Any]] = []
        stack: list[dict[str, Any]] = []  # open groups: {"name", "relevant", "row", "theme"}
        repeat_depth = 0
        loose = 0
        seen: set[str] = set()
        current: dict[str, Any] | None = None
        for number, row in sheet.rows:
            xls_type = re.sub(r"\s+", " ", row.get("type", "")).strip()
            name = row.get("name", "")
            normalized = xls_type.lower().replace("_", " ")
            if normalized in {"begin group", "begin repeat"}:
                if normalized == "begin repeat" or repeat_depth:
                    repeat_depth += 1
                    if normalized == "begin repeat":
                        self.note(
                            "survey",
                            number,
                            "type",
                            name,
                            "répétition (begin repeat) non prise en charge : ses questions sont ignorées",
                        )
                    continue
                relevant = row.get("relevant")
                if not stack:
                    theme_id = _safe_id(name, f"groupe_{number}")
                    current = {
                        "id": theme_id,
                        "label": text(row, "label") or name or theme_id,
                        "questions": [],
                    }
                    if row.get(f"{PREFIX}description"):
                        current["description"] = row[f"{PREFIX}description"]
                    if row.get(f"{PREFIX}wave"):
                        current["wave"] = row[f"{PREFIX}wave"]
                    current["weight"] = _float(row.get(f"{PREFIX}weight"), 1.0)
                    if relevant:
                        current["relevant"] = relevant
                    themes.append(current)
                    self.theme_rows.setdefault(theme_id, number)
                    stack.append({"name": name, "relevant": None})
                else:
                    self.note(
                        "survey",
                        number,
                        "type",
                        name,
                        "groupe imbriqué aplati dans le thème « "
                        + (current or {}).get("id", "")
                        + " »",
                        "adapté",
                    )
                    stack.append({"name": name, "relevant": relevant})
                self._note_row_columns(number, row, name, {"type", "name", "label", "relevant"})
                continue
            if normalized in {"end group", "end repeat"}:
                if repeat_depth:
                    repeat_depth -= 1
                    continue
                if stack:
                    stack.pop()
                if not stack:
                    current = None
                continue
            if not xls_type:
                if name:
                    self.note("survey", number, "type", name, "ligne sans type ignorée")
                continue
            if repeat_depth:
                self.note("survey", number, "type", name, "question dans une répétition ignorée")
                continue
            question = self._question(number, row, xls_type, lists, text)
            if question is None:
                continue
            if question["id"] in seen:
                self.note("survey", number, "name", name, "nom de question répété, ligne ignorée")
                continue
            seen.add(question["id"])
            conditions = [group["relevant"] for group in stack[1:] if group["relevant"]]
            if conditions:
                own = question.get("relevant")
                question["relevant"] = " and ".join(
                    f"({c})" for c in [*conditions, *([own] if own else [])]
                )
                self.note(
                    "survey",
                    number,
                    "relevant",
                    name,
                    "condition du groupe imbriqué ajoutée à la condition de la question",
                    "adapté",
                )
            if current is None:
                loose += 1
                current = {
                    "id": f"hors_groupe_{loose}",
                    "label": "Questions hors groupe",
                    "weight": 1,
                    "questions": [],
                }
                themes.append(current)
                self.note(
                    "survey",
                    number,
                    "",
                    name,
                    f"questions hors groupe rangées dans le thème « {current['id']} »",
                    "adapté",
                )
            current["questions"].append(question)
        return themes

    def _note_row_columns(
        self, number: int, row: dict[str, str], name: str, used: set[str]
    ) -> None:
        """Report the unsupported columns filled in on one row."""
        for column, message in _IGNORED_COLUMNS.items():
            if row.get(column) and column not in used:
                self.note("survey", number, column, name, message)

    def _question(
        self,
        number: int,
        row: dict[str, str],
        xls_type: str,
        lists: dict[str, dict[str, Any]],
        text: Callable[[dict[str, str], str], str],
    ) -> dict[str, Any] | None:
        """One survey row as question data (None, with a note, when it cannot be imported)."""
        name = row.get("name", "")
        ours = row.get(f"{PREFIX}type", "")
        select = _SELECT_RE.match(xls_type)
        lowered = xls_type.lower()
        question: dict[str, Any] = {}
        if select:
            multiple = select.group(1) in {
                "select_multiple",
                "select all that apply",
                "select multiple",
            }
            list_name = select.group(2)
            if select.group(3):
                self.note(
                    "survey",
                    number,
                    "type",
                    name,
                    "option « or_other » non prise en charge, ignorée",
                )
            if list_name.endswith((".csv", ".xml", ".geojson")):
                self.note(
                    "survey",
                    number,
                    "type",
                    name,
                    f"liste externe « {list_name} » non prise en charge, question ignorée",
                )
                return None
            entry = lists.get(list_name)
            if entry is None or not entry["items"]:
                self.note(
                    "survey",
                    number,
                    "type",
                    name,
                    f"liste « {list_name} » absente ou vide de la feuille choices, question ignorée",
                )
                return None
            qtype = ours or ("multiple_choice" if multiple else "single_choice")
            question = {"type": qtype}
            self._choices_into(question, list_name, entry, lists, number, name)
        elif lowered in _NUMBER_TYPES:
            question = {"type": ours or "number"}
        elif lowered in _TEXT_TYPES:
            question = {"type": ours or "text"}
        else:
            known = lowered in {key.lower() for key in QUESTION_TYPE_DICT} or lowered.split(" ")[
                0
            ] in {
                "rank",
                "range",
                "select_one_from_file",
                "select_multiple_from_file",
                "select_one_external",
            }
            what = (
                f"type « {xls_type} » non pris en charge"
                if known
                else f"type « {xls_type} » inconnu"
            )
            self.note("survey", number, "type", name, f"{what}, ligne ignorée")
            return None
        if ours and ours not in {qt.value for qt in QuestionType}:
            self.note(
                "survey",
                number,
                f"{PREFIX}type",
                name,
                f"type barometre « {ours} » inconnu, ligne ignorée",
                "erreur",
            )
            return None
        qid = _safe_id(name, f"q_{number}")
        if qid != name:
            self.note("survey", number, "name", name, f"nom adapté en « {qid} »", "adapté")
        label = text(row, "label")
        if not label:
            label = name or qid
            self.note(
                "survey", number, "label", name, "libellé vide : le nom sert de libellé", "adapté"
            )
        question = {"id": qid, **question, "label": label}
        hint = text(row, "hint")
        if hint:
            question["hint"] = hint
        if row.get("required") and _flag(row["required"]):
            question["required"] = True
        elif row.get("required") and row["required"].strip().lower() not in {
            "no",
            "false",
            "false()",
            "0",
            "non",
        }:
            self.note(
                "survey",
                number,
                "required",
                name,
                f"obligation conditionnelle « {row['required']} » non prise en charge, ignorée",
            )
        if row.get(f"{PREFIX}allow_nsp") and _flag(row[f"{PREFIX}allow_nsp"]):
            question["allow_nsp"] = True
        if row.get("relevant"):
            question["relevant"] = row["relevant"]
        if row.get(f"{PREFIX}derived_constraint") and _flag(row[f"{PREFIX}derived_constraint"]):
            # our export: the XLSForm constraint adds type checks; the original is kept aside
            constraint = row.get(f"{PREFIX}constraint", "")
            message = row.get(f"{PREFIX}constraint_message", "")
        else:
            constraint, message = row.get("constraint", ""), text(row, "constraint_message")
        if constraint:
            question["constraint"] = constraint
            if message:
                question["constraint_message"] = message
        if row.get(f"{PREFIX}max_choices"):
            question["max_choices"] = int(_float(row[f"{PREFIX}max_choices"], 1))
        if row.get(f"{PREFIX}weight"):
            question["weight"] = _float(row[f"{PREFIX}weight"], 1.0)
        if row.get(f"{PREFIX}unit"):
            question["unit"] = row[f"{PREFIX}unit"]
        for key in ("statement", "relevant_statement"):
            if row.get(f"{PREFIX}{key}"):
                question[key] = row[f"{PREFIX}{key}"]
        self._note_row_columns(number, row, name, set())
        question["__row"] = number
        return question

    def _choices_into(
        self,
        question: dict[str, Any],
        list_name: str,
        entry: dict[str, Any],
        lists: dict[str, dict[str, Any]],
        number: int,
        name: str,
    ) -> None:
        """Attach the options of `list_name` to a closed question (named list, inline, yes/no, nsp)."""
        kind, _sep, base = entry["kind"].partition(":")
        items = entry["items"]
        if kind == "nsp":
            question["allow_nsp"] = True
            base_entry = lists.get(base)
            if base_entry is not None:
                list_name, entry, items = base, base_entry, base_entry["items"]
                kind, _sep, base = base_entry["kind"].partition(":")
        elif any(item["code"] == NSP_CODE for item in items):
            question["allow_nsp"] = True
            self.note(
                "survey",
                number,
                "type",
                name,
                "modalité « nsp » lue comme « Ne sait pas / sans réponse » (allow_nsp)",
                "adapté",
            )
        items = [item for item in items if item["code"] != NSP_CODE]
        codes = {item["code"] for item in items}
        if question["type"] == "single_choice" and not kind and codes == {"oui", "non"}:
            question["type"] = "yes_no"
        qtype = question["type"]
        if qtype == "yes_no":
            return
        if qtype == "maturity":
            if kind == "scale":
                question["scale"] = base
            elif kind == "inline":
                question["levels"] = items
            else:
                question["scale"] = list_name
            return
        if kind == "choice_list":
            question["choices"] = base
        elif kind == "inline":
            question["choices"] = [_choice_item(i) for i in items]
        else:
            question["choices"] = list_name
            if any(item["code"] == NSP_CODE for item in entry["items"]):
                # a foreign list with nsp: keep a list without it
                question["choices"] = [_choice_item(i) for i in items]

    # -- expressions

    def _check_expressions(self, data: dict[str, Any]) -> None:
        """Drop (and report) the expressions barometre cannot read or that reference dropped questions."""
        questions = [q for theme in data["themes"] for q in theme["questions"]]
        order = {q["id"]: rank for rank, q in enumerate(questions)}
        types = {q["id"]: QuestionType(q["type"]) for q in questions}
        codes = {q["id"]: self._codes(q, data) for q in questions}
        for theme in data["themes"]:
            if theme.get("relevant") and theme["questions"]:
                problems = check(
                    theme["relevant"],
                    kind="relevant",
                    question_id=theme["questions"][0]["id"],
                    order=order,
                    types=types,
                    codes=codes,
                )
                if problems:
                    self.note(
                        "survey",
                        None,
                        "relevant",
                        theme["id"],
                        f"condition du groupe « {_excerpt(theme['relevant'])} » ignorée : "
                        f"{problems[0].message}",
                    )
                    del theme["relevant"]
        for question in questions:
            number = question.pop("__row")
            self.question_rows.setdefault(question["id"], number)
            for kind in ("relevant", "constraint"):
                if not question.get(kind):
                    continue
                problems = check(
                    question[kind],
                    kind=kind,
                    question_id=question["id"],
                    order=order,
                    types=types,
                    codes=codes,
                )
                if problems:
                    self.note(
                        "survey",
                        number,
                        kind,
                        question["id"],
                        f"« {_excerpt(question[kind])} » ignorée : {problems[0].message}",
                    )
                    del question[kind]
                    if kind == "constraint":
                        question.pop("constraint_message", None)

    @staticmethod
    def _codes(question: dict[str, Any], data: dict[str, Any]) -> tuple[str, ...]:
        """The answer codes of a question under construction."""
        if question["type"] == "yes_no":
            codes = ["oui", "non"]
        elif "scale" in question:
            codes = [i["code"] for i in data.get("scales", {}).get(question["scale"], [])]
        elif "levels" in question:
            codes = [i["code"] for i in question["levels"]]
        elif isinstance(question.get("choices"), str):
            codes = [i["code"] for i in data.get("choice_lists", {}).get(question["choices"], [])]
        else:
            codes = [i["code"] for i in question.get("choices", [])]
        return (*codes, NSP_CODE) if question.get("allow_nsp") else tuple(codes)


def _excerpt(text: str, limit: int = 80) -> str:
    """A long expression shortened for a report line."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _float(text: str | None, default: float) -> float:
    """A cell as a number (default when empty or not a number)."""
    try:
        return float(text) if text else default
    except ValueError:
        return default


def read_xlsform(path: str | Path) -> XLSFormImport:
    """Read an XLSForm (.xlsx, .xls, .ods): the questionnaire and a field-by-field import report."""
    path = Path(path)
    result = XLSFormImport(str(path))
    reader = _Reader(str(path))
    refused = workbook_limit_problem(path)
    if refused is not None:
        reader.note("classeur", None, "", path.name, refused, "erreur")
        result.notes = reader.notes
        return result
    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except Exception as error:  # any unreadable file becomes a report line
        reader.note("classeur", None, "", path.name, f"fichier illisible : {error}", "erreur")
        result.notes = reader.notes
        return result
    try:
        data = reader.read(workbook)
    except SheetTooLong as error:
        reader.note("classeur", None, "", path.name, str(error), "erreur")
        data = None
    except Exception as error:  # the report replaces a traceback
        reader.note(
            "classeur",
            None,
            "",
            "",
            f"lecture impossible : {type(error).__name__} : {error}",
            "erreur",
        )
        data = None
    if data is not None:
        try:
            result.questionnaire = build_questionnaire(data)
        except QuestionnaireError as error:
            for issue in error.issues:
                row, name = reader.locate(data, issue.path)
                if row is None:
                    reader.note("questionnaire", None, issue.path, "", issue.message, "erreur")
                    continue
                key = issue.path.rsplit(".", 1)[-1]
                column = "" if key.startswith("themes[") else _COLUMN_OF_KEY.get(key, key)
                reader.note("survey", row, column, name, issue.message, "erreur")
    result.notes = sorted(
        reader.notes,
        key=lambda n: (
            {"classeur": 0, "settings": 1, "survey": 2, "choices": 3}.get(n.sheet, 4),
            n.row or 0,
        ),
    )
    return result


def load_xlsform(path: str | Path) -> Questionnaire:
    """Read an XLSForm; raise QuestionnaireError when no questionnaire can be built."""
    result = read_xlsform(path)
    if result.questionnaire is None:
        raise QuestionnaireError(
            [
                Issue("xlsform", f"{n.sheet}{f' ligne {n.row}' if n.row else ''}", str(n))
                for n in result.notes
                if n.level == "erreur"
            ]
            or [Issue("xlsform", "", "import impossible")],
            str(path),
        )
    return result.questionnaire
