"""The folder of private positioning reports: its files, and finding one respondent's report.

Written by `barometre.publish` (`barometre report --positionnement`), read by the web app (the
respondent's private space, the operator's pages). A folder holds one HTML report per respondent
named by its private token, `liens.csv` (code → token → file), the stylesheet the reports share
and `edition.json`, which says which edition (questionnaire id and edition) the reports belong
to. A root folder may hold several such folders (one per edition) as subfolders.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

from barometre.register.spreadsheet_cells import restore

LINKS_FILE = "liens.csv"
EDITION_FILE = "edition.json"
STYLESHEET = "positionnement.css"
TOKEN = re.compile(r"^[0-9a-f]{32}$")


def edition_record(meta: dict, questionnaire_id: str, questionnaire_edition: str) -> dict:
    """What `edition.json` holds: the edition and its questionnaire."""
    return {
        "id": str(meta.get("id", "")),
        "title": str(meta.get("title", "")),
        "questionnaire": {"id": questionnaire_id, "edition": str(questionnaire_edition)},
    }


def write_edition_record(folder: Path, record: dict) -> None:
    """Write `edition.json` into a positioning folder."""
    (folder / EDITION_FILE).write_text(
        json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8"
    )


def _report_file(folder: Path, row: dict) -> Path | None:
    """The report file of a `liens.csv` row: its `fichier` (a plain `.html` name of the folder),
    else `<token>.html`; None when it names nothing valid or nothing written. Cells are read back
    from their formula-safe form (a token may start with `-`)."""
    name = restore(row.get("fichier") or "")
    if not (name and Path(name).name == name and name.endswith(".html")):
        token = restore(row.get("token") or "")
        name = f"{token}.html" if TOKEN.match(token) else ""
    path = folder / name if name else None
    return path if path is not None and path.is_file() else None


def report_folders(root: Path) -> list[Path]:
    """The positioning folders of a root: itself and its direct subfolders holding `liens.csv`."""
    if not root.is_dir():
        return []
    candidates = [root, *sorted(p for p in root.iterdir() if p.is_dir())]
    return [p for p in candidates if (p / LINKS_FILE).is_file()]


def _belongs(folder: Path, questionnaire_id: str, questionnaire_edition: str) -> bool:
    """True when the folder's `edition.json` names this questionnaire and edition."""
    path = folder / EDITION_FILE
    if not path.is_file():
        return False
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    wanted = {"id": questionnaire_id, "edition": str(questionnaire_edition)}
    return record.get("questionnaire") == wanted


def report_of(
    root: Path, questionnaire_id: str, questionnaire_edition: str, code: str
) -> Path | None:
    """The report of collectivité `code` for this edition, or None (no folder, no report)."""
    for folder in report_folders(root):
        if not _belongs(folder, questionnaire_id, questionnaire_edition):
            continue
        with (folder / LINKS_FILE).open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                if row.get("code") == code:
                    return _report_file(folder, row)
    return None


def reports_of_code(root: Path, code: str) -> list[Path]:
    """Every report of collectivité `code` in the root's positioning folders (one per edition)."""
    found = []
    for folder in report_folders(root):
        with (folder / LINKS_FILE).open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                path = _report_file(folder, row) if row.get("code") == code else None
                if path is not None:
                    found.append(path)
    return found


def report_by_token(root: Path, token: str) -> Path | None:
    """The report named by a private token, in the root or one of its positioning folders."""
    if not TOKEN.match(token):
        return None
    for folder in report_folders(root):
        path = folder / f"{token}.html"
        if path.is_file():
            return path
    return None
