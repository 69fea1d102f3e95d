"""XLSForm expressions (`relevant`, `constraint`): parser, validation, evaluation on a dict and in Polars.

Supported subset: `${q}`, `.`, string and number literals, `= != < <= > >=`, `+ - * div mod`, unary `-`,
`and`, `or`, `not(...)`, `selected(x, 'code')`, `count-selected(x)`, `string-length(x)`, `true()`,
`false()`, parentheses.

Semantics (identical on one answer dict and on a Polars frame): an empty answer is the empty string for
text and choice questions and "no number" for number and percentage questions; comparing with a number
compares numbers (two empty numbers are equal, `${n} = ''` tests emptiness); `<`, `<=`, `>`, `>=` always
compare numbers and are false when one side is empty; arithmetic on an empty value or a division by zero
gives an empty number; a value used as a condition is true when it is a non-zero number or a non-empty
string.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import polars as pl

from barometre.questionnaire.model import QuestionType
from barometre.register.labels import count

# ---------------------------------------------------------------------------------------- tokens


@dataclass(frozen=True)
class Token:
    """One lexical token with its 0-based offset in the expression."""

    kind: str  # ref, dot, num, str, name, op, lparen, rparen, comma, eof
    value: str
    pos: int


class ExpressionSyntaxError(ValueError):
    """A syntax error, with the 1-based column where it was found."""

    def __init__(self, message: str, column: int, text: str) -> None:
        self.column = column
        self.text = text
        self.reason = message
        super().__init__(f"erreur de syntaxe colonne {column} : {message}")


_TOKEN_RE = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<ref>\$\{\s*(?P<refname>[A-Za-z_][A-Za-z0-9_.\-]*)\s*\})
  | (?P<num>\d+(?:\.\d*)?|\.\d+)
  | (?P<dot>\.)
  | (?P<str>'[^']*'|"[^"]*")
  | (?P<op><=|>=|!=|=|<|>|\+|-|\*)
  | (?P<name>[A-Za-z_][A-Za-z0-9_\-]*)
  | (?P<lparen>\()
  | (?P<rparen>\))
  | (?P<comma>,)
    """,
    re.VERBOSE,
)

_WORD_OPERATORS = {"and", "or", "div", "mod"}


def tokenize(text: str) -> list[Token]:
    """Split an expression into tokens; raise ExpressionSyntaxError on an unexpected character."""
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN_RE.match(text, pos)
        if match is None:
            char = text[pos]
            if char in "'\"":
                raise ExpressionSyntaxError("chaîne de caractères non terminée", pos + 1, text)
            if text.startswith("${", pos):
                raise ExpressionSyntaxError(
                    "référence de question mal formée (attendu ${nom})", pos + 1, text
                )
            raise ExpressionSyntaxError(f"caractère inattendu « {char} »", pos + 1, text)
        kind = match.lastgroup or ""
        if kind == "refname":
            kind = "ref"
        if kind == "ref":
            tokens.append(Token("ref", match.group("refname"), pos))
        elif kind == "str":
            tokens.append(Token("str", match.group()[1:-1], pos))
        elif kind == "name" and match.group() in _WORD_OPERATORS:
            tokens.append(Token("op", match.group(), pos))
        elif kind != "space":
            tokens.append(Token(kind, match.group(), pos))
        pos = match.end()
    tokens.append(Token("eof", "", len(text)))
    return tokens


# ---------------------------------------------------------------------------------------- AST


@dataclass(frozen=True)
class Ref:
    """`${name}`: the answer to another question."""

    name: str
    pos: int


@dataclass(frozen=True)
class Current:
    """`.`: the answer to the question being constrained."""

    pos: int


@dataclass(frozen=True)
class Literal:
    """A string or number literal."""

    value: str | float
    pos: int


@dataclass(frozen=True)
class Unary:
    """Unary minus."""

    operand: Node
    pos: int


@dataclass(frozen=True)
class Binary:
    """A binary operator (`and`, `or`, comparisons, arithmetic)."""

    op: str
    left: Node
    right: Node
    pos: int


@dataclass(frozen=True)
class Call:
    """A function call."""

    name: str
    args: tuple[Node, ...]
    pos: int


Node = Ref | Current | Literal | Unary | Binary | Call

FUNCTIONS: dict[str, int] = {
    "not": 1,
    "selected": 2,
    "count-selected": 1,
    "string-length": 1,
    "true": 0,
    "false": 0,
}

_LEVELS: tuple[frozenset[str], ...] = (
    frozenset({"or"}),
    frozenset({"and"}),
    frozenset({"=", "!="}),
    frozenset({"<", "<=", ">", ">="}),
    frozenset({"+", "-"}),
    frozenset({"*", "div", "mod"}),
)


def _describe(token: Token) -> str:
    """A French description of a token for error messages."""
    if token.kind == "eof":
        return "la fin de l'expression"
    if token.kind == "ref":
        return f"« ${{{token.value}}} »"
    return f"« {token.value} »"


MAX_EXPRESSION_LENGTH = 4_000
MAX_EXPRESSION_NESTING = 40  # parentheses, function calls and unary minus, one inside the other
MAX_EXPRESSION_DEPTH = 100  # depth of the syntax tree (nesting and chains of operators)


class _Parser:
    """Recursive-descent parser following XPath operator precedence, with bounded recursion.

    Nesting (parentheses, calls, unary minus) is counted while parsing, so that 5,000 nested
    parentheses stop at the 41st with a French message instead of exhausting Python's stack; the
    finished tree's depth is then bounded too, for the recursive walks that evaluate it.
    """

    def __init__(self, text: str) -> None:
        if len(text) > MAX_EXPRESSION_LENGTH:
            raise ExpressionSyntaxError(
                f"expression trop longue : {count(len(text))} caractères,"
                f" {count(MAX_EXPRESSION_LENGTH)} au plus",
                MAX_EXPRESSION_LENGTH + 1,
                text,
            )
        self.text = text
        self.tokens = tokenize(text)
        self.index = 0
        self.nesting = 0

    def enter(self, token: Token) -> None:
        """One more level of nesting at `token` (fails beyond `MAX_EXPRESSION_NESTING`)."""
        self.nesting += 1
        if self.nesting > MAX_EXPRESSION_NESTING:
            raise self.fail(
                f"expression trop imbriquée : plus de {MAX_EXPRESSION_NESTING} niveaux de "
                "parenthèses, de fonctions ou de signes moins",
                token,
            )

    @property
    def current(self) -> Token:
        """The token under the cursor."""
        return self.tokens[self.index]

    def fail(self, message: str, token: Token | None = None) -> ExpressionSyntaxError:
        """A syntax error located at a token (the current one by default)."""
        token = token or self.current
        return ExpressionSyntaxError(message, token.pos + 1, self.text)

    def advance(self) -> Token:
        """Consume and return the current token."""
        token = self.current
        self.index += 1
        return token

    def expect(self, kind: str, label: str) -> Token:
        """Consume a token of the given kind or fail."""
        if self.current.kind != kind:
            raise self.fail(f"{label} attendu, trouvé {_describe(self.current)}")
        return self.advance()

    def parse(self) -> Node:
        """The whole expression; everything must be consumed."""
        if self.current.kind == "eof":
            raise self.fail("expression vide")
        node = self.binary(0)
        if self.current.kind != "eof":
            raise self.fail(f"opérateur attendu, trouvé {_describe(self.current)}")
        if _depth(node) > MAX_EXPRESSION_DEPTH:
            raise ExpressionSyntaxError(
                f"expression trop complexe : plus de {MAX_EXPRESSION_DEPTH} opérations imbriquées"
                " ou enchaînées",
                1,
                self.text,
            )
        return node

    def binary(self, level: int) -> Node:
        """Left-associative binary operators of one precedence level and above."""
        if level == len(_LEVELS):
            return self.unary()
        node = self.binary(level + 1)
        while self.current.kind == "op" and self.current.value in _LEVELS[level]:
            op = self.advance()
            right = self.binary(level + 1)
            node = Binary(op.value, node, right, op.pos)
        return node

    def unary(self) -> Node:
        """Unary minus, then a primary."""
        if self.current.kind == "op" and self.current.value == "-":
            op = self.advance()
            self.enter(op)
            operand = self.unary()
            self.nesting -= 1
            return Unary(operand, op.pos)
        return self.primary()

    def primary(self) -> Node:
        """A literal, reference, `.`, parenthesised expression or function call."""
        token = self.current
        if token.kind == "num":
            self.advance()
            return Literal(float(token.value), token.pos)
        if token.kind == "str":
            self.advance()
            return Literal(token.value, token.pos)
        if token.kind == "ref":
            self.advance()
            return Ref(token.value, token.pos)
        if token.kind == "dot":
            self.advance()
            return Current(token.pos)
        if token.kind == "lparen":
            self.advance()
            self.enter(token)
            node = self.binary(0)
            self.expect("rparen", "« ) »")
            self.nesting -= 1
            return node
        if token.kind == "name":
            self.advance()
            if self.current.kind != "lparen":
                raise self.fail(
                    f"nom « {token.value} » inattendu (une question s'écrit ${{{token.value}}})",
                    token,
                )
            if token.value not in FUNCTIONS:
                raise self.fail(f"fonction inconnue « {token.value}() »", token)
            self.advance()
            self.enter(token)
            args: list[Node] = []
            if self.current.kind != "rparen":
                args.append(self.binary(0))
                while self.current.kind == "comma":
                    self.advance()
                    args.append(self.binary(0))
            self.expect("rparen", "« ) » ou « , »")
            self.nesting -= 1
            if len(args) != FUNCTIONS[token.value]:
                raise self.fail(
                    f"{token.value}() attend {FUNCTIONS[token.value]} argument(s),"
                    f" {len(args)} donné(s)",
                    token,
                )
            return Call(token.value, tuple(args), token.pos)
        raise self.fail(f"valeur attendue, trouvé {_describe(token)}")


def _depth(root: Node) -> int:
    """Depth of a syntax tree, computed without recursion."""
    deepest, stack = 0, [(root, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        if isinstance(node, Unary):
            stack.append((node.operand, depth + 1))
        elif isinstance(node, Binary):
            stack += [(node.left, depth + 1), (node.right, depth + 1)]
        elif isinstance(node, Call):
            stack += [(arg, depth + 1) for arg in node.args]
    return deepest


@lru_cache(maxsize=4096)
def parse(text: str) -> Node:
    """Parse an expression into an AST; raise ExpressionSyntaxError (with its column) if invalid."""
    return _Parser(text).parse()


def references(node: Node) -> list[Ref]:
    """Every `${q}` reference in the tree, in reading order."""
    if isinstance(node, Ref):
        return [node]
    if isinstance(node, Unary):
        return references(node.operand)
    if isinstance(node, Binary):
        return references(node.left) + references(node.right)
    if isinstance(node, Call):
        return [ref for arg in node.args for ref in references(arg)]
    return []


def _walk(node: Node) -> list[Node]:
    """Every node of the tree, depth first."""
    children: tuple[Node, ...] = ()
    if isinstance(node, Unary):
        children = (node.operand,)
    elif isinstance(node, Binary):
        children = (node.left, node.right)
    elif isinstance(node, Call):
        children = node.args
    return [node, *(sub for child in children for sub in _walk(child))]


def to_source(node: Node) -> str:
    """Write an AST back as an expression (fully parenthesised where needed)."""
    if isinstance(node, Ref):
        return f"${{{node.name}}}"
    if isinstance(node, Current):
        return "."
    if isinstance(node, Literal):
        if isinstance(node.value, str):
            quote = '"' if "'" in node.value else "'"
            return f"{quote}{node.value}{quote}"
        return _number_text(node.value)
    if isinstance(node, Unary):
        return f"-{to_source(node.operand)}"
    if isinstance(node, Binary):
        return f"({to_source(node.left)} {node.op} {to_source(node.right)})"
    return f"{node.name}({', '.join(to_source(arg) for arg in node.args)})"


# ---------------------------------------------------------------------------------------- typing

BOOL, NUM, STR = "bool", "num", "str"


@dataclass(frozen=True)
class Scope:
    """What an expression can see: question types, and the question `.` stands for."""

    types: Mapping[str, QuestionType]
    current: str | None = None

    def type_of(self, name: str) -> str:
        """Static value type of a question: number for numeric questions, string otherwise."""
        qtype = self.types.get(name)
        return NUM if qtype is not None and qtype.is_numeric else STR


def static_type(node: Node, scope: Scope) -> str:
    """The value type (`bool`, `num`, `str`) an expression node yields."""
    if isinstance(node, Ref):
        return scope.type_of(node.name)
    if isinstance(node, Current):
        return scope.type_of(scope.current or "")
    if isinstance(node, Literal):
        return STR if isinstance(node.value, str) else NUM
    if isinstance(node, Unary):
        return NUM
    if isinstance(node, Binary):
        return NUM if node.op in {"+", "-", "*", "div", "mod"} else BOOL
    if node.name in {"count-selected", "string-length"}:
        return NUM
    return BOOL


# ---------------------------------------------------------------------------------------- validation


@dataclass(frozen=True)
class ExpressionIssue:
    """A problem in one expression, with a French message and its 1-based column when known."""

    code: str
    message: str
    column: int | None = None


def check(
    text: str,
    *,
    kind: str,
    question_id: str,
    order: Mapping[str, int],
    types: Mapping[str, QuestionType],
    codes: Mapping[str, tuple[str, ...]],
    position: int | None = None,
) -> list[ExpressionIssue]:
    """Validate one `relevant` or `constraint` expression against the questionnaire's questions.

    `order` maps question ids to their rank; `position` is the rank of the first question the
    expression applies to (for `relevant`, referenced questions must come strictly before it).
    """
    try:
        tree = parse(text)
    except ExpressionSyntaxError as error:
        return [ExpressionIssue("syntax", str(error), error.column)]
    issues: list[ExpressionIssue] = []
    rank = order.get(question_id) if position is None else position
    for node in _walk(tree):
        if isinstance(node, Ref):
            if node.name not in order:
                issues.append(
                    ExpressionIssue(
                        "unknown_question",
                        f"question inconnue « ${{{node.name}}} » (colonne {node.pos + 1})",
                        node.pos + 1,
                    )
                )
            elif kind == "relevant" and rank is not None and order[node.name] >= rank:
                issues.append(
                    ExpressionIssue(
                        "later_question",
                        f"« ${{{node.name}}} » (colonne {node.pos + 1}) n'est pas posée avant"
                        f" « {question_id} » : une condition d'affichage ne peut dépendre que"
                        " de questions précédentes",
                        node.pos + 1,
                    )
                )
        elif isinstance(node, Current) and kind != "constraint":
            issues.append(
                ExpressionIssue(
                    "current_outside_constraint",
                    f"« . » (colonne {node.pos + 1}) n'est permis que dans une contrainte",
                    node.pos + 1,
                )
            )
        elif isinstance(node, Call) and node.name in {"selected", "count-selected"}:
            issues += _check_selection(node, question_id, types, codes)
        elif isinstance(node, Binary) and node.op in {"=", "!="}:
            issues += _check_code_comparison(node, question_id, types, codes)
    return issues


def _target(node: Node, question_id: str) -> str | None:
    """The question a `${q}` or `.` node stands for."""
    if isinstance(node, Ref):
        return node.name
    if isinstance(node, Current):
        return question_id
    return None


def _check_selection(
    node: Call,
    question_id: str,
    types: Mapping[str, QuestionType],
    codes: Mapping[str, tuple[str, ...]],
) -> list[ExpressionIssue]:
    """`selected()`/`count-selected()` apply to a choice question, with one of its codes."""
    target = _target(node.args[0], question_id)
    column = node.pos + 1
    if target is None:
        return [
            ExpressionIssue(
                "selected_argument",
                f"{node.name}() (colonne {column}) attend une question ${{q}} ou « . »",
                column,
            )
        ]
    qtype = types.get(target)
    if qtype is None:
        return []
    if not qtype.is_choice:
        return [
            ExpressionIssue(
                "selected_not_choice",
                f"{node.name}() (colonne {column}) porte sur « {target} », qui n'est pas une"
                " question à choix",
                column,
            )
        ]
    if node.name == "selected" and isinstance(node.args[1], Literal):
        code = node.args[1].value
        if isinstance(code, float):
            code = _number_text(code)
        if code not in codes.get(target, ()):
            return [
                ExpressionIssue(
                    "unknown_code",
                    f"selected() (colonne {column}) : le code « {code} » n'existe pas dans les"
                    f" modalités de « {target} » ({', '.join(codes.get(target, ()))})",
                    column,
                )
            ]
    return []


def _check_code_comparison(
    node: Binary,
    question_id: str,
    types: Mapping[str, QuestionType],
    codes: Mapping[str, tuple[str, ...]],
) -> list[ExpressionIssue]:
    """`${q} = 'x'` on a single-answer choice question must use one of its codes (or '')."""
    for side, other in ((node.left, node.right), (node.right, node.left)):
        target = _target(side, question_id)
        if target is None or not isinstance(other, Literal) or not isinstance(other.value, str):
            continue
        qtype = types.get(target)
        if qtype is None or not qtype.is_choice or qtype is QuestionType.MULTIPLE_CHOICE:
            continue
        if other.value != "" and other.value not in codes.get(target, ()):
            return [
                ExpressionIssue(
                    "unknown_code",
                    f"le code « {other.value} » (colonne {other.pos + 1}) n'existe pas dans les"
                    f" modalités de « {target} » ({', '.join(codes.get(target, ()))})",
                    other.pos + 1,
                )
            ]
    return []


# ---------------------------------------------------------------------------------------- dict evaluation

_NUMBER_RE = re.compile(r"^\s*-?(?:\d+(?:\.\d*)?|\.\d+)\s*$")
_NUMBER_PATTERN = r"^\s*-?(?:\d+(?:\.\d*)?|\.\d+)\s*$"


def _number_text(value: float) -> str:
    """A number as text: integers without decimals."""
    return str(int(value)) if value == math.floor(value) and abs(value) < 2**53 else repr(value)


def _as_text(raw: Any) -> str:
    """An answer as the string an expression sees ('' when empty)."""
    if raw is None:
        return ""
    if isinstance(raw, float) and math.isnan(raw):
        return ""
    if isinstance(raw, list | tuple | set | frozenset):
        return " ".join(str(item) for item in raw)
    return str(raw)


def _as_number(raw: Any) -> float | None:
    """An answer as a number (None when empty or not a number)."""
    if raw is None or isinstance(raw, bool):
        return None if raw is None else float(raw)
    if isinstance(raw, int | float):
        return None if math.isnan(raw) or math.isinf(raw) else float(raw)
    text = _as_text(raw)
    return float(text) if _NUMBER_RE.match(text) else None


def _value_to_number(value: Any) -> float | None:
    """An evaluated value converted to a number."""
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if value is None or isinstance(value, float):
        return value
    return float(value) if _NUMBER_RE.match(value) else None


def _value_to_bool(value: Any) -> bool:
    """An evaluated value used as a condition."""
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    if isinstance(value, float):
        return value != 0
    return value != ""


def _value_to_text(value: Any) -> str:
    """An evaluated value converted to text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, float):
        return _number_text(value)
    return value


def evaluate(
    text_or_node: str | Node,
    answers: Mapping[str, Any],
    scope: Scope,
    current: Any = None,
) -> Any:
    """Evaluate an expression on one answer dict; returns a bool, a float/None or a str."""
    node = parse(text_or_node) if isinstance(text_or_node, str) else text_or_node
    return _eval(node, answers, scope, current)


def evaluate_condition(
    text_or_node: str | Node, answers: Mapping[str, Any], scope: Scope, current: Any = None
) -> bool:
    """Evaluate an expression on one answer dict as a condition (true/false)."""
    return _value_to_bool(evaluate(text_or_node, answers, scope, current))


def _read(name: str | None, raw: Any, scope: Scope) -> Any:
    """The typed value of an answer."""
    return _as_number(raw) if scope.type_of(name or "") == NUM else _as_text(raw)


def _eval(node: Node, answers: Mapping[str, Any], scope: Scope, current: Any) -> Any:
    """Evaluate one node on an answer dict."""
    if isinstance(node, Literal):
        return node.value
    if isinstance(node, Ref):
        return _read(node.name, answers.get(node.name), scope)
    if isinstance(node, Current):
        return _read(scope.current, current, scope)
    if isinstance(node, Unary):
        operand = _value_to_number(_eval(node.operand, answers, scope, current))
        return None if operand is None else -operand
    if isinstance(node, Call):
        return _eval_call(node, answers, scope, current)
    if node.op == "and":
        return _value_to_bool(_eval(node.left, answers, scope, current)) and _value_to_bool(
            _eval(node.right, answers, scope, current)
        )
    if node.op == "or":
        return _value_to_bool(_eval(node.left, answers, scope, current)) or _value_to_bool(
            _eval(node.right, answers, scope, current)
        )
    left = _eval(node.left, answers, scope, current)
    right = _eval(node.right, answers, scope, current)
    if node.op in {"=", "!="}:
        equal = _equal(left, right, static_type(node.left, scope), static_type(node.right, scope))
        return equal if node.op == "=" else not equal
    a, b = _value_to_number(left), _value_to_number(right)
    if node.op in {"<", "<=", ">", ">="}:
        if a is None or b is None:
            return False
        return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[node.op]
    if a is None or b is None:
        return None
    if node.op == "+":
        return a + b
    if node.op == "-":
        return a - b
    if node.op == "*":
        return a * b
    if b == 0:
        return None
    return a / b if node.op == "div" else math.fmod(a, b)


def _equal(left: Any, right: Any, left_type: str, right_type: str) -> bool:
    """XPath-like equality between two typed values."""
    if BOOL in (left_type, right_type):
        return _value_to_bool(left) == _value_to_bool(right)
    if NUM in (left_type, right_type):
        a, b = _value_to_number(left), _value_to_number(right)
        if a is None or b is None:
            return a is None and b is None
        return a == b
    return _value_to_text(left) == _value_to_text(right)


def _eval_call(node: Call, answers: Mapping[str, Any], scope: Scope, current: Any) -> Any:
    """Evaluate a function call on an answer dict."""
    if node.name == "true":
        return True
    if node.name == "false":
        return False
    values = [_eval(arg, answers, scope, current) for arg in node.args]
    if node.name == "not":
        return not _value_to_bool(values[0])
    if node.name == "selected":
        return _value_to_text(values[1]) in _value_to_text(values[0]).split()
    if node.name == "count-selected":
        return float(len(_value_to_text(values[0]).split()))
    return float(len(_value_to_text(values[0])))


# ---------------------------------------------------------------------------------------- Polars


def to_polars(text_or_node: str | Node, scope: Scope, current: str | None = None) -> pl.Expr:
    """Compile an expression to a Polars expression over a wide answers frame (one column per question).

    `current` is the column `.` stands for (defaults to `scope.current`). The result is a value
    expression; use `to_polars_condition` for a non-null boolean.
    """
    node = parse(text_or_node) if isinstance(text_or_node, str) else text_or_node
    return _full_length(node, _compile(node, scope, current or scope.current))


def to_polars_condition(
    text_or_node: str | Node, scope: Scope, current: str | None = None
) -> pl.Expr:
    """Compile an expression to a non-null boolean Polars expression."""
    node = parse(text_or_node) if isinstance(text_or_node, str) else text_or_node
    compiled = _pl_bool(_compile(node, scope, current or scope.current), static_type(node, scope))
    return _full_length(node, compiled)


def _full_length(node: Node, expr: pl.Expr) -> pl.Expr:
    """A constant expression repeated to the frame's length (so `select` gives one value per row)."""
    if any(isinstance(sub, Ref | Current) for sub in _walk(node)):
        return expr
    return pl.repeat(expr, pl.len())


def _pl_column(name: str | None, scope: Scope) -> pl.Expr:
    """A question column read with its expression type."""
    column = pl.col(name or "").cast(pl.Utf8)
    if scope.type_of(name or "") == NUM:
        return _pl_text_to_number(column)
    return column.fill_null("")


def _pl_text_to_number(expr: pl.Expr) -> pl.Expr:
    """Text to number with the same rule as the dict evaluation (empty when not a number)."""
    return (
        pl.when(expr.str.contains(_NUMBER_PATTERN))
        .then(expr.str.strip_chars().cast(pl.Float64, strict=False))
        .otherwise(None)
    )


def _pl_number(expr: pl.Expr, kind: str) -> pl.Expr:
    """Any typed value as a (nullable) number."""
    if kind == NUM:
        return expr
    if kind == BOOL:
        return expr.cast(pl.Float64)
    return _pl_text_to_number(expr)


def _pl_bool(expr: pl.Expr, kind: str) -> pl.Expr:
    """Any typed value as a non-null boolean."""
    if kind == BOOL:
        return expr.fill_null(False)
    if kind == NUM:
        return (expr.is_not_null() & (expr != 0)).fill_null(False)
    return (expr != "").fill_null(False)


def _pl_text(expr: pl.Expr, kind: str) -> pl.Expr:
    """Any typed value as text."""
    if kind == STR:
        return expr
    if kind == BOOL:
        return pl.when(expr).then(pl.lit("true")).otherwise(pl.lit("false"))
    integral = (expr == expr.floor()) & (expr.abs() < 2**53)
    return (
        pl.when(expr.is_null())
        .then(pl.lit(""))
        .when(integral)
        .then(expr.cast(pl.Int64).cast(pl.Utf8))
        .otherwise(expr.cast(pl.Utf8))
    )


def _compile(node: Node, scope: Scope, current: str | None) -> pl.Expr:
    """Compile one node to a Polars expression."""
    if isinstance(node, Literal):
        if isinstance(node.value, str):
            return pl.lit(node.value, dtype=pl.Utf8)
        return pl.lit(node.value, dtype=pl.Float64)
    if isinstance(node, Ref):
        return _pl_column(node.name, scope)
    if isinstance(node, Current):
        return _pl_column(current, scope)
    if isinstance(node, Unary):
        return -_pl_number(_compile(node.operand, scope, current), static_type(node.operand, scope))
    if isinstance(node, Call):
        return _compile_call(node, scope, current)
    left_type, right_type = static_type(node.left, scope), static_type(node.right, scope)
    left, right = _compile(node.left, scope, current), _compile(node.right, scope, current)
    if node.op in {"and", "or"}:
        a, b = _pl_bool(left, left_type), _pl_bool(right, right_type)
        return a & b if node.op == "and" else a | b
    if node.op in {"=", "!="}:
        if BOOL in (left_type, right_type):
            equal = _pl_bool(left, left_type) == _pl_bool(right, right_type)
        elif NUM in (left_type, right_type):
            a, b = _pl_number(left, left_type), _pl_number(right, right_type)
            equal = (
                pl.when(a.is_null() | b.is_null()).then(a.is_null() & b.is_null()).otherwise(a == b)
            )
        else:
            equal = _pl_text(left, left_type) == _pl_text(right, right_type)
        return equal if node.op == "=" else ~equal
    a, b = _pl_number(left, left_type), _pl_number(right, right_type)
    if node.op in {"<", "<=", ">", ">="}:
        compared = {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[node.op]
        return compared.fill_null(False)
    if node.op == "+":
        return a + b
    if node.op == "-":
        return a - b
    if node.op == "*":
        return a * b
    quotient = a / b
    result = quotient if node.op == "div" else a - b * quotient.sign() * quotient.abs().floor()
    return pl.when(b == 0).then(None).otherwise(result)


def _compile_call(node: Call, scope: Scope, current: str | None) -> pl.Expr:
    """Compile a function call to a Polars expression."""
    if node.name in {"true", "false"}:
        return pl.lit(node.name == "true")
    args = [_compile(arg, scope, current) for arg in node.args]
    kinds = [static_type(arg, scope) for arg in node.args]
    if node.name == "not":
        return ~_pl_bool(args[0], kinds[0])
    texts = [_pl_text(arg, kind) for arg, kind in zip(args, kinds, strict=True)]
    if node.name == "selected":
        return texts[0].str.extract_all(r"\S+").list.contains(texts[1]).fill_null(False)
    if node.name == "count-selected":
        return texts[0].str.count_matches(r"\S+").cast(pl.Float64)
    return texts[0].str.len_chars().cast(pl.Float64)
