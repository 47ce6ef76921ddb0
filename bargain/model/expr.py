"""Safe parsing of expression strings from model files into sympy.

Model files hold payoffs, constraints and parameters as strings such as
``"V - x"``, ``"sqrt(1 - x)"`` or ``"a + b <= 1"``. They are parsed here by a
small tokenizer and an operator-precedence parser that whitelist the grammar
and build sympy objects directly: no input is ever executed or handed to
sympy's own string parser. Everything outside the grammar is refused with an
:class:`~bargain.errors.ExpressionError`, and the size of every input,
number, power and nesting level is bounded so that hostile input is refused
quickly instead of exhausting time or memory.

Grammar
-------
- numbers: ``2``, ``0.9``, ``1e-3``, ``2.5E+2``; decimals are exact rationals;
- names: the given symbols (a letter, then letters, digits and ``_``; Unicode
  letters as in Python identifiers, in NFKC normal form), the constants ``pi``
  and ``E``, and ``True`` / ``False`` as Piecewise conditions;
- operators: ``+ - * /``, ``**`` (or ``^``), unary ``+ -``, parentheses;
- functions: ``abs exp log max min sqrt Piecewise``;
- comparisons ``< <= > >= ==``: one at the top level of a constraint, or
  inside Piecewise conditions, where ``&`` and ``|`` combine them (binding
  more loosely than comparisons: ``x > 0 & x < 1`` needs no parentheses).

Precedence follows Python: ``**`` is right-associative and binds tighter than
a unary minus on its left (``-x**2`` is ``-(x**2)``).

Limits
------
At most 10,000 characters, 2,000 tokens and 100 levels of nesting (each
parenthesis, sign and pending ``**`` counts one level, each call two: the call
and its parentheses); number literals of at most 50 characters; exponents
of symbols within ±10,000; ``min`` / ``max`` take at most 20 arguments; and
subexpressions without symbols nest at most 6 levels deep, since sympy
evaluates those numerically at a cost that grows exponentially with depth.
``abs`` of a symbolic argument is left unevaluated for the same reason.

Numbers are exact (a decimal is a fraction) while they have at most 1,000
digits and roots are taken of numbers of at most 100. A number that would be
larger exactly — a power of a number such as ``0.9**10000`` (9,543 digits),
``exp(10000*log(0.9))``, a literal such as ``1e-1500`` or a root of a long
number — is computed by mpmath to 30 significant digits at any magnitude, so a
discount factor of ``0.9**10000`` is the positive 2.66e-458 that a float would
round to 0. Such a rounded number is a sympy ``Float``: the exact route keeps it
as it is (:mod:`bargain.concepts.budget`), and a power of a number to a rounded
exponent beyond ±10,000 (``9**9**9**9``) is refused.

Examples
--------
>>> import sympy
>>> x, y = sympy.symbols("x y")
>>> parse_expression("2*x^2 - y/3", {"x": x, "y": y})
2*x**2 - y/3
>>> parse_expression("x.__class__", {"x": x})
Traceback (most recent call last):
...
bargain.errors.ExpressionError: unexpected character '.' at position 1 in "x.__class__": ...
"""

from __future__ import annotations

import functools
import math
import operator
import sys
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sympy
from mpmath.libmp import prec_to_dps, repr_dps
from mpmath.libmp import to_str as mpf_to_str
from sympy.core.numbers import Exp1, Pi
from sympy.core.relational import Relational
from sympy.functions.elementary.piecewise import ExprCondPair
from sympy.logic.boolalg import BooleanFalse, BooleanTrue
from sympy.printing.precedence import PRECEDENCE
from sympy.printing.str import StrPrinter

from bargain.errors import ExpressionError

__all__ = [
    "ALLOWED_FUNCTIONS",
    "EXP_ARGUMENT",
    "SPECIAL_FUNCTIONS",
    "derivative",
    "exponent_beyond",
    "expressible",
    "expression_to_string",
    "is_name",
    "log_of",
    "parse_expression",
    "power",
    "rebuilt",
]

ALLOWED_FUNCTIONS: tuple[str, ...] = ("abs", "exp", "log", "max", "min", "sqrt", "Piecewise")

_MAX_LENGTH = 10_000
_MAX_TOKENS = 2_000
MAX_DEPTH = 100
_MAX_LITERAL_LENGTH = 50  # a 30-digit number as written back, with its exponent
_MAX_EXPONENT = 10_000
_MAX_DIGITS = 1_000
_MAX_ROOT_DIGITS = 100
_MAX_CONSTANT_HEIGHT = 6
ROUNDED_DIGITS = 30
"""Significant digits of a power of numbers too large to compute exactly (``0.9**10000``)."""

_GRAMMAR = (
    "expressions may use numbers, names, + - * / ** ^, parentheses and the functions "
    + ", ".join(ALLOWED_FUNCTIONS)
)
_DIGITS = "0123456789"
_WHITESPACE = " \t\r\n"
_OPERATORS = ("**", "<=", ">=", "==", "+", "-", "*", "/", "^", "(", ")", ",", "<", ">", "&", "|")
_REFUSED = {
    "//": "floor division '//' is not allowed",
    "!=": "'!=' is not allowed; compare with <, <=, >, >= or ==",
    "=": "assignment and keyword arguments are not allowed; compare with '=='",
    ".": "attribute access is not allowed",
    "'": "strings are not allowed",
    '"': "strings are not allowed",
    "[": "indexing and lists are not allowed",
    "]": "indexing and lists are not allowed",
    "{": "sets and dictionaries are not allowed",
    "}": "sets and dictionaries are not allowed",
    ":": "lambdas, slices and dictionaries are not allowed",
    ";": "only one expression is allowed",
    "@": "matrix multiplication is not allowed",
    "%": "the modulo operator is not allowed",
    "\\": "backslashes are not allowed",
}

_PRECEDENCE = {
    "|": 1,
    "&": 2,
    "<": 3,
    "<=": 3,
    ">": 3,
    ">=": 3,
    "==": 3,
    "+": 4,
    "-": 4,
    "*": 5,
    "/": 5,
    "**": 7,
    "^": 7,
}
_UNARY_PRECEDENCE = 6
_RIGHT_ASSOCIATIVE = frozenset({"**", "^"})
_COMPARISONS: dict[str, type[Relational]] = {
    "<": sympy.StrictLessThan,
    "<=": sympy.LessThan,
    ">": sympy.StrictGreaterThan,
    ">=": sympy.GreaterThan,
    "==": sympy.Equality,
}
_CONSTANTS = {"pi": sympy.pi, "E": sympy.E}
_BOOLEANS = {"True": sympy.true, "False": sympy.false}
_ARITHMETIC = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv}
_ARITY: dict[str, tuple[int, int]] = {
    "abs": (1, 1),
    "exp": (1, 1),
    "sqrt": (1, 1),
    "log": (1, 2),
    "max": (2, 20),
    "min": (2, 20),
}
_NON_FINITE = frozenset({sympy.nan, sympy.zoo, sympy.oo, -sympy.oo})


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # "number", "name", "op", "unary" (a sign in prefix position) or "end"
    text: str
    pos: int


def _quote(text: str, pos: int) -> str:
    """Quote `text` (or a window of it around `pos`) for a one-line message."""
    if len(text) > 80:
        start = max(0, pos - 30)
        text = ("..." if start else "") + text[start : pos + 30] + "..."
    return '"' + "".join(c if c.isprintable() else repr(c)[1:-1] for c in text) + '"'


def _error(text: str, what: str, pos: int, allowed: str = _GRAMMAR) -> ExpressionError:
    return ExpressionError(f"{what} at position {pos} in {_quote(text, pos)}: {allowed}")


def _describe(token: _Token) -> str:
    if token.kind == "end":
        return "the end of the expression"
    return f"{token.kind if token.kind != 'op' else 'operator'} {token.text!r}"


def _tokenize(text: str) -> list[_Token]:
    """Split `text` into tokens, refusing any character outside the grammar."""
    tokens: list[_Token] = []
    pos = 0
    while pos < len(text):
        char = text[pos]
        if char in _WHITESPACE:
            pos += 1
            continue
        if len(tokens) >= _MAX_TOKENS:
            raise ExpressionError(
                f"expression has more than {_MAX_TOKENS} tokens (names, numbers, operators, "
                "parentheses); a model file has no named sub-expressions, so shorten it: "
                "collect repeated terms (3*x, not x + x + x; x**3, not x*x*x), write a "
                "constant part as one number or a [parameters] value, or build the model in "
                "Python (bargain.Model), where a payoff may be any sympy expression"
            )
        after_value = bool(tokens) and (
            tokens[-1].kind in ("name", "number") or tokens[-1].text == ")"
        )
        if char in _DIGITS or (
            char == "." and not after_value and _skip_digits(text, pos + 1) > pos + 1
        ):
            tokens.append(_number_token(text, pos))
        elif _is_name_character(char):
            end = pos + 1
            while end < len(text) and _is_name_character(text[end]):
                end += 1
            if char == "_":
                raise _error(
                    text,
                    f"name {text[pos:end]!r}",
                    pos,
                    "names starting with an underscore are never allowed",
                )
            tokens.append(_Token("name", text[pos:end], pos))
        else:
            tokens.append(_operator_token(text, pos))
        pos += len(tokens[-1].text)
    tokens.append(_Token("end", "", len(text)))
    return tokens


def _operator_token(text: str, pos: int) -> _Token:
    """Match the longest operator at `pos`, refusing Python syntax outside the grammar."""
    op = next((o for o in _OPERATORS if text.startswith(o, pos)), "")
    refused = next((r for r in _REFUSED if text.startswith(r, pos)), "")
    if op and len(op) >= len(refused):
        return _Token("op", op, pos)
    shown = refused or text[pos]
    what = "character " if len(shown) == 1 else ""
    hint = f"{_REFUSED[refused]}; {_GRAMMAR}" if refused else _GRAMMAR
    raise _error(text, f"unexpected {what}{shown!r}", pos, hint)


def _is_name_character(char: str) -> bool:
    return ("_" + char).isidentifier()


def is_name(text: str) -> bool:
    """Whether `text` is a name of the grammar: a letter, then letters, digits or '_'.

    Letters and digits may be Unicode ones, as in Python identifiers, but the name
    must be in the normal form (NFKC) Python reads identifiers in, so that two
    names that look alike are never the same name in compiled code.

    Examples
    --------
    >>> is_name("delta_W"), is_name("δ"), is_name("Écrivains")
    (True, True, True)
    >>> is_name("_x"), is_name("2x"), is_name("a-b"), is_name("ﬁ")
    (False, False, False, False)
    """
    return (
        text[:1].isalpha() and text.isidentifier() and unicodedata.normalize("NFKC", text) == text
    )


def _skip_digits(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in _DIGITS:
        pos += 1
    return pos


def _number_token(text: str, pos: int) -> _Token:
    """Scan digits, an optional fraction and an optional exponent such as ``e-3``."""
    end = _skip_digits(text, pos)
    if text.startswith(".", end):
        end = _skip_digits(text, end + 1)
    if text[end : end + 1] in ("e", "E"):
        start = end + 2 if text[end + 1 : end + 2] in ("+", "-") else end + 1
        stop = _skip_digits(text, start)
        if stop > start:
            end = stop
    literal = text[pos:end]
    if end < len(text) and (_is_name_character(text[end]) or text[end] == "."):
        raise _error(
            text,
            f"malformed number {text[pos : end + 1]!r}",
            pos,
            "write numbers like 2, 0.5 or 1e-3 and multiply explicitly with '*'",
        )
    if len(literal) > _MAX_LITERAL_LENGTH:
        raise _error(
            text,
            f"number literal {literal[:20]!r}... is longer than {_MAX_LITERAL_LENGTH} characters",
            pos,
            "write large or precise numbers as products or powers",
        )
    return _Token("number", literal, pos)


def _number(literal: str) -> sympy.Number:
    """A number literal: exact (an integer, or a decimal as a fraction), unless its decimal
    exponent lies beyond ±_MAX_DIGITS (``1e-1500``), when it is kept to ROUNDED_DIGITS
    significant digits like any number too large to compute exactly (:func:`_rounded`)."""
    exponent = literal.lower().partition("e")[2]
    if exponent and abs(int(exponent)) > _MAX_DIGITS:
        return sympy.Float(literal, ROUNDED_DIGITS)
    return sympy.Integer(literal) if literal.isdigit() else sympy.Rational(literal)


def _digits(number: sympy.Rational) -> float:
    """Decimal digits of the larger of numerator and denominator, at least log10(2)."""
    return max(math.log10(max(abs(number.p), 2)), math.log10(max(number.q, 2)))


def _size_problem(bases: Iterable[sympy.Basic], exponent: sympy.Basic) -> str | None:
    """Say why sympy must not evaluate ``Mul(*bases) ** exponent``, or return None.

    Sympy eagerly evaluates powers of rational numbers, including those
    hidden in the numeric factors of a product, so the cost is estimated from
    the numbers' digits before anything is built.
    """
    total = 0.0
    for base in bases:
        for factor in sympy.Mul.make_args(base):
            number, power = factor.as_base_exp()
            effective = power * exponent
            if not (number.is_Rational and effective.is_Rational):
                continue
            if not effective.is_integer and _digits(number) > _MAX_ROOT_DIGITS:
                return f"a root of a number with more than {_MAX_ROOT_DIGITS} digits"
            # Capping at _MAX_EXPONENT keeps float() finite without changing the verdict,
            # since even 2**_MAX_EXPONENT has more than _MAX_DIGITS digits.
            total += _digits(number) * float(min(abs(effective), _MAX_EXPONENT))
    if total > _MAX_DIGITS:
        return f"a number with more than {_MAX_DIGITS} digits"
    return None


def _beyond_exact(base: sympy.Expr, exponent: sympy.Rational) -> bool:
    """Whether ``base ** exponent``, a power of a number, is too large to compute exactly:
    its exponent beyond ±_MAX_EXPONENT or its exact value of more than _MAX_DIGITS digits
    (``0.9**10000``, whose numerator alone has 9,543)."""
    return abs(exponent) > _MAX_EXPONENT or _size_problem([base], exponent) is not None


def _rounded(value: sympy.Expr) -> sympy.Expr:
    """A number too large to compute exactly, built unevaluated (``0.9**10000``,
    ``exp(10000*log(0.9))``), to ROUNDED_DIGITS significant digits at any magnitude.

    mpmath's numbers have an exponent of any size, so ``0.9**10000`` (2.66e-458) is a
    positive number here, though a float rounds it to 0; only its digits are bounded. A
    negative base under a fractional exponent gives a complex number, which the parser
    then refuses as not real.
    """
    found = sympy.N(value, ROUNDED_DIGITS + 10)
    return sympy.Float(found, ROUNDED_DIGITS) if found.is_real else found


def power(base: sympy.Expr, exponent: sympy.Expr) -> sympy.Expr:
    """``base ** exponent`` that never computes a number too large to compute exactly.

    A power of a number beyond that (``0.9**1000000``) is kept to ROUNDED_DIGITS
    significant digits (:func:`_rounded`), as the parser keeps it, and so is a root of a
    number of index beyond _MAX_EXPONENT (``0.9**1e-12``, an algebraic number of degree
    10**12). Such an exponent, or one beyond ±_MAX_EXPONENT, on
    a base with parameters is written as a ROUNDED_DIGITS-digit Float, so that the power
    at the parameters' values is computed in that many digits, not exactly (substituting
    ``d = 9/10`` into ``d**1000000`` would build a number of a million digits).

    Examples
    --------
    >>> d = sympy.Symbol("d")
    >>> power(sympy.Rational(9, 10), sympy.Integer(10**6))
    3.23176166359831652339444347982e-45758
    >>> power(d, sympy.Integer(10**6)).xreplace({d: sympy.Rational(9, 10)})
    3.23176166359831652339444347982e-45758
    >>> power(d, sympy.Integer(3))
    d**3
    """
    if not exponent.is_Rational:
        return sympy.Pow(base, exponent)
    # A root of index beyond _MAX_EXPONENT is an algebraic number of that degree, which
    # sympy's solvers would expand into a polynomial of that many terms.
    huge = abs(exponent) > _MAX_EXPONENT or exponent.q > _MAX_EXPONENT
    if base.is_number:
        if base not in (0, 1, -1) and (huge or _beyond_exact(base, exponent)):
            return _rounded(sympy.Pow(base, exponent, evaluate=False))
        return sympy.Pow(base, exponent)
    if huge:
        return sympy.Pow(base, sympy.Float(exponent, ROUNDED_DIGITS))
    return sympy.Pow(base, exponent)


def _exp_problem(argument: sympy.Expr) -> str | None:
    """Say why sympy must not build ``exp(argument)``, or return None: it rewrites
    ``exp(c*log(b))`` as ``b**c``, which must not be too large to compute exactly."""
    for term in sympy.Add.make_args(argument):
        bases = [logarithm.args[0] for logarithm in term.atoms(sympy.log)]
        if bases and (problem := _size_problem(bases, term.as_coeff_Mul()[0])):
            return problem
    return None


EXP_ARGUMENT = 1e5
"""Beyond this size, the argument of ``exp`` gives a number whose exponent alone has more
than 43,000 digits: mpmath computes it only at a cost growing with those digits (minutes
for ``exp(exp(exp(exp(exp(1)))))``), and it is far beyond floating point (``exp(710)``)."""


def exponent_beyond(expr: sympy.Expr, subs: Mapping[sympy.Symbol, sympy.Expr]) -> bool:
    """Whether some ``exp`` or power in ``expr`` has, at ``subs``, a natural logarithm
    larger in size than :data:`EXP_ARGUMENT` (the argument of ``exp``; ``c * log|b|``
    for ``b**c``), so that ``expr`` cannot be computed in bounded work (its value,
    unless something cancels, is beyond floating point). They are checked innermost
    first, so each one evaluated holds only bounded ones; ``subs`` may be empty for a
    constant. A power tower ``(1 + x)**(1 + x)**...`` of eight levels at ``x = 0.85``
    has an exponent of millions of digits, which mpmath would build digit by digit.

    Examples
    --------
    >>> x = sympy.Symbol("x")
    >>> tower = sympy.exp(sympy.exp(sympy.exp(sympy.exp(sympy.exp(x)))))
    >>> exponent_beyond(tower, {x: sympy.Float(0)}), exponent_beyond(tower, {x: -5})
    (True, False)
    >>> powers = (1 + x) ** (1 + x) ** (1 + x) ** (1 + x) ** (1 + x) ** (1 + x)
    >>> exponent_beyond(powers, {x: sympy.Float(0.85)}), exponent_beyond(powers, {x: 0})
    (True, False)
    """
    for node in _growing(expr):
        if _small_power(node, subs):
            continue
        if isinstance(node, sympy.exp):
            size = sympy.N(node.args[0].xreplace(subs), 15)
        else:
            base = sympy.N(node.base.xreplace(subs), 15)
            if not base.is_number or base == 0:
                continue
            size = sympy.N(node.exp.xreplace(subs), 15) * sympy.log(abs(base))
        if size.is_number and abs(size) > EXP_ARGUMENT:
            return True
    return False


@functools.lru_cache(maxsize=4096)
def _growing(expr: sympy.Expr) -> tuple[sympy.Expr, ...]:
    """The ``exp`` and powers in ``expr``, innermost first (:func:`exponent_beyond`'s order),
    kept per expression: the solvers check the same payoffs at every contract."""
    return tuple(sorted(expr.atoms(sympy.exp, sympy.Pow), key=sympy.count_ops))


_SMALL_POWER = EXP_ARGUMENT / 16
"""Far enough below :data:`EXP_ARGUMENT` that a size computed in floating point (within a
few units of its last place) and the 15-digit one are on the same side of it."""


def _small_power(node: sympy.Expr, subs: Mapping[sympy.Symbol, sympy.Expr]) -> bool:
    """Whether ``node`` is a power whose exponent is a number and whose base is a number,
    or a symbol whose value in ``subs`` is one, with ``|exponent * log|base||`` below
    :data:`_SMALL_POWER` in floating point: :func:`exponent_beyond` would find it bounded
    (``x**2`` at any contract of ordinary size), without sympy's 15-digit evaluation. Any
    other node (or a base of zero, or beyond floating point) is left to that evaluation."""
    if not (node.is_Pow and node.exp.is_Number):
        return False
    base = subs.get(node.base, node.base) if node.base.is_Symbol else node.base
    if not isinstance(base, sympy.Number):
        return False
    try:
        size = abs(float(base))
        power = abs(float(node.exp))
    except (OverflowError, TypeError, ValueError):
        return False
    return sys.float_info.min < size < math.inf and power * abs(math.log(size)) < _SMALL_POWER


def _show(value: sympy.Basic) -> str:
    """Render a value for a message: unsorted (sorting may evaluate numerically) and short."""
    if isinstance(value, sympy.Rational) and _digits(value) > _MAX_DIGITS:
        return f"a number of {math.ceil(_digits(value))} digits ({sympy.N(value, 6)})"
    text = sympy.sstr(value, order="none")
    return text if len(text) <= 60 else text[:57] + "..."


def _is_condition(value: sympy.Basic) -> bool:
    return not isinstance(value, sympy.Expr)


def _evaluated(condition: sympy.Basic) -> sympy.Basic:
    """Evaluate a comparison built unevaluated, so that Piecewise and And/Or can simplify."""
    if isinstance(condition, Relational):
        return type(condition)(*condition.args)
    return condition


class _Parser:
    """Operator-precedence parser over a token list; recursion only at parentheses and calls."""

    def __init__(
        self,
        text: str,
        tokens: list[_Token],
        symbols: Mapping[str, sympy.Symbol],
        elsewhere: Mapping[str, str],
    ):
        self._text = text
        self._tokens = tokens
        self._symbols = symbols
        self._elsewhere = elsewhere
        self._index = 0
        self._depth = 0
        # (symbol-free, height of the tallest symbol-free subtree) of every node checked so far
        self._shapes: dict[sympy.Basic, tuple[bool, int]] = {}

    # -- token handling -------------------------------------------------------------------

    def _peek(self) -> _Token:
        return self._tokens[self._index]

    def _advance(self) -> _Token:
        token = self._tokens[self._index]
        if token.kind != "end":
            self._index += 1
        return token

    def _expect(self, text: str, opening: _Token) -> _Token:
        token = self._peek()
        if token.kind != "op" or token.text != text:
            raise self._error(
                f"expected {text!r} (for {opening.text!r} at position {opening.pos}) "
                f"but found {_describe(token)}",
                token,
            )
        return self._advance()

    def _error(self, what: str, token: _Token, allowed: str = _GRAMMAR) -> ExpressionError:
        return _error(self._text, what, token.pos, allowed)

    def _enter(self, token: _Token) -> None:
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise self._error(
                f"expression nested too deeply at {_describe(token)}",
                token,
                f"at most {MAX_DEPTH} levels of parentheses, calls, signs and powers are allowed",
            )

    def _leave(self) -> None:
        self._depth -= 1

    # -- grammar --------------------------------------------------------------------------

    def parse(self) -> sympy.Basic:
        value = self._expression()
        token = self._peek()
        if token.kind != "end":
            hint = {
                ")": "parentheses must be balanced",
                ",": "commas may only separate function arguments",
            }.get(token.text, _GRAMMAR)
            raise self._error(f"unexpected {_describe(token)}", token, hint)
        return value

    def _expression(self) -> sympy.Basic:
        """Parse operands joined by prefix signs and binary operators (shunting-yard)."""
        operands: list[sympy.Basic] = []
        operators: list[_Token] = []
        while True:
            while (token := self._peek()).kind == "op" and token.text in ("+", "-"):
                self._enter(token)
                operators.append(_Token("unary", self._advance().text, token.pos))
            operands.append(self._primary())
            token = self._peek()
            if token.kind in ("name", "number") or token.text == "(":
                raise self._error(
                    f"missing operator before {_describe(token)}",
                    token,
                    "write '*' to multiply; only the functions "
                    + ", ".join(ALLOWED_FUNCTIONS)
                    + " can be called",
                )
            if token.kind != "op" or token.text not in _PRECEDENCE:
                break
            self._reduce(operands, operators, token)
            if token.text in _RIGHT_ASSOCIATIVE:
                self._enter(token)
            operators.append(self._advance())
        self._reduce(operands, operators, None)
        return operands[0]

    def _reduce(
        self, operands: list[sympy.Basic], operators: list[_Token], incoming: _Token | None
    ) -> None:
        """Apply stacked operators that bind at least as tightly as `incoming` (all if None)."""
        floor = 0 if incoming is None else _PRECEDENCE[incoming.text]
        right = incoming is not None and incoming.text in _RIGHT_ASSOCIATIVE
        while operators:
            top = operators[-1]
            strength = _UNARY_PRECEDENCE if top.kind == "unary" else _PRECEDENCE[top.text]
            if strength < floor or (strength == floor and right):
                return
            operators.pop()
            if top.kind == "unary" or top.text in _RIGHT_ASSOCIATIVE:
                self._leave()
            if top.kind == "unary":
                operands.append(self._unary(top, operands.pop()))
            else:
                right_operand = operands.pop()
                operands.append(self._binary(top, operands.pop(), right_operand))

    def _primary(self) -> sympy.Basic:
        token = self._advance()
        if token.kind == "number":
            return self._build(token, lambda: _number(token.text))
        if token.kind == "name":
            return self._call(token) if self._peek().text == "(" else self._name(token)
        if token.text == "(":
            self._enter(token)
            value = self._expression()
            self._expect(")", token)
            self._leave()
            return value
        raise self._error(f"expected a number, a name or '(' but found {_describe(token)}", token)

    def _name(self, token: _Token) -> sympy.Basic:
        name = token.text
        if name in _BOOLEANS:
            return _BOOLEANS[name]
        if name in self._symbols:
            return self._symbols[name]
        if name in _CONSTANTS:
            return _CONSTANTS[name]
        if name in ALLOWED_FUNCTIONS:
            raise self._error(
                f"function {name!r} used without arguments",
                token,
                f"call it with arguments in parentheses, e.g. {name}(x)",
            )
        if name in self._elsewhere:
            raise self._error(
                f"{name!r} ({self._elsewhere[name]}: this value may not use one)",
                token,
                self._allowed_names(),
            )
        raise self._error(f"unknown name {name!r}", token, self._allowed_names())

    def _allowed_names(self) -> str:
        names = ", ".join(sorted(self._symbols)) or "(none)"
        return f"allowed names: {names}; constants pi, E; functions {', '.join(ALLOWED_FUNCTIONS)}"

    def _call(self, name: _Token) -> sympy.Basic:
        if name.text not in ALLOWED_FUNCTIONS:
            what = "symbol" if name.text in self._symbols else "unknown function"
            raise self._error(
                f"call of {what} {name.text!r}",
                name,
                f"only the functions {', '.join(ALLOWED_FUNCTIONS)} can be called; "
                "write '*' to multiply",
            )
        opening = self._advance()
        self._enter(name)
        self._enter(opening)
        if name.text == "Piecewise":
            value = self._piecewise(name)
        else:
            value = self._function(name, self._arguments())
        self._expect(")", opening)
        self._leave()
        self._leave()
        return value

    def _arguments(self) -> list[sympy.Basic]:
        arguments: list[sympy.Basic] = []
        if self._peek().text == ")":
            return arguments
        while True:
            token = self._peek()
            arguments.append(self._arithmetic(self._expression(), token))
            if self._peek().text != ",":
                return arguments
            self._advance()

    def _function(self, name: _Token, arguments: list[sympy.Basic]) -> sympy.Basic:
        low, high = _ARITY[name.text]
        if not low <= len(arguments) <= high:
            expected = f"{low}" if low == high else f"{low} to {high}"
            raise self._error(
                f"{name.text}() takes {expected} argument{'s' if expected != '1' else ''} "
                f"but got {len(arguments)}",
                name,
                "check the parentheses and commas of the call",
            )
        match name.text:
            case "sqrt":
                return self._power(arguments[0], sympy.S.Half, name)
            case "exp":
                return self._exp(arguments[0], name)
            case "abs":
                # Evaluating Abs of a symbolic argument costs time polynomial in its depth.
                evaluate = arguments[0].is_Number
                return self._build(name, lambda: sympy.Abs(arguments[0], evaluate=evaluate))
            case "max":
                return self._build(name, lambda: sympy.Max(*arguments))
            case "min":
                return self._build(name, lambda: sympy.Min(*arguments))
            case _:
                return self._build(name, lambda: sympy.log(*arguments))

    def _piecewise(self, name: _Token) -> sympy.Basic:
        pairs: list[tuple[sympy.Basic, sympy.Basic]] = []
        while True:
            pair = self._peek()
            if pair.text != "(":
                raise self._error(
                    f"expected '(' but found {_describe(pair)}",
                    pair,
                    "Piecewise takes pairs like Piecewise((x, x < 1), (1, True))",
                )
            self._enter(self._advance())
            value = self._arithmetic(self._expression(), pair)
            self._expect(",", pair)
            condition_token = self._peek()
            condition = self._condition(self._expression(), condition_token)
            self._expect(")", pair)
            self._leave()
            pairs.append((value, condition))
            if self._peek().text != ",":
                break
            self._advance()
        if pairs[-1][1] is not sympy.true:
            raise self._error(
                "the last Piecewise condition is not True",
                condition_token,
                "end with a default pair such as (0, True) so the expression is always defined",
            )
        return self._build(name, lambda: sympy.Piecewise(*pairs))

    # -- building sympy objects -----------------------------------------------------------

    def _build(self, token: _Token, build: Callable[[], sympy.Basic]) -> sympy.Basic:
        """Run a sympy constructor, turning its failures and oversized numbers into errors."""
        try:
            value = build()
        except (ArithmeticError, TypeError, ValueError, RecursionError) as exc:
            message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise self._error(
                f"cannot evaluate {_describe(token)}", token, f"sympy refused it ({message})"
            ) from exc
        if isinstance(value, sympy.Expr) and (problem := _size_problem([value], sympy.S.One)):
            raise self._error(f"number too large at {_describe(token)}", token, f"it has {problem}")
        self._inspect(value, token)
        return value

    def _inspect(self, value: sympy.Basic, token: _Token) -> None:
        """Check the nodes of `value` not seen before, children first, without recursion.

        Each node is checked once per parse: it must be finite and real, and
        the symbol-free subtrees must stay shallow, because sympy evaluates
        them numerically at a cost that grows exponentially with their height.
        """
        stack = [value]
        while stack:
            node = stack[-1]
            if node in self._shapes:
                stack.pop()
                continue
            unseen = [arg for arg in node.args if arg not in self._shapes]
            if unseen:
                stack.extend(unseen)
                continue
            stack.pop()
            self._check_node(node, token)
            shapes = [self._shapes[arg] for arg in node.args]
            constant = not isinstance(node, sympy.Symbol) and all(c for c, _ in shapes)
            height = max((h for _, h in shapes), default=0) + (1 if constant and shapes else 0)
            if height > _MAX_CONSTANT_HEIGHT:
                raise self._error(
                    f"constant subexpression nested too deeply at {_describe(token)}",
                    token,
                    f"expressions without symbols may nest at most {_MAX_CONSTANT_HEIGHT} "
                    "levels; write its value as a number or a [parameters] value",
                )
            self._shapes[node] = (constant, height)

    def _check_node(self, node: sympy.Basic, token: _Token) -> None:
        if node in _NON_FINITE:
            raise self._error(
                f"not a finite expression at {_describe(token)} (it gives {_show(node)})",
                token,
                "check for divisions by zero and logarithms of 0",
            )
        if node is sympy.I or (
            node.is_Pow
            and node.base.is_Rational
            and node.base < 0
            and node.exp.is_Rational
            and not node.exp.is_integer
        ):
            raise self._error(
                f"not a real expression at {_describe(token)} (it gives {_show(node)})",
                token,
                "square roots and logarithms of negative constants are not real",
            )
        if node.is_Pow and node.exp.is_Rational and abs(node.exp) > _MAX_EXPONENT:
            raise self._error(
                f"exponent {_show(node.exp)} too large at {_describe(token)}",
                token,
                f"exponents must lie within ±{_MAX_EXPONENT}",
            )

    def _arithmetic(self, value: sympy.Basic, token: _Token) -> sympy.Basic:
        if _is_condition(value):
            raise self._error(
                f"a condition ({_show(value)}) used as a number near {_describe(token)}",
                token,
                "comparisons and True/False may only form Piecewise conditions or a constraint",
            )
        return value

    def _condition(self, value: sympy.Basic, token: _Token) -> sympy.Basic:
        if not _is_condition(value):
            raise self._error(
                f"a number ({_show(value)}) used as a condition near {_describe(token)}",
                token,
                "conditions are comparisons such as x < 1, True, or combinations with & and |",
            )
        return self._build(token, lambda: _evaluated(value))

    def _unary(self, sign: _Token, operand: sympy.Basic) -> sympy.Basic:
        operand = self._arithmetic(operand, sign)
        return operand if sign.text == "+" else self._build(sign, lambda: -operand)

    def _binary(self, op: _Token, left: sympy.Basic, right: sympy.Basic) -> sympy.Basic:
        text = op.text
        if text in ("&", "|"):
            left, right = self._condition(left, op), self._condition(right, op)
            return self._build(op, lambda: (sympy.And if text == "&" else sympy.Or)(left, right))
        left, right = self._arithmetic(left, op), self._arithmetic(right, op)
        if text in _COMPARISONS:
            return self._build(op, lambda: _COMPARISONS[text](left, right, evaluate=False))
        if text in ("**", "^"):
            return self._power(left, right, op)
        if text == "/" and right == 0:
            raise self._error("division by zero", op, "the divisor evaluates to 0")
        return self._build(op, lambda: _ARITHMETIC[text](left, right))

    def _power(self, base: sympy.Basic, exponent: sympy.Basic, op: _Token) -> sympy.Basic:
        if base is sympy.E:
            return self._exp(exponent, op)
        for factor in sympy.Mul.make_args(base):
            if isinstance(factor, sympy.exp):
                self._check_exp_argument(factor.args[0] * exponent, op)
        if exponent.is_Rational:
            if base == 0 and exponent < 0:
                raise self._error("division by zero", op, "0 raised to a negative power")
            if base.is_number and base not in (0, 1, -1) and _beyond_exact(base, exponent):
                return self._build(op, lambda: _rounded(sympy.Pow(base, exponent, evaluate=False)))
            if abs(exponent) > _MAX_EXPONENT:
                raise self._error(
                    f"exponent {_show(exponent)} too large",
                    op,
                    f"exponents must lie within ±{_MAX_EXPONENT}",
                )
        elif base.is_number and isinstance(exponent, sympy.Float):
            if abs(exponent) > _MAX_EXPONENT:
                raise self._error(
                    f"numeric power too large: exponent {_show(exponent)}",
                    op,
                    f"exponents must lie within ±{_MAX_EXPONENT}",
                )
            return self._build(op, lambda: _rounded(sympy.Pow(base, exponent, evaluate=False)))
        elif base.is_number and exponent.is_number:
            raise self._error(
                f"numeric power {_show(base)}**({_show(exponent)}) cannot be bounded",
                op,
                "raise numbers only to rational exponents",
            )
        if problem := _size_problem([base], exponent):
            raise self._error("numeric power too large", op, f"it would produce {problem}")
        return self._build(op, lambda: sympy.Pow(base, exponent))

    def _exp(self, argument: sympy.Basic, op: _Token) -> sympy.Basic:
        if argument.is_number and _exp_problem(argument):
            return self._build(op, lambda: _rounded(sympy.exp(argument, evaluate=False)))
        self._check_exp_argument(argument, op)
        return self._build(op, lambda: sympy.exp(argument))

    def _check_exp_argument(self, argument: sympy.Basic, op: _Token) -> None:
        if problem := _exp_problem(argument):
            raise self._error("numeric power too large", op, f"it would produce {problem}")


def parse_expression(
    text: str,
    symbols: Mapping[str, sympy.Symbol],
    *,
    relational: bool = False,
    elsewhere: Mapping[str, str] | None = None,
) -> sympy.Expr:
    """Parse `text` into a sympy expression over the given symbols, never executing it.

    Parameters
    ----------
    text
        The expression, e.g. ``"delta_W**2 * (1 - p)"``; at most 10,000
        characters, 2,000 tokens and 100 levels of nesting.
    symbols
        The names the expression may use, mapped to their sympy symbols. A
        symbol may share a function's name as long as it is not called.
    relational
        If True, the text must be exactly one comparison ``<``, ``<=``, ``>``,
        ``>=`` or ``==`` between two arithmetic expressions (a constraint),
        and an unevaluated sympy ``Relational`` is returned. If False, a
        comparison at the top level is refused.
    elsewhere
        Names the model defines that this expression may not use, each with what it is
        (``{"x": "a contract variable"}`` for a disagreement payoff): the error says so
        rather than calling the name unknown.

    Returns
    -------
    sympy.Expr
        The expression (a ``Relational`` when `relational` is True).

    Raises
    ------
    ExpressionError
        If the text falls outside the grammar, is too large or nested too
        deeply, divides by zero, or is not finite and real. The message
        quotes the offending token and its position and says what is
        allowed; no location fields are set, callers add them with
        :meth:`~bargain.errors.BargainError.located`.

    Examples
    --------
    >>> import sympy
    >>> V, x = sympy.symbols("V x")
    >>> parse_expression("V - x", {"V": V, "x": x})
    V - x
    >>> parse_expression("0.9 * sqrt(1 - x)", {"x": x})
    9*sqrt(1 - x)/10
    >>> parse_expression("Piecewise((x, x < 1), (1, True))", {"x": x})
    Piecewise((x, x < 1), (1, True))
    >>> parse_expression("V + x <= 1", {"V": V, "x": x}, relational=True)
    V + x <= 1
    >>> parse_expression("os.system('ls')", {"x": x})
    Traceback (most recent call last):
    ...
    bargain.errors.ExpressionError: unexpected character '.' at position 2 in "os.system('ls')": ...
    >>> parse_expression("x / 2", {"V": V}, elsewhere={"x": "a contract variable"})
    Traceback (most recent call last):
    ...
    bargain.errors.ExpressionError: 'x' (a contract variable: this value may not use one) at ...
    """
    if not isinstance(text, str):
        raise ExpressionError(f"an expression must be a string, not {type(text).__name__}")
    if len(text) > _MAX_LENGTH:
        raise ExpressionError(
            f"expression is {len(text)} characters long; at most {_MAX_LENGTH} are allowed"
        )
    if not text.strip(_WHITESPACE):
        raise ExpressionError(f"empty expression {_quote(text, 0)}: {_GRAMMAR}")
    value = _Parser(text, _tokenize(text), symbols, elsewhere or {}).parse()
    if relational and not isinstance(value, Relational):
        raise _error(
            text,
            "expected one comparison",
            0,
            "a constraint is one comparison such as a + b <= 1, using <, <=, >, >= or ==",
        )
    if not relational and _is_condition(value):
        raise _error(
            text,
            "a condition where a number is expected",
            0,
            "comparisons and True/False may only form Piecewise conditions or a constraint",
        )
    return value


_RENDERABLE = (
    sympy.Symbol,
    sympy.Rational,
    sympy.Float,
    Pi,
    Exp1,
    sympy.Add,
    sympy.Mul,
    sympy.Pow,
    sympy.exp,
    sympy.log,
    sympy.Abs,
    sympy.Max,
    sympy.Min,
    sympy.Piecewise,
    ExprCondPair,
    *_COMPARISONS.values(),
    sympy.And,
    sympy.Or,
    BooleanTrue,
    BooleanFalse,
)


class _GrammarPrinter(StrPrinter):
    """sympy's StrPrinter restricted to the syntax `parse_expression` accepts."""

    def _print_Abs(self, expr: sympy.Abs) -> str:
        return f"abs({self._print(expr.args[0])})"

    def _print_Max(self, expr: sympy.Max) -> str:
        return f"max({self.stringify(expr.args, ', ')})"

    def _print_Min(self, expr: sympy.Min) -> str:
        return f"min({self.stringify(expr.args, ', ')})"

    def _print_Relational(self, expr: Relational) -> str:
        level = PRECEDENCE["Relational"]  # sympy ranks Eq with Mul, adding parentheses
        lhs, rhs = self.parenthesize(expr.lhs, level), self.parenthesize(expr.rhs, level)
        return f"{lhs} {expr.rel_op} {rhs}"

    def _print_Pow(self, expr: sympy.Pow, rational: bool = False) -> str:
        # An integral exponent kept as a Float (power(): d**1000000 at the parameters'
        # values is computed in 30 digits, not exactly) is written as the integer it is.
        exponent = expr.exp
        if isinstance(exponent, sympy.Float) and not exponent % 1:
            expr = sympy.Pow(expr.base, sympy.Integer(int(exponent)), evaluate=False)
        return super()._print_Pow(expr, rational)

    def _print_Float(self, expr: sympy.Float) -> str:
        # The shortest decimal that reads back as the same binary value.
        for digits in range(prec_to_dps(expr._prec), repr_dps(expr._prec) + 1):
            text = mpf_to_str(expr._mpf_, digits, strip_zeros=True)
            if sympy.Float(text, precision=expr._prec) == expr:
                break
        return text

    def _print_Symbol(self, expr: sympy.Symbol) -> str:
        name = super()._print_Symbol(expr)
        if not is_name(name) or name in _BOOLEANS:
            raise ExpressionError(
                f"cannot render symbol {name!r}: names must match [A-Za-z][A-Za-z0-9_]*"
            )
        return name


SPECIAL_FUNCTIONS: tuple[type[sympy.Function], ...] = (sympy.LambertW,)
"""Functions a closed form may use (with ``special=True``) though models cannot: sympy
solves ``x e^x = c`` with the Lambert W function (principal branch), which scipy
evaluates in the sweeps."""


def expressible(expr: sympy.Basic, *, special: bool = False) -> bool:
    """Whether :func:`expression_to_string` can write ``expr`` (with ``special``: also
    using :data:`SPECIAL_FUNCTIONS`).

    A closed form found by sympy may use functions outside the grammar (``CRootOf``,
    ``I``, or ``LambertW`` without ``special``) or numbers of thousands of digits;
    such a formula is true but cannot be reported, so the solvers keep the numeric
    answer instead.

    Examples
    --------
    >>> import sympy
    >>> w = sympy.exp(-6 + sympy.LambertW(sympy.exp(6)))
    >>> expressible(w), expressible(w, special=True)
    (False, True)
    >>> expressible(sympy.CRootOf(sympy.Symbol("x") ** 5 + 2 * sympy.Symbol("x") - 1, 0))
    False
    """
    return _outside_grammar(expr, special) is None


def _outside_grammar(expr: sympy.Basic, special: bool = False) -> sympy.Basic | None:
    """The first node of ``expr`` the grammar cannot write, or ``None``: a function or
    object outside it (or outside :data:`SPECIAL_FUNCTIONS` with ``special``), or a
    number with more than ``_MAX_DIGITS`` digits (such as ``(9/10)**10000`` written out)."""
    allowed = _RENDERABLE + SPECIAL_FUNCTIONS if special else _RENDERABLE
    for node in sympy.preorder_traversal(expr):
        if not isinstance(node, allowed) or isinstance(node, sympy.Dummy):
            return node
        if isinstance(node, sympy.Rational) and _digits(node) > _MAX_DIGITS:
            return node
        if (
            isinstance(node, sympy.Float)
            and len(_GrammarPrinter()._print_Float(node)) > _MAX_LITERAL_LENGTH
        ):
            return node  # a rounded number of an exponent too long to read back
    return None


def log_of(arg: sympy.Expr) -> sympy.Expr:
    """``log(arg)`` as sympy builds it, but of a sum that holds symbols without sympy's
    evaluation, whose one test of such an argument is whether it is zero: on a flagship's
    payoff that question sets off the inference of its assumptions over every term (9 ms a
    logarithm, a tenth of a brief's solves), and the answer is the same object unless sympy
    proves the sum zero (then ``zoo`` evaluated, the logarithm of a sum whose values are
    zero unevaluated: the solvers refuse either).

    >>> x = sympy.Symbol("x", real=True)
    >>> log_of(1 - x) == sympy.log(1 - x), log_of(sympy.exp(x)), log_of(sympy.Integer(4))
    (True, x, log(4))
    """
    if arg.is_Add and arg.free_symbols:
        return sympy.log(arg, evaluate=False)
    return sympy.log(arg)


def rebuilt(expr: sympy.Basic, args: Sequence[Any]) -> sympy.Basic:
    """``expr.func(*args)``: ``expr`` with new arguments, as sympy builds it, a logarithm
    as :func:`log_of` builds it (the walks that rewrite a program's expressions rebuild
    each logarithm of a payoff).

    >>> x = sympy.Symbol("x", real=True)
    >>> rebuilt(sympy.log(x), [1 - x]), rebuilt(1 + x, [2, x])
    (log(1 - x), x + 2)
    """
    if expr.func is sympy.log and len(args) == 1:
        return log_of(args[0])
    return expr.func(*args)


def derivative(expr: sympy.Expr, symbol: sympy.Symbol, order: int = 1) -> sympy.Expr:
    """The ``order``-th derivative of ``expr`` in ``symbol``, kinks included.

    ``min``, ``max`` and ``abs`` are first rewritten as ``Piecewise``, whose
    derivative is the derivative of the piece that applies (one-sided at a
    kink). Differentiated as they are, sympy turns them into ``Heaviside`` and
    then ``DiracDelta``, which numpy cannot evaluate and which is zero
    everywhere but at the kink anyway. A piece on which the derivative is
    infinite (``log(0)``'s, say) gives ``oo`` rather than ``zoo``, which numpy
    cannot evaluate either.

    Examples
    --------
    >>> import sympy
    >>> x = sympy.Symbol("x", real=True)
    >>> derivative(sympy.Max(0, 1 - x), x, 2)
    0
    >>> derivative(sympy.Min(x, 1 - x), x)
    Piecewise((1, x <= 1 - x), (-1, True))
    """
    if expr.has(sympy.Min, sympy.Max, sympy.Abs):  # (rewrite rebuilds every node)
        expr = expr.rewrite(sympy.Piecewise)
    d = sympy.diff(expr, symbol, order)
    return d.xreplace({sympy.zoo: sympy.oo})


def expression_to_string(expr: sympy.Basic, *, special: bool = False) -> str:
    """Render a sympy expression as text that `parse_expression` reads back to an equal one.

    Parameters
    ----------
    expr
        An expression (or constraint, or Piecewise) built from the grammar of
        :func:`parse_expression`: symbols, numbers, ``pi``, ``E``, ``+ - * / **``,
        ``abs exp log max min sqrt Piecewise``, comparisons and ``&`` / ``|``.
    special
        Also write :data:`SPECIAL_FUNCTIONS` (as ``LambertW(...)``), for closed
        forms in a solution; `parse_expression` does not read them back.

    Returns
    -------
    str
        The text, e.g. for writing a model file.

    Raises
    ------
    ExpressionError
        If `expr` uses anything outside that grammar (e.g. ``sin``, ``I`` or
        a ``Dummy``), or a symbol whose name is not a valid expression name.

    Examples
    --------
    >>> import sympy
    >>> x = sympy.Symbol("x")
    >>> expression_to_string(sympy.Max(0, sympy.Abs(x) - sympy.Rational(1, 2)))
    'max(0, abs(x) - 1/2)'
    >>> expression_to_string(sympy.Piecewise((x, x < 1), (1, True)))
    'Piecewise((x, x < 1), (1, True))'
    >>> parse_expression(expression_to_string(sympy.sqrt(x) * 0.25), {"x": x})
    sqrt(x)/4
    >>> expression_to_string(power(x, sympy.Integer(10**6)))  # its exponent a 30-digit Float
    'x**1000000'
    """
    node = _outside_grammar(expr, special)
    if node is not None:
        raise ExpressionError(
            f"cannot render {_show(node)}: only numbers, symbols, pi, E, "
            f"+ - * / **, comparisons, & | and the functions {', '.join(ALLOWED_FUNCTIONS)} "
            "can be written as expressions"
        )
    try:
        return _GrammarPrinter().doprint(expr)
    except (ArithmeticError, TypeError, ValueError):
        # Sorting the terms evaluated a deep constant numerically and failed: keep sympy's order.
        return _GrammarPrinter({"order": "none"}).doprint(expr)
