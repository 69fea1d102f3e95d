"""Bounds on questionnaire files read before anything is built from them (YAML text, workbooks).

YAML: size, nesting depth, node count, and no aliases, checked before the document is composed.

A hostile file must cost little to refuse. YAML aliases make a 1 KB « billion laughs » expand to
billions of nodes for anything that walks the document, and a recursive alias makes any walk endless;
the questionnaire format shares lists by name (`choice_lists`, `scales`), so aliases are simply not
accepted. The checks read the parser's event stream (libyaml's parser keeps an explicit stack: no
recursion, no composed tree), so a 100,000-level nesting is refused without a recursion error.

Workbooks (XLSForm): the file size, and for zip-based formats (.xlsx, .ods) the declared size once
uncompressed and the number of members, read from the zip directory before any sheet is inflated,
so that a small « zip bomb » is refused without being decompressed.
"""

from __future__ import annotations

import math
import zipfile
from pathlib import Path

import yaml

from barometre.questionnaire.issues import Issue
from barometre.register.labels import count

MAX_YAML_CHARS = 2_000_000
MAX_YAML_DEPTH = 32
MAX_YAML_NODES = 200_000
MAX_WORKBOOK_BYTES = 10_000_000
MAX_WORKBOOK_UNCOMPRESSED_BYTES = 100_000_000
MAX_WORKBOOK_MEMBERS = 1_000
MAX_WORKBOOK_ROWS = 20_000

_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _size(chars: int) -> str:
    """A size in French (« 2 400 000 caractères »)."""
    return f"{count(chars)} caractères"


def yaml_limit_issues(text: str) -> list[Issue]:
    """The first limit a YAML text breaks (empty when within bounds); YAML syntax errors pass here."""
    if len(text) > MAX_YAML_CHARS:
        return [
            Issue(
                "yaml_too_large",
                "",
                f"fichier trop volumineux : {_size(len(text))}, {_size(MAX_YAML_CHARS)} au plus",
            )
        ]
    loader = _YAML_LOADER(text)
    depth = nodes = 0
    try:
        while loader.check_event():
            event = loader.get_event()
            line = event.start_mark.line + 1 if event.start_mark is not None else None
            if isinstance(event, yaml.AliasEvent):
                return [
                    Issue(
                        "yaml_alias",
                        "",
                        f"alias YAML « *{event.anchor} » non accepté : écrivez la valeur en "
                        "entier, ou déclarez une liste partagée dans choice_lists ou scales",
                        line,
                    )
                ]
            if isinstance(event, yaml.NodeEvent):
                nodes += 1
                if nodes > MAX_YAML_NODES:
                    return [
                        Issue(
                            "yaml_too_many_nodes",
                            "",
                            f"document trop grand : plus de {count(MAX_YAML_NODES)} éléments",
                            line,
                        )
                    ]
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_YAML_DEPTH:
                    return [
                        Issue(
                            "yaml_too_deep",
                            "",
                            f"imbrication trop profonde : plus de {MAX_YAML_DEPTH} niveaux",
                            line,
                        )
                    ]
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError:
        return []  # reported with its line by the composer that follows
    finally:
        loader.dispose()
    return []


def megabytes(size: int) -> str:
    """A byte size in French megabytes, rounded up to 0.1 (« 2,1 Mo », « 10 Mo », « 10,1 Mo »)."""
    tenths = math.ceil(size / 100_000)
    text = f"{tenths // 10}" if tenths % 10 == 0 else f"{tenths // 10},{tenths % 10}"
    return f"{count(int(text)) if ',' not in text else text} Mo"


def workbook_limit_problem(path: str | Path) -> str | None:
    """Why a workbook file is refused before being read (None when within bounds), in French."""
    path = Path(path)
    size = path.stat().st_size
    if size > MAX_WORKBOOK_BYTES:
        return (
            f"fichier trop volumineux : {megabytes(size)}, {megabytes(MAX_WORKBOOK_BYTES)} au plus"
        )
    if not zipfile.is_zipfile(path):
        return None  # .xls (binary) or not a workbook: the reader says so
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        return f"classeur illisible (archive zip endommagée : {error})"
    if len(members) > MAX_WORKBOOK_MEMBERS:
        return f"classeur suspect : {count(len(members))} fichiers dans l'archive"
    inflated = sum(member.file_size for member in members)
    if inflated > MAX_WORKBOOK_UNCOMPRESSED_BYTES:
        return (
            f"classeur trop volumineux une fois décompressé : {megabytes(inflated)}, "
            f"{megabytes(MAX_WORKBOOK_UNCOMPRESSED_BYTES)} au plus"
        )
    return None


_YAML_PROBLEMS = {
    "found unexpected end of stream": "fin du fichier inattendue (guillemet ou crochet non fermé ?)",
    "mapping values are not allowed": (
        "« : » inattendu ici (mettez entre guillemets un texte qui contient « : »)"
    ),
    "could not find expected ':'": "« : » attendu après une clé",
    "found character '\\t' that cannot start any token": (
        "tabulation interdite : indentez avec des espaces"
    ),
    "found a tab character": "tabulation interdite : indentez avec des espaces",
    "did not find expected key": "clé attendue (indentation incohérente ?)",
    "did not find expected '-' indicator": "élément de liste « - » attendu (indentation ?)",
    "expected <block end>, but found '-'": "élément de liste « - » mal indenté",
    "found duplicate anchor": "ancre YAML répétée",
    "found undefined alias": "alias YAML non défini",
}


def yaml_problem_text(problem: str) -> str:
    """A PyYAML parser problem in French (the original text when it is not a known one)."""
    for english, french in _YAML_PROBLEMS.items():
        if problem.startswith(english):
            return french
    return problem
