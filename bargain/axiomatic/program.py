"""Smooth constrained maximisation, numerically and — where sympy can — exactly.

Every axiomatic solution is the maximiser of some objective over the
contract variables (plus auxiliary unknowns) subject to bounds and
constraints. :func:`solve_program` solves such a :class:`Program` in three
steps:

1. **Numeric search.** scipy's SLSQP from several starting points; the best
   feasible local maximum wins.
2. **Polish.** The bounds and constraints that bind there (the *active set*)
   turn the Karush–Kuhn–Tucker conditions into a square system of equations,
   solved by Newton's method in 30-digit arithmetic (``sympy.nsolve``,
   i.e. mpmath's ``findroot``) from the SLSQP point. This takes the answer
   from SLSQP's ~1e-8 to machine precision.
3. **Exact.** The same KKT system with the parameters kept as symbols is
   handed to ``sympy.solve``, within the solve's work budget
   (:mod:`bargain.concepts.budget`). The candidate that agrees with the
   polished numeric point is the closed form, valid wherever the active set
   stays the same.

Examples
--------
Maximise ``log(x) + log(1 - x)`` on ``[0, 1]``:

>>> import sympy
>>> x = sympy.Symbol("x", real=True)
>>> p = Program(objective=sympy.log(x) + sympy.log(1 - x), unknowns=(x,),
...             lower=(sympy.Integer(0),), upper=(sympy.Integer(1),))
>>> r = solve_program(p, {}, starts=[[0.3]])
>>> r.exact[x], round(r.point[x], 12)
(1/2, 0.5)
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import sympy
from scipy.optimize import Bounds, NonlinearConstraint, minimize

from bargain.concepts.budget import Budget, exact_budget
from bargain.errors import FeasibilityError, SolverError

FEASIBILITY_TOL = 1e-9  # a polished point must satisfy every constraint to this (relative)
SEARCH_TOL = 1e-7  # an SLSQP end point may miss a binding constraint by this much
ACTIVE_TOL = 1e-6  # a constraint this close to zero at the SLSQP point binds
BOUND_TOL = 1e-10  # an unknown this close to a bound sits on it (SLSQP clips to bounds)
MATCH_TOL = 1e-6  # a closed form must reproduce the numeric answer to this
TIE_TOL = 1e-9  # two maxima this close in value (relative) are tied


@dataclass(frozen=True)
class Program:
    """Maximise ``objective`` over ``unknowns`` subject to bounds and constraints.

    All expressions may contain parameter symbols, which :func:`solve_program`
    substitutes for the numeric steps and keeps for the exact one.

    Attributes
    ----------
    objective
        Expression to maximise.
    unknowns
        The symbols to choose.
    lower, upper
        Bounds of each unknown (``-oo`` / ``oo`` for none).
    inequalities
        Expressions that must be ``>= 0``, with ``inequality_names`` for reports.
    equalities
        Expressions that must be ``== 0``.
    """

    objective: sympy.Expr
    unknowns: tuple[sympy.Symbol, ...]
    lower: tuple[sympy.Expr, ...]
    upper: tuple[sympy.Expr, ...]
    inequalities: tuple[sympy.Expr, ...] = ()
    inequality_names: tuple[str, ...] = ()
    equalities: tuple[sympy.Expr, ...] = ()
    equality_names: tuple[str, ...] = ()


@dataclass(frozen=True)
class ProgramResult:
    """The maximiser of a :class:`Program`.

    Attributes
    ----------
    point
        Numeric value of every unknown (polished when possible).
    exact
        Closed form of every unknown in the parameters, or ``None``.
    active
        Names of the bounds and constraints that bind.
    polished
        Whether the KKT Newton polish converged.
    objective
        The objective's value there.
    declined
        Why the exact route gave up (its work budget), or ``None``.
    ties
        Other maximisers, as good as ``point`` to working precision and apart from
        it, with worse points between (separate maxima, not one flat set); found
        by the multi-start search, numeric and polished.
    """

    point: dict[sympy.Symbol, float]
    exact: dict[sympy.Symbol, sympy.Expr] | None
    active: tuple[str, ...]
    polished: bool
    objective: float = field(default=math.nan)
    declined: str | None = None
    ties: tuple[dict[sympy.Symbol, float], ...] = ()


def _scale(values: Sequence[float]) -> float:
    return 1.0 + max((abs(v) for v in values if math.isfinite(v)), default=0.0)


class _Numeric:
    """The program with parameter values substituted, compiled to numpy callables."""

    def __init__(self, program: Program, subs: Mapping[sympy.Symbol, sympy.Expr]) -> None:
        z = program.unknowns
        self.program = program

        def num(e: sympy.Expr) -> sympy.Expr:
            # Constant function values (e.g. a LambertW in a closed-form level that another
            # program passes on) as 30-digit numbers: numpy has no LambertW to compile.
            return (
                sympy.sympify(e)
                .xreplace(dict(subs))
                .replace(
                    lambda n: isinstance(n, sympy.Function) and not n.free_symbols,
                    lambda n: sympy.N(n, 30),
                )
            )

        self.f_expr = num(program.objective)
        self.g_expr = [num(g) for g in program.inequalities]
        self.h_expr = [num(h) for h in program.equalities]
        self.lo = np.array([float(num(b)) for b in program.lower])
        self.hi = np.array([float(num(b)) for b in program.upper])
        grad = [sympy.diff(self.f_expr, v) for v in z]
        self._f = sympy.lambdify([z], self.f_expr, "numpy")
        self._df = sympy.lambdify([z], grad, "numpy")
        self._g = [sympy.lambdify([z], g, "numpy") for g in self.g_expr]
        self._dg = [
            sympy.lambdify([z], [sympy.diff(g, v) for v in z], "numpy") for g in self.g_expr
        ]
        self._h = [sympy.lambdify([z], h, "numpy") for h in self.h_expr]
        self._dh = [
            sympy.lambdify([z], [sympy.diff(h, v) for v in z], "numpy") for h in self.h_expr
        ]

    def f(self, z: np.ndarray) -> float:
        with np.errstate(all="ignore"):
            v = complex(self._f(z))
        return v.real if math.isfinite(v.real) and v.imag == 0 else -1e30

    def neg_f(self, z: np.ndarray) -> float:
        return -self.f(z)

    def neg_df(self, z: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            g = np.array(self._df(z), dtype=complex)
        if not np.all(np.isfinite(g)) or np.any(g.imag != 0):
            return np.zeros(len(z))
        return -g.real

    def violation(self, z: np.ndarray) -> float:
        with np.errstate(all="ignore"):
            worst = max(
                [0.0]
                + [max(0.0, -float(g(z))) for g in self._g]
                + [abs(float(h(z))) for h in self._h]
                + list(np.maximum(self.lo - z, 0))
                + list(np.maximum(z - self.hi, 0))
            )
        return worst if math.isfinite(worst) else math.inf

    def nonlinear_constraints(self) -> list[NonlinearConstraint]:
        cons = []
        for g, dg in zip(self._g, self._dg, strict=True):
            cons.append(NonlinearConstraint(g, 0, np.inf, jac=lambda z, dg=dg: _row(dg(z))))
        for h, dh in zip(self._h, self._dh, strict=True):
            cons.append(NonlinearConstraint(h, 0, 0, jac=lambda z, dh=dh: _row(dh(z))))
        return cons

    def scipy_constraints(self) -> list[dict[str, object]]:
        cons: list[dict[str, object]] = []
        for g, dg in zip(self._g, self._dg, strict=True):
            cons.append({"type": "ineq", "fun": g, "jac": lambda z, dg=dg: np.array(dg(z), float)})
        for h, dh in zip(self._h, self._dh, strict=True):
            cons.append({"type": "eq", "fun": h, "jac": lambda z, dh=dh: np.array(dh(z), float)})
        return cons


def _row(values: object) -> np.ndarray:
    """A constraint gradient as a finite 2-D row (an infinite slope becomes a large one)."""
    return np.atleast_2d(np.nan_to_num(np.asarray(values, dtype=float), posinf=1e12, neginf=-1e12))


def _search(num: _Numeric, starts: Sequence[Sequence[float]]) -> list[tuple[float, np.ndarray]]:
    """Multi-start local search; the feasible end points with their values, by start.

    SLSQP (gradient-based) runs first from each start. Where it ends infeasible —
    typically near a constraint whose derivative is unbounded, such as
    ``(1 - x)**(1/4)`` at ``x = 1`` — the interior-point trust-constr, which
    approaches such a boundary from inside, runs from the same start, and after
    it the derivative-free COBYQA.
    """
    bounds = [
        (None if math.isinf(lo) else lo, None if math.isinf(hi) else hi)
        for lo, hi in zip(num.lo, num.hi, strict=True)
    ]
    ends: list[tuple[float, np.ndarray]] = []
    for start in starts:
        z0 = np.clip(np.asarray(start, dtype=float), num.lo, num.hi)
        for method in ("SLSQP", "trust-constr", "COBYQA"):
            z = _local(num, z0, bounds, method)
            scale = _scale([*z, num.f(z)])
            value = num.f(z)
            if num.violation(z) > SEARCH_TOL * scale or value <= -1e29:
                continue
            ends.append((value, z))
            break
    if not ends:
        raise FeasibilityError(
            "no contract satisfies the bounds and constraints (the feasible set is empty)",
            table="constraints",
        )
    return ends


def _best(ends: Sequence[tuple[float, np.ndarray]]) -> np.ndarray:
    """The best end point of a search (the first found, among equals)."""
    best = ends[0]
    for value, z in ends[1:]:
        if value > best[0] + 1e-12 * _scale([*z, value]):
            best = (value, z)
    return best[1]


def _local(
    num: _Numeric, z0: np.ndarray, bounds: list[tuple[float | None, float | None]], method: str
) -> np.ndarray:
    """One local maximisation from ``z0``: SLSQP with gradients, or derivative-free COBYQA."""
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if method == "SLSQP":
            res = minimize(
                num.neg_f,
                z0,
                jac=num.neg_df,
                bounds=bounds,
                constraints=num.scipy_constraints(),
                method="SLSQP",
                options={"ftol": 1e-15, "maxiter": 1000},
            )
        elif method == "trust-constr":
            res = minimize(
                num.neg_f,
                z0,
                jac=num.neg_df,
                bounds=Bounds(num.lo, num.hi, keep_feasible=True),
                constraints=num.nonlinear_constraints(),
                method="trust-constr",
                options={"xtol": 1e-14, "gtol": 1e-12, "maxiter": 3000},
            )
        else:
            cons = [{"type": c["type"], "fun": c["fun"]} for c in num.scipy_constraints()]
            res = minimize(
                num.neg_f,
                z0,
                bounds=bounds,
                constraints=cons,
                method="COBYQA",
                options={"maxiter": 5000, "feasibility_tol": 1e-12, "final_tr_radius": 1e-12},
            )
    return np.clip(np.nan_to_num(res.x, nan=0.0), num.lo, num.hi)


@dataclass(frozen=True)
class _Active:
    """An active set: unknowns at a bound (index -> 0 for lower, 1 for upper) and the
    indices of the binding inequality constraints."""

    bounds: tuple[tuple[int, int], ...]
    inequalities: tuple[int, ...]


@dataclass(frozen=True)
class _KKT:
    """The KKT system of an active set, with bound-fixed unknowns substituted."""

    free: tuple[sympy.Symbol, ...]
    fixed: dict[sympy.Symbol, sympy.Expr]
    multipliers: tuple[sympy.Symbol, ...]
    equations: tuple[sympy.Expr, ...]
    active: tuple[str, ...]
    spec: _Active


def _active_sets(program: Program, num: _Numeric, z: np.ndarray, tries: int = 3) -> list[_Active]:
    """Candidate active sets at ``z``: the bounds and constraints that bind to tolerance,
    then that set plus each of the ``tries`` nearest others (by ``|g| / |grad g|``), for
    when the search stopped a little short of a steep constraint."""
    bounds: list[tuple[int, int]] = []
    near: list[tuple[float, str, tuple[int, int]]] = []
    for i in range(len(program.unknowns)):
        for side, b in ((0, num.lo[i]), (1, num.hi[i])):
            if not math.isfinite(b):
                continue
            gap = abs(z[i] - b)
            if gap <= BOUND_TOL * (1 + abs(b)):
                bounds.append((i, side))
            else:
                near.append((gap, "bound", (i, side)))
    binding: list[int] = []
    zmap = dict(zip(program.unknowns, z, strict=True))
    for k, (g, dg) in enumerate(zip(num.g_expr, num._dg, strict=True)):
        value = float(g.xreplace(zmap))
        if abs(value) <= ACTIVE_TOL * _scale([value, *z]):
            binding.append(k)
        else:
            with np.errstate(all="ignore"):
                norm = float(np.linalg.norm(np.array(dg(z), dtype=float)))
            gap = abs(value) / norm if math.isfinite(norm) and norm > 0 else math.inf
            near.append((gap, "ineq", (k, 0)))
    fixed_unknowns = {i for i, _ in bounds}
    out = [_Active(tuple(bounds), tuple(binding))]
    for _, kind, (k, side) in sorted(near)[:tries]:
        if kind == "bound" and k not in fixed_unknowns:
            out.append(_Active((*bounds, (k, side)), tuple(binding)))
        elif kind == "ineq":
            out.append(_Active(tuple(bounds), (*binding, k)))
    return out


def _kkt(program: Program, spec: _Active, num: _Numeric, symbolic: bool) -> _KKT:
    """Build the KKT equations of an active set.

    With ``symbolic`` the expressions keep their parameters; otherwise the
    parameter values are in.
    """
    unknowns = program.unknowns
    fixed: dict[sympy.Symbol, sympy.Expr] = {}
    active: list[str] = []
    for i, side in spec.bounds:
        v = unknowns[i]
        if symbolic:
            fixed[v] = sympy.sympify((program.lower, program.upper)[side][i])
        else:
            fixed[v] = sympy.Float(float((num.lo, num.hi)[side][i]), 30)
        active.append(f"{v} = {('min', 'max')[side]}")
    free = tuple(v for v in unknowns if v not in fixed)
    f = program.objective if symbolic else num.f_expr
    gs = program.inequalities if symbolic else tuple(num.g_expr)
    hs = program.equalities if symbolic else tuple(num.h_expr)
    binding: list[sympy.Expr] = [gs[k] for k in spec.inequalities]
    active.extend(program.inequality_names[k] for k in spec.inequalities)
    binding.extend(hs)
    active.extend(program.equality_names)
    binding = [sympy.sympify(b).xreplace(fixed) for b in binding]
    f = sympy.sympify(f).xreplace(fixed)
    mus = tuple(sympy.Symbol(f"_mu{k}", real=True) for k in range(len(binding)))
    equations = [
        sympy.diff(f, v) + sum((m * sympy.diff(b, v) for m, b in zip(mus, binding, strict=True)), 0)
        for v in free
    ]
    equations.extend(binding)
    return _KKT(free, fixed, mus, tuple(equations), tuple(active), spec)


def _polish(kkt: _KKT, z: np.ndarray, program: Program) -> dict[sympy.Symbol, float] | None:
    """Newton on the numeric KKT system in 30 digits, from the SLSQP point."""
    if not kkt.free:
        return {}
    zmap = dict(zip(program.unknowns, z, strict=True))
    unknowns = list(kkt.free) + list(kkt.multipliers)
    guess = [zmap[v] for v in kkt.free]
    # Multipliers from least squares on the stationarity rows at the SLSQP point.
    if kkt.multipliers:
        n_free = len(kkt.free)
        point = {**zmap}
        grad_rows = []
        zero = {m: sympy.Integer(0) for m in kkt.multipliers}
        for row in kkt.equations[:n_free]:
            row = sympy.sympify(row)
            coeffs = [float(sympy.diff(row, m).xreplace(point)) for m in kkt.multipliers]
            const = float(sympy.sympify(row.xreplace(zero)).xreplace(point))
            grad_rows.append((coeffs, const))
        a = np.array([c for c, _ in grad_rows], dtype=float).reshape(n_free, -1)
        b = -np.array([k for _, k in grad_rows], dtype=float)
        mu, *_ = np.linalg.lstsq(a, b, rcond=None)
        guess.extend(mu.tolist())
    if len(kkt.equations) != len(unknowns):
        return None
    try:
        sol = sympy.nsolve(list(kkt.equations), unknowns, guess, prec=30, verify=True)
    except (ValueError, ZeroDivisionError, TypeError):
        return None
    values = [complex(sympy.N(s)) for s in sol]
    if any(abs(v.imag) > 1e-20 or not math.isfinite(v.real) for v in values):
        return None
    return {v: values[i].real for i, v in enumerate(kkt.free)}


def _exact(
    kkt: _KKT,
    point: Mapping[sympy.Symbol, float],
    subs: Mapping[sympy.Symbol, sympy.Expr],
    budget: Budget,
) -> dict[sympy.Symbol, sympy.Expr] | None:
    """Solve the symbolic KKT system and keep the root that matches ``point``."""
    if not kkt.free:
        # Every unknown sits at a bound; the binding constraints must hold identically.
        return dict(kkt.fixed) if all(budget.is_zero(e) for e in kkt.equations) else None
    unknowns = list(kkt.free) + list(kkt.multipliers)
    candidates = budget.solve(kkt.equations, unknowns)
    params = set(subs)
    for cand in candidates:
        if any(v not in cand for v in kkt.free):
            continue
        if any(not (sympy.sympify(cand[v]).free_symbols <= params) for v in kkt.free):
            continue
        if all(_matches(budget.evaluate(cand[v], subs), point[v]) for v in kkt.free):
            out = {v: budget.tidy(cand[v]) for v in kkt.free}
            out.update(kkt.fixed)
            return out
    return None


def _matches(value: complex | None, target: float) -> bool:
    """Whether an evaluated closed form is real and agrees with the numeric answer."""
    return (
        value is not None
        and abs(value.imag) <= 1e-12
        and abs(value.real - target) <= MATCH_TOL * (1 + abs(target))
    )


def _degenerate(kkt: _KKT, program: Program) -> bool:
    """More constraints bind than there are unknowns: the active set is ambiguous, and
    which formula holds depends on the direction in which the parameters move."""
    return len(kkt.active) > len(program.unknowns)


def _locate(
    program: Program, num: _Numeric, z: np.ndarray
) -> tuple[dict[sympy.Symbol, float], _KKT, bool]:
    """Polish the search's point ``z``: the maximiser, its numeric KKT system, and whether
    Newton converged.

    Unknowns at a bound are set to the bound exactly. A polished point is kept only if it
    is feasible, near the search's point, and (up to the search's own tolerance) as good.
    """
    point = dict(zip(program.unknowns, (float(v) for v in z), strict=True))
    scale = _scale(list(z))
    f_scale = _scale([num.f(z)])
    candidates = _active_sets(program, num, z)
    for spec in candidates:
        kkt = _kkt(program, spec, num, symbolic=False)
        polished = _polish(kkt, z, program)
        if polished is None:
            continue
        candidate = {**point, **{v: float(e) for v, e in kkt.fixed.items()}, **polished}
        cz = np.array([candidate[v] for v in program.unknowns])
        if (
            num.violation(cz) <= FEASIBILITY_TOL * scale
            and np.max(np.abs(cz - z)) <= 1e-3 * scale
            and num.f(cz) >= num.f(z) - SEARCH_TOL * 10 * f_scale
        ):
            return candidate, kkt, True
    kkt = _kkt(program, candidates[0], num, symbolic=False)
    point.update({v: float(e) for v, e in kkt.fixed.items()})
    return point, kkt, False


def solve_program(
    program: Program,
    subs: Mapping[sympy.Symbol, sympy.Expr],
    *,
    starts: Sequence[Sequence[float]],
    exact: bool = True,
    timeout: float = 10.0,
    probe: Mapping[sympy.Symbol, sympy.Expr] | None = None,
) -> ProgramResult:
    """Maximise a :class:`Program` at the parameter values ``subs``.

    Parameters
    ----------
    program
        The problem, in the unknowns and the parameters.
    subs
        Parameter values, by symbol.
    starts
        Starting points for the multi-start numeric search.
    exact
        Whether to attempt the closed form with ``sympy.solve``.
    timeout
        The wall-clock safety net of the exact attempt, in seconds (of the whole
        solve when a solver's budget is open; see :mod:`bargain.concepts.budget`).
    probe
        Parameter values a little way from ``subs``. When more constraints bind
        at ``subs`` than there are unknowns (a degenerate point, where the
        closed form depends on the direction the parameters move in), the
        active set for the exact attempt is taken at ``probe`` instead; the
        formula is still checked against the answer at ``subs``.

    Raises
    ------
    FeasibilityError
        When no starting point leads to a point satisfying the constraints.
    SolverError
        When the answer is not finite.
    """
    num = _Numeric(program, subs)
    ends = _search(num, starts)
    point, kkt_num, ok = _locate(program, num, _best(ends))
    ties = _ties(program, num, ends, point)
    formula = None
    declined = None
    if exact:
        with exact_budget(timeout) as budget:
            formula = _closed_form(program, num, kkt_num, point, subs, starts, probe, budget)
            declined = None if formula is not None else budget.declined
    values = [point[v] for v in program.unknowns]
    if not all(math.isfinite(v) for v in values):
        raise SolverError("the optimum is not finite")
    return ProgramResult(
        point=point,
        exact=formula,
        active=kkt_num.active,
        polished=ok,
        objective=num.f(np.array(values)),
        declined=declined,
        ties=ties,
    )


def _ties(
    program: Program,
    num: _Numeric,
    ends: Sequence[tuple[float, np.ndarray]],
    point: Mapping[sympy.Symbol, float],
) -> tuple[dict[sympy.Symbol, float], ...]:
    """The search's other maxima as good as ``point`` (to :data:`TIE_TOL`), each polished,
    apart from ``point`` and from each other, with a worse point half-way to each of them:
    separate maximisers, where a flat set of maximisers (a midpoint as good) is left out."""
    best = np.array([point[v] for v in program.unknowns])
    top = num.f(best)
    tol = TIE_TOL * _scale([top])
    found = [best]
    out = []
    for value, z in ends:
        if value < top - tol or any(
            np.max(np.abs(z - y)) <= MATCH_TOL * _scale(list(z)) or num.f((z + y) / 2) >= top - tol
            for y in found
        ):
            continue
        tied, _, _ = _locate(program, num, z)
        zt = np.array([tied[v] for v in program.unknowns])
        if num.f(zt) >= top - tol:
            found.append(zt)
            out.append(tied)
    return tuple(out)


def _closed_form(
    program: Program,
    num: _Numeric,
    kkt_num: _KKT,
    point: dict[sympy.Symbol, float],
    subs: Mapping[sympy.Symbol, sympy.Expr],
    starts: Sequence[Sequence[float]],
    probe: Mapping[sympy.Symbol, sympy.Expr] | None,
    budget: Budget,
) -> dict[sympy.Symbol, sympy.Expr] | None:
    """The closed form of the maximiser, within ``budget``; on success ``point`` is
    updated to the formula's values in 30 digits."""
    kkt_sym = _kkt(program, kkt_num.spec, num, symbolic=True)
    # An overdetermined (degenerate) system has a solution only where its extra
    # equations hold identically in the parameters, so this is safe to try first.
    formula = _exact(kkt_sym, point, subs, budget)
    if formula is None and _degenerate(kkt_sym, program) and probe and probe != subs:
        # Identify the active set a little way into the parameter ranges instead.
        num_p = _Numeric(program, probe)
        array = np.array([point[v] for v in program.unknowns])
        point_p, kkt_p, _ = _locate(program, num_p, _best(_search(num_p, [array, *starts])))
        kkt_p_sym = _kkt(program, kkt_p.spec, num_p, symbolic=True)
        formula = _exact(kkt_p_sym, point_p, probe, budget)
    if formula is None:
        return None
    values = {v: budget.evaluate(e, subs) for v, e in formula.items()}
    if not all(_matches(values[v], point[v]) for v in formula):
        return None
    point.update({v: value.real for v, value in values.items() if value is not None})
    return formula


__all__ = ["Program", "ProgramResult", "solve_program"]
