"""Checks of a model's values: finite numbers in their allowed ranges.

The loader checks the *shape* of a model file; :func:`validate_model` checks
the *values* the parameters give to every parameter-only expression
(disagreement payoffs, discount factors, bargaining powers, probabilities,
bounds). Solvers run it again, since :meth:`Model.with_values` may have moved
a value out of its allowed range.

Examples
--------
>>> import bargain
>>> m = bargain.model_from_dict({
...     "model": {"name": "m"}, "parameters": {"d": 0.9},
...     "variables": {"x": {"min": 0, "max": 1}},
...     "parties": {"W": {"payoff": "x", "discount_factor": "d"}, "A": {"payoff": "1 - x"}}})
>>> validate_model(m.with_values(d=1.5))
Traceback (most recent call last):
...
bargain.errors.ModelError: [parties.W] discount_factor: must lie in (0, 1], got 1.5 (3/2)
"""

from __future__ import annotations

import functools
import math

import mpmath
import sympy
from sympy.core.evalf import PrecisionExhausted

from bargain.errors import ModelError
from bargain.model.expr import exponent_beyond
from bargain.model.model import Model
from bargain.rounding import sig


def numeric_value(model: Model, expr: sympy.Expr, table: str, key: str) -> float:
    """Evaluate a parameter-only expression at the model's values; refuse non-finite results
    and numbers beyond floating point (about 1.8e308 in magnitude)."""
    real = _real(model, expr, table, key)
    value = float(real)
    if not math.isfinite(value):
        raise ModelError(
            f"must be at most 1.8e308 in magnitude (floating point), got {shown(real)}",
            file=model.file,
            table=table,
            key=key,
        )
    return value


def surely_nonzero(model: Model, expr: sympy.Expr) -> bool:
    """Whether ``expr`` is certainly not zero for every contract: a finite nonzero number
    at the model's values and the centre of the variables' box, or the point a third of
    the way across it (a slope of a symmetric problem is zero at the centre alone; exact
    arithmetic, no simplification). ``False`` proves nothing (zero there, or undecided): a
    cheap disproof to try before ``sympy.simplify`` is asked whether ``expr`` is zero.

    >>> import bargain
    >>> m = bargain.model_from_dict({
    ...     "model": {"name": "m"}, "parameters": {"a": 2},
    ...     "variables": {"x": {"min": 0, "max": 1}},
    ...     "parties": {"W": {"payoff": "x"}, "A": {"payoff": "1 - x"}}})
    >>> x, a = m.variables[0].symbol, m.parameters[0].symbol
    >>> surely_nonzero(m, a * x + 1), surely_nonzero(m, a * x - 1)  # 2; 0 at 1/2, -1/3 at 1/3
    (True, True)
    >>> surely_nonzero(m, a * (x - 1 / 2) * (x - 1 / 3))  # zero at both points
    False
    >>> surely_nonzero(m, (x + 1) ** 2 - x**2 - 2 * x - 1)  # zero, though not as written
    False
    """
    for share in (sympy.Rational(1, 2), sympy.Rational(1, 3)):
        at = dict(model.substitutions)
        for v in model.variables:
            lo, hi = model.numeric(v.min), model.numeric(v.max)
            at[v.symbol] = lo + share * (hi - lo)
        value = expr.xreplace(at)
        if value.is_number and _plainly_nonzero(value):
            return True
    return False


def _plainly_nonzero(value: sympy.Expr) -> bool:
    """Whether the number ``value`` is finite and nonzero, by sympy's evaluation to 15
    digits with its accuracy tracked (``strict``: where they cannot be had, as at an exact
    zero, it gives up): a fifth of the cost of asking sympy ``is_finite`` and ``is_zero``
    of a sum of exponentials of rationals, a numeric solve's test of its slopes.

    >>> _plainly_nonzero(sympy.exp(sympy.Rational(1, 3)) - 1), _plainly_nonzero(sympy.exp(0) - 1)
    (True, False)
    """
    try:
        z = complex(value.evalf(15, strict=True))
    except (TypeError, ValueError, ArithmeticError, PrecisionExhausted):
        return False
    return math.isfinite(abs(z)) and z != 0


def _real(model: Model, expr: sympy.Expr, table: str, key: str) -> sympy.Float:
    """A parameter-only expression at the model's values, to 30 digits, with no limit on
    its size; refuse one that uses a variable or is not a finite real number."""
    value = model.numeric(expr)
    if value.free_symbols:
        names = ", ".join(sorted(str(s) for s in value.free_symbols))
        raise ModelError(
            f"may use parameters only, but uses {names}", file=model.file, table=table, key=key
        )
    if _beyond(value):
        raise ModelError(
            "is beyond floating point: it takes exp of a number above 1e5 (or a power as "
            "large), whose value has an exponent of more than 43,000 digits; at most 1.8e308 "
            "in magnitude is allowed",
            file=model.file,
            table=table,
            key=key,
        )
    real = _evaluated(value)
    if real is None:
        raise ModelError(
            f"must be a finite real number, got {shown(value)}",
            file=model.file,
            table=table,
            key=key,
        )
    return real


@functools.lru_cache(maxsize=4096)
def _beyond(value: sympy.Expr) -> bool:
    """:func:`~bargain.model.expr.exponent_beyond` of a parameter-free ``value``, kept per
    value (the solvers check the same bounds, rates and payoffs at every solve)."""
    return exponent_beyond(value, {})


@functools.lru_cache(maxsize=4096)
def _evaluated(value: sympy.Expr) -> sympy.Expr | None:
    """The real part of a parameter-free ``value`` to 30 digits, or ``None`` unless it is a
    finite real number (an imaginary part within ``1e-12`` of it is rounding), kept per
    value with the check (models at other values share most of theirs: bounds, rates, the
    parameters that did not move)."""
    real, imag = sympy.N(value, 30).as_real_imag()
    if not (real.is_finite and imag.is_finite and abs(imag) <= 1e-12 * max(1, abs(real))):
        return None
    return real


def shown(value: sympy.Basic) -> str:
    """A parameter-only value for a message: six significant figures at any size, then the
    exact form when it is short and says more.

    Examples
    --------
    >>> shown(sympy.Rational(3, 2)), shown(sympy.Integer(10) ** 400), shown(sympy.Integer(0))
    ('1.5 (3/2)', '1.0e+400', '0')
    >>> shown(sympy.zoo), shown(1 + sympy.I)
    ('zoo', '1 + I')
    """
    try:
        exact = str(value)
    except ValueError:  # a rational such as (11/10)**10000, beyond Python's digit limit
        exact = ""
    real, imag = sympy.N(value, 30).as_real_imag()
    if not (real.is_finite and imag.is_finite and imag == 0):
        return exact if 0 < len(exact) <= 40 else "a value that is not a finite real number"
    number = float(real)
    if math.isfinite(number) and (number != 0 or real == 0):
        approx = sig(number)
    else:
        approx = mpmath.nstr(mpmath.mpf(real), 6)
    return approx + (f" ({exact})" if 0 < len(exact) <= 20 and exact != approx else "")


def require_two_parties(model: Model, game: str) -> None:
    """Refuse a model that does not have exactly two parties, for a two-party ``game``."""
    if len(model.parties) != 2:
        raise ModelError(
            f"{game} has two parties, the model has {len(model.parties)}",
            file=model.file,
            table="parties",
        )


def _in_range(
    model: Model,
    expr: sympy.Expr,
    table: str,
    key: str,
    low: float,
    high: float,
    *,
    low_open: bool,
    high_open: bool,
) -> None:
    value = _real(model, expr, table, key)
    below = value <= low if low_open else value < low
    above = value >= high if high_open else value > high
    if below or above:
        interval = f"{'(' if low_open else '['}{_num(low)}, {_num(high)}{')' if high_open else ']'}"
        exact = model.numeric(expr)
        got = shown(exact)
        bound = low if below else high
        gap = abs(exact - sympy.nsimplify(bound)) if math.isfinite(bound) else 0
        if gap != 0 and got.split(" ")[0] == sig(bound):
            # Rounded, the value reads as the bound it is beyond (1 + 1e-22 as "1"): say by
            # how much.
            got += f", {'below' if below else 'above'} {_num(bound)} by {shown(gap)}"
        raise ModelError(
            f"must lie in {interval}, got {got}",
            file=model.file,
            table=table,
            key=key,
        )
    numeric_value(model, expr, table, key)


def _num(x: float) -> str:
    return "inf" if math.isinf(x) else f"{x:g}"


def validate_model(model: Model) -> None:
    """Check every parameter-only expression of ``model`` at its parameter values, once.

    A model is immutable, so a model that passed is marked and later calls return at
    once: an entry point validates, and the routines below it may call this again at
    no cost (a new model, e.g. from :meth:`~bargain.Model.with_values`, is checked anew).

    Raises
    ------
    ModelError
        Naming the table and key of the first value that is not finite or lies
        outside its allowed range: discount factors in (0, 1], discount rates
        and bargaining powers positive, probabilities in [0, 1], variable
        bounds with min <= max, coalition shares and weights positive; or a
        ``[bargaining] transfer`` that is not a contract variable.
    """
    require_model(model)
    if model.__dict__.get(_VALIDATED):
        return
    _validate(model)
    object.__setattr__(model, _VALIDATED, True)


_VALIDATED = "_validated"  # the mark of a model that passed validate_model


def require_model(model: object) -> None:
    """Refuse anything but a :class:`~bargain.Model` where one is expected (a file name
    or a dict handed to a solver), naming what to call instead.

    >>> try:
    ...     require_model("split")
    ... except ModelError as err:
    ...     print(err.message.split(":")[0])
    expected a bargain.Model, got str
    """
    if not isinstance(model, Model):
        raise ModelError(
            f"expected a bargain.Model, got {type(model).__name__}: load one with "
            "bargain.load_model(path), bargain.find_model(name) or "
            "bargain.model_from_dict(data)"
        )


def _validate(model: Model) -> None:
    inf = math.inf
    for v in model.variables:
        table = f"variables.{v.name}"
        lo = numeric_value(model, v.min, table, "min")
        hi = numeric_value(model, v.max, table, "max")
        if lo > hi:
            raise ModelError(
                f"min ({lo:g}) exceeds max ({hi:g}): no value of {v.name} is allowed",
                file=model.file,
                table=table,
                key="max",
            )
    for p in model.parties:
        table = f"parties.{p.name}"
        numeric_value(model, p.disagreement, table, "disagreement")
        numeric_value(model, p.strike_payoff, table, "strike_payoff")
        if p.outside_option is not None:
            numeric_value(model, p.outside_option, table, "outside_option")
        if p.discount_factor is not None:
            _in_range(
                model,
                p.discount_factor,
                table,
                "discount_factor",
                0,
                1,
                low_open=True,
                high_open=False,
            )
        if p.discount_rate is not None:
            _in_range(
                model,
                p.discount_rate,
                table,
                "discount_rate",
                0,
                inf,
                low_open=True,
                high_open=True,
            )
        if p.demand is not None:
            numeric_value(model, p.demand, table, "demand")
        if p.hardliner is not None:
            _in_range(model, p.hardliner, table, "hardliner", 0, 1, low_open=True, high_open=True)
        if p.bargaining_power is not None:
            _in_range(
                model,
                p.bargaining_power,
                table,
                "bargaining_power",
                0,
                inf,
                low_open=True,
                high_open=True,
            )
    _in_range(
        model,
        model.bargaining.breakdown_probability,
        "bargaining",
        "breakdown_probability",
        0,
        1,
        low_open=False,
        high_open=False,
    )
    if model.bargaining.status_quo is not None:
        numeric_value(model, model.bargaining.status_quo, "bargaining", "status_quo")
    transfer = model.bargaining.transfer
    if transfer is not None and transfer not in model.variable_names:
        raise ModelError(
            f"unknown variable {transfer!r}; the variables are {', '.join(model.variable_names)}",
            file=model.file,
            table="bargaining",
            key="transfer",
        )
    for c in model.coalitions:
        where = f"coalitions.{c.name}"
        for key in ("shares", "weights"):
            for member, value in zip(c.members, getattr(c, key) or (), strict=False):
                _in_range(
                    model, value, where, f"{key}.{member}", 0, inf, low_open=True, high_open=True
                )
        for member, value in zip(c.members, c.counterpart_disagreement or (), strict=False):
            numeric_value(model, value, where, f"counterpart_disagreement.{member}")
    for pr in model.promises:
        where = f"promises.{pr.name}"
        for key in ("trust", "error", "opportunist_keeps", "breakdown_per_distrust"):
            _in_range(model, getattr(pr, key), where, key, 0, 1, low_open=False, high_open=False)
        for key in ("concession_value", "promised_cost"):
            if getattr(pr, key) is not None:
                numeric_value(model, getattr(pr, key), where, key)


__all__ = ["numeric_value", "require_model", "shown", "validate_model"]
