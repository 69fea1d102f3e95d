"""The fast JSON Schema check (jsonschema-rs) never lets through a questionnaire that jsonschema
finds invalid: it only spares the slow, explaining validator when there is nothing to explain."""

from __future__ import annotations

import copy
import datetime
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from barometre.questionnaire.yaml_format import (
    _surely_valid,
    _validator,
    loads_questionnaire,
)

TEMPLATES = sorted(
    p
    for p in (Path(__file__).parents[2] / "barometre/questionnaire/templates").glob("*.yaml")
    if not p.name.endswith(".figures.yaml")
)
RICH = Path(__file__).parent / "rich_questionnaire.yaml"


def _first_question(data: dict) -> dict:
    return data["themes"][0]["questions"][0]


def _options(data: dict) -> list:
    """The first list of options: a question's choices, else a choice list, else a scale."""
    for theme in data["themes"]:
        for q in theme.get("questions", []):
            if isinstance(q.get("choices"), list):
                return q["choices"]
    lists = data.get("choice_lists") or data.get("scales")
    return next(iter(lists.values()))


def _empty_options(data: dict) -> None:
    _options(data).clear()


MUTATIONS: dict[str, Callable[[dict], None]] = {
    "unknown top-level key": lambda d: d.update(couleur="bleu"),
    "missing title": lambda d: d.pop("title"),
    "themes not a list": lambda d: d.update(themes="thèmes"),
    "unknown question type": lambda d: _first_question(d).update(type="curseur"),
    "question id with a space": lambda d: _first_question(d).update(id="ma question"),
    "question without label": lambda d: _first_question(d).pop("label"),
    "unknown question key": lambda d: _first_question(d).update(aide_en_ligne="x"),
    "allow_nsp as text": lambda d: _first_question(d).update(allow_nsp="oui"),
    "empty choices": _empty_options,
    "choice without code": lambda d: _options(d)[0].pop("code"),
    "choice code null": lambda d: _options(d)[0].update(code=None),
    "theme id not text": lambda d: d["themes"][0].update(id=["a"]),
    "edition as a YAML date": lambda d: d.update(edition=datetime.date(2024, 1, 1)),
    "identifier ending in a newline": lambda d: d.update(id="dinum\n"),
    "integer keys": lambda d: d["themes"][0].update({1: "un"}),
}


def _documents() -> list[tuple[str, dict]]:
    docs = []
    for path in [*TEMPLATES, RICH]:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        docs.append((path.stem, data))
        for name, mutate in MUTATIONS.items():
            changed = copy.deepcopy(data)
            mutate(changed)
            docs.append((f"{path.stem}: {name}", changed))
    return docs


DOCUMENTS = _documents()


@pytest.mark.parametrize("name,data", DOCUMENTS, ids=[name for name, _ in DOCUMENTS])
def test_the_fast_check_agrees_with_jsonschema_or_defers_to_it(name: str, data: dict) -> None:
    valid = not list(_validator().iter_errors(data))
    if _surely_valid(data):
        assert valid  # never a pass that jsonschema would refuse
    elif ":" not in name:
        pytest.fail("a shipped questionnaire must take the fast path")


def test_the_shipped_questionnaires_are_valid_and_mutations_are_reported() -> None:
    assert len(TEMPLATES) >= 4
    assert all(_surely_valid(data) for name, data in DOCUMENTS if ":" not in name)
    refused = [name for name, data in DOCUMENTS if ":" in name and not _surely_valid(data)]
    assert len(refused) >= len(MUTATIONS) * len(TEMPLATES)
    broken = yaml.safe_dump({**yaml.safe_load(RICH.read_text(encoding="utf-8")), "couleur": 1})
    with pytest.raises(Exception, match="couleur"):
        loads_questionnaire(broken, "q.yaml")
