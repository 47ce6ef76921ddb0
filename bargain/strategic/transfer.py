"""Alternating offers over several contract variables, reduced to a game over a transfer.

The alternating-offers game of :mod:`bargain.rubinstein` is played over one
contract variable. A model with several is reduced to that game when one of
its variables is a **transfer**: a variable ``t`` that enters every payoff
linearly with a constant coefficient, positive for one party and negative for
the other,

    u_W = a_W t + f_W(y),    u_A = a_A t + f_A(y),    a_W > 0 > a_A,

where ``y`` are the other contract variables (a flat payment in dollars, with
``a_W = 1`` and ``a_A = −1``, is the typical case). This is *transferable
utility*: moving ``t`` shifts payoff from one party to the other at the fixed
rate ``a_W / |a_A|``, so measured in units of the transfer the set of payoff
pairs reachable at a given ``y`` is a line whose position is the **joint
surplus**

    S(y) = f_W(y) / a_W + f_A(y) / |a_A|.

Every efficient agreement therefore sets ``y`` to a maximiser ``y*`` of
``S`` (within the variables' bounds and the model's constraints), and the
parties bargain over ``t`` alone. In the alternating-offers game each
proposer offers the responder exactly what it gets by rejecting and keeps the
rest, so it proposes the contract that maximises its own payoff given the
responder's — which, with ``t`` free to move, is ``y*`` with ``t`` set to
meet the responder's demand. The equilibrium is then that of the
one-variable game over ``t`` with ``y`` fixed at ``y*``, and the non-transfer
terms are efficient and do not depend on patience, breakdown risk or who
proposes first.

This is the standard treatment of transferable utility; the statements
above are cited from memory, not from the stored texts: Muthoo (1999),
*Bargaining Theory with Applications*, discusses efficiency of the
alternating-offers equilibrium and bargaining over several issues when
utility is transferable; Osborne & Rubinstein (1990), *Bargaining and
Markets*, set out the alternating-offers model whose one-variable solution
the reduced game uses (Rubinstein 1982).

When the reduction refuses
--------------------------
- no variable is a transfer, or several are and ``[bargaining] transfer``
  does not say which (or names a variable that is not one);
- a constraint involves the transfer (then ``t`` is not free to move and the
  frontier need not be a line);
- the transfer's bounds bind in equilibrium: a proposal sits at ``min`` or
  ``max`` of ``t`` while the responder gets more (or less) than it demands.
  The proposer could then do better by moving ``y`` away from ``y*``, so the
  reduced game's answer is not the equilibrium of the game over all variables,
  and it is refused rather than reported. Widen the transfer's bounds.

Strike payoffs, disagreement payoffs, outside options and the bounds of the
variables may use parameters only (the loader enforces it), so none of them
depends on the contract and the reduction applies to them unchanged.

Examples
--------
>>> import bargain
>>> m = bargain.model_from_dict({
...     "model": {"name": "two"},
...     "variables": {"t": {"min": -10, "max": 10}, "y": {"min": 0, "max": 2}},
...     "parties": {"W": {"payoff": "t + y - y**2/2", "discount_factor": 0.9},
...                 "A": {"payoff": "-t + y - y**2/2", "discount_factor": 0.9}},
...     "bargaining": {"first_proposer": "W"}})
>>> s = bargain.rubinstein(m)
>>> s.exact_agreement
{'t': 1/38, 'y': 1}
>>> round(s.payoffs["W"], 12), s.extra["joint-surplus maximiser"]
(0.526315789474, {'y': 1.0})
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, replace

import sympy

from bargain.axiomatic.utilitarian import utilitarian
from bargain.concepts.solution import Solution
from bargain.errors import ModelError, SolverError
from bargain.model.model import Model, Variable
from bargain.model.validate import (
    numeric_value,
    require_two_parties,
    surely_nonzero,
    validate_model,
)
from bargain.scale import magnitude
from bargain.strategic.move import Move

_TOL = 1e-9


_SIDE = {"min": "lower bound", "max": "upper bound"}
"""A variable's bound by its key, in words."""
_PAST = {"min": "below", "max": "above"}
"""Past a variable's bound, by its key."""


@dataclass(frozen=True)
class TransferReduction:
    """A model with several contract variables, reduced to a game over its transfer.

    Attributes
    ----------
    model
        The model as given.
    reduced
        The same model with one contract variable, the transfer: the other
        variables are replaced by their joint-surplus maximiser (by its
        formula in the parameters where one was found, else by its value),
        and the constraints, which involve only those, are dropped.
    transfer
        Name of the transfer variable.
    coefficients
        Each party's (constant) coefficient of the transfer in its payoff.
    surplus
        The joint-surplus maximisation: the weighted utilitarian solution,
        with weights ``1 / |a_i|`` and without individual rationality, of the
        model without the transfer.
    """

    model: Model
    reduced: Model
    transfer: str
    coefficients: dict[str, sympy.Expr]
    surplus: Solution

    @property
    def others(self) -> dict[str, float]:
        """The joint-surplus maximiser ``y*``, by variable name."""
        return dict(self.surplus.agreement)

    @property
    def exact(self) -> bool:
        """Whether ``y*`` is a closed form in the parameters."""
        return self.surplus.formula is not None

    def check(self, moves: Sequence[Move]) -> None:
        """Refuse an equilibrium in which the transfer's bounds bind.

        ``moves`` are the equilibrium moves of the reduced game
        (:class:`bargain.strategic.move.Move`: proposer, responder, offer, and the
        least the responder accepts). The reduction is exact when every
        proposal gives the responder exactly its demand, or, in a round with
        delay, when the demand could have been met within the transfer's
        bounds (so delay is not caused by the bounds).

        Raises
        ------
        ModelError
            Naming ``[variables.T] min`` or ``max``: a bound of the transfer
            limits a proposal.
        """
        m = self.reduced
        v = m.variables[0]
        where = f"variables.{v.name}"
        bounds = {
            "min": numeric_value(m, v.min, where, "min"),
            "max": numeric_value(m, v.max, where, "max"),
        }
        for move in moves:
            proposer, responder = move.proposer, move.responder
            offer, demand = float(move.offer), float(move.demand)
            rising = numeric_value(
                m, self.coefficients[responder], f"parties.{responder}", "payoff"
            )
            best, worst = ("max", "min") if rising > 0 else ("min", "max")
            u_offer = self._payoff(responder, offer)
            # Relative to the sizes compared (bargain.scale): the same verdict in dollars or $bn.
            ends = [self._payoff(responder, b) for b in bounds.values()]
            tol = _TOL * magnitude([demand, u_offer, *ends])
            at_worst = abs(offer - bounds[worst]) <= _TOL * magnitude(bounds.values())
            if at_worst and u_offer > demand + tol:
                raise ModelError(
                    f"binds in equilibrium: {proposer} would offer {v.name} "
                    f"{_PAST[worst]} {bounds[worst]:g}, its {_SIDE[worst]} ({responder} gets "
                    f"{u_offer:.4g} at the bound, would accept {demand:.4g})",
                    file=m.file,
                    table=where,
                    key=worst,
                )
            if self._payoff(responder, bounds[best]) < demand - tol:
                raise ModelError(
                    f"binds in equilibrium: {proposer} would have to offer {v.name} "
                    f"{_PAST[best]} {bounds[best]:g}, its {_SIDE[best]} ({responder} gets "
                    f"{self._payoff(responder, bounds[best]):.4g} at the bound, would accept "
                    f"{demand:.4g})",
                    file=m.file,
                    table=where,
                    key=best,
                )

    def _payoff(self, name: str, value: float) -> float:
        m = self.reduced
        expr = m.numeric(m.party(name).payoff).xreplace({m.variables[0].symbol: value})
        return float(sympy.N(expr, 30))

    def complete(self, solution: Solution, moves: Sequence[Move]) -> Solution:
        """The solution of the reduced game as a solution of the model: every variable in
        the agreement (and formulas, where both steps have them), the reduction recorded in
        ``route``, ``extra`` and ``assumptions``. Refuses binding bounds (:meth:`check`)."""
        self.check(moves)
        names = self.model.variable_names
        t = self.transfer
        others = self.others
        s = self.surplus

        def ordered(values: dict[str, object]) -> dict:
            return {n: values[n] for n in names}

        agreement = ordered({t: solution.agreement[t], **others}) if solution.agreement else {}
        agreement_set = (
            None
            if solution.agreement_set is None
            else ordered({t: solution.agreement_set[t], **{k: (x, x) for k, x in others.items()}})
        )
        both = solution.formula is not None and s.formula is not None
        formula = ordered({t: solution.formula[t], **s.formula}) if both else None
        exact_agreement = (
            ordered({t: solution.exact_agreement[t], **s.exact_agreement})
            if both and solution.exact_agreement and s.exact_agreement
            else None
        )
        m = self.model
        coefficient = {
            f"coefficient of {t} in u_{n}": numeric_value(m, a, f"parties.{n}", "payoff")
            for n, a in self.coefficients.items()
        }
        rest = ", ".join(others)
        rates = " and ".join(f"{a} in u_{n}" for n, a in self.coefficients.items())
        assumption = (
            f"transferable utility: {t} is a transfer (coefficient {rates}); {rest} "
            f"{'is' if len(others) == 1 else 'are'} fixed at the maximiser of the joint "
            f"surplus in units of {t}, sum of (u_i - a_i {t}) / |a_i| (efficiency), and "
            f"the alternating-offers game is played over {t} alone"
        )
        return replace(
            solution,
            agreement=agreement,
            agreement_set=agreement_set,
            exact=solution.exact and formula is not None,
            formula=formula,
            exact_agreement=exact_agreement,
            route=f"{solution.route}; over the transfer {t}, with {rest} at the maximiser of "
            f"the joint surplus ({s.route})",
            binding=(*solution.binding, *s.binding),
            extra={
                **solution.extra,
                "transfer reduction": {
                    **coefficient,
                    "joint payoff (sum of payoffs)": s.extra["total"]["sum"],
                    "joint gain over disagreement": s.extra["total"]["sum"]
                    - sum(
                        solution.disagreement[n] / abs(c)
                        for n, c in zip(self.coefficients, coefficient.values(), strict=True)
                    ),
                },
                "joint-surplus maximiser": dict(others),
            },
            assumptions=(*solution.assumptions, assumption, *s.assumptions),
        )


@functools.lru_cache(maxsize=256)
def _linear(payoff: sympy.Expr, x: sympy.Symbol) -> tuple[sympy.Expr, sympy.Expr]:
    """``payoff`` as ``c * x + rest``: the simplified derivative ``c`` and the rest (kept
    per payoff expression: a model with other parameter values has the same payoffs).

    The rest is ``payoff - c * x`` as sympy forms it, which drops a term ``c * x`` written
    in the payoff, so the rest keeps the other terms as written; it is simplified only
    where ``x`` is left in it (``x + a*x`` less ``(a + 1)*x``), which only the
    simplification can show to be free of ``x`` (the flagship's rest took a fifth of a
    second of ``sympy.simplify`` and came out the same numbers).

    >>> a, x, y = sympy.symbols("a x y")
    >>> _linear(x + (1 - a) * (y / 100 - sympy.Rational(1, 100)), x)
    (1, (1 - a)*(y/100 - 1/100))
    >>> _linear(x + a * x + y, x)
    (a + 1, y)
    """
    c = sympy.simplify(sympy.diff(payoff, x))
    rest = payoff - c * x
    return c, (sympy.simplify(rest) if x in rest.free_symbols else rest)


def _visibly_nonlinear(model: Model, v: Variable) -> bool:
    """Whether some payoff's derivative in ``v`` depends on a contract variable for certain:
    a second derivative that is a finite nonzero number at the model's values and the centre of
    the variables' box (:func:`bargain.model.validate.surely_nonzero`). A cheap, exact
    disproof that ``v`` is a transfer (no simplification); a zero there, or a value sympy
    cannot decide, proves nothing."""
    return any(
        surely_nonzero(model, sympy.diff(sympy.diff(p.payoff, v.symbol), w.symbol))
        for p in model.parties
        for w in model.variables
    )


def _coefficients(model: Model, v: Variable) -> tuple[dict[str, sympy.Expr] | None, str]:
    """Each party's coefficient of ``v`` if ``v`` is a transfer, else ``None`` and why not."""
    symbols = {w.symbol for w in model.variables}
    coefficients = {}
    for p in model.parties:
        c, rest = _linear(p.payoff, v.symbol)
        if c.free_symbols & symbols or v.symbol in rest.free_symbols:
            return None, (
                f"u_{p.name} is not linear in {v.name} with a coefficient free of the contract "
                f"variables (its derivative is {c})"
            )
        coefficients[p.name] = c
    values = [numeric_value(model, c, f"parties.{n}", "payoff") for n, c in coefficients.items()]
    if not (min(values) < 0 < max(values)):
        shown = ", ".join(f"{c} in u_{n}" for n, c in coefficients.items())
        return None, (
            f"its coefficients must be positive for one party and negative for the other, "
            f"got {shown}"
        )
    return coefficients, ""


def find_transfer(model: Model) -> tuple[str, dict[str, sympy.Expr]]:
    """The model's transfer variable and each party's coefficient of it.

    The variable named by ``[bargaining] transfer`` if given, else the only
    variable that is a transfer (see the module docstring).

    Raises
    ------
    ModelError
        If the model does not have two parties; if no variable is a transfer
        (``[parties] payoff``); if several are and ``[bargaining] transfer``
        does not choose, or it names a variable that is not a transfer
        (``[bargaining] transfer``); if a constraint involves the transfer
        (``[constraints] NAME``).
    """
    file = model.file
    require_two_parties(model, "the alternating-offers game")
    named = model.bargaining.transfer
    if named is not None:
        variable = next((v for v in model.variables if v.name == named), None)
        if variable is None:
            raise ModelError(
                f"unknown variable {named!r}; the variables are {', '.join(model.variable_names)}",
                file=file,
                table="bargaining",
                key="transfer",
            )
        coefficients, why = _coefficients(model, variable)
        if coefficients is None:
            raise ModelError(
                f"{named} is not a transfer: {why}", file=file, table="bargaining", key="transfer"
            )
    else:
        found = {}
        for v in model.variables:
            if _visibly_nonlinear(model, v):
                continue
            coefficients, _ = _coefficients(model, v)
            if coefficients is not None:
                found[v.name] = coefficients
        if not found:
            raise ModelError(
                "the alternating-offers game is played over one contract variable, or over "
                f"several ({', '.join(model.variable_names)}) when one of them is a transfer: "
                "linear in every payoff with a constant coefficient, positive for one party "
                "and negative for the other; no variable is",
                file=file,
                table="parties",
                key="payoff",
            )
        if len(found) > 1:
            raise ModelError(
                f"several variables could be the transfer ({', '.join(found)}); say which "
                'with transfer = "NAME"',
                file=file,
                table="bargaining",
                key="transfer",
            )
        named, coefficients = next(iter(found.items()))
    symbol = model.variables[model.variable_names.index(named)].symbol
    for c in model.constraints:
        if symbol in c.relation.free_symbols:
            raise ModelError(
                f"involves the transfer {named}: the game is reduced to one over {named} only "
                f"when {named} is free to move within its bounds",
                file=file,
                table="constraints",
                key=c.name,
            )
    return named, coefficients


def surplus_of(
    model: Model, t: str, coefficients: dict[str, sympy.Expr]
) -> tuple[Model, dict[str, sympy.Expr]]:
    """The joint-surplus problem of a model with the transfer ``t``: the model without
    ``t`` (each payoff less its transfer term ``a_i t``), and each party's weight
    ``1 / |a_i|`` (see the module docstring)."""
    t_symbol = model.variables[model.variable_names.index(t)].symbol
    # |a_i| as the sign it has at the model's values, so the weights stay rational functions.
    weights = {
        n: (1 / a if numeric_value(model, a, f"parties.{n}", "payoff") > 0 else -1 / a)
        for n, a in coefficients.items()
    }
    surplus_model = replace(
        model,
        variables=tuple(v for v in model.variables if v.name != t),
        parties=tuple(replace(p, payoff=_linear(p.payoff, t_symbol)[1]) for p in model.parties),
        bargaining=replace(model.bargaining, transfer=None),
    )
    return surplus_model, weights


def reduce_transfer(
    model: Model, *, exact: bool = True, timeout: float = 10.0
) -> TransferReduction:
    """Reduce a model with a transfer to the one-variable game over it.

    Parameters
    ----------
    model
        A two-party model with a transfer variable (see the module docstring).
    exact
        Whether to look for the joint-surplus maximiser as a formula in the
        parameters.
    timeout
        CPU-time safety net, in seconds, of the whole solve's closed-form attempts,
        which are bounded by their work first (:mod:`bargain.concepts.budget`).

    Returns
    -------
    TransferReduction

    Raises
    ------
    ModelError
        See :func:`find_transfer`.
    FeasibilityError
        If the other variables' bounds and the constraints leave no contract.
    """
    validate_model(model)
    t, coefficients = find_transfer(model)
    rest = tuple(v for v in model.variables if v.name != t)
    surplus_model, weights = surplus_of(model, t, coefficients)
    surplus = utilitarian(
        surplus_model, weights=weights, individually_rational=False, exact=exact, timeout=timeout
    )
    if surplus.agreement_points:
        where = "; ".join(
            ", ".join(f"{k} = {x:g}" for k, x in p.items()) for p in surplus.agreement_points
        )
        raise SolverError(
            f"the joint surplus is maximal at several separate contracts ({where}): which one "
            "the parties bargain over by the transfer is not determined",
            file=model.file,
            table="parties",
            key="payoff",
        )
    if surplus.formula is not None:
        values = {v.symbol: surplus.formula[v.name] for v in rest}
    else:
        values = {v.symbol: sympy.Float(surplus.agreement[v.name]) for v in rest}
    reduced = replace(
        model,
        variables=(model.variables[model.variable_names.index(t)],),
        parties=tuple(replace(p, payoff=p.payoff.xreplace(values)) for p in model.parties),
        constraints=(),
    )
    return TransferReduction(
        model=model,
        reduced=reduced,
        transfer=t,
        coefficients=coefficients,
        surplus=surplus,
    )


__all__ = ["TransferReduction", "find_transfer", "reduce_transfer", "surplus_of"]
