"""The Nash bargaining solution, symmetric and generalised.

The (generalised) Nash solution maximises the weighted Nash product
``prod_i (u_i - d_i) ** w_i`` over the agreements that give every party at
least its disagreement payoff (Nash 1950; with bargaining powers ``w_i``,
Kalai 1977 / Roth 1979; Muthoo 1999, §2.2–2.3). The powers are normalised
to sum to one; without any, they are equal.

Examples
--------
>>> import bargain
>>> m = bargain.load_model(bargain.models_dir() / "concave.toml")
>>> s = bargain.nash(m)
>>> s.formula["x"], s.exact_agreement["x"]
(2/3, 2/3)
>>> bargain.nash(m, powers={"A": 1, "B": 3}).exact_agreement["x"]
2/5
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import sympy

from bargain.axiomatic.breakpoints import KINKED, linear_pieces
from bargain.axiomatic.payoff_unit import in_payoff_units
from bargain.axiomatic.problem import BargainingProblem, problem_of, sweep_formula
from bargain.concepts.budget import bounded
from bargain.concepts.registry import Concept, register
from bargain.concepts.solution import Solution
from bargain.concepts.vectorised import (
    GRID,
    INFEASIBLE,
    NO_CONVERGENCE,
    OK,
    TOL,
    Columns,
    Evaluate,
    Frontier,
    box_maximum,
    bracketed_newton,
    compile_exprs,
    interval,
    scalar_start,
    subset,
)
from bargain.errors import FeasibilityError, ModelError, SolverError
from bargain.model.model import Model, Parameter, exact_number
from bargain.model.patience import limit_model
from bargain.model.validate import shown
from bargain.scale import exceeds

_MARGIN = "_gain_margin"  # the first phase's margin, a parameter of the kernel alone


def bargaining_powers(
    model: Model, powers: Mapping[str, float] | None = None
) -> dict[str, sympy.Expr]:
    """Normalised bargaining powers: ``powers`` if given, else the parties' own, else equal.

    Raises
    ------
    ModelError
        For an unknown party, a power that is not positive, or powers given
        for some parties but not others.

    Examples
    --------
    >>> import bargain
    >>> m = bargain.load_model(bargain.models_dir() / "split.toml")
    >>> bargaining_powers(m, {"W": 1, "A": 3})
    {'W': 1/4, 'A': 3/4}
    >>> bargaining_powers(m, {"X": 1})
    Traceback (most recent call last):
    ...
    bargain.errors.ModelError: ...[parties] X: unknown party 'X'; the parties are W, A
    """
    if powers:
        for name in powers:
            model.party(name)
        raw = {
            p.name: exact_number(powers[p.name], table="power", key=p.name)
            for p in model.parties
            if p.name in powers
        }
        where = "--power"
    else:
        raw = {p.name: p.bargaining_power for p in model.parties if p.bargaining_power is not None}
        where = "bargaining_power"
    if not raw:
        return {p.name: sympy.Rational(1, len(model.parties)) for p in model.parties}
    missing = [p.name for p in model.parties if p.name not in raw]
    if missing:
        raise ModelError(
            f"{where} is given for {', '.join(raw)} but not for {', '.join(missing)}; "
            "give every party a power, or none",
            file=model.file,
            table="parties",
            key=missing[0],
        )
    for name, value in raw.items():
        if not model.numeric(value) > 0:
            raise ModelError(
                f"bargaining power must be positive, got {shown(model.numeric(value))}",
                file=model.file,
                table=f"parties.{name}",
                key="bargaining_power",
            )
    total = sum(raw.values())
    shares = {name: _share(value, total) for name, value in raw.items()}
    # Normalised first, then rounded: 1e-400 beside 1e-400 is a half each; 1e-400 beside 1
    # is a share that rounds to 0 (it was solved as a power of 0, which is refused).
    for name, share in shares.items():
        if not float(model.numeric(share)) > 0:
            raise ModelError(
                f"bargaining power's share of the total, {shown(model.numeric(share))}, rounds "
                "to 0 in floating point (below about 5e-324): no power can be so small a "
                "share of their total",
                file=model.file,
                table=f"parties.{name}",
                key="bargaining_power",
            )
    return shares


@functools.lru_cache(maxsize=256)
def _share(power: sympy.Expr, total: sympy.Expr) -> sympy.Expr:
    """``power / total`` as one fraction with common factors cancelled, its denominator
    led by a positive term, kept per pair of expressions: the BRW limit's powers are
    formulas in the parameters, the same for a model at other values. (For the powers of
    the shipped models this is the form ``sympy.simplify`` gives, at a tenth of its cost,
    which was an eighth of ``bargain brief wga2007``.)

    >>> r_w, r_a = sympy.symbols("r_W r_A", positive=True)
    >>> _share(r_a / (r_w + r_a), r_a / (r_w + r_a) + r_w / (r_w + r_a))
    r_A/(r_A + r_W)
    """
    numerator, denominator = sympy.fraction(sympy.cancel(power / total))
    if denominator.could_extract_minus_sign():
        numerator, denominator = -numerator, -denominator
    return numerator / denominator


LIMIT_LABEL = "generalised Nash (BRW limit)"
"""The brief's row of the alternating-offers limit (``limit=True``)."""


@in_payoff_units(common=False, contracts=True, rational=True, levels=())
@bounded
def nash(
    model: Model,
    *,
    powers: Mapping[str, float] | None = None,
    limit: bool = False,
    exact: bool = True,
    timeout: float = 10.0,
) -> Solution:
    """The (generalised) Nash bargaining solution of a model.

    Parameters
    ----------
    model
        The model; its parties' ``bargaining_power`` fields are used unless
        ``powers`` is given.
    powers
        Bargaining power of each party (any positive numbers; normalised).
    limit
        Solve the limit of the alternating-offers game as offers come faster instead
        (Binmore, Rubinstein & Wolinsky 1986): powers proportional to ``1 / (r_i + λ)``
        and the impasse point ``(s_i + λ d_i) / (r_i + λ)`` as the threat point, from
        the model's discount rates ``r_i``, breakdown hazard ``λ``, strike payoffs
        ``s_i`` and disagreement payoffs ``d_i`` (:mod:`bargain.model.patience`).
        Refuses ``powers`` beside it.
    exact
        Whether to look for a closed form with sympy (else numeric only).
    timeout
        CPU-time safety net, in seconds, of the whole solve's closed-form attempts,
        which are bounded by their work first (:mod:`bargain.concepts.budget`).

    Returns
    -------
    Solution
        ``method="nash"``, with ``powers`` recorded.

    Raises
    ------
    FeasibilityError
        If the contract set is empty or no agreement improves on disagreement.
    """
    holders = [p.name for p in model.parties if p.outside_option is not None] if limit else []
    model = _limited(model, powers, limit)
    problem = problem_of(model)
    weights = bargaining_powers(model, powers)
    objective = problem.log_nash_product(list(weights.values()))
    program = problem.program(objective, inequalities=problem.rational())
    try:
        starts = problem.interior_start(timeout)
    except FeasibilityError:
        if len(holders) != 1:
            raise
        found = _option_binds(problem, holders[0], weights, timeout)
        if found is None:
            raise
        return found
    result = problem.solve(program, starts, exact=exact, timeout=timeout)
    equal = len(set(weights.values())) == 1
    solution = problem.solution(
        "nash",
        result,
        route="maximise the weighted log Nash product (SLSQP, KKT Newton polish)",
        exact=exact,
        powers={k: float(model.numeric(v)) for k, v in weights.items()},
        assumptions=(
            (LIMIT_ASSUMPTION,)
            if limit
            else (
                "symmetric Nash solution (equal bargaining powers)"
                if equal
                else "generalised Nash solution with the bargaining powers shown",
            )
        ),
        timeout=timeout,
    )
    _require_gains(problem, solution, weights)
    flat = problem.flat(objective)
    if not flat or solution.agreement_set is not None:
        return problem.equivalent(solution, timeout)
    # The Nash product does not depend on these variables (exp(x) against exp(-x): it is 1
    # everywhere): every individually rational agreement that moves them is a solution.
    names = ", ".join(str(v) for v in flat)
    return problem.spread(
        solution,
        flat,
        problem.rational(),
        timeout,
        f"the Nash product does not depend on {names}: every individually rational value "
        "the bounds and constraints allow is a solution (a set; no tie-break picks one); "
        "the one reported is where the search left it",
    )


def _require_gains(
    problem: BargainingProblem, solution: Solution, weights: Mapping[str, sympy.Expr]
) -> None:
    """Refuse a Nash solution where a party of positive bargaining power gains nothing over
    its disagreement payoff (to 64 units of its payoffs' rounding): its Nash product is
    zero there, and positive at the interior start every Nash search begins from, so the
    point is no maximum, whatever route found it (a window of one dollar on a term of 1e12,
    in floats, was reported as ``x = a``, "(exact)", on the active set that holds W's gain
    at zero)."""
    for name, power in weights.items():
        u, d = solution.payoffs.get(name), solution.disagreement[name]
        if u is None or not power.is_positive:
            continue
        if not exceeds(u, d):
            where = ", ".join(f"{k} = {v:.17g}" for k, v in solution.agreement.items())
            raise SolverError(
                f"no maximum of the Nash product found: the search ended at {where}, where "
                f"{name} gains nothing over its disagreement payoff ({d:.17g}), so the "
                "product is zero there, and it is positive at agreements the search started "
                "from; the answer would be wrong",
                file=problem.model.file,
            )


def _option_binds(
    problem: BargainingProblem, holder: str, weights: Mapping[str, sympy.Expr], timeout: float
) -> Solution | None:
    """The alternating-offers limit where ``holder``'s outside option binds beside inside
    options: strike payoffs lift the other party's impasse point above what the option
    leaves it, so no agreement improves on every impasse point, and the game gives the
    holder exactly its option (the outside-option principle: Binmore, Shaked & Sutton
    1989; Muthoo 1999, ch. 6), the other party the best agreement that leaves it so
    (were it to hold out, the holder would take its option). Found as the other party's
    largest payoff under the model's constraints, ``u_holder >= o_holder`` among them
    (:func:`bargain.model.patience.limit_model`). ``None`` where the holder would rather
    hold out than take its option (its impasse point is above it): then no agreement."""
    model = problem.model
    other = next(p for p in model.parties if p.name != holder)
    result = problem.solve(
        problem.program(other.payoff), problem.box_starts(), exact=False, timeout=timeout
    )
    solution = problem.solution(
        "nash",
        result,
        route=f"the best agreement for {other.name} that gives {holder} its outside option "
        "(SLSQP, KKT Newton polish)",
        exact=False,
        powers={k: float(model.numeric(v)) for k, v in weights.items()},
        assumptions=(
            LIMIT_ASSUMPTION,
            f"{holder}'s outside option binds where {other.name}'s inside options (strike "
            f"payoffs) would ask for more: {holder} gets exactly its option (the "
            "outside-option principle)",
        ),
        timeout=timeout,
    )
    return None if solution.payoffs[holder] < solution.disagreement[holder] else solution


def _limited(model: Model, powers: Mapping[str, float] | None, limit: bool) -> Model:
    """``model``, or with ``limit`` the model of the alternating-offers limit
    (:func:`bargain.model.patience.limit_model`), which sets the powers itself."""
    if not limit:
        return model
    if powers:
        raise ModelError(
            "the alternating-offers limit sets the powers itself: give powers or limit",
            file=model.file,
            table="nash",
            key="powers",
        )
    return limit_model(model)


LIMIT_ASSUMPTION = (
    "the limit of the alternating-offers game as offers come faster (Binmore, Rubinstein & "
    "Wolinsky 1986): powers proportional to 1/(r_i + λ), λ = -ln(1 - q) the breakdown hazard "
    "per period; threat point the impasse point (s_i + λ d_i)/(r_i + λ), the value of "
    "bargaining for ever (strike payoffs s_i until a breakdown, then d_i); an outside option "
    "o_i is the constraint u_i >= o_i (the outside-option principle: Binmore, Shaked & "
    "Sutton 1989); a finite horizon and focal dates are left out"
)
"""The assumption a solution with ``limit=True`` records."""


def nash_kernel(model: Model, inputs: Sequence[str], options: Mapping[str, Any]) -> Evaluate:
    """The Nash solution over arrays of parameter points (a registry ``kernel``).

    One contract variable and two parties with monotone payoffs: safeguarded Newton
    with a bisection bracket on the first-order condition of the (weighted) log Nash
    product; each point is checked against a grid of the individually rational
    interval (a single maximum) and the payoffs' kinks' breakpoints in it
    (:func:`~bargain.axiomatic.breakpoints.linear_pieces`: a narrow bump between the grid's
    points), and flagged otherwise (solved again point by point): every point where a
    breakpoint is not a root of a piece linear in the variable. Several contract variables
    (any number of parties, bounds but no ``[constraints]``): the log Nash product
    maximised in the box by :class:`~bargain.concepts.vectorised.Box` (see
    :func:`nash_box_kernel`).
    """
    model = _limited(model, options.get("powers"), bool(options.get("limit")))
    if len(model.variables) > 1:
        return nash_box_kernel(model, inputs, options)
    fr = Frontier(model, inputs)
    weights = bargaining_powers(model, options.get("powers"))
    w = compile_exprs(model, inputs, [weights[fr.r.name], weights[fr.f.name]])
    x_symbol = model.variables[0].symbol
    kinked = [p.payoff for p in model.parties if p.payoff.has(*KINKED)]
    found = [linear_pieces(e, x_symbol) for e in kinked]
    pieces = None if None in found else [p for f in found for p in f or ()]
    kinks = compile_exprs(model, inputs, [e for piece in pieces for e in piece]) if pieces else None

    def evaluate(params: dict[str, np.ndarray]) -> Columns:
        n = params["_n"].size
        lo, hi, d_r, d_f, a, b, a_open, b_open, feasible, infeasible = interval(fr, params)
        w_r, w_f = w(params=params, n=n)

        def dphi(x: np.ndarray, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            u = fr.payoffs(x, subset(params, idx))
            g_r, g_f = u[0] - d_r[idx], u[3] - d_f[idx]
            first = w_r[idx] * u[1] / g_r + w_f[idx] * u[4] / g_f
            second = (
                w_r[idx] * (u[2] * g_r - u[1] ** 2) / g_r**2
                + w_f[idx] * (u[5] * g_f - u[4] ** 2) / g_f**2
            )
            return first, second

        all_idx = np.arange(n)
        s_a = np.where(a_open, 1.0, np.sign(dphi(a, all_idx)[0]))
        s_b = np.where(b_open, -1.0, np.sign(dphi(b, all_idx)[0]))
        x = np.where(s_a <= 0, a, np.where(s_b >= 0, b, np.nan))
        # Infeasible only where surely so; other points the kernel cannot place go to
        # the scalar solver (NO_CONVERGENCE, solved again point by point by the sweep).
        status = np.where(feasible, OK, np.where(infeasible, INFEASIBLE, NO_CONVERGENCE))
        inner = np.flatnonzero(feasible & (s_a > 0) & (s_b < 0))
        if inner.size:
            root, ok = bracketed_newton(
                lambda xx, idx: dphi(xx, inner[idx]), a[inner], b[inner], np.ones(inner.size)
            )
            x[inner] = root
            status[inner[~ok]] = NO_CONVERGENCE

        # A single maximum: no grid point of (a, b) beats the answer.
        def log_product(xx: np.ndarray) -> np.ndarray:
            u = fr.payoffs(xx, params)
            return w_r * np.log(u[0] - d_r) + w_f * np.log(u[3] - d_f)

        best = log_product(x)
        checks = [a + t * (b - a) for t in np.linspace(0, 1, GRID + 2)[1:-1]]
        if kinks is not None:
            terms = kinks(params=params, n=n)
            with np.errstate(all="ignore"):
                roots = [
                    -value / slope for slope, value in zip(terms[::2], terms[1::2], strict=True)
                ]
            checks += [np.where((a < r) & (r < b), r, x) for r in roots]
        for point in checks:
            other = log_product(point)
            status = np.where(
                (status == OK) & (other > best + TOL * (1 + np.abs(best))), NO_CONVERGENCE, status
            )
        if pieces is None:
            status = np.where(status == OK, NO_CONVERGENCE, status)  # breakpoints unknown
        status = np.where((status == OK) & ~fr.monotone(lo, hi, params), NO_CONVERGENCE, status)
        status = np.where((status == OK) & ~np.isfinite(best), NO_CONVERGENCE, status)
        return fr.columns(x, status, params)

    return evaluate


def nash_box_kernel(model: Model, inputs: Sequence[str], options: Mapping[str, Any]) -> Evaluate:
    """The Nash solution of a model with several contract variables over arrays of
    parameter points: the weighted log Nash product (Nash 1950; Muthoo 1999, §2.2–2.3)
    maximised in the box of the variables' bounds by
    :func:`~bargain.concepts.vectorised.box_maximum`, started from the
    scalar solution at the model's values. A point where no start improves on
    disagreement for every party, or whose maximum is not vouched for, is left
    ``no_convergence`` (solved again point by point by the sweep).

    Raises
    ------
    ModelError
        If the model has ``[constraints]``, or its scalar solution at the model's
        values cannot be found (no start).
    """
    if model.constraints:
        raise ModelError("it handles the variables' bounds, not [constraints]")
    problem = BargainingProblem(model)
    weights = bargaining_powers(model, options.get("powers"))
    objective = problem.log_nash_product(list(weights.values()))
    start = scalar_start(model, lambda m: nash(m, powers=options.get("powers"), exact=False))
    maximum = box_maximum(model, inputs, objective, start)

    # Where no start improves on disagreement for every party (the log product is not
    # finite there), a first phase: the product of the gains each raised by a margin
    # that makes the start's finite, which balances the gains, then the product itself.
    # Compiled when a point first needs it (none of the flagship's do).
    @functools.cache
    def phase() -> Evaluate:
        margin = Parameter(_MARGIN, 0)
        widened = replace(model, parameters=(*model.parameters, margin))
        shifted = BargainingProblem(widened).log_nash_product(
            list(weights.values()), shift=margin.symbol
        )
        return box_maximum(widened, (*inputs, _MARGIN), shifted, start)

    xs = [v.symbol for v in model.variables]
    payoffs = compile_exprs(model, inputs, [p.payoff for p in model.parties], xs)
    gains = compile_exprs(model, inputs, [p.payoff - p.disagreement for p in model.parties], xs)
    names = model.variable_names

    def evaluate(params: dict[str, np.ndarray]) -> Columns:
        n = params["_n"].size
        out = maximum(params)
        redo = np.flatnonzero(out["status"] != OK)
        if redo.size:
            sub = subset(params, redo)
            x = np.stack([out[v][redo] for v in names], axis=1)
            g = np.stack(gains(*x.T, params=sub, n=redo.size), axis=1)
            lift = 2 * np.maximum(0.0, -np.min(g, axis=1)) + 1e-3 * (1 + np.max(np.abs(g), axis=1))
            first = phase()({**sub, _MARGIN: lift, "_n": redo}, x)
            again = maximum({**sub, "_n": redo}, np.stack([first[v] for v in names], axis=1))
            out = {k: v.copy() for k, v in out.items()}
            for k in out:
                out[k][redo] = again[k]
        u = payoffs(*(out[v] for v in names), params=params, n=n)
        out.update({f"payoff_{p}": u[i] for i, p in enumerate(model.party_names)})
        return out

    return evaluate


def _brief_label(model: Model) -> str:
    """The brief's label of the Nash row: the powers it is solved with, the model's own
    where they are unequal (a row labelled "equal powers" gave the 1 : 3 point).

    >>> import bargain
    >>> m = bargain.load_model(bargain.models_dir() / "split.toml")
    >>> _brief_label(m)
    'Nash (equal powers)'
    """
    try:
        powers = bargaining_powers(model)
    except ModelError:
        return "Nash (equal powers)"
    if len(set(powers.values())) <= 1:
        return "Nash (equal powers)"
    shown = ", ".join(f"{name} = {float(w):.4g}" for name, w in powers.items())
    return f"generalised Nash (the model's powers: {shown})"


register(
    Concept(
        name="nash",
        levels=True,
        solve=nash,
        summary="the (generalised) Nash bargaining solution",
        order=10,
        options=("powers", "limit"),
        formula=sweep_formula(nash, strict=True),
        kernel=nash_kernel,
        credibility=True,
        brief=lambda model: (
            (_brief_label(model), {}),
            (LIMIT_LABEL, {"limit": True}),
        ),
    )
)


__all__ = [
    "bargaining_powers",
    "nash",
    "nash_box_kernel",
    "nash_kernel",
]
