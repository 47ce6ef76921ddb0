"""The Rubinstein alternating-offers game and its extensions.

Two parties bargain over one contract variable ``x``; one party's payoff
rises with ``x`` and the other's falls (the utility frontier). They make
offers in turn, one per *round* of length ``Δ`` periods (``period=``, default
1: one round per model period, e.g. one a week).

Timing, in round ``k = 0, 1, 2, …`` (time ``k Δ``):

1. The proposer of the round (``first_proposer`` in round 0, then the other
   party, alternating) offers a contract ``x``.
2. The responder accepts — the game ends with payoffs ``u_i(x)`` at time
   ``k Δ`` — or rejects.
3. After a rejection the responder may take its **outside option** ``o_j``
   (at time ``k Δ``; Binmore, Shaked & Sutton 1989; Muthoo 1999, ch. 5).
4. Otherwise the round is a round of strike: each party receives its
   **strike payoff** (inside option) for the round, the present value at the
   round's start of a flow ``b_i`` per period over ``Δ`` periods,
   ``b_i (1 - δ_i^Δ) / r_i`` with ``r_i = -log δ_i``. Then, with probability
   ``1 - (1 - q)^Δ`` (``q``, ``breakdown_probability``, per period: the hazard
   ``-ln(1 - q)`` per period over the round), talks **break down** and each party
   receives its ``disagreement`` payoff ``d_i`` (at time ``k Δ``; Binmore,
   Rubinstein & Wolinsky 1986, §4; Muthoo 1999, ch. 4); with probability
   ``1 - q`` the next round starts, ``Δ`` periods later (payoffs discounted
   by ``δ_i^Δ``).
5. With a finite ``horizon`` of ``T`` rounds, talks that are still going
   after round ``T - 1`` end: each party receives ``d_i`` at time ``T Δ``.

In the stationary subgame-perfect equilibrium of the infinite game each
party, as proposer, offers the contract that leaves the responder exactly
indifferent between accepting and rejecting, and the first offer is
accepted (no delay), unless a proposer gains by an offer that is refused
(inside and outside options together: the equilibrium with delay of
:func:`_delayed`; Muthoo 1999, §6.3). With ``R_j(y) = s_j + q d_j + (1 - q) δ_j^Δ u_j(y)``,
the two proposals ``x_W`` (by the party whose payoff rises with ``x``) and
``x_A`` satisfy (``q`` here the risk per round)

    u_A(x_W) = max(o_A, R_A(x_A)),    u_W(x_A) = max(o_W, R_W(x_W)).

Examples
--------
>>> import bargain
>>> s = bargain.rubinstein(bargain.load_model(bargain.models_dir() / "split.toml"))
>>> s.formula["x"]
V*(delta_A - 1)/(delta_A*delta_W - 1)
>>> s.agreement["x"], s.extra["proposals"]
(0.7142857142857143, {'W': 0.7142857142857143, 'A': 0.6428571428571429})
"""

from __future__ import annotations

import copy
import functools
import math
import numbers
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import mpmath
import numpy as np
import sympy
from scipy.optimize import brentq

from bargain.axiomatic.payoff_unit import in_payoff_units
from bargain.axiomatic.problem import (
    BargainingProblem,
    no_floats,
    require_representable,
    shared_problem,
)
from bargain.concepts.budget import Budget, bounded, declined_note, exact_budget, plain
from bargain.concepts.newton import newton, newton_system
from bargain.concepts.registry import Concept, register
from bargain.concepts.solution import Solution
from bargain.concepts.vectorised import (
    INFEASIBLE,
    NO_CONVERGENCE,
    OK,
    STEP,
    Columns,
    Evaluate,
    Frontier,
    bisect,
    box_maximum,
    compile_exprs,
    scale_tol,
    subset,
)
from bargain.errors import BargainError, FeasibilityError, ModelError, SolverError
from bargain.model.expr import derivative, expressible, power
from bargain.model.model import Model, Parameter, Party, accurate, exact_number, lambdify
from bargain.model.patience import discount_rate
from bargain.model.validate import numeric_value, require_two_parties, validate_model
from bargain.scale import RTOL, magnitude, negligible, unit
from bargain.strategic.move import Move, Plan
from bargain.strategic.transfer import reduce_transfer, surplus_of

_GRID = 201
_TRANSFER_MARGIN = 1e-9  # relative distance from the transfer's bounds that a kernel vouches for
_ROUGH = 4  # Newton steps in single precision before double (Rubinstein kernel)
_CLEAR = 1e-6  # relative excess over a demand that the scalar solver's check (1e-9) surely refuses


@dataclass(frozen=True)
class _Side:
    """One party's terms in the game, as sympy expressions in the parameters."""

    party: Party
    discount: sympy.Expr  # per round
    strike: sympy.Expr  # per round, present value at the round's start
    outside: sympy.Expr | None


@dataclass(frozen=True)
class AlternatingOffers:
    """The alternating-offers game a model defines (see the module docstring).

    ``rising`` is the party whose payoff increases with the contract variable,
    ``falling`` the other.
    """

    model: Model
    x: sympy.Symbol
    rising: _Side
    falling: _Side
    breakdown: sympy.Expr  # per round: 1 - (1 - q)^Δ (per_round)
    period: sympy.Expr
    first: str
    horizon: sympy.Expr
    lo: float  # the contract range at the model's values
    hi: float


def game_of(
    model: Model,
    *,
    proposer: str | None = None,
    period: float | None = None,
    horizon: int | float | None = None,
) -> AlternatingOffers:
    """Read the alternating-offers game from a model, checking what it needs.

    Raises
    ------
    ModelError
        Naming the key: not two parties or not one contract variable (a model
        with a transfer is reduced by :func:`bargain.strategic.transfer.reduce_transfer`
        first, as :func:`rubinstein` does), a party
        without patience, a period that is not positive, a horizon that is not
        a positive integer or infinity, a frontier that is not monotone, a payoff below
        floating point (:func:`~bargain.axiomatic.problem.require_representable`).
    """
    validate_model(model)
    file = model.file
    require_two_parties(model, "the alternating-offers game")
    if len(model.variables) != 1:
        raise ModelError(
            "the alternating-offers game is played over one contract variable; the model has "
            f"{len(model.variables)} ({', '.join(model.variable_names)}). bargain.rubinstein "
            "(and credibility with method rubinstein) reduce a model with a transfer variable "
            "to the game over it (bargain.transfer); this routine does not",
            file=file,
            table="variables",
        )
    if period is None:
        delta_t: sympy.Expr = sympy.Integer(1)
    else:
        delta_t = exact_number(period, table="rubinstein", key="period", file=file)
        if not delta_t > 0:
            raise ModelError(
                f"must be a positive number of periods, got {period!r}",
                file=file,
                table="rubinstein",
                key="period",
            )
    given = model
    model = constraints_as_bounds(model)
    require_representable(shared_problem(model))
    x = model.variables[0].symbol
    sides = [_side(model, p, delta_t) for p in model.parties]
    v = model.variables[0]
    lo = numeric_value(model, v.min, f"variables.{v.name}", "min")
    hi = numeric_value(model, v.max, f"variables.{v.name}", "max")
    if lo > hi:
        # The constraints folded into an empty interval (x >= 2 of [0, 1] was played on
        # [2, 1] and gave x = 1): refused as the axiomatic solutions refuse them.
        raise FeasibilityError(
            "no contract satisfies the bounds and constraints (the feasible set is empty): "
            + shared_problem(given).contradiction(),
            file=model.file,
            table="constraints",
        )
    if lo == hi:
        raise FeasibilityError(
            f"the bounds{' and constraints' * bool(given.constraints)} leave one contract, "
            f"{v.name} = {lo:g}: there is nothing to bargain over in alternating offers",
            file=model.file,
            table="constraints" if given.constraints else f"variables.{v.name}",
        )
    rising, falling = _orient(model, x, sides, lo, hi)
    if proposer is not None and not isinstance(proposer, str):
        raise ModelError(
            f"must be a party's name, one of {', '.join(model.party_names)}; got {proposer!r}",
            file=file,
            table="rubinstein",
            key="proposer",
        )
    first = proposer or model.bargaining.first_proposer or model.parties[0].name
    model.party(first)  # refuses an unknown name
    t = model.bargaining.horizon if horizon is None else read_horizon(horizon, file)
    if t != sympy.oo and t > MAX_ROUNDS:
        raise ModelError(
            f"must be at most 1e300 rounds (or inf), got about {float(sympy.N(t, 3)):.3g}"
            if t < sympy.Integer(10) ** 308
            else "must be at most 1e300 rounds (or inf): the horizon given is beyond floating "
            "point, in which the game's delay and rounds are reported",
            file=model.file,
            table="bargaining",
            key="horizon",
        )
    return AlternatingOffers(
        model=model,
        x=x,
        rising=rising,
        falling=falling,
        breakdown=per_round(model.bargaining.breakdown_probability, delta_t),
        period=delta_t,
        first=first,
        horizon=t,
        lo=lo,
        hi=hi,
    )


def per_round(q: sympy.Expr, delta_t: sympy.Expr) -> sympy.Expr:
    """The breakdown probability of a round of ``delta_t`` periods, ``1 - (1 - q)^Δ``,
    from the probability ``q`` per period: the hazard ``-ln(1 - q)`` per period over ``Δ``
    periods, as the strike payoff's ``b (1 - δ^Δ) / r`` and the discount ``δ^Δ`` (Binmore,
    Rubinstein & Wolinsky 1986, §4: the game tends to the generalised Nash solution with
    breakdown rate ``-ln(1 - q)`` as ``Δ → 0``). ``q`` itself at one period.

    >>> q = sympy.Symbol("q")
    >>> per_round(q, sympy.Integer(1)), per_round(q, sympy.Rational(1, 2))
    (q, 1 - sqrt(1 - q))
    """
    return q if delta_t == 1 else 1 - power(1 - q, delta_t)


def constraints_as_bounds(model: Model) -> Model:
    """The one-variable model with each constraint on its variable folded into the
    variable's bounds, and no ``[constraints]``.

    The game's contract set is an interval, so a constraint on the one contract
    variable ``x`` must be linear in it with a coefficient of known sign, ``a x + b >= 0``
    (a strict inequality is taken as its closure): it raises the least contract to
    ``Max(min, -b/a)`` where ``a > 0`` and lowers the largest to ``Min(max, -b/a)`` where
    ``a < 0``, in the parameters (a ``Piecewise`` where the sign of ``a`` is not known
    from its form), so sweeps fold it point by point. A constraint without
    ``x`` (on a variable a transfer reduction fixed) is left to the step that fixed it.

    Raises
    ------
    ModelError
        Naming ``[constraints] NAME``: an equality (it fixes the contract: nothing is
        bargained over) or a constraint not linear in ``x``.
    FeasibilityError
        Naming the constraint, where its coefficient of ``x`` is zero at the model's
        values and it holds for no contract.
    """
    v = model.variables[0]
    low, high = v.min, v.max
    for c in model.constraints:
        slack = c.slack
        if v.symbol not in slack.free_symbols:
            continue
        a = sympy.diff(slack, v.symbol)
        if c.is_equality or v.symbol in a.free_symbols or a.is_zero:
            raise ModelError(
                f"the alternating-offers game is played over an interval of {v.name}: a "
                f"constraint on it must be an inequality linear in {v.name} (a bound), got "
                f"{c.relation}",
                file=model.file,
                table="constraints",
                key=c.name,
            )
        rest = slack - a * v.symbol
        if numeric_value(model, a, "constraints", c.name) == 0:
            # No bound at these values: the constraint holds for every contract or none.
            if numeric_value(model, rest, "constraints", c.name) < 0:
                raise FeasibilityError(
                    f"no contract satisfies {c.relation} at the model's values",
                    file=model.file,
                    table="constraints",
                    key=c.name,
                )
            continue
        end = sympy.cancel(-rest / a)
        # A coefficient in the parameters may change sign across a sweep: the bound then
        # moves from one end to the other, point by point.
        low = sympy.Max(low, end if a.is_positive else sympy.Piecewise((end, a > 0), (low, True)))
        high = sympy.Min(
            high, end if a.is_negative else sympy.Piecewise((end, a < 0), (high, True))
        )
    if (low, high) == (v.min, v.max) and not model.constraints:
        return model
    kept = tuple(c for c in model.constraints if v.symbol not in c.slack.free_symbols)
    return replace(model, variables=(replace(v, min=low, max=high),), constraints=kept)


MAX_ROUNDS = sympy.Integer(10) ** 300
"""The longest finite horizon, in rounds: its rounds and delay are reported as floats."""


def read_horizon(value: int | float | str, file: str | None) -> sympy.Expr:
    """A horizon: a positive integer number of rounds, or infinity (``math.inf``, or
    ``"inf"`` / ``"infinity"`` as in a model file and on the command line)."""
    if isinstance(value, str) and value.strip().lower() in ("inf", "+inf", "infinity"):
        return sympy.oo
    if isinstance(value, float) and math.isinf(value) and value > 0:
        return sympy.oo
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        value = int(value)  # numpy's integers too
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ModelError(
            "must be a positive integer number of rounds or infinity (math.inf or "
            f"'inf'), got {value!r}",
            file=file,
            table="bargaining",
            key="horizon",
        )
    return sympy.Integer(value)


def _side(model: Model, party: Party, delta_t: sympy.Expr) -> _Side:
    where = f"parties.{party.name}"
    if party.discount_factor is not None:
        per_period = party.discount_factor
        rate = -sympy.log(per_period)
    elif party.discount_rate is not None:
        rate = party.discount_rate
        per_period = sympy.exp(-rate)
    else:
        raise ModelError(
            "the alternating-offers game needs each party's patience: give discount_factor "
            "(in (0, 1]) or discount_rate (> 0)",
            file=model.file,
            table=where,
            key="discount_factor",
        )
    discount = power(per_period, delta_t)
    flow = party.strike_payoff
    if flow == 0:
        strike: sympy.Expr = sympy.Integer(0)
    elif numeric_value(model, rate, where, "discount_factor") == 0:
        strike = flow * delta_t  # no discounting: the flow simply adds up
    else:
        strike = flow * (1 - discount) / rate
    return _Side(party, _simplified(discount), strike, party.outside_option)


@functools.lru_cache(maxsize=256)
def _simplified(discount: sympy.Expr) -> sympy.Expr:
    """``sympy.simplify(discount)``, kept per expression: a credibility report's stages and a
    sweep's points share their parties' patience, so the same discount factor was simplified
    again at every solve (a pure function of a hashable expression). A plain discount
    (``delta``, ``exp(-r/2)``) is what simplify would return, without its cost, and so is
    ``exp`` of a float's multiple of a symbol (a period written as a float,
    ``exp(-0.00177828*r_W)``: :func:`_float_rate`)."""
    return discount if plain(discount) or _float_rate(discount) else sympy.simplify(discount)


def _float_rate(discount: sympy.Expr) -> bool:
    """Whether ``discount`` is ``exp(c*r)`` with ``c`` a finite float and ``r`` a symbol,
    which ``sympy.simplify`` returns node for node (a property test checks it).

    >>> r = sympy.Symbol("r", positive=True)
    >>> _float_rate(sympy.exp(-0.5 * r)), _float_rate(sympy.exp(-r / 2)), _float_rate(r)
    (True, False, False)
    """
    if not isinstance(discount, sympy.exp):
        return False
    coefficient, rest = discount.args[0].as_coeff_Mul()
    return bool(coefficient.is_Float and coefficient.is_finite and rest.is_Symbol)


def _poles(values: np.ndarray) -> slice | None:
    """The grid points inside the payoff's poles at the ends of the grid, where its
    values there are infinite, the rest finite, and each infinite end continues the trend
    next to it (``+inf`` at the end it rises towards, ``-inf`` at the end it falls
    towards): ``None`` where there is no such pole."""
    first, last = (
        int(not math.isfinite(values[0])),
        len(values) - int(not math.isfinite(values[-1])),
    )
    inner = values[first:last]
    if (first, last) == (0, len(values)) or len(inner) < 2 or not np.all(np.isfinite(inner)):
        return None
    rises = inner[-1] > inner[0]
    ends_agree = (not first or values[0] == (-math.inf if rises else math.inf)) and (
        last == len(values) or values[-1] == (math.inf if rises else -math.inf)
    )
    return slice(first, last) if ends_agree else None


def _orient(
    model: Model, x: sympy.Symbol, sides: list[_Side], lo: float, hi: float
) -> tuple[_Side, _Side]:
    """Which party's payoff rises with x on [lo, hi]; refuse frontiers that are not monotone."""
    grid = np.linspace(lo, hi, _GRID)
    trends = []
    for side in sides:
        # Each payoff less its part free of x, cancelled symbolically: payoffs on a base of
        # 1e12 (1e12 + x) move by less than the rounding of their values.
        u = model.numeric(side.party.payoff)
        f = lambdify(x, accurate(u.as_independent(x, as_Add=True)[1]), "numpy")
        with np.errstate(all="ignore"):
            values = np.broadcast_to(np.asarray(f(grid), dtype=float), grid.shape)
            steps = np.diff(values)
        # A pole at a bound of the contracts (-log(1 - x) at x = 1) is infinite there alone:
        # the frontier is judged inside, and the infinite end must continue its trend.
        pole = _poles(values)
        if pole is not None:
            values, steps = values[pole], np.diff(values[pole])
        # A few units of the values' rounding: 7 + 1e-9 (1 - x) falls by 5e-12 a step.
        scale = 64 * np.finfo(float).eps * magnitude(values)
        if not np.all(np.isfinite(values)) and len(model.variables) == 1:
            # Say why, as every solver does: beyond floating point, a pole or outside the
            # payoff's domain (computed in 30 digits at the first such point of the grid).
            BargainingProblem(model).payoff_values({x: float(grid[~np.isfinite(values)][0])})
        if not np.all(np.isfinite(values)):
            trend = 0
        elif np.all(steps > -scale) and np.any(steps > scale):
            trend = 1
        elif np.all(steps < scale) and np.any(steps < -scale):
            trend = -1
        else:
            trend = 0
        if trend == 0:
            raise ModelError(
                f"must be finite and strictly monotone in {x} on [{lo:g}, {hi:g}] for the "
                "alternating-offers game (one party's payoff rising, the other's falling)",
                file=model.file,
                table=f"parties.{side.party.name}",
                key="payoff",
            )
        trends.append(trend)
    if trends[0] == trends[1]:
        raise ModelError(
            f"both payoffs {'rise' if trends[0] > 0 else 'fall'} with {x}: there is nothing to "
            "bargain over (the frontier must be decreasing)",
            file=model.file,
            table="parties",
            key="payoff",
        )
    return (sides[0], sides[1]) if trends[0] > 0 else (sides[1], sides[0])


class _Numeric:
    """The game at the parameter values, as floats and callables.

    Each responder's continuation is ``c + (1 - ε) u`` with ``1 - ε = (1 - q) δ^Δ``, and
    ``ε = -expm1(-(Δ r + λ))`` is computed from the discount rate ``r = -ln δ`` (from
    the exact δ, :func:`bargain.model.patience.discount_rate`) and the breakdown hazard
    of the round ``λ = -Δ ln(1 - q)`` (``q`` per period): never as ``1 - δ^Δ`` in floating
    point, which is 0 for a factor within 1e-16 of 1 (``1 - 1e-20``) and loses digits well
    before. The
    strike payoff of a round, ``b (1 - δ^Δ) / r``, is computed the same way.
    """

    def __init__(self, game: AlternatingOffers) -> None:
        m = game.model
        self.game = game
        self.lo, self.hi = game.lo, game.hi
        self.unit = unit([self.lo, self.hi])  # the contract's scale: x-tolerances relative to it
        self.period = float(game.period)
        # The risk per round from the risk per period q: hazard -ln(1 - q) per period, over
        # the round's Δ periods (per_round), in floats without the cancellation of 1 - (1 - q)^Δ.
        q = numeric_value(
            m, m.bargaining.breakdown_probability, "bargaining", "breakdown_probability"
        )
        hazard = math.inf if q >= 1 else -math.log1p(-q) * self.period
        self.q = 1.0 if q >= 1 else -math.expm1(-hazard)  # per round
        self.u = {}
        self.payoff: dict[str, sympy.Expr] = {}
        self._differences: dict[str, Callable[[float, float], float]] = {}
        self._gaps: dict[str, Callable[[float], float]] = {}  # u(x) - o, cancelled
        self.delta: dict[str, float] = {}  # δ^Δ per round
        self.eps: dict[str, float] = {}  # 1 - (1 - q) δ^Δ per round
        self.kept: dict[str, float] = {}  # (1 - q) δ^Δ per round, not 1 - ε: δ = 1e-12 kept
        self.decay: dict[str, float] = {}  # -ln((1 - q) δ^Δ) per round, exact for powers
        self.base = {}
        self.waiting: dict[str, float] = {}  # (1 - q)(1 - δ^Δ) per round
        self.discounting: dict[str, float] = {}  # 1 - δ^Δ per round, without cancellation
        self.held: dict[str, float] = {}  # a status quo whose flow a rejection pays, by name
        self.rejecting_with_base = False  # base is strike + q d (rejecting_with: not)
        self._gains: dict[str, Callable[[float], float]] = {}
        self.outside = {}
        self.disagreement = {}
        self.strike = {}
        for side in (game.rising, game.falling):
            name = side.party.name
            where = f"parties.{name}"
            self.u[name] = lambdify(game.x, m.numeric(side.party.payoff), "math")
            self.payoff[name] = side.party.payoff
            rate = discount_rate(m, side.party)
            assert rate is not None  # game_of refuses a party without patience
            per_round = rate * self.period
            self.delta[name] = math.exp(-per_round)
            self.eps[name] = -math.expm1(-(per_round + hazard))
            self.kept[name] = math.exp(-(per_round + hazard))
            self.decay[name] = per_round + hazard
            # 1 - ε = (1 - q) δ: ε = q + (1 - q)(1 - δ), its impatience beside its risk.
            self.discounting[name] = -math.expm1(-per_round)
            self.waiting[name] = (1 - self.q) * self.discounting[name]
            flow = numeric_value(m, side.party.strike_payoff, where, "strike_payoff")
            strike = flow * (-math.expm1(-per_round) / rate if rate else self.period)
            d = numeric_value(m, side.party.disagreement, where, "disagreement")
            self.strike[name] = strike
            self.base[name] = strike + self.q * d
            self.disagreement[name] = d
            self.outside[name] = (
                -math.inf
                if side.outside is None
                else numeric_value(m, side.outside, where, "outside_option")
            )
        self.rising = game.rising.party.name
        self.falling = game.falling.party.name
        self.lo, self.hi = self._inside(self.lo, self.hi), self._inside(self.hi, self.lo)
        self._refuse_below_floating_point()

    def _inside(self, end: float, other: float) -> float:
        """``end``, or the nearest float towards ``other`` (within a factor of two of its
        distance) where a payoff has a pole at ``end`` (infinite there: :func:`_orient` let
        only such an end through) and is finite: the offers and their brackets are computed
        on contracts where every payoff is a number; an agreement there is refused
        (:meth:`agreed`)."""
        if self._finite_at(end):
            return end
        # The next float, then steps doubling from one spacing: a pole as steep as 1/x at 0
        # is infinite at the next float too (1/5e-324 overflows), finite from about 1e-308.
        step = float(np.nextafter(end, other)) - end
        while abs(step) < abs(other - end):
            inner = end + step
            if self._finite_at(inner):
                return inner
            step *= 2
        return end

    def _finite_at(self, x: float) -> bool:
        try:
            return all(math.isfinite(self.utility(name, x)) for name in self.u)
        except (ArithmeticError, ValueError):
            return False

    def agreed(self, x: float) -> float:
        """``x``, refused by :meth:`BargainingProblem.payoff_values`'s message where it is a
        bound of the contracts moved off a payoff's pole: an agreement there (in any round
        of a finite horizon, whose value the earlier rounds' offers carry) would be worth
        an infinite payoff; or at the bound itself (a closed form's value there)."""
        for end, moved in ((self.game.lo, self.lo), (self.game.hi, self.hi)):
            if moved != end and x in (moved, end):
                BargainingProblem(self.game.model).payoff_values({self.game.x: end})
        return x

    def _refuse_below_floating_point(self) -> None:
        """Refuse, by name, impatience that floats cannot hold: a per-round discount rate
        and breakdown hazard that are not zero but round to it (``1e-400``, whose game
        would be taken for one without discounting, a set), or whose product with a
        party's normal payoffs is below the normal floats (``ε = 1e-310`` on payoffs of
        1: the indifference conditions' ``ε u`` keeps a few bits, and the answer would be a
        bound; payoffs of 1e-200 are solved in a unit of their size first,
        :mod:`bargain.axiomatic.payoff_unit`)."""
        m = self.game.model
        risky = m.numeric(m.bargaining.breakdown_probability) != 0
        for side in (self.game.rising, self.game.falling):
            name, party = side.party.name, side.party
            patient = (
                m.numeric(party.discount_rate) != 0
                if party.discount_rate is not None
                else m.numeric(party.discount_factor) != 1
            )
            size = magnitude([self.utility(name, self.lo), self.utility(name, self.hi)])
            if (patient or risky) and self.eps[name] == 0:
                rate_given = party.discount_rate is not None
                raise ModelError(
                    "the impatience per round (discount rate and breakdown risk) is not zero "
                    "but below floating point (about 1e-308): lengthen the round (--period, "
                    "in model periods) or give the rate per longer period",
                    file=m.file,
                    table=f"parties.{name}" if patient else "bargaining",
                    key=(
                        ("discount_rate" if rate_given else "discount_factor")
                        if patient
                        else "breakdown_probability"
                    ),
                )
            # Payoffs that are themselves below the normal floats (a contract range of
            # 1e-320) carry the few digits they have; normal payoffs must keep theirs.
            if self.eps[name] > 0 and size >= sys.float_info.min > self.eps[name] * size:
                raise ModelError(
                    f"the impatience per round ({self.eps[name]:.3g}) times the payoffs "
                    f"(about {size:.3g}) is below the normal floats (about 2.2e-308): "
                    "measure the payoffs in a smaller unit or lengthen the round",
                    file=m.file,
                    table=f"parties.{name}",
                    key="payoff",
                )

    def utility(self, name: str, x: float) -> float:
        return float(self.u[name](x))

    def rejecting_with(
        self, base: dict[str, float], held: Mapping[str, float] | None = None
    ) -> _Numeric:
        """A copy of the game in which a rejection is worth ``base[name]`` this round to
        each responder (instead of its strike and breakdown payoffs); for those in ``held``,
        the flow ``(1 - δ^Δ) u(w0)`` of the status quo ``held[name]``, which ``base`` must
        hold (a holdout: :mod:`bargain.strategic.holdout`)."""
        other = copy.copy(self)
        other.base = dict(base)
        other.held = dict(held or {})
        other.rejecting_with_base = True
        return other

    @property
    def spread(self) -> float:
        """``1 - (1 - ε_W)(1 - ε_A)``: how far the composite proposal map is from
        fixing every contract (its contraction factor is about one minus this)."""
        e_w, e_a = self.eps[self.rising], self.eps[self.falling]
        return e_w + e_a - e_w * e_a

    @property
    def xtol(self) -> float:
        """The absolute tolerance in the contract of the first bracketing (:func:`_root`):
        a few units of rounding of the contract range's size, and never below the least
        positive float (brentq refuses 0, which ``1e-15`` times a range of 1e-320 would
        round to)."""
        return max(_ROUNDS * self.unit, math.ulp(0.0))

    def error(self, message: str) -> SolverError:
        """A :class:`SolverError` naming the model's file."""
        return SolverError(message, file=self.game.model.file)

    def no_agreement(self, message: str) -> FeasibilityError:
        """A :class:`FeasibilityError` naming the model's file: the equilibrium is found,
        and it has no agreement (a sweep's point ``infeasible``, not ``no_convergence``)."""
        return FeasibilityError(message, file=self.game.model.file)

    def best_for(self, name: str) -> float:
        """The contract that is best for ``name``."""
        return self.hi if name == self.rising else self.lo

    def keep(self, name: str, continuation: float) -> float:
        """What ``name`` gets by rejecting and bargaining on, given its continuation
        payoff a round later: ``c + (1 - ε) u``, with ``1 - ε`` computed as itself (as
        ``u - ε u`` a share ``δ u`` of ``δ = 1e-12`` kept 4 digits)."""
        return self.base[name] + self.kept[name] * continuation

    def reject(self, name: str, continuation: float) -> float:
        """What the responder ``name`` gets by rejecting, given its continuation payoff."""
        return max(self.outside[name], self.keep(name, continuation))

    def respond(self, name: str, y: float) -> float | None:
        """The offer to responder ``name`` whose own proposal, a round later, is ``y``:
        what rejecting is worth to it (:meth:`reject`), by :meth:`offer_to`. Where it
        bargains on (its outside option does not bind), the offer solves its indifference
        in differences, ``u(x) - u(y) = c - ε u(y)``, with ``u(x) - u(y)`` cancelled
        symbolically: ``u(x) = c + (1 - ε) u(y)`` in floats loses the digits of a small
        ``x`` (fixed strike costs of 1e-9 would give ``x = 9.99999971718e-10``) and of a
        common level. The level ``c + (1 - ε) u(y)`` is taken as it is where its terms are
        the smaller (the rounding each form carries): a share ``δ u(y)`` of ``δ = 1e-12``
        is ``u(y)`` less nearly all of it in differences, and kept 4 digits there."""
        u_y = self.utility(name, y)
        keep = self.keep(name, u_y)
        rejecting, size = self._rejecting(name, y, u_y)
        if self.outside[name] > -math.inf:
            # Whether the option binds, o > keep, judged as (o - u(y)) - (keep - u(y)), each
            # part cancelled: on a common level of 1e15 the two floats are 0.125 apart.
            gap = self._option_gap(name)
            try:
                over = -gap(y) - rejecting
            except (ArithmeticError, ValueError):
                over = math.nan
            if not math.isfinite(over):  # the cancelled gap undefined there: in the floats
                over = self.outside[name] - keep
            if over > 0:
                return self.offer_to(name, self.outside[name], gap=gap)
        if size > abs(self.base[name]) + abs(self.kept[name] * u_y):
            return self.offer_to(name, keep)
        return self.offer_to(name, keep, (y, rejecting))

    def _rejecting(self, name: str, y: float, u_y: float) -> tuple[float, float]:
        """``c - ε u(y)``, what rejecting adds to responder ``name``'s payoff ``u(y)`` of
        its own proposal ``y``, and the size of its terms (its rounding's scale). With
        ``c = s + q d`` (strike payoff ``s``, breakdown risk ``q``, disagreement payoff
        ``d``) it is ``s - q (u(y) - d) - (1 - q)(1 - δ) u(y)``,
        with the gain ``u(y) - d`` cancelled symbolically: payoffs ``B + x`` beside
        ``d = B`` lose ``B``'s rounding in ``q d - q u(y)`` (7.5e-7 of the offer at
        ``B = 1e10``), and none of ``B`` is left where ``δ = 1``."""
        if name in self.held:
            # (1 - δ) u(w0) - ε u(y) = (1 - δ)(u(w0) - u(y)) - q δ u(y), the difference
            # cancelled: a status quo w0 = 0.001 beside a pie of 1e12 was found as
            # 0.00108, the firm's (1 - δ) u(w0) and ε u(y) both about 1e11.
            difference = float(self._difference(name)(self.held[name], y))
            terms = [self.discounting[name] * difference, -self.q * self.delta[name] * u_y]
            return math.fsum(terms), math.fsum(map(abs, terms))
        if self.rejecting_with_base:
            terms = [self.base[name], -self.eps[name] * u_y]
            return math.fsum(terms), math.fsum(map(abs, terms))
        if name not in self._gains:
            m = self.game.model
            party = m.party(name)
            gain = accurate(m.numeric(party.payoff - party.disagreement))
            self._gains[name] = lambdify((self.game.x,), gain, "math")
        gain = float(self._gains[name](y))
        terms = [self.strike[name], -self.q * gain, -self.waiting[name] * u_y]
        return math.fsum(terms), math.fsum(map(abs, terms))

    def _option_gap(self, name: str) -> Callable[[float], float]:
        """``x -> u(x) - o`` for party ``name`` with outside option ``o``, cancelled where the
        budget allows: ``1 - x`` against ``o = 1 - 1e-12`` is ``1e-12 - x``, where the
        float ``1 - o`` kept 4 digits of the offer (9.9997787828e-13 for 1e-12)."""
        if name not in self._gaps:
            x, m = self.game.x, self.game.model
            side = self.game.rising if name == self.rising else self.game.falling
            u = accurate(m.numeric(self.payoff[name]))
            with exact_budget(1.0) as budget:
                gap = budget.cancel(u - m.numeric(side.outside))
            compiled = lambdify((x,), gap, "math")
            self._gaps[name] = lambda at: float(compiled(at))
        return self._gaps[name]

    def _difference(self, name: str) -> Callable[[float, float], float]:
        """``(x, y) -> u(x) - u(y)`` for party ``name``, cancelled where the budget allows."""
        if name not in self._differences:
            x, y = self.game.x, sympy.Symbol("_y", real=True)
            # Written to keep its digits first (sqrt(1 + x) - 1 as x/(sqrt(1 + x) + 1): as
            # written the difference is sqrt(1 + x) - sqrt(1 + y), which kept 6 at 1e-9).
            u = accurate(self.game.model.numeric(self.payoff[name]))
            with exact_budget(1.0) as budget:
                d = budget.cancel(u - u.xreplace({x: y}))
            self._differences[name] = lambdify((x, y), d, "math")
        return self._differences[name]

    def _at_both_ends(self, f: Callable[[float], float]) -> bool:
        """Whether ``f`` is a finite number at both bounds of the contracts."""
        try:
            return all(math.isfinite(f(end)) for end in (self.lo, self.hi))
        except (ArithmeticError, ValueError):
            return False

    def offer_to(
        self,
        name: str,
        level: float,
        given: tuple[float, float] | None = None,
        gap: Callable[[float], float] | None = None,
    ) -> float | None:
        """The contract that gives responder ``name`` exactly ``level`` (best for the proposer);
        the proposer's best contract if ``level`` is below the responder's worst; ``None``
        if no contract gives the responder that much. With ``given = (y, g)``, the level is
        ``u(y) + g`` and the root is found in differences (see :meth:`respond`), and so
        are the bounds judged: ``L + 1 - x`` against a level ``L + 1 - 1e-9`` at
        ``L = 1e9`` (BRW's breakdown risk of 1e-9 on a common level) rounds to ``u(0)``,
        and every offer was ``x = 0``. With ``gap`` (``x -> u(x) - level``, cancelled: an
        outside option's, :meth:`_option_gap`), the root and the bounds are found in it."""
        rising = name == self.rising
        worst_x, best_x = (self.lo, self.hi) if rising else (self.hi, self.lo)
        excess: Callable[[float], float] = lambda x: self.utility(name, x) - level  # noqa: E731
        sizes: Callable[[float], list[float]] = lambda x: [self.utility(name, x), level]  # noqa: E731
        if gap is not None and self._at_both_ends(gap):
            excess = gap
            sizes = lambda x: [gap(x)]  # noqa: E731
        if given is not None:
            y, g = given
            difference = self._difference(name)

            def in_differences(x: float) -> float:
                return float(difference(x, y)) - g

            # The same excess with the level's common part cancelled, where the cancelled
            # form is defined at both bounds (x/(1 - x) - y/(1 - y), cancelled, divides by
            # 1 - y, which is 0 at a pole's bound).
            if self._at_both_ends(in_differences):
                excess = in_differences
                sizes = lambda x: [float(difference(x, y)), g]  # noqa: E731
        if excess(worst_x) >= 0:
            return worst_x
        short = excess(best_x)
        if short < 0 and not negligible(short, sizes(best_x), 1e-15):
            return None
        if short <= 0:
            return best_x
        return _root(excess, self.lo, self.hi, self.xtol)


_ROUNDS = 4 * float(np.finfo(float).eps)  # brentq's relative tolerance: a few roundings


def _root(f: Callable[[float], float], lo: float, hi: float, xtol: float) -> float:
    """The root of ``f`` bracketed by ``[lo, hi]``, to a few units of rounding of the root
    itself: brentq to the absolute tolerance ``xtol`` (a few roundings of the bracket's
    size), then again in the bracket that leaves around its answer, to a few roundings
    of that bracket's size, while that is finer. An agreement of ``0.8624`` among
    contracts in ``[-1e15, 1e15]`` was otherwise found to ``1``, a dyadic ``0.625``.

    >>> _root(lambda x: x - 0.8624, -1e15, 1e15, _ROUNDS * 2.0**50)
    0.8624
    """
    x = float(brentq(f, lo, hi, xtol=xtol, rtol=_ROUNDS, maxiter=500))
    while True:
        # brentq's answer is within its tolerance of the root: the root is in this bracket.
        width = 2 * (xtol + _ROUNDS * abs(x))
        a, b = max(lo, x - width), min(hi, x + width)
        finer = max(_ROUNDS * max(abs(a), abs(b)), math.ulp(0.0))
        if finer >= xtol / 2:
            return x
        f_a, f_b = f(a), f(b)
        if f_a == 0 or f_b == 0:
            return a if f_a == 0 else b
        if not np.sign(f_a) * np.sign(f_b) < 0:  # rounding in f: x is as good as any
            return x
        x, xtol = float(brentq(f, a, b, xtol=finer, rtol=_ROUNDS, maxiter=500)), finer


def _stationary(num: _Numeric) -> tuple[tuple[float, float], tuple[float, float]]:
    """The stationary proposals: ``((x_W low, x_W high), (x_A low, x_A high))``, by the
    rising and by the falling party. Low and high coincide when the equilibrium is unique.

    The composite map from the falling party's proposal to its next one is a
    contraction when there is discounting or breakdown risk, and its unique
    fixed point is found by bracketing on ``[lo, hi]``. Without either (fixed
    strike costs only; Rubinstein 1982, §5) the map may fix a whole interval:
    it is located on a grid and its ends refined by bisection.
    """
    w, a = num.rising, num.falling

    def refused(responder: str) -> str:
        return (
            f"no contract gives the responder {responder} what it can get by rejecting "
            "(its outside option, or its strike payoff for the round and, discounted, "
            "what it gets when it proposes next)"
        )

    none = "the alternating-offers equations have no solution in the contract range"

    def answer(x_a: float, strict: bool = True) -> float:
        x_w = num.respond(a, x_a)
        if x_w is None:
            if strict:
                raise num.error(refused(a))
            x_w = num.best_for(a)
        return x_w

    def gap(x_a: float) -> float:
        # A demand no contract meets is met as far as a contract can (the responder's best
        # contract), so that the map is defined on every contract: a demand beyond every
        # contract at an end of the range (where it is bracketed) is no reason to refuse the
        # game. Only a fixed point whose demand no contract meets is refused (`checked`);
        # the game may then have an equilibrium with delay (_delayed).
        x_w = answer(x_a, strict=False)
        x_new = num.respond(w, x_w)
        return (num.best_for(w) if x_new is None else x_new) - x_a

    def checked(x_a: float) -> float:
        """The rising party's proposal at the fixed point ``x_a``, its demands met."""
        if num.respond(w, answer(x_a)) is None:
            raise num.error(refused(w))
        return answer(x_a)

    # A gap within rounding of the offers (brentq's tolerance) is zero: the map fixes the
    # point. (1e-12 of the range, once, took fixed costs 3e-12 and 1e-12 for equal.)
    tol = 64 * np.finfo(float).eps * num.unit
    spread = num.spread
    if 0 < spread < _LIMIT:
        x = _limit(num)
        return (x, x), (x, x)
    if spread > 0:
        lo, hi = num.lo, num.hi
        g_lo, g_hi = gap(lo), gap(hi)
        # An end moved off a pole (-log(x) at 0) is a fixed point of no equilibrium: every
        # offer near it is the end itself, to brentq's tolerance in the contract (the
        # demand there, e**-552, is 8.9e-16 from it), and an agreement there is refused.
        # The map is then bracketed inside, on a grid; where it crosses nowhere inside, the
        # equilibrium is at the pole, and refused there by name (x/(1 - x) against 1 - x).
        if (g_lo == 0 and lo != num.game.lo) or (g_hi == 0 and hi != num.game.hi):
            grid = np.linspace(lo, hi, 65)
            gaps = [g_lo, *(gap(x) for x in grid[1:-1]), g_hi]
            inside = [
                (grid[i], grid[i + 1])
                for i in range(64)
                if gaps[i] * gaps[i + 1] < 0 or gaps[i + 1] == 0 < i + 1 < 64
            ]
            if inside:  # else the fixed point at the pole stands, and is refused there
                lo, hi = inside[0]
                g_lo, g_hi = gap(lo), gap(hi)
        if g_lo == 0:
            x_a = lo
        elif g_hi == 0:
            x_a = hi
        elif np.sign(g_lo) != np.sign(g_hi):  # (a product of two tiny gaps underflows)
            x_a = _root(gap, lo, hi, num.xtol)
        else:
            raise num.error(none)
        return (checked(x_a),) * 2, (x_a,) * 2
    grid = np.linspace(num.lo, num.hi, 2001)
    gaps = np.array([gap(x) for x in grid])
    zeros = np.flatnonzero(np.abs(gaps) <= tol)
    if zeros.size == 0:
        change = np.flatnonzero(np.sign(gaps[:-1]) * np.sign(gaps[1:]) < 0)
        if change.size == 0:
            raise num.error(none)
        i = change[0]
        x_a = _root(gap, grid[i], grid[i + 1], num.xtol)
        return (answer(x_a),) * 2, (x_a,) * 2

    def edge(inside: float, outside: float) -> float:
        for _ in range(200):
            mid = (inside + outside) / 2
            if abs(gap(mid)) <= tol:
                inside = mid
            else:
                outside = mid
            if abs(inside - outside) <= 1e-15 * num.unit:
                break
        return inside

    first, last = zeros[0], zeros[-1]
    low = grid[first] if first == 0 else edge(grid[first], grid[first - 1])
    high = grid[last] if last == grid.size - 1 else edge(grid[last], grid[last + 1])
    # One more round of the map: an end held at a bound of the contracts comes back to
    # the exact point, not one within the grid's tolerance of it.
    low, high = low + gap(low), high + gap(high)
    return (answer(low), answer(high)), (low, high)


def _limit(num: _Numeric) -> float:
    """The agreement of very patient parties: where ``1 - (1 - ε_W)(1 - ε_A)`` is below
    :data:`_LIMIT`, both proposals are within about that (relative) of the point of the
    frontier where

        u_W'(x) (c_A - ε_A u_A(x)) + u_A'(x) (c_W - ε_W u_W(x)) = 0,

    the first-order expansion of the two indifference conditions in ``x_W - x_A``
    (Binmore, Rubinstein & Wolinsky 1986, §3–4; see :mod:`bargain.model.patience`): the
    Nash solution with powers proportional to ``1 / ε_i`` and the impasse point
    ``c_i / ε_i``. A floating-point fixed point cannot resolve it (its error is about
    ``eps / (1 - (1 - ε_W)(1 - ε_A))``). A responder's outside option above what the
    point gives it binds (Binmore, Shaked & Sutton 1989): the agreement then gives it
    exactly that.
    """
    game, m = num.game, num.game.model
    w, a = num.rising, num.falling
    scale = max(num.eps.values())  # the terms divided by it: no underflow at 1e-300
    slope = {
        side.party.name: lambdify(game.x, m.numeric(derivative(side.party.payoff, game.x)), "math")
        for side in (game.rising, game.falling)
    }

    def condition(x: float) -> float:
        gives = {n: num.base[n] / scale - num.eps[n] / scale * num.utility(n, x) for n in (w, a)}
        try:
            return float(slope[w](x)) * gives[a] + float(slope[a](x)) * gives[w]
        except (ArithmeticError, ValueError):
            return math.nan  # a slope undefined here (sqrt(1 - x) at x = 1)

    def inside(end: float, other: float) -> tuple[float, float]:
        """``end`` and the condition there, moved towards ``other`` until it is a number
        (a slope infinite at a bound of the contracts)."""
        for step in (0.0, *(10.0**-k for k in range(15, 0, -1))):
            x = end + (other - end) * step
            value = condition(x)
            if math.isfinite(value):
                return x, value
        return end, math.nan

    (lo, c_lo), (hi, c_hi) = inside(num.lo, num.hi), inside(num.hi, num.lo)
    if c_lo == 0 or c_hi == 0:
        x = lo if c_lo == 0 else hi
    elif math.isfinite(c_lo) and math.isfinite(c_hi) and np.sign(c_lo) != np.sign(c_hi):
        x = _root(condition, lo, hi, num.xtol)
    else:
        raise num.error(
            "the alternating-offers equations of these patient parties have no solution in "
            "the contract range"
        )
    for name in (a, w):
        if num.utility(name, x) < num.outside[name]:
            bound = num.offer_to(name, num.outside[name])
            if bound is None:
                raise num.error(f"no contract gives {name} its outside option")
            x = bound
    return x


def backward_induction(
    game: AlternatingOffers, rounds: int
) -> tuple[float, int, dict[str, float], Plan]:
    """Solve the game with ``rounds`` rounds by backward induction.

    Returns the agreed contract, the number of rounds of strike before it is
    agreed, each party's equilibrium payoff at time 0, and the equilibrium
    :class:`Move` of every round (a :class:`~bargain.strategic.move.Plan`: once the
    recursion repeats a two-round cycle to the last bit, the earlier rounds are that
    cycle, so a horizon of a billion rounds costs what the cycle's convergence does).
    After the last round each party gets its disagreement payoff; a responder who takes
    its outside option ends the talks with the proposer at its disagreement payoff.

    Raises
    ------
    FeasibilityError
        If the equilibrium path ends without agreement (deadline or walk-out).
    SolverError
        If a horizon of more than ``MAX_INDUCTED`` rounds, whose rounds have no closed
        form, has not settled into its two-round cycle within them.
    """
    return _backward(_Numeric(game), rounds)


def _backward(num: _Numeric, rounds: int) -> tuple[float, int, dict[str, float], Plan]:
    game = num.game
    names = (num.rising, num.falling)
    d = {n: num.disagreement[n] for n in names}
    values = dict(d)  # continuation payoffs after the last round, at that time
    agreement: float | None = None  # the contract agreed on the path from this round on
    delay = 0
    ending = "the deadline passes"
    plan: list[Move] = []
    seen: list[tuple[float, ...]] = []  # each round's values, latest last
    played: list[str] = []  # each round's outcome on its own: agreement, strike or walk-out
    for k in reversed(range(rounds)):
        done = len(plan)
        if done >= SETTLE and done & (done - 1) == 0 and k >= done:
            found = _geometric(num, rounds, k + 1, plan, played)
            if found is not None:
                return found
        if len(plan) >= MAX_INDUCTED:
            raise _unsettled(
                num,
                rounds,
                f"the offers have not settled into a cycle after {MAX_INDUCTED:,} rounds "
                "(each two rounds close the gap to it by a factor "
                f"{math.exp(-num.decay[names[0]] - num.decay[names[1]]):.12g})",
            )
        proposer, responder = _proposer(game, k), _responder(game, k)
        keep = {n: num.keep(n, values[n]) for n in names}
        walks = num.outside[responder] > keep[responder]
        no_deal = {responder: num.outside[responder], proposer: d[proposer]} if walks else keep
        x = num.offer_to(responder, no_deal[responder])
        if x is not None and num.utility(proposer, x) >= no_deal[proposer]:
            values = {n: num.utility(n, num.agreed(x)) for n in names}
            agreement, delay = x, 0
        else:
            x = num.best_for(proposer)  # an offer the responder rejects
            values = no_deal
            if walks:
                agreement, ending = None, f"{responder} takes its outside option"
            else:
                delay += 1
        plan.append(Move(proposer, responder, x, no_deal[responder], walks))
        seen.append(tuple(values[n] for n in names))
        played.append(
            "agree" if delay == 0 and agreement is not None else "walk" if walks else "strike"
        )
        if delay == 0 and len(seen) >= 3 and seen[-1] == seen[-3] and k >= 2:
            if _below_rounding(num, plan):
                found = _geometric(num, rounds, k, plan, played)
                if found is not None:
                    return found
                raise _unsettled(
                    num,
                    rounds,
                    "each round moves the offers by less than floating point resolves (the "
                    f"parties' discount factors within {num.spread:.3g} of 1 over two "
                    "rounds), so they seem to repeat where they do not",
                )
            # The same values as two rounds later, to the last bit, with agreement in this
            # round: every earlier round repeats these two (the recursion depends on
            # nothing else), so round 0 plays as round k or k + 1, by parity. Where round
            # k + 1 is one of strike (the proposer's offer rejected, as it prefers: fault
            # of a stationary offer with a binding outside option, Muthoo 1999, §6.3),
            # round 0 plays as it, and the agreement is round 1's, after one round.
            this, later = plan[-1], plan[-2]
            first, at_zero = (this, seen[-1]) if k % 2 == 0 else (later, seen[-2])
            values = dict(zip(names, at_zero, strict=True))
            tail = tuple(reversed(plan))
            cycle = Plan(rounds=rounds, start=k, tail=tail)
            if k % 2 == 0 or played[-2] == "agree":
                return first.offer, 0, values, cycle
            if played[-2] == "walk":
                raise FeasibilityError(
                    f"no agreement within {rounds} rounds: {later.responder} takes its "
                    "outside option",
                    file=game.model.file,
                )
            return this.offer, 1, values, cycle
    if agreement is None:
        raise FeasibilityError(
            f"no agreement within {rounds} rounds: {ending}", file=game.model.file
        )
    return agreement, delay, values, Plan(rounds=rounds, start=0, tail=tuple(reversed(plan)))


SETTLE = 1024
"""Rounds of backward induction after which (and after each doubling of which) a game
not yet in its two-round cycle, with at least as many rounds left, is solved for the
earlier rounds in closed form where its payoffs are linear in the contract
(:func:`_geometric`)."""

MAX_INDUCTED = 200_000
"""The most rounds backward induction computes one by one (a few seconds): a longer
horizon whose offers have not settled into their two-round cycle by then, and whose rounds
have no closed form, is refused by name (a horizon of a billion rounds between parties with
``δ = 1 - 1e-9`` ran for hours)."""


def _unsettled(num: _Numeric, rounds: int, why: str) -> SolverError:
    """The refusal of a horizon whose earlier rounds backward induction cannot reach, for
    ``why``, and that has no closed form (:func:`_geometric`), naming the key."""
    return SolverError(
        f"backward induction over {rounds} rounds: {why}, and the payoffs are not both "
        "linear in the contract, where the rest is a closed form: give a shorter horizon, "
        "or horizon = inf (the infinite game)",
        file=num.game.model.file,
        table="bargaining",
        key="horizon",
    )


def _geometric(
    num: _Numeric, rounds: int, k: int, plan: list[Move], played: list[str]
) -> tuple[float, int, dict[str, float], Plan] | None:
    """The rounds before round ``k`` in closed form, where backward induction has computed
    rounds ``k`` to the last (``plan`` and ``played``, latest first) and both payoffs are
    linear in the contract; ``None`` where that form does not hold.

    With ``u_r(x) = a + b x`` the responder ``r``'s offer ``x_j = u_r⁻¹(c_r + κ_r u_r(x_{j+1}))``
    (:meth:`_Numeric.keep`) moves with the next round's by the factor ``κ_r = (1 - q)
    δ_r^Δ``, and so does its gap to the infinite game's stationary offer of the same
    proposer (:func:`_infinite`; Rubinstein 1982; Osborne & Rubinstein, *Bargaining and
    Markets*, 1990, §3.10): ``x_j = x*_p + κ_{r_j} κ_{r_{j+1}} ⋯ κ_{r_{k-1}} (x_k - x*)``.
    It holds in every earlier round where it holds at both ends — round ``k`` and the
    stationary offers, agreements that give the responder its demand (inside the
    contract range), no outside option binding —
    as each of these is one linear inequality in the gap, which shrinks monotonically.
    Each product of factors is the exponential of a sum of per-round decays
    (``-ln κ``, exact where ``κ`` is within 1e-9 of 1 and a round's factor would lose
    digits to its float)."""
    game = num.game
    x = game.x
    if any(p != "agree" for p in played[-2:]) or any(m.walks for m in plan[-2:]):
        return None
    if any(sympy.diff(game.model.numeric(payoff), x, 2) != 0 for payoff in num.payoff.values()):
        return None
    moves = _unique_stationary(num)
    if moves is None:
        return None
    ends = [*moves.values(), *plan[-2:]]
    if any(m.walks or not _demanded(num, m) for m in ends):
        return None
    here, after = plan[-1], plan[-2]  # rounds k and k + 1
    gap = {k: here.offer - moves[here.proposer].offer}
    gap[k + 1] = after.offer - moves[after.proposer].offer

    def offer(j: int) -> float:
        """The offer of round ``j <= k + 1``: its gap, the one of round ``k`` or ``k + 1``
        of its parity shrunk by the responders' decays of the rounds between."""
        last = k if (k - j) % 2 == 0 else k + 1
        between = last - j  # rounds j .. last - 1, responders alternating from round j's
        r = _responder(game, j)
        other = num.falling if r == num.rising else num.rising
        decay = -((between + 1) // 2) * num.decay[r] - (between // 2) * num.decay[other]
        return moves[_proposer(game, j)].offer + gap[last] * math.exp(decay)

    def early(j: int) -> Move:
        r = _responder(game, j)
        demand = num.keep(r, num.utility(r, offer(j + 1)))
        return Move(_proposer(game, j), r, offer(j), demand, False)

    x0 = offer(0)
    values = {n: num.utility(n, num.agreed(x0)) for n in (num.rising, num.falling)}
    return x0, 0, values, Plan(rounds=rounds, start=k, tail=tuple(reversed(plan)), early=early)


UNRESOLVED_SPREAD = 1e-6
"""``1 - (1 - ε_W)(1 - ε_A)`` below which a two-round cycle of backward induction is checked
against the infinite game's stationary offers (:func:`_below_rounding`): the float offers
stop moving within about a rounding over this of the stationary ones."""


def _below_rounding(num: _Numeric, plan: list[Move]) -> bool:
    """Whether the two rounds that repeat to the last bit (``plan``'s last two) repeat only
    because each round moves them by less than a rounding: their offers are not the infinite
    game's stationary ones (:func:`_infinite`, unique and without delay), to
    :data:`~bargain.scale.RTOL` of the contracts' scale, in a game whose two-round
    contraction is within :data:`UNRESOLVED_SPREAD` of 1. Parties with ``δ = 1 - 1e-20``
    keep every offer as the last round's in floating point: a billion rounds gave x = 1,
    where Ståhl's (1972) offer is 0.684."""
    if num.spread >= UNRESOLVED_SPREAD:
        return False
    moves = _unique_stationary(num)  # without one (a set, delay), a cycle may be the game's
    if moves is None:
        return False
    return any(abs(m.offer - moves[m.proposer].offer) > RTOL * num.unit for m in plan[-2:])


def _unique_stationary(num: _Numeric) -> dict[str, Move] | None:
    """The infinite game's stationary moves, by proposer, where they are one equilibrium
    of immediate agreement (:func:`_infinite`); ``None`` where the game has none, a set
    of them, or one with delay."""
    try:
        found = _infinite(num)
    except BargainError:
        return None
    if isinstance(found, _Delayed):
        return None
    moves, _, ((w_lo, w_hi), (a_lo, a_hi)) = found
    return None if max(w_hi - w_lo, a_hi - a_lo) > RTOL * num.unit else moves


def _demanded(num: _Numeric, move: Move) -> bool:
    """Whether ``move`` offers the responder what it demands (to :data:`~bargain.scale.RTOL`
    of its payoffs' scale over the contracts): an offer inside the contract range, not the
    proposer's best contract clipped at a bound, which gives more. (Tested on the payoffs,
    not the contract: a share of 1e-20 is the bound in floating point.)"""
    name = move.responder
    got = num.utility(name, move.offer)
    sizes = [got, move.demand, num.utility(name, num.lo), num.utility(name, num.hi)]
    return abs(got - move.demand) <= RTOL * magnitude(sizes)


def _responder(game: AlternatingOffers, k: int) -> str:
    """The responder of round ``k``: the proposer of round ``k + 1``."""
    return _proposer(game, k + 1)


def stationary_moves(game: AlternatingOffers) -> dict[str, Move]:
    """The equilibrium :class:`Move` of each party as proposer in the infinite game
    (where the equilibria form a set, those at its low end)."""
    num = _Numeric(game)
    found = _infinite(num)
    return found.moves if isinstance(found, _Delayed) else found[0]


def _infinite(
    num: _Numeric,
) -> _Delayed | tuple[dict[str, Move], float, tuple[tuple[float, float], tuple[float, float]]]:
    """The stationary equilibrium of the infinite game: the moves of immediate agreement
    (with their error and both ends of each proposal, :func:`_stationary`), or, where a
    proposer gains by waiting against them or they do not exist, the equilibrium with delay
    (:func:`_delayed`).

    Raises
    ------
    FeasibilityError
        Where neither exists (no agreement: each party prefers to wait or to walk out).
    SolverError
        Where the equations of immediate agreement have no solution and no equilibrium
        with delay is found either.
    """
    try:
        ends = _stationary(num)
    except SolverError as refused:
        delayed = _delayed(num)
        if delayed is None:
            raise refused from None
        return delayed
    (w_low, w_high), (a_low, a_high) = ends
    if max(w_high - w_low, a_high - a_low) > RTOL * num.unit:
        return _moves(num, w_low, a_low), 0.0, ends  # a set (no discounting, no risk)
    moves, error = _refine(num, _moves(num, w_low, a_low))
    if _waiting_pays(num, moves):
        delayed = _delayed(num)
        if delayed is None:
            raise num.no_agreement(
                "no agreement: the parties never agree in a stationary equilibrium (against "
                "the offers that would be accepted at once a proposer gains by waiting, and "
                "no equilibrium with one round of delay exists); typically disagreement is "
                "worth more than any agreement, e.g. strike payoffs whose value over an "
                "endless strike exceeds what an agreement gives"
            )
        return delayed
    return moves, error, ends


def _moves(num: _Numeric, x_w: float, x_a: float) -> dict[str, Move]:
    w, a = num.rising, num.falling
    proposals = {w: x_w, a: x_a}
    moves = {}
    for proposer, responder in ((w, a), (a, w)):
        keep = num.keep(responder, num.utility(responder, proposals[responder]))
        walks = num.outside[responder] > keep
        demand = max(num.outside[responder], keep)
        moves[proposer] = Move(proposer, responder, proposals[proposer], demand, walks)
    return moves


@dataclass(frozen=True)
class _Delayed:
    """A stationary equilibrium with delay: ``waits`` makes offers the other party rejects
    (it gains by waiting for the other's offer), the other's offer ``offer`` is accepted;
    each party's payoff where ``waits`` proposes (``at_wait``) and where the other does
    (``at_offer``), and both parties' moves."""

    waits: str
    offer: float
    at_wait: dict[str, float]
    at_offer: dict[str, float]
    moves: dict[str, Move]


def _waiting_pays(num: _Numeric, moves: Mapping[str, Move]) -> bool:
    """Whether a proposer gains by an offer the responder rejects, against the stationary
    ``moves`` (the one-shot deviation test of a subgame-perfect equilibrium; Osborne &
    Rubinstein 1990, §3.4; Muthoo 1999, §6.3): rejected, the responder takes its outside
    option (the proposer gets its disagreement payoff) where the move says it walks, or
    else both strike for a round and the responder's own proposal is accepted."""
    for proposer, move in moves.items():
        other = moves[move.responder].offer
        agree = num.utility(proposer, move.offer)
        wait = (
            num.disagreement[proposer]
            if move.walks
            else num.keep(proposer, num.utility(proposer, other))
        )
        if wait > agree and not negligible(wait - agree, [wait, agree], 1e-12):
            return True
    return False


def _delayed(num: _Numeric) -> _Delayed | None:
    """The stationary equilibrium in which one party's offers are rejected, where the game
    has one (``None`` if not).

    With an outside option and inside options (strike payoffs) a proposer ``P`` may do
    better by an offer that is refused: after a round of strike the other party ``R``
    must offer it what it can get by rejecting, ``v_P = max(o_P, c_P + (1 - ε_P) a_P)``,
    where ``a_P = c_P + (1 - ε_P) v_P`` is ``P``'s payoff where it proposes, so that
    ``v_P = max(o_P, c_P / ε_P)`` (Muthoo 1999, §6.3, outside and inside options together;
    Osborne & Rubinstein 1990, §3.12). ``R``'s offer ``x_R`` gives ``P`` exactly ``v_P``.
    It is an equilibrium where (i) ``P``'s best offer that ``R`` accepts (``R`` demanding
    ``c_R + (1 - ε_R) u_R(x_R)``; none if it takes its outside option instead) gives ``P``
    no more than waiting, ``a_P``, and (ii) ``R`` does not gain by waiting either (its offer
    refused, ``P`` takes its outside option or strikes). With a binding outside option
    ``v_P = o_P`` the agreement is ``P``'s outside option, one round after ``P``'s turn;
    without one (``v_P = c_P / ε_P``, the value of striking for ever) waiting pays only
    where striking for ever is worth more to both than any agreement, and there is none.
    """
    names = (num.rising, num.falling)
    for waits in (num.game.first, *(n for n in names if n != num.game.first)):
        for walk in (False, True):
            found = _delayed_as(num, waits, walk)
            if found is not None:
                return found
    return None


def _delayed_as(num: _Numeric, waits: str, walk: bool) -> _Delayed | None:
    """The equilibrium of :func:`_delayed` in which ``waits``' offers are refused, where
    it is one: with ``walk``, the other party takes its outside option on refusing them
    (``waits`` then gets its disagreement payoff, and prefers that to any offer the other
    accepts); else the round is one of strike. Where ``waits`` proposes first and the other
    walks, talks end without agreement (a :class:`SolverError`)."""
    names = (num.rising, num.falling)
    other = names[1] if waits == names[0] else names[0]
    if walk:
        a = num.disagreement[waits]  # waits' payoff where it proposes
        v = max(num.outside[waits], num.keep(waits, a))
    else:
        eps = num.eps[waits]
        if eps == 0 and num.base[waits] >= 0:
            return None  # striking for ever is worth at least any agreement's flow
        v = max(num.outside[waits], num.base[waits] / eps if eps > 0 else -math.inf)
        a = num.keep(waits, v)
    if not math.isfinite(v):
        return None
    x = num.offer_to(waits, v)
    if x is None:
        return None
    b = num.utility(other, x)
    keep = num.keep(other, b)  # what `other` gets by striking on after refusing
    if walk != (num.outside[other] > keep):
        return None  # it would walk out (or not), against the assumption
    demand = num.outside[other] if walk else keep
    y = num.offer_to(other, demand)
    if y is not None:
        agree = num.utility(waits, y)
        if agree > a and not negligible(agree - a, [agree, a], 1e-12):
            return None  # an offer `other` accepts is better for `waits`
    walks = num.outside[waits] > num.keep(waits, a)
    wait = num.disagreement[other] if walks else num.keep(other, demand)
    if wait > b and not negligible(wait - b, [wait, b], 1e-12):
        return None  # `other` would wait too
    if walk and num.game.first == waits:
        raise num.no_agreement(
            f"no agreement: {waits}'s offers are refused and {other} takes its outside option "
            f"({waits} prefers its disagreement payoff to any offer {other} accepts)"
        )
    moves = {
        waits: Move(waits, other, num.best_for(waits), demand, walk),
        other: Move(other, waits, x, v, walks),
    }
    return _Delayed(waits, x, {waits: a, other: demand}, {waits: v, other: b}, moves)


def _proposer(game: AlternatingOffers, k: int) -> str:
    names = (game.rising.party.name, game.falling.party.name)
    other = names[1] if game.first == names[0] else names[0]
    return game.first if k % 2 == 0 else other


_PLAIN = 1e-12  # relative error of the float fixed point below which no polish is needed
# 1 - (1 - ε_W)(1 - ε_A) below which the proposals come from the patient limit (_limit),
# whose relative error (about this) is then below the float fixed point's (eps / this).
_LIMIT = 1e-10
# 1 - k_W k_A below which a float fixed point is not accurate to 1e-10 (relative):
# the sweeps solve such points with the scalar solver instead.
_ILL_CONDITIONED = 8 * float(np.finfo(float).eps) / 1e-10
# Impatience per round times a party's payoffs (ε u) below which the sweeps leave a point
# to the scalar solver: it refuses ε u below the normal floats (_refuse_below_floating_point)
# or solves the point with its exact ε, where the kernels' 1 - k has lost digits. Far above
# the refusal's own threshold, so that rounding near it cannot decide the status.
_DELICATE = 2.0**20 * sys.float_info.min
_MATCH = 1e-7  # a closed form must reproduce the numeric proposals to this (relative) ...
#               ... plus the numeric proposals' own error (see _refine)


def _equations(
    game: AlternatingOffers, binding: Mapping[str, bool]
) -> tuple[list[sympy.Expr], tuple[sympy.Symbol, sympy.Symbol]]:
    """The two responders' indifference conditions in the proposals ``(x_W, x_A)`` (by
    the rising and the falling party), with the parameters kept as symbols; a responder
    who walks (``binding``) is held to its outside option."""
    pw, pa = sympy.symbols("_xw _xa", real=True)
    w, a = game.rising, game.falling
    q = game.breakdown

    def demand(side: _Side, y: sympy.Expr) -> sympy.Expr:
        if binding[side.party.name]:
            assert side.outside is not None
            return side.outside
        keep = side.strike + q * side.party.disagreement
        return keep + (1 - q) * side.discount * side.party.payoff.xreplace({game.x: y})

    eqs = [
        a.party.payoff.xreplace({game.x: pw}) - demand(a, pa),
        w.party.payoff.xreplace({game.x: pa}) - demand(w, pw),
    ]
    return eqs, (pw, pa)


def _refine(num: _Numeric, moves: dict[str, Move]) -> tuple[dict[str, Move], float]:
    """The stationary moves with proposals accurate to rounding, and their absolute error.

    The fixed point of the proposal map is found in floating point, where its error is
    about ``eps / (1 - k_W k_A)`` (``k_i = (1 - q) δ_i``, the map's contraction factor):
    for very patient parties (rates of 1e-12 per round, say) that is ``1e-5``; below
    :data:`_LIMIT` the proposals come from the patient limit instead (:func:`_limit`),
    with an error of about the two proposals' distance there (:func:`_width`: ``1 - k_W
    k_A`` of the range, or ``ε L`` on a common payoff level ``L``). Then the
    indifference conditions are solved by Newton's method in
    ``40 + log10(1 / (1 - k_W k_A))`` digits
    (:func:`~bargain.concepts.newton.newton`, its work bounded) from that point, with the
    discount factors exact (``exp(-r)`` is never rounded to a float near 1). When Newton
    fails the proposals stand, with their error estimate; where that is below
    :data:`_PLAIN` of the range, no polish is tried.
    """
    game = num.game
    model = game.model
    spread = num.spread
    if spread <= 0:
        return moves, 0.0  # no discounting or breakdown: no contraction to correct for
    span = _scale(num.game, [m.offer for m in moves.values()])
    rounding = 8 * np.finfo(float).eps
    error = span * (spread + rounding if spread < _LIMIT else rounding / spread)
    if spread < _LIMIT:
        error = max(error, 2 * _width(num, moves[num.rising].offer))
    if error <= _PLAIN * span:
        return moves, error
    binding = {m.responder: m.walks for m in moves.values()}
    eqs, (pw, pa) = _equations(game, binding)
    start = [moves[num.rising].offer, moves[num.falling].offer]
    digits = 40 + math.ceil(-math.log10(spread))  # resolves x_W - x_A, about spread
    system, jacobian = newton_system(tuple(e.xreplace(model.substitutions) for e in eqs), (pw, pa))
    try:
        with mpmath.workdps(digits):
            values = [complex(v) for v in newton(system, start, jacobian)]
    except (ArithmeticError, ValueError, TypeError):
        return moves, error
    polished = [v.real for v in values]
    if any(
        v.imag != 0 or not num.lo <= v.real <= num.hi or abs(v.real - x) > error + _MATCH * span
        for v, x in zip(values, start, strict=True)
    ):
        return moves, error
    return _moves(num, *polished), 4 * np.finfo(float).eps * span


def _width(num: _Numeric, x: float) -> float:
    """How far apart the two proposals are about the patient limit ``x`` (:func:`_limit`),
    from one round of each responder's indifference there (in differences): the limit
    is within about this of each. It is about ``1 - (1 - ε_W)(1 - ε_A)`` of the range
    where the payoffs are of its size, but ``ε L`` on a common level ``L``: ``L + x``
    against ``L + 1 - x`` with ``ε = 1e-11`` at ``L = 1e9`` are ``0.505`` and ``0.495``,
    and the limit ``0.5`` was taken as accurate to ``2e-11``."""
    offers = (num.respond(num.falling, x), num.respond(num.rising, x))
    return max((abs(y - x) for y in offers if y is not None), default=0.0)


def _exact(
    game: AlternatingOffers,
    x_w: float,
    x_a: float,
    binding: dict[str, bool],
    budget: Budget,
    error: float = 0.0,
) -> dict[str, sympy.Expr] | None:
    """The stationary proposals as formulas in the parameters, where sympy finds them
    within ``budget``: a candidate must reproduce the numeric proposals to ``_MATCH``
    (relative) plus their own absolute ``error``, and be writable in the expression
    language."""
    eqs, (pw, pa) = _equations(game, binding)
    w, a = game.rising, game.falling
    size = _scale(game, [x_w, x_a])
    subs = game.model.substitutions
    for cand in budget.solve(eqs, [pw, pa]):
        if pw not in cand or pa not in cand:
            continue
        if _near(budget.evaluate(cand[pw], subs), x_w, size, error) and _near(
            budget.evaluate(cand[pa], subs), x_a, size, error
        ):
            found = {
                w.party.name: budget.tidy(cand[pw], _size),
                a.party.name: budget.tidy(cand[pa], _size),
            }
            exact = all(expressible(e, special=True) and _float_free(e) for e in found.values())
            return found if exact else None
    return None


def _float_free(expr: sympy.Expr) -> bool:
    """Whether ``expr`` is a closed form: no float in it but whole numbers (the exponent
    of rounds of a million periods, ``delta**1000000``, kept as a float by
    :func:`bargain.model.expr.power`). A discount factor ``0.9**10000`` kept to 30 digits,
    or a float sympy's solve left, is a number of some digits, not a closed form: the
    answer is numeric, as the axiomatic concepts' are (``no_floats``).

    >>> _float_free(sympy.Symbol("d") ** sympy.Float(10**6, 30)), _float_free(sympy.Float(0.5))
    (True, False)
    """
    return no_floats(expr.xreplace({f: sympy.Integer(int(f)) for f in _whole_floats(expr)}))


def _whole_floats(expr: sympy.Expr) -> list[sympy.Float]:
    return [f for f in expr.atoms(sympy.Float) if f.is_finite and f - int(f) == 0]


def _scale(game: AlternatingOffers, proposals: Iterable[float]) -> float:
    """The scale of the stationary proposals, to which their errors and a closed form's
    match are relative: their own unit (the contract range's where both are 0). The
    range's, ``[-1e15, 1e15]`` around proposals of 0.4, let the option-free ``5/7`` pass
    for a closed form where an outside option bound.

    >>> import bargain
    >>> game = game_of(bargain.load_model(bargain.models_dir() / "split.toml"))
    >>> _scale(game, [0.3, -0.7]), _scale(game, [0.0, 0.0])  # split.toml: x in [0, 1]
    (1.0, 2.0)
    """
    return unit(proposals, default=unit([game.lo, game.hi]))


def _near(value: complex | None, target: float, size: float, error: float) -> bool:
    """Whether an evaluated formula is real and reproduces the numeric proposal to
    ``_MATCH`` relative to ``size`` (the contract range's unit) plus the proposal's own
    absolute ``error`` (see :func:`_refine`).

    >>> _near(1 + 0j, 1.0 + 1e-8, 1.0, 0.0), _near(1 + 1e-9j, 1.0, 1.0, 0.0)
    (True, False)
    """
    return (
        value is not None
        and abs(value.imag) < 1e-12 * size
        and abs(value.real - target) <= _MATCH * size + error
    )


def _size(expr: sympy.Expr) -> int:
    """Operations plus the size (in bits) of every rational in ``expr``: the measure for
    ``sympy.simplify`` here, as with rational discount factors the default (which counts
    ``log(p/q)`` as small however long ``p`` and ``q`` are) combines logarithms into the
    logarithm of a rational with thousands of digits."""
    bits = sum(
        abs(int(r.p)).bit_length() + int(r.q).bit_length() for r in expr.atoms(sympy.Rational)
    )
    return int(sympy.count_ops(expr)) + bits


# Several contract variables are reduced to a transfer, which moves payoffs one for one
# between the parties: a common unit; one variable, each party's own. A tiny box of one
# contract variable is measured in its own unit first (its proposals put back in the
# model's); a transfer reduction's tables mix contracts and payoffs, so several variables
# are solved in the model's.
@in_payoff_units(
    common=lambda model: len(model.variables) > 1,
    tables=("payoff range",),
    contracts=lambda model: len(model.variables) == 1,
    windows=True,
    contract_tables=("proposals",),
)
@bounded
def rubinstein(
    model: Model,
    *,
    proposer: str | None = None,
    period: float | None = None,
    horizon: int | float | None = None,
    exact: bool = True,
    timeout: float = 10.0,
) -> Solution:
    """The subgame-perfect equilibrium of the alternating-offers game of a model.

    Parameters
    ----------
    model
        A two-party model with one contract variable, or with several of
        which one is a transfer (the game is then played over the transfer,
        the other variables fixed where they maximise the joint surplus; see
        :mod:`bargain.strategic.transfer`); each party needs a ``discount_factor`` (per
        period) or a ``discount_rate``.
    proposer
        Who proposes first (default: ``[bargaining] first_proposer``, else the
        first party).
    period
        Length of one round in model periods (default 1).
    horizon
        Number of rounds (default: ``[bargaining] horizon``); finite horizons
        are solved by backward induction.
    exact
        Whether to look for the proposals as formulas in the parameters.
    timeout
        The CPU-time safety net of the closed-form attempt, in seconds; the
        attempt is bounded by its work budget first (:mod:`bargain.concepts.budget`).

    Returns
    -------
    Solution
        ``method="rubinstein"``: the first proposer's offer, accepted after
        ``delay`` rounds (0 in the infinite game); ``extra["proposals"]`` holds
        both parties' equilibrium proposals (infinite horizon).

    Raises
    ------
    ModelError
        If the model lacks what the game needs (see :func:`game_of`); with
        several variables, if none or several could be the transfer, a
        constraint involves it, or its bounds bind in equilibrium (see
        :func:`bargain.strategic.transfer.find_transfer` and
        :meth:`bargain.strategic.transfer.TransferReduction.check`).
    FeasibilityError
        If the equilibrium has no agreement (each party prefers to wait or to walk out,
        or the deadline passes), or the bounds and constraints leave no contract or one.
    SolverError
        If the equilibrium equations have no unique solution in the contract
        range (e.g. no discounting and no breakdown risk).
    """
    if len(model.variables) > 1:
        # Several contract variables: the game over the transfer (bargain.transfer).
        reduction = reduce_transfer(model, exact=exact, timeout=timeout)
        game = game_of(reduction.reduced, proposer=proposer, period=period, horizon=horizon)
        solution, moves = _solve(game, exact=exact and reduction.exact, timeout=timeout)
        return reduction.complete(solution, moves)
    game = game_of(model, proposer=proposer, period=period, horizon=horizon)
    return _solve(game, exact=exact, timeout=timeout)[0]


def _solve(
    game: AlternatingOffers, *, exact: bool, timeout: float
) -> tuple[Solution, tuple[Move, ...]]:
    """The equilibrium of a one-variable game, and the equilibrium moves behind it (every
    round's with a finite horizon; each proposer's at both ends of an equilibrium set)."""
    num = _Numeric(game)
    m = game.model
    var = m.variables[0].name
    assumptions = [
        f"one round lasts {float(game.period):g} {m.period}(s); offers alternate, "
        f"{game.first} first",
        "strike payoffs are flows per period, received while bargaining; disagreement "
        "payoffs are received on breakdown or at the deadline",
    ]
    if game.horizon != sympy.oo:
        rounds = int(game.horizon)
        x, delay, values, plan = _backward(num, rounds)
        route = f"backward induction over {rounds} rounds (brentq for each offer)"
        # Every distinct move: the rounds before the tail repeat its cycle, or, in closed
        # form, lie between round 0's move and the tail's (their offers between theirs).
        distinct = plan.tail
        if plan.early is not None:
            route = (
                f"backward induction over the last {rounds - plan.start} of {rounds} rounds "
                f"(brentq for each offer), rounds 0 to {plan.start - 1} in closed form (payoffs "
                "linear in the contract: each offer's gap to the stationary offer shrinks by "
                "the responder's discount factor a round)"
            )
            distinct = (plan[0], plan[1], *plan.tail)
        flat = _flat_offers(num, game.first, x) if delay == 0 else None
        if flat is not None:
            ended = f"talks end after {rounds} rounds"
            return _offer_set(
                num, flat, route, (*assumptions, ended, _indifferent(num, flat))
            ), distinct
        return Solution(
            model=m.name,
            method="rubinstein",
            agreement={var: x},
            payoffs=values,
            disagreement={n: num.disagreement[n] for n in m.party_names},
            parameters={p.name: float(p.value) for p in m.parameters},
            delay=float(delay * game.period),
            route=route,
            extra={"horizon": {"rounds": float(rounds)}},
            assumptions=(*assumptions, f"talks end after {rounds} rounds"),
        ), distinct
    found = _infinite(num)
    if isinstance(found, _Delayed):
        return _delayed_solution(num, found, assumptions), tuple(found.moves.values())
    moves, error, ((w_low, w_high), (a_low, a_high)) = found
    if max(w_high - w_low, a_high - a_low) > RTOL * num.unit:
        low, high = (w_low, w_high) if game.first == num.rising else (a_low, a_high)
        return _offer_set(
            num,
            (low, high),
            "stationary subgame-perfect equilibria: the fixed points of the proposal "
            "map, located on a grid and refined by bisection",
            (
                *assumptions,
                f"no discounting and no breakdown risk: every {var} in the set is an "
                "equilibrium agreement (Rubinstein 1982, §5)",
            ),
        ), (*_moves(num, w_low, a_low).values(), *_moves(num, w_high, a_high).values())
    proposals = {n: move.offer for n, move in moves.items()}
    binding = {move.responder: move.walks for move in moves.values()}
    formula = exact_agreement = None
    note = ""
    if exact:
        size = _scale(game, proposals.values())
        with exact_budget(timeout) as budget:
            formulas = _exact(
                game, proposals[num.rising], proposals[num.falling], binding, budget, error
            )
            values = {n: budget.evaluate(e, m.substitutions) for n, e in (formulas or {}).items()}
            if formulas and all(_near(v, proposals[n], size, error) for n, v in values.items()):
                proposals = {n: v.real for n, v in values.items() if v is not None}
                formula = {var: formulas[game.first]}
                value = budget.tidy(formulas[game.first].xreplace(m.substitutions), _size)
                # The value at the parameters is written out where it is a closed form too
                # (not δ^Δ of a million periods computed to 30 digits: _float_free).
                exact_agreement = {var: value} if _float_free(value) else None
            else:
                note = declined_note(budget.declined)
    x = num.agreed(proposals[game.first])
    flat = _flat_offers(num, game.first, x)
    if flat is not None:
        route = (
            "stationary subgame-perfect equilibrium: the two responders' indifference "
            "conditions (brentq on the proposal map); the end of the proposer's flat "
            "payoff by bisection"
        )
        kept = (*assumptions, _indifferent(num, flat))
        return _offer_set(num, flat, route, kept, proposals), tuple(moves.values())
    return Solution(
        model=m.name,
        method="rubinstein",
        agreement={var: x},
        payoffs={n: num.utility(n, x) for n in m.party_names},
        disagreement={n: num.disagreement[n] for n in m.party_names},
        parameters={p.name: float(p.value) for p in m.parameters},
        delay=0.0,
        exact=formula is not None,
        formula=formula,
        exact_agreement=exact_agreement,
        route="stationary subgame-perfect equilibrium: the two responders' indifference "
        "conditions (brentq on the proposal map"
        + ("; exact: sympy.solve)" if formula else ")")
        + note,
        binding=tuple(f"{n} outside option" for n, b in binding.items() if b),
        extra={"proposals": proposals},
        assumptions=tuple(assumptions),
    ), tuple(moves.values())


def _delayed_solution(num: _Numeric, found: _Delayed, assumptions: Sequence[str]) -> Solution:
    """The solution of an equilibrium with delay (:func:`_delayed`): the agreement is the
    other party's offer, accepted at once where it proposes first, else after one round
    (``delay`` one period's length); the payoffs at time 0 count the round of strike and
    its breakdown risk."""
    game, m = num.game, num.game.model
    var = m.variables[0].name
    first_waits = game.first == found.waits
    other = next(n for n in m.party_names if n != found.waits)
    x = num.agreed(found.offer)
    outside = num.outside[found.waits] >= found.at_offer[found.waits]
    return Solution(
        model=m.name,
        method="rubinstein",
        agreement={var: x},
        payoffs=dict(found.at_wait if first_waits else found.at_offer),
        disagreement={n: num.disagreement[n] for n in m.party_names},
        parameters={p.name: float(p.value) for p in m.parameters},
        delay=float(game.period) if first_waits else 0.0,
        route="stationary subgame-perfect equilibrium with delay: the proposals accepted at "
        f"once fail the one-shot deviation test ({found.waits} gains by an offer that is "
        f"refused), so {found.waits}'s offers are refused and {other}'s accepted",
        binding=(f"{found.waits} outside option",) if outside else (),
        extra={"proposals": {found.waits: found.moves[found.waits].offer, other: x}},
        assumptions=(
            *assumptions,
            f"{found.waits} gains by waiting for {other}'s offer (worth its "
            + ("outside option" if outside else "strike payoffs")
            + f" to it) rather than making one {other} accepts; {found.waits}'s offers are "
            "refused (Muthoo 1999, §6.3: inside and outside options together)",
        ),
    )


def _flat_offers(num: _Numeric, proposer: str, x: float) -> tuple[float, float] | None:
    """The first offers as good as ``x`` to the ``proposer``, where they are a set: ``x`` is
    the proposer's best offer that the responder accepts (its indifference condition, or
    the proposer's best contract), the responder accepts every contract on the proposer's
    far side of it (its payoff is monotone), and the proposer's payoff is flat from ``x``
    towards those (to two units of rounding of its values): then
    every offer on the flat stretch is accepted and gives the proposer the same, and each
    is a subgame-perfect equilibrium first offer (the continuation does not change: the
    responder's demand in the next round depends on the proposer's payoff alone). Returns
    ``(low, high)`` where the stretch is wider than :data:`~bargain.scale.RTOL` of the
    contracts' unit, else ``None`` (one offer, as in Rubinstein 1982 with a strictly
    monotone frontier). ``u_W = min(x, 0.4)``, ``u_A = 1 - x``, ``δ_W = 0.9``, ``δ_A = 0.8``,
    W first: A accepts every ``x <= 0.488`` and W gets 0.4 for each in ``[0.4, 0.488]``."""
    towards = num.lo if proposer == num.rising else num.hi  # the responder's side
    value = num.utility(proposer, x)
    ends = [value, num.utility(proposer, num.lo), num.utility(proposer, num.hi)]
    tol = 2 * sys.float_info.epsilon * magnitude(ends)
    difference = num._difference(proposer)

    def as_good(y: float) -> bool:
        # In differences, cancelled (as the responders' conditions are): 1e9 + x changes by
        # less than its rounding over 5e-7, 5 + 1e-6 x over 3e-9, and was taken for flat
        # there; a flat piece (min(x, 0.4) beyond 0.4) differs by exactly 0.
        try:
            d = float(difference(y, x))
        except (ArithmeticError, ValueError, TypeError):
            d = math.nan
        if math.isfinite(d):
            return d >= 0
        return num.utility(proposer, y) >= value - tol

    inside, outside = x, towards
    if as_good(towards):
        inside = towards
    else:
        for _ in range(200):  # to neighbouring floats (about 60 halvings of the range)
            mid = (inside + outside) / 2
            if mid in (inside, outside):
                break
            if as_good(mid):
                inside = mid
            else:
                outside = mid
    if abs(inside - x) <= RTOL * num.unit:
        return None
    return (min(inside, x), max(inside, x))


def _indifferent(num: _Numeric, ends: tuple[float, float]) -> str:
    """The assumption of a set of first offers from a flat stretch (:func:`_flat_offers`)."""
    game = num.game
    var = game.model.variables[0].name
    best = ends[0] if game.first == num.rising else ends[1]  # the responder's best of them
    return (
        f"{game.first}'s payoff is the same at every {var} in the set and the other party "
        f"accepts each: {game.first} is indifferent, and every one is a subgame-perfect "
        "equilibrium first offer (Rubinstein 1982; Osborne & Rubinstein 1990, §3.10); none "
        f"is picked (the Pareto-efficient one is {var} = {best:.12g})"
    )


def _offer_set(
    num: _Numeric,
    ends: tuple[float, float],
    route: str,
    assumptions: tuple[str, ...],
    proposals: Mapping[str, float] | None = None,
) -> Solution:
    """The solution of a game whose equilibrium first offers are the contracts ``ends``
    ``(low, high)`` and every one between: no agreement picked (``agreement_set``, the
    payoffs at both ends in ``extra["payoff range"]``, each proposer's indifference offer
    in ``extra["proposals"]`` where given)."""
    m = num.game.model
    var = m.variables[0].name
    low, high = ends
    extra = {
        "payoff range": {
            f"{n} {end}": num.utility(n, x)
            for n in m.party_names
            for end, x in (("at low x", low), ("at high x", high))
        }
    }
    if proposals is not None:
        extra["proposals"] = dict(proposals)
    return Solution(
        model=m.name,
        method="rubinstein",
        agreement={},
        payoffs={},
        disagreement={n: num.disagreement[n] for n in m.party_names},
        parameters={p.name: float(p.value) for p in m.parameters},
        agreement_set={var: (low, high)},
        route=route,
        extra=extra,
        assumptions=assumptions,
    )


# -- sweeps: the closed form and the vectorised kernel ------------------------------------


def _finite_horizon(model: Model, options: Mapping[str, Any]) -> bool:
    h = options.get("horizon")
    if h is None:
        return model.bargaining.horizon != sympy.oo
    return not math.isinf(h)


def sweep_formula(
    model: Model, options: Mapping[str, Any], timeout: float
) -> tuple[dict[str, sympy.Expr], list[sympy.Expr], list[sympy.Expr]] | None:
    """The equilibrium agreement as a formula for sweeps (a registry ``formula``), with
    the checks under which it holds: the proposals inside the contract range, and each
    responder's outside option on the side of its continuation the formula assumes.
    ``None`` for a finite horizon (backward induction, point by point) or where no
    formula is found."""
    if _finite_horizon(model, options):
        return None
    try:
        game = game_of(model, proposer=options.get("proposer"), period=options.get("period"))
        num = _Numeric(game)
        found_moves = _infinite(num)
    except BargainError:
        return None
    if isinstance(found_moves, _Delayed):
        return None
    moves, error, ((w_lo, w_hi), (a_lo, a_hi)) = found_moves
    if max(w_hi - w_lo, a_hi - a_lo) > 0:
        return None
    binding = {m.responder: m.walks for m in moves.values()}
    props = {n: m.offer for n, m in moves.items()}
    with exact_budget(timeout) as budget:
        found = _exact(game, props[num.rising], props[num.falling], binding, budget, error)
    if found is None:
        return None
    x = game.x
    var = game.model.variables[0]  # its bounds with the constraints folded in
    agreed = found[game.first]
    payoffs = [p.payoff.xreplace({x: agreed}) for p in model.parties]
    tol = scale_tol([*found.values(), *payoffs])
    checks: list[sympy.Expr] = []
    for e in found.values():
        checks += [e - var.min + tol, var.max - e + tol]
    # Floats resolve the formula's value (cancellation in 1 - δ_W δ_A for patient parties).
    q = game.breakdown
    checks.append(
        1 - (1 - q) ** 2 * game.rising.discount * game.falling.discount - _ILL_CONDITIONED
    )
    # Impatience times the payoffs well above what floats hold (else the scalar solver
    # decides: it refuses ε u below the normal floats).
    lo, hi = var.min, var.max
    for side in (game.rising, game.falling):
        u = side.party.payoff
        size = sympy.Max(sympy.Abs(u.xreplace({x: lo})), sympy.Abs(u.xreplace({x: hi})))
        checks.append((1 - (1 - q) * side.discount) * size - _DELICATE)
    # Each responder's outside option is on the side of its continuation the formula assumes,
    # and no proposer gains by waiting (else the equilibrium has delay: the scalar solver).
    for side, other in ((game.rising, game.falling), (game.falling, game.rising)):
        own_offer = found[side.party.name]
        if side.outside is not None:
            keep = (
                side.strike
                + q * side.party.disagreement
                + (1 - q) * side.discount * (side.party.payoff.xreplace({x: own_offer}))
            )
            diff = side.outside - keep if binding[side.party.name] else keep - side.outside
            checks.append(diff + tol)
        # The proposer `other` does not gain by an offer `side` rejects (_waiting_pays):
        # it would get its disagreement payoff where `side` walks, else a round of strike
        # and `side`'s proposal.
        theirs = other.party.payoff
        wait = (
            other.party.disagreement
            if binding[side.party.name]
            else other.strike
            + q * other.party.disagreement
            + (1 - q) * other.discount * theirs.xreplace({x: own_offer})
        )
        checks.append(theirs.xreplace({x: found[other.party.name]}) - wait + tol)
    return {var.name: agreed}, [agreed, *payoffs], checks


def _moved(
    x: np.ndarray, step: np.ndarray, lo: np.ndarray | float, hi: np.ndarray | float
) -> np.ndarray:
    """``x - step`` clipped to ``[lo, hi]`` (one new array; bounds that are the same at
    every point may be given as floats, in one pass)."""
    new = x - step
    if np.ndim(lo) == np.ndim(hi) == 0:
        return np.clip(new, lo, hi, out=new)
    np.maximum(new, lo, out=new)
    return np.minimum(new, hi, out=new)


def _vouched(f1: np.ndarray, f2: np.ndarray, *payoffs: np.ndarray) -> np.ndarray:
    """Whether both indifference conditions' residuals are at most ``1e-10`` of the sum of
    the payoffs' sizes."""
    scale = np.abs(payoffs[0])
    for u in payoffs[1:]:
        scale += np.abs(u)
    scale *= 1e-10
    return (np.abs(f1) <= scale) & (np.abs(f2) <= scale)


class _Kernel:
    """The alternating-offers game compiled for sweeps: per round, each responder's continuation
    ``c + k u(y)`` (``c`` strike and breakdown payoffs, ``k = (1 - q) δ``) and outside option."""

    def __init__(self, model: Model, inputs: Sequence[str], options: Mapping[str, Any]) -> None:
        game = game_of(model, proposer=options.get("proposer"), period=options.get("period"))
        self.fr = Frontier(game.model, inputs)
        sides = {game.rising.party.name: game.rising, game.falling.party.name: game.falling}
        q = game.breakdown
        exprs = []
        for name in (self.fr.r.name, self.fr.f.name):
            s = sides[name]
            out = s.outside if s.outside is not None else sympy.Integer(-(10**300))
            exprs += [s.strike + q * s.party.disagreement, (1 - q) * s.discount, out]
        self.terms = compile_exprs(model, inputs, exprs)
        self.disagreements = compile_exprs(
            model, inputs, [sides[n].party.disagreement for n in (self.fr.r.name, self.fr.f.name)]
        )
        var = self.fr.var  # its bounds as floats where they are the same at every point
        self.bounds = compile_exprs(self.fr.model, inputs, [var.min, var.max], broadcast=False)
        self.first_rising = game.first == self.fr.r.name
        self.outside = game.rising.outside is not None or game.falling.outside is not None
        self.options = {"proposer": options.get("proposer"), "period": options.get("period")}
        self.step = None if self.outside else self._compiled_step(exprs)

    def _compiled_step(self, terms: Sequence[sympy.Expr]) -> Callable[..., list[np.ndarray]]:
        """Without outside options, the Newton step on the two indifference conditions as
        one compiled function of both proposals (on the frontier's model and inputs): the
        conditions, the step (the analytic Jacobian solved by Cramer's rule, simplified
        by sympy for the model, e.g. a constant derivative folded in) and the four
        payoffs, with common subexpressions computed once."""
        x = self.fr.x
        x_r, x_f = sympy.symbols("_proposal_r _proposal_f", real=True)
        c_r, k_r, _, c_f, k_f, _ = terms
        u_r, u_f = self.fr.r.payoff, self.fr.f.payoff
        ur, uf = u_r.xreplace({x: x_r}), u_f.xreplace({x: x_r})
        ur2, uf2 = u_r.xreplace({x: x_f}), u_f.xreplace({x: x_f})
        f1 = uf - (c_f + k_f * uf2)
        f2 = ur2 - (c_r + k_r * ur)
        j11, j12 = derivative(f1, x_r), derivative(f1, x_f)
        j21, j22 = derivative(f2, x_r), derivative(f2, x_f)
        det = j11 * j22 - j12 * j21
        d_r = (f1 * j22 - f2 * j12) / det
        d_f = (f2 * j11 - f1 * j21) / det
        exprs = [f1, f2, d_r, d_f, ur, uf, ur2, uf2]
        return compile_exprs(self.fr.model, self.fr.inputs, exprs, [x_r, x_f])

    def evaluate(self, params: dict[str, np.ndarray], newton_only: bool = False) -> Columns:
        x_r, x_f, status = self.proposals(params, newton_only)
        return self.fr.columns(x_r if self.first_rising else x_f, status, params)

    def proposals(
        self, params: dict[str, np.ndarray], newton_only: bool = False
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Both parties' equilibrium proposals (the rising party's, the falling party's)
        and the status of each point."""
        fr = self.fr
        n = params["_n"].size
        ends = self.bounds(params=params, n=n)
        lo, hi = (np.broadcast_to(e, (n,)) for e in ends)
        terms = self.terms(params=params, n=n)
        _, k_r, _, _, k_f, _ = terms
        out_r, out_f, ok = self._newton(params, *ends, terms)
        contracting = (k_r < 1) | (k_f < 1)
        status = np.where(ok & contracting, np.int8(OK), np.int8(NO_CONVERGENCE))
        redo = (status != OK) & contracting
        if not newton_only and redo.any():
            redo = np.flatnonzero(redo)
            sub = {**subset(params, redo), "_n": redo}
            xr2, xf2, st2 = self._fixed_point(sub, lo[redo], hi[redo])
            out_r[redo], out_f[redo], status[redo] = xr2, xf2, st2
        # Where floats cannot resolve the fixed point (very patient parties: its error is
        # about eps / (1 - k_r k_f)), the scalar solver, which polishes in 40 digits.
        patient = contracting & (1 - k_r * k_f < _ILL_CONDITIONED)
        if not newton_only and patient.any():
            patient = np.flatnonzero(patient)
            out_r[patient], out_f[patient], status[patient] = self._scalar(params, patient)
        status = np.where((status == OK) & ~fr.monotone(lo, hi, params), NO_CONVERGENCE, status)
        # Where the first proposer's payoff is flat beside its offer, towards the responder's
        # side, the first offers may be a set (_flat_offers): the scalar solver's verdict.
        k, x, side = (0, out_r, lo) if self.first_rising else (1, out_f, hi)
        with np.errstate(all="ignore"):
            u_x = fr.values(x, params=params, n=n)[k]
            u_in = fr.values(x + 1e-6 * (side - x), params=params, n=n)[k]
            flat = (x != side) & (u_in >= u_x - 2 * np.finfo(float).eps * np.abs(u_x))
        status = np.where((status == OK) & flat, NO_CONVERGENCE, status)
        # Where a proposer gains by an offer that is refused, the equilibrium has delay
        # (_delayed) or none: the scalar solver's verdict.
        status = np.where(
            (status == OK) & self._waiting_pays(out_r, out_f, terms, params, n),
            NO_CONVERGENCE,
            status,
        )
        # Where the impatience times the payoffs nears what floats hold, the scalar solver's
        # verdict (its refusal, or its answer in exact ε): never a bound reported as ok.
        u_lo, u_hi = fr.values(lo, params=params, n=n), fr.values(hi, params=params, n=n)
        with np.errstate(all="ignore"):
            delicate = ~(
                ((1 - k_r) * np.maximum(np.abs(u_lo[0]), np.abs(u_hi[0])) >= _DELICATE)
                & ((1 - k_f) * np.maximum(np.abs(u_lo[1]), np.abs(u_hi[1])) >= _DELICATE)
            )
        return out_r, out_f, np.where(delicate, NO_CONVERGENCE, status)

    def _waiting_pays(
        self,
        x_r: np.ndarray,
        x_f: np.ndarray,
        terms: Sequence[np.ndarray],
        params: dict[str, np.ndarray],
        n: int,
    ) -> np.ndarray:
        """Where a proposer gains by an offer the responder rejects, against the proposals
        ``x_r``, ``x_f`` (the one-shot deviation test of :func:`_waiting_pays`, vectorised;
        within ``1e-12`` of the payoffs, and unsure where a payoff is not a number)."""
        c_r, k_r, o_r, c_f, k_f, o_f = terms
        d_r, d_f = self.disagreements(params=params, n=n)
        u_rr, u_fr = self.fr.values(x_r, params=params, n=n)  # both payoffs at x_r
        u_rf, u_ff = self.fr.values(x_f, params=params, n=n)
        with np.errstate(all="ignore"):
            wait_r = np.where(o_f > c_f + k_f * u_ff, d_r, c_r + k_r * u_rf)
            wait_f = np.where(o_r > c_r + k_r * u_rr, d_f, c_f + k_f * u_fr)
            tol = 1e-12 * (np.abs(u_rr) + np.abs(u_fr) + np.abs(u_rf) + np.abs(u_ff))
            sure = (wait_r <= u_rr + tol) & (wait_f <= u_ff + tol)
        return ~sure

    def _newton(
        self,
        params: dict[str, np.ndarray],
        lo: np.ndarray | float,
        hi: np.ndarray | float,
        terms: Sequence[np.ndarray],
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Newton's method on the two indifference conditions, every point at once,

            u_f(x_r) = max(o_f, c_f + k_f u_f(x_f)),   u_r(x_f) = max(o_r, c_r + k_r u_r(x_r)),

        from the proposals of a linear frontier with the same discounting, improved in
        single precision (:meth:`_rough`), each step clipped to the contract range. The
        first step in double precision is taken at every point unchecked (a start good
        to single precision is not an answer); from then on a point stops on its own
        when its step is at most :data:`~bargain.concepts.vectorised.STEP` of its
        bounds' size (the new point is then exact to rounding: its error is of the
        order of the step squared), keeping that point whatever else is in the chunk;
        the points still moving leave the finished ones behind once they are fewer
        than half. A point is vouched for if both conditions hold to ``1e-10``
        (relative) at its last iterate, one step of at most ``STEP`` from the answer.
        Bounds that are the same at every point may be given as floats (cheaper in each
        step). Returns both proposals and whether each is vouched for."""
        _, k_r, _, _, k_f, _ = terms
        share = np.clip((1 - k_f) / (1 - k_r * k_f), 0, 1)
        x_r = lo + (hi - lo) * share
        x_f = lo + (hi - lo) * share * k_r
        x_r, x_f = self._rough(x_r, x_f, lo, hi, terms, params)
        d_r, d_f = self._step(x_r, x_f, terms, params)[2:4]
        x_r, x_f = _moved(x_r, d_r, lo, hi), _moved(x_f, d_f, lo, hi)
        # The work: its points (all, or `idx`), which of them are still moving (all where
        # `alive` is None), their bounds, stopping steps and, where the step reads them,
        # the game's terms, and their parameters.
        work = [lo, hi, STEP * (np.abs(lo) + np.abs(hi)), *(terms if self.step is None else ())]
        idx: np.ndarray | None = None
        alive: np.ndarray | None = None
        sub = params
        out: list[np.ndarray] = []  # both proposals and `ok`, once the first check is made
        for _ in range(60):
            w_lo, w_hi, tol, *w_terms = work
            f1, f2, d_r, d_f, *payoffs = self._step(x_r, x_f, w_terms, sub)
            new_r, new_f = _moved(x_r, d_r, w_lo, w_hi), _moved(x_f, d_f, w_lo, w_hi)
            moved = np.abs(new_r - x_r)
            moved += np.abs(new_f - x_f)
            # A NaN step (a singular Jacobian, a payoff undefined) stops too, unvouched.
            moving = moved > tol
            vouched = _vouched(f1, f2, *payoffs)
            if not out:  # every point's answer so far, without copies
                out = [new_r, new_f, vouched]
            elif idx is None:
                stop = ~moving if alive is None else alive & ~moving
                for o, v in zip(out, (new_r, new_f, vouched), strict=True):
                    np.copyto(o, v, where=stop)
            else:
                done = np.flatnonzero(~moving if alive is None else alive & ~moving)
                for o, v in zip(out, (new_r, new_f, vouched), strict=True):
                    o[idx[done]] = v[done]
            alive = moving if alive is None else alive & moving
            left = np.flatnonzero(alive)
            x_r, x_f = new_r, new_f
            if left.size == 0:
                break
            if left.size < x_r.size // 2:  # drop the finished points from the work
                x_r, x_f = x_r[left], x_f[left]
                idx = left if idx is None else idx[left]
                work = [v[left] if np.ndim(v) else v for v in work]
                sub = subset(params, idx)
                alive = None
        else:  # still moving after every step
            out[2][left if idx is None else idx[left]] = False
        out_r, out_f, ok = out
        ok &= (out_r >= lo) & (out_r <= hi) & (out_f >= lo) & (out_f <= hi)
        return out_r, out_f, ok

    def _rough(
        self,
        x_r: np.ndarray,
        x_f: np.ndarray,
        lo: np.ndarray | float,
        hi: np.ndarray | float,
        terms: Sequence[np.ndarray],
        params: Mapping[str, np.ndarray],
    ) -> tuple[np.ndarray, np.ndarray]:
        """Better starts for :meth:`_newton`: :data:`_ROUGH` Newton steps from ``x_r``,
        ``x_f`` in single precision (several times cheaper than double, and as good while
        the error is far above its rounding), the same number at every point. A point
        whose rough iterate is not finite (a payoff beyond single precision's range)
        keeps its start. The answers do not depend on the starts beyond rounding: the
        double-precision iteration that follows stops and vouches for each point as
        before."""

        def single(a: np.ndarray | float) -> np.ndarray | float:
            # A float stays one: numpy keeps the precision of the arrays it meets
            return a.astype(np.float32) if isinstance(a, np.ndarray) else a

        lo32, hi32 = single(lo), single(hi)
        terms32 = [single(t) for t in terms] if self.step is None else []
        sub = {name: single(params[name]) for name in self.fr.inputs}
        r, f = single(x_r), single(x_f)
        for _ in range(_ROUGH):
            _, _, d_r, d_f, *_ = self._step(r, f, terms32, sub)
            r, f = _moved(r, d_r, lo32, hi32), _moved(f, d_f, lo32, hi32)
        good = np.isfinite(r) & np.isfinite(f)
        return np.where(good, r, x_r), np.where(good, f, x_f)

    def _step(
        self,
        x_r: np.ndarray,
        x_f: np.ndarray,
        terms: Sequence[np.ndarray],
        params: Mapping[str, np.ndarray],
    ) -> list[np.ndarray]:
        """At the proposals ``x_r``, ``x_f``: both indifference conditions' residuals, the
        Newton step of each proposal, and the payoffs ``u_r(x_r), u_f(x_r), u_r(x_f),
        u_f(x_f)``. ``terms`` are the game's terms at the same points (:attr:`terms`; only
        the route with outside options reads them)."""
        m = x_r.size
        if self.step is not None:
            return self.step(x_r, x_f, params=params, n=m)
        c_r, k_r, o_r, c_f, k_f, o_f = terms
        ur, dur, uf, duf = self.fr.first(x_r, params=params, n=m)
        ur2, dur2, uf2, duf2 = self.fr.first(x_f, params=params, n=m)
        keep_f, keep_r = c_f + k_f * uf2, c_r + k_r * ur
        on_f, on_r = keep_f >= o_f, keep_r >= o_r  # else the outside option binds
        f1 = uf - np.where(on_f, keep_f, o_f)
        f2 = ur2 - np.where(on_r, keep_r, o_r)
        j12 = np.where(on_f, -k_f * duf2, 0.0)
        j21 = np.where(on_r, -k_r * dur, 0.0)
        det = duf * dur2 - j12 * j21
        return [
            f1,
            f2,
            (f1 * dur2 - f2 * j12) / det,
            (f2 * duf - f1 * j21) / det,
            ur,
            uf,
            ur2,
            uf2,
        ]

    def _scalar(
        self, params: dict[str, np.ndarray], idx: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The proposals of the points ``idx`` by :func:`rubinstein`, one at a time."""
        x_r, x_f = np.full(idx.size, np.nan), np.full(idx.size, np.nan)
        status = np.full(idx.size, NO_CONVERGENCE)
        for j, i in enumerate(idx):
            values = {name: float(params[name][i]) for name in self.fr.inputs}
            try:
                s = rubinstein(self.fr.model.with_values(values), exact=False, **self.options)
            except BargainError:
                continue
            proposals = s.extra["proposals"]
            x_r[j], x_f[j] = proposals[self.fr.r.name], proposals[self.fr.f.name]
            status[j] = OK
        return x_r, x_f, status

    def _fixed_point(
        self, params: dict[str, np.ndarray], lo: np.ndarray, hi: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The scalar solver's algorithm, vectorised: bisection on the composite proposal
        map, with each proposal found by bisection on the responder's payoff."""
        fr = self.fr
        n = lo.size
        c_r, k_r, o_r, c_f, k_f, o_f = self.terms(params=params, n=n)
        u_lo, u_hi = fr.payoffs(lo, params), fr.payoffs(hi, params)
        bad = np.zeros(n, dtype=bool)

        def offer(which: int, level: np.ndarray) -> np.ndarray:
            # The contract giving responder `which` exactly `level`, best for the proposer.
            k = 0 if which == 0 else 3
            worst, best = (lo, hi) if which == 0 else (hi, lo)
            u_worst = u_lo[k] if which == 0 else u_hi[k]
            u_best = u_hi[k] if which == 0 else u_lo[k]

            def g(x: np.ndarray) -> np.ndarray:
                return fr.payoffs(x, params)[k] - level

            inner = bisect(g, lo, hi)
            x = np.where(u_worst >= level, worst, np.where(u_best <= level, best, inner))
            bad[:] |= u_best < level - 1e-15 * (np.abs(level) + np.abs(u_best))
            return x

        def gap(x_f: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            uf = fr.payoffs(x_f, params)
            x_r = offer(1, np.maximum(o_f, c_f + k_f * uf[3]))
            ur = fr.payoffs(x_r, params)
            return offer(0, np.maximum(o_r, c_r + k_r * ur[0])) - x_f, x_r

        g_lo, g_hi = gap(lo)[0], gap(hi)[0]
        x_f = bisect(lambda z: gap(z)[0], lo, hi)
        x_f = np.where(g_lo == 0, lo, np.where(g_hi == 0, hi, x_f))
        bracket = (g_lo == 0) | (g_hi == 0) | (np.sign(g_lo) * np.sign(g_hi) < 0)
        bad[:] = False
        residual, x_r = gap(x_f)
        status = np.where(bracket & ~bad, OK, INFEASIBLE)
        status = np.where(
            (status == OK) & ~(np.abs(residual) <= RTOL * (np.abs(lo) + np.abs(hi))),
            NO_CONVERGENCE,
            status,
        )
        return x_r, x_f, status


def rubinstein_kernel(model: Model, inputs: Sequence[str], options: Mapping[str, Any]) -> Evaluate:
    """The alternating-offers equilibrium over arrays of parameter points (a registry
    ``kernel``): Newton on the two indifference conditions from the proposals of a
    linear frontier, with the scalar solver's nested bisection where Newton cannot
    vouch for a point. One contract variable, two parties, an infinite horizon; or
    several variables of which one is a transfer (:func:`transfer_kernel`).

    Raises
    ------
    ModelError
        For a finite horizon or a status quo (solved point by point).
    """
    if _finite_horizon(model, options):
        raise ModelError("a finite horizon is solved by backward induction, point by point")
    if model.bargaining.status_quo is not None:
        raise ModelError("a status quo belongs to the strike-or-holdout game")
    if len(model.variables) > 1:
        return transfer_kernel(model, inputs, options)
    return _Kernel(model, inputs, options).evaluate


def transfer_kernel(model: Model, inputs: Sequence[str], options: Mapping[str, Any]) -> Evaluate:
    """The alternating-offers equilibrium of a model with several contract variables, one
    of them a transfer (:mod:`bargain.strategic.transfer`), over arrays of points.

    The transfer reduction, vectorised: the other variables maximise the joint surplus
    in their bounds at every point at once
    (:func:`~bargain.concepts.vectorised.box_maximum`, started from the scalar
    maximiser at the model's values); the one-variable game over the transfer is then
    solved by the kernel of :func:`rubinstein_kernel`, with the maximiser's values
    passed in as parameters. A point whose maximiser is not vouched for, or at which a
    proposal reaches a bound of the transfer (where the scalar solver refuses the
    reduction, :meth:`~bargain.strategic.transfer.TransferReduction.check`), is left
    ``no_convergence``: the sweep solves it again point by point, with the scalar
    solver's own verdict.

    Raises
    ------
    ModelError
        If the model has no transfer (:func:`~bargain.strategic.transfer.find_transfer`)
        or has ``[constraints]``.
    """
    if model.constraints:
        raise ModelError("it handles the variables' bounds, not [constraints]")
    reduction = reduce_transfer(model, exact=False)
    t = reduction.transfer
    surplus_model, weights = surplus_of(model, t, reduction.coefficients)
    objective = sum((weights[p.name] * p.payoff for p in surplus_model.parties), sympy.Integer(0))
    surplus = box_maximum(surplus_model, inputs, objective, reduction.others)
    # The game over the transfer, the other variables standing as parameters.
    others = surplus_model.variable_names
    game_model = replace(
        model,
        variables=(model.variables[model.variable_names.index(t)],),
        parameters=(
            *model.parameters,
            *(Parameter(name, sympy.nsimplify(value)) for name, value in reduction.others.items()),
        ),
    )
    game = _Kernel(game_model, (*inputs, *others), options)
    first_rising = game.first_rising

    def classify(
        x_r: np.ndarray, x_f: np.ndarray, status: np.ndarray, params: dict[str, np.ndarray]
    ) -> np.ndarray:
        """``ok`` where both proposals are inside the transfer's bounds; ``infeasible``
        where one sits at the responder's worst bound, giving it clearly more than it
        demands, while the other proposal meets its responder's demand (the scalar solver
        refuses the reduction there: TransferReduction.check); else ``no_convergence``."""
        n = x_r.size
        lo, hi, _, _ = game.fr.constants(params=params, n=n)
        margin = _TRANSFER_MARGIN * (np.abs(lo) + np.abs(hi) + (hi - lo))
        inside = (np.minimum(x_r, x_f) > lo + margin) & (np.maximum(x_r, x_f) < hi - margin)
        c_r, k_r, o_r, c_f, k_f, o_f = game.terms(params=params, n=n)
        u_r = game.fr.values(x_r, params=params, n=n)
        u_f = game.fr.values(x_f, params=params, n=n)
        demand_f = np.maximum(o_f, c_f + k_f * u_f[1])  # of the falling party, from x_r
        demand_r = np.maximum(o_r, c_r + k_r * u_r[0])  # of the rising party, from x_f
        excess_f, excess_r = u_r[1] - demand_f, u_f[0] - demand_r
        scale = np.abs(u_r[0]) + np.abs(u_r[1]) + np.abs(u_f[0]) + np.abs(u_f[1])
        met_f, met_r = (np.abs(excess_f) <= 1e-10 * scale), (np.abs(excess_r) <= 1e-10 * scale)
        refused = ((x_r >= hi - margin) & met_r & (excess_f > _CLEAR * (1 + np.abs(demand_f)))) | (
            (x_f <= lo + margin) & met_f & (excess_r > _CLEAR * (1 + np.abs(demand_r)))
        )
        return np.where(
            (status == OK) & inside, OK, np.where(refused, INFEASIBLE, NO_CONVERGENCE)
        ).astype(np.int8)

    def at_bound(
        x_r: np.ndarray, x_f: np.ndarray, params: dict[str, np.ndarray]
    ) -> tuple[np.ndarray, np.ndarray]:
        """The proposals with the falling party's held at the low bound where it is there
        (else the rising party's at the high bound), the other giving its responder
        exactly its demand."""
        n = x_r.size
        lo, hi, _, _ = game.fr.constants(params=params, n=n)
        c_r, k_r, o_r, c_f, k_f, o_f = game.terms(params=params, n=n)
        margin = _TRANSFER_MARGIN * (np.abs(lo) + np.abs(hi) + (hi - lo))
        low = x_f <= lo + margin
        x_r, x_f = x_r.copy(), x_f.copy()
        x_f[low] = lo[low]
        x_r[~low] = hi[~low]
        u_lo = game.fr.values(lo, params=params, n=n)[1]
        u_hi = game.fr.values(hi, params=params, n=n)[0]
        demand_f = np.maximum(o_f, c_f + k_f * u_lo)
        demand_r = np.maximum(o_r, c_r + k_r * u_hi)
        for which, mask, level, target in ((1, low, demand_f, x_r), (0, ~low, demand_r, x_f)):
            i = np.flatnonzero(mask)
            if i.size:
                sub = {**subset(params, i), "_n": i}
                target[i] = game.fr.level(which, level[i], lo[i], hi[i], sub)[0]
        return x_r, x_f

    def evaluate(params: dict[str, np.ndarray]) -> Columns:
        y = surplus(params)
        inner = {**params, **{name: y[name] for name in others}}
        # Newton alone first: a proposal held at a bound of the transfer stops it, and such
        # a point is decided by classify; the scalar algorithm only for what is left.
        x_r, x_f, status = game.proposals(inner, newton_only=True)
        status = np.where(y["status"] == OK, classify(x_r, x_f, status, inner), NO_CONVERGENCE)
        held = np.flatnonzero((status == NO_CONVERGENCE) & (y["status"] == OK))
        if held.size:
            # Newton stops with a proposal clipped at a bound but the other one not at its
            # responder's demand: hold the clipped one there, solve for the other.
            sub = {**subset(inner, held), "_n": held}
            r, f = at_bound(x_r[held], x_f[held], sub)
            status[held] = classify(r, f, np.full(held.size, NO_CONVERGENCE), sub)
            x_r[held], x_f[held] = r, f
        redo = np.flatnonzero((status == NO_CONVERGENCE) & (y["status"] == OK))
        if redo.size:
            sub = {**subset(inner, redo), "_n": redo}
            r, f, st = game.proposals(sub)
            x_r[redo], x_f[redo], status[redo] = r, f, classify(r, f, st, sub)
        out = game.fr.columns(x_r if first_rising else x_f, status, inner)
        return {
            **{name: (out[name] if name == t else y[name]) for name in model.variable_names},
            **{f"payoff_{p}": out[f"payoff_{p}"] for p in model.party_names},
            "status": out["status"],
        }

    return evaluate


register(
    Concept(
        name="rubinstein",
        solve=rubinstein,
        summary="the subgame-perfect equilibrium of the alternating-offers game",
        order=20,
        options=("proposer", "period", "horizon"),
        formula=sweep_formula,
        kernel=rubinstein_kernel,
        credibility=True,
        brief=lambda model: tuple(
            (f"Rubinstein, {p.name} proposes first", {"proposer": p.name}) for p in model.parties
        ),
        parties=2,
    )
)


__all__ = [
    "AlternatingOffers",
    "Move",
    "backward_induction",
    "game_of",
    "read_horizon",
    "rubinstein",
    "rubinstein_kernel",
    "stationary_moves",
    "sweep_formula",
    "transfer_kernel",
]
