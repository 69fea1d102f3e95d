"""Bounds on questionnaire files and expressions: hostile input is refused in French, cheaply."""

from __future__ import annotations

import io
import time
import zipfile

import openpyxl
import pytest

from barometre.questionnaire import file_limits
from barometre.questionnaire.expressions import (
    MAX_EXPRESSION_NESTING,
    ExpressionSyntaxError,
    Scope,
    evaluate,
    parse,
)
from barometre.questionnaire.issues import QuestionnaireError
from barometre.questionnaire.xlsform import read_xlsform
from barometre.questionnaire.yaml_format import loads_questionnaire


def refusal(text: str) -> str:
    with pytest.raises(QuestionnaireError) as caught:
        loads_questionnaire(text, "hostile.yaml")
    return str(caught.value)


def test_yaml_aliases_are_refused_before_any_expansion():
    laughs = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{','.join([f'*{chr(97 + i)}'] * 9)}]\n" for i in range(8)
    )
    started = time.monotonic()
    assert "ligne 2, (racine) : alias YAML « *a » non accepté" in refusal(laughs)
    assert time.monotonic() - started < 1
    assert "alias YAML « *r »" in refusal("id: &r [*r]\n")
    assert "alias YAML « *base »" in refusal("x: &base {a: 1}\ny:\n  <<: *base\n")


def test_yaml_nesting_size_and_node_count_are_bounded():
    assert "imbrication trop profonde : plus de 32 niveaux" in refusal("[" * 33 + "]" * 33)
    assert "imbrication trop profonde" in refusal(
        "a:\n" + "".join(f"{' ' * i}b:\n" for i in range(1, 40))
    )
    big = "#" * (file_limits.MAX_YAML_CHARS + 1)
    assert "fichier trop volumineux : 2\u202f000\u202f001 caractères" in refusal(big)
    many = "[" + ",".join(["1"] * (file_limits.MAX_YAML_NODES + 1)) + "]"
    assert "document trop grand" in refusal(many)


def test_a_yaml_syntax_error_keeps_its_line():
    assert "ligne 3, (racine) : YAML invalide : fin du fichier inattendue" in refusal(
        "id: x\ntitle: 'non fermée\n"
    )
    assert "ligne 2, (racine) : YAML invalide : tabulation interdite" in refusal("id: x\n\tt: y\n")
    assert "« : » inattendu ici" in refusal("id: x\ntitle: a: b\n")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "(" * (MAX_EXPRESSION_NESTING + 1) + "1" + ")" * (MAX_EXPRESSION_NESTING + 1),
            "expression trop imbriquée",
        ),
        ("-" * 2_000 + "1", "expression trop imbriquée"),
        ("not(" * 500 + "1" + ")" * 500, "expression trop imbriquée"),
        ("+".join(["1"] * 150), "expression trop complexe"),
        ("(" * 5_000 + "1" + ")" * 5_000, "expression trop longue : 10\u202f001 caractères"),
    ],
    ids=["parentheses", "minus", "calls", "chain", "too-long"],
)
def test_expressions_are_bounded(text, message):
    with pytest.raises(ExpressionSyntaxError) as caught:
        parse(text)
    assert message in str(caught.value)


def test_expressions_within_bounds_still_work():
    nested = "(" * MAX_EXPRESSION_NESTING + "1 + 1" + ")" * MAX_EXPRESSION_NESTING
    assert evaluate(nested, {}, Scope({})) == 2
    assert evaluate(" or ".join(["false()"] * 90 + ["true()"]), {}, Scope({})) is True


def workbook(extra: tuple[str, int, int] | None = None) -> bytes:
    book = openpyxl.Workbook()
    book.active.title = "survey"
    book.active.append(["type", "name", "label"])
    book.active.append(["text", "q1", "Q1"])
    out = io.BytesIO()
    book.save(out)
    if extra:
        name, count, size = extra
        with zipfile.ZipFile(out, "a", compression=zipfile.ZIP_DEFLATED) as archive:
            for n in range(count):
                archive.writestr(f"{name}{n}", b"\0" * size)
    return out.getvalue()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (lambda: workbook(("xl/media/m", 1, 120_000_000)), "trop volumineux une fois décompressé"),
        (lambda: workbook(("xl/media/m", 1_001, 1)), "fichiers dans l'archive"),
        (
            lambda: b"x" * (file_limits.MAX_WORKBOOK_BYTES + 1),
            "fichier trop volumineux : 10,1 Mo, 10 Mo au plus",
        ),
    ],
    ids=["zip-bomb", "members", "size"],
)
def test_workbooks_are_bounded_before_being_read(tmp_path, content, message):
    path = tmp_path / "q.xlsx"
    path.write_bytes(content())
    result = read_xlsform(path)
    assert result.questionnaire is None
    assert any(message in str(note) for note in result.notes), [str(n) for n in result.notes]


def test_a_sheet_too_long_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr("barometre.questionnaire.xlsform.MAX_WORKBOOK_ROWS", 1)
    path = tmp_path / "q.xlsx"
    path.write_bytes(workbook())
    result = read_xlsform(path)
    assert result.questionnaire is None
    assert any(
        "feuille « survey » trop longue : 2 lignes, 1 au plus" in str(n) for n in result.notes
    )


def test_answers_longer_than_the_cap_are_invalid_everywhere():
    import polars as pl

    from barometre.questionnaire.answers import (
        MAX_ANSWER_CHARS,
        answer_problem,
        invalid_answers_frame,
    )

    questionnaire = loads_questionnaire(
        "id: t\ntitle: T\nversion: '1'\nedition: '2026'\nlanguage: fr\nthemes:\n"
        "  - id: th\n    label: Thème\n    questions:\n"
        "      - {id: libre, type: text, label: Texte libre}\n"
    )
    question = questionnaire.questions[0]
    assert answer_problem(question, "x" * MAX_ANSWER_CHARS) is None
    problem = answer_problem(question, "x" * 15_000_000)
    assert problem == (
        "réponse de 15\u202f000\u202f000 caractères à la question « libre », 10\u202f000 au plus"
    )
    frame = pl.DataFrame({"libre": ["court", "x" * (MAX_ANSWER_CHARS + 1), None]})
    assert invalid_answers_frame(questionnaire, frame)["libre"].to_list() == [False, True, False]
