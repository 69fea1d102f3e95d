"""XLSForm expressions: parsing (with error columns), validation, and dict vs Polars agreement."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from barometre.questionnaire.expressions import (
    Binary,
    Call,
    ExpressionSyntaxError,
    Literal,
    Ref,
    Scope,
    check,
    evaluate,
    evaluate_condition,
    parse,
    references,
    to_polars,
    to_polars_condition,
    to_source,
)
from barometre.questionnaire.model import QuestionType as T

TYPES = {
    "a": T.YES_NO,
    "s": T.SINGLE_CHOICE,
    "m": T.MULTIPLE_CHOICE,
    "n": T.NUMBER,
    "p": T.PERCENTAGE,
    "t": T.TEXT,
}
CODES = {
    "a": ("oui", "non", "nsp"),
    "s": ("x", "y", "z"),
    "m": ("r", "g", "b"),
    "n": (),
    "p": (),
    "t": (),
}
ORDER = {name: rank for rank, name in enumerate(TYPES)}


def test_precedence_follows_xpath() -> None:
    tree = parse("${a} = 'oui' or ${n} + 2 * 3 > 4 and not(${t} = '')")
    assert isinstance(tree, Binary) and tree.op == "or"
    right = tree.right
    assert isinstance(right, Binary) and right.op == "and"
    comparison = right.left
    assert isinstance(comparison, Binary) and comparison.op == ">"
    addition = comparison.left
    assert isinstance(addition, Binary) and addition.op == "+"
    assert isinstance(addition.right, Binary) and addition.right.op == "*"
    assert isinstance(right.right, Call) and right.right.name == "not"


def test_functions_literals_and_references() -> None:
    tree = parse("selected(${m}, 'g') and count-selected(.) <= 2 and string-length(${t}) > 0.5")
    assert [ref.name for ref in references(tree)] == ["m", "t"]
    assert parse("-3.5") is not None
    assert parse('"double"') == Literal("double", 0)
    assert parse("${ n }") == Ref("n", 0)
    # the printed form parses back to the same meaning
    for text in ["${n} div 2 mod 3 - -1", "not(selected(., 'x')) or ${a} != 'oui'"]:
        again = parse(to_source(parse(text)))
        assert to_source(again) == to_source(parse(text))


@pytest.mark.parametrize(
    ("text", "column", "fragment"),
    [
        ("${a} = ", 8, "valeur attendue"),
        ("(${a} = 'oui'", 14, "« ) » attendu"),
        ("${a} == 'oui'", 7, "valeur attendue"),
        ("today() > 3", 1, "fonction inconnue « today() »"),
        ("${a} = 'oui", 8, "chaîne de caractères non terminée"),
        ("age > 3", 1, "une question s'écrit ${age}"),
        ("${a} = 'oui' 'non'", 14, "opérateur attendu"),
        ("selected(${m})", 1, "selected() attend 2 argument(s)"),
        ("${n} # 2", 6, "caractère inattendu « # »"),
        ("", 1, "expression vide"),
        ("${} = 1", 1, "référence de question mal formée"),
    ],
)
def test_syntax_errors_give_the_column(text: str, column: int, fragment: str) -> None:
    with pytest.raises(ExpressionSyntaxError) as caught:
        parse(text)
    assert caught.value.column == column
    assert fragment in str(caught.value)
    assert f"colonne {column}" in str(caught.value)


def _issues(text: str, kind: str = "relevant", question: str = "t") -> list[str]:
    return [
        issue.code
        for issue in check(
            text, kind=kind, question_id=question, order=ORDER, types=TYPES, codes=CODES
        )
    ]


def test_validation_catches_each_kind_of_problem() -> None:
    assert _issues("${a} = 'oui'") == []
    assert _issues("${inconnue} = 'oui'") == ["unknown_question"]
    assert _issues("${t} = 'x'", question="t") == ["later_question"]  # itself
    assert _issues("${p} > 3", question="n") == ["later_question"]
    assert _issues("selected(${n}, 'x')") == ["selected_not_choice"]
    assert _issues("selected(${m}, 'violet')") == ["unknown_code"]
    assert _issues("selected(${m}, 'g')") == []
    assert _issues("${s} = 'w'") == ["unknown_code"]
    assert _issues("${s} = ''") == []
    assert _issues("${a} = 'nsp'") == []
    assert _issues(". > 3") == ["current_outside_constraint"]
    assert _issues(". > 3 and ${p} < 10", kind="constraint", question="n") == []
    assert _issues("${a} = ", kind="relevant") == ["syntax"]


def test_later_question_allowed_in_constraints() -> None:
    assert _issues(". <= ${p}", kind="constraint", question="n") == []


def test_dict_evaluation_semantics() -> None:
    scope = Scope(TYPES, current="n")
    answers = {"a": "oui", "m": "r b", "n": "12", "p": None, "t": "abc"}
    assert evaluate_condition("${a} = 'oui' and ${n} > 10", answers, scope)
    assert evaluate_condition("selected(${m}, 'b') and not(selected(${m}, 'g'))", answers, scope)
    assert evaluate("count-selected(${m})", answers, scope) == 2
    assert evaluate("string-length(${t})", answers, scope) == 3
    assert evaluate("${n} div 5", answers, scope) == pytest.approx(2.4)
    assert evaluate("-7 mod 3", answers, scope) == -1  # XPath: sign of the dividend
    assert evaluate("${n} div 0", answers, scope) is None
    assert evaluate_condition("${p} = ''", answers, scope)  # empty number
    assert not evaluate_condition("${p} >= 0", answers, scope)
    assert evaluate_condition("${p} != 5", answers, scope)
    assert evaluate_condition(". >= 0 and . <= 100", answers, scope, current=12)
    assert not evaluate_condition(". >= 0 and . <= 100", answers, scope, current="150")
    # multiple choice given as a list
    assert evaluate_condition("selected(${m}, 'r')", {"m": ["r", "g"]}, scope)


_EXPRESSIONS = [
    "${a} = 'oui'",
    "${a} != 'non'",
    "${a} = ''",
    "${s} = 'x' or ${s} = 'z'",
    "selected(${m}, 'g')",
    "selected(${m}, 'r') and not(selected(${m}, 'b'))",
    "count-selected(${m}) >= 2",
    "count-selected(${m})",
    "${n} > 50",
    "${n} >= 10 and ${n} <= 60",
    "${n} = ''",
    "${n} != ''",
    "${n} = 25",
    "${n} != 25",
    "${n} + ${p} > 80",
    "${n} * 2 - ${p} div 4",
    "${n} mod 7",
    "-${n} mod 4 = -1",
    "${p} div (${n} - 25)",
    "string-length(${t}) > 3",
    "string-length(${t})",
    "${t}",
    "${n}",
    "not(${t})",
    "${n} and ${t}",
    "${s} = ${a} or ${n} = ${p}",
    "${n} > ${p} or (${a} = 'nsp' and count-selected(${m}) = 0)",
    "true() and not(false())",
    "(${n} > 3) = (${p} > 3)",
    "${a} = 'oui' = true()",
    "${n} < 'abc'",
    "${t} = 25",
    "${n} = '7'",
    "string-length(${n})",
    "selected(${s}, ${a})",
]


def _random_answers(size: int, seed: int) -> pl.DataFrame:
    rng = np.random.default_rng(seed)

    def pick(values: list[object]) -> list[object]:
        return [values[i] for i in rng.integers(0, len(values), size)]

    numbers = rng.integers(-5, 100, size).astype(float)
    numbers[rng.random(size) < 0.2] = np.nan
    return pl.DataFrame(
        {
            "a": pick(["oui", "non", "nsp", None, ""]),
            "s": pick(["x", "y", "z", None]),
            "m": pick(["r", "g b", "r g b", "", None, "b  r", " g"]),
            "n": [None if np.isnan(x) else str(int(x)) for x in numbers],
            "p": pick([0.0, 12.5, 50.0, 100.0, None, 25.0]),
            "t": pick(["", "abc", "plus long texte", None, "7", "é"]),
        },
        schema={
            "a": pl.Utf8,
            "s": pl.Utf8,
            "m": pl.Utf8,
            "n": pl.Utf8,
            "p": pl.Float64,
            "t": pl.Utf8,
        },
    )


@pytest.mark.parametrize("text", _EXPRESSIONS)
def test_polars_and_dict_evaluation_agree(text: str) -> None:
    scope = Scope(TYPES)
    frame = _random_answers(400, seed=len(text))
    vectorised = frame.select(to_polars(text, scope).alias("value"))["value"].to_list()
    conditions = frame.select(to_polars_condition(text, scope).alias("c"))["c"].to_list()
    expected = [evaluate(text, row, scope) for row in frame.iter_rows(named=True)]
    expected_conditions = [
        evaluate_condition(text, row, scope) for row in frame.iter_rows(named=True)
    ]
    assert conditions == expected_conditions
    for got, want in zip(vectorised, expected, strict=True):
        if isinstance(want, float):
            assert got == pytest.approx(want)
        elif want is None:
            assert got is None
        else:
            assert got == want


def test_constraint_on_current_value_in_polars() -> None:
    scope = Scope(TYPES, current="n")
    frame = pl.DataFrame({"n": ["5", "150", None, "nsp"]})
    result = frame.select(to_polars_condition(". >= 0 and . <= 100", scope).alias("ok"))
    assert result["ok"].to_list() == [True, False, False, False]


def _random_expression(rng: np.random.Generator, depth: int = 0) -> str:
    """A random well-formed expression over the test questions."""
    leaves = [
        "${a}",
        "${s}",
        "${m}",
        "${n}",
        "${p}",
        "${t}",
        "'oui'",
        "'x'",
        "''",
        "'12'",
        "0",
        "3",
        "25",
        "2.5",
        "-7",
        "(0 - ${n})",
    ]
    if depth > 3 or rng.random() < 0.3:
        return leaves[rng.integers(len(leaves))]
    kind = rng.integers(6)
    left, right = _random_expression(rng, depth + 1), _random_expression(rng, depth + 1)
    if kind == 0:
        ops = ["=", "!=", "<", "<=", ">", ">=", "+", "-", "*", "div", "mod", "and", "or"]
        return f"{left} {ops[rng.integers(len(ops))]} {right}"
    if kind == 1:
        return f"({left})"
    if kind == 2:
        return f"not({left})"
    if kind == 3:
        return f"selected({['${m}', '${s}', '${a}'][rng.integers(3)]}, {right})"
    if kind == 4:
        return f"{['count-selected', 'string-length'][rng.integers(2)]}({left})"
    return f"-{left}"


def test_random_expressions_agree_between_dict_and_polars() -> None:
    rng = np.random.default_rng(2024)
    scope = Scope(TYPES)
    frame = _random_answers(120, seed=5)
    rows = list(frame.iter_rows(named=True))
    for _ in range(200):
        text = _random_expression(rng)
        assert to_source(parse(to_source(parse(text)))) == to_source(parse(text))
        got = frame.select(to_polars_condition(text, scope).alias("c"))["c"].to_list()
        assert got == [evaluate_condition(text, row, scope) for row in rows], text
        values = frame.select(to_polars(text, scope).alias("v"))["v"].to_list()
        for value, row in zip(values, rows, strict=True):
            want = evaluate(text, row, scope)
            if isinstance(want, float):
                assert value == pytest.approx(want, nan_ok=True), text
            else:
                assert value == want, text
