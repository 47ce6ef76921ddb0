"""A model of one contract variable evaluated in many digits: gains, constraints, roots.

Floats hold a contract ``x`` near 1 to about ``1e-16``, so a gain ``u(x) - d`` of
``1e-12`` (a disagreement point a hair inside the frontier) or a crossing within
``1e-15`` of a bound (``x`` against ``1e15 (1 - x)``) is known to a few digits at best
from floats. With one contract variable the candidates of the axiomatic solutions can be
listed and compared in mpmath instead: the bounds, the kinks' breakpoints
(:func:`bargain.axiomatic.breakpoints.breakpoints`), the boundaries of the constraints and
the roots of differences of the gains, each bracketed between two candidates and refined
in :data:`DIGITS` digits of its distance from the bracket's nearer end (:func:`root`).

:class:`OneVariable` holds a problem's gains and constraint slacks compiled to mpmath,
with the working digits they need (:meth:`OneVariable.digits`): 40 more than their
longest exact number has (``1e100 - 1e100 x`` is exact integers, whose product with
``x`` mpmath rounds to its working digits: at 40 digits ``x = 1`` gave 3.5e57, not 0).
Evaluate it inside ``mpmath.workdps(one.digits)``.

Examples
--------
>>> import bargain, mpmath
>>> from bargain.axiomatic.problem import problem_of
>>> m = bargain.model_from_dict({"model": {"name": "t"},
...     "variables": {"x": {"min": 0, "max": 1}},
...     "parties": {"W": {"payoff": "x"}, "A": {"payoff": "1e15*(1 - x)"}}})
>>> one = OneVariable(problem_of(m))
>>> with mpmath.workdps(one.digits):
...     x = root(lambda x: one.gains(x)[0] - one.gains(x)[1], 0.0, 1.0)
...     print(mpmath.nstr(1 - x, 15))
9.99999999999999e-16
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import mpmath
import numpy as np
import sympy

from bargain.axiomatic.breakpoints import breakpoints
from bargain.model.model import as_expression, lambdify

if TYPE_CHECKING:  # the problem builds on these (its faint starts), not they on it
    from bargain.axiomatic.problem import BargainingProblem

DIGITS = 40  # working digits of the roots, and more than the numbers' own
MAX_DIGITS = 1280  # digits a root may grow to: 1 - 1e-323 in 40 digits of its distance
MAX_HALVINGS = 4000  # bisection steps: a root near 1e-640 in [0, 1] to 40 digits
NARROW = 2.0**-10  # an individually rational interval narrower than this share of the box
SAMPLES = 257  # points of the box where the individually rational set is looked for
MARGIN = 2**-8  # the narrowed box's margin beyond that interval, a share of its width


class OneVariable:
    """The gains and constraint slacks of a problem of one contract variable in mpmath.

    Attributes
    ----------
    problem
        The problem (one contract variable, finite bounds: :meth:`of` checks).
    lo, hi
        The variable's bounds (floats).
    digits
        The working digits its expressions need.
    """

    def __init__(self, problem: BargainingProblem) -> None:
        (v,) = problem.variables
        self.problem = problem
        self.variable = v
        self.lo, self.hi = (float(b[0]) for b in problem.bounds)
        subs = problem.subs
        self.constraints = problem.model.constraints
        self.gain_exprs = [
            (p.payoff - p.disagreement).xreplace(subs) for p in problem.model.parties
        ]
        self.slack_exprs = [c.slack.xreplace(subs) for c in self.constraints]
        sides = [
            s.xreplace(subs) for c in self.constraints for s in (c.relation.lhs, c.relation.rhs)
        ]
        self._n, self._k = len(self.gain_exprs), len(self.slack_exprs)
        exprs = (*self.gain_exprs, *self.slack_exprs, *sides)
        self._functions = [lambdify([v], e, "mpmath") for e in exprs]
        self.digits = _working_digits([*self.gain_exprs, *self.slack_exprs])
        # Every function's value at each point and working precision asked for: the
        # candidates are looked at for sign changes of the gains and of the slacks and
        # for rationality, each at the same points (mpmath numbers are immutable).
        self._found: dict[tuple[type, object, int], tuple[mpmath.mpf, ...]] = {}

    @staticmethod
    def box(problem: BargainingProblem) -> tuple[float, float] | None:
        """The bounds (floats) of the problem's one contract variable; ``None`` unless it
        has one contract variable with finite bounds, the lower below the upper."""
        if len(problem.variables) != 1:
            return None
        lo, hi = (float(b[0]) for b in problem.bounds)
        if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
            return None
        return lo, hi

    @classmethod
    def of(cls, problem: BargainingProblem) -> OneVariable | None:
        """The problem's :class:`OneVariable`; ``None`` unless it has one contract variable
        with finite bounds, the lower below the upper (:meth:`box`)."""
        return None if cls.box(problem) is None else cls(problem)

    def _values(self, x: mpmath.mpf) -> list[mpmath.mpf]:
        # A float is evaluated as one (``1 - x`` in floats; its repr tells -0.0 from 0.0),
        # an mpmath number to all its bits.
        key = (type(x), x._mpf_ if isinstance(x, mpmath.mpf) else repr(x), mpmath.mp.prec)
        if key not in self._found:
            try:
                found = tuple(mpmath.re(mpmath.mpf(1) * f(x)) for f in self._functions)
            except (ArithmeticError, ValueError):  # a pole at a bound (x/(1 - x) at 1)
                found = (mpmath.nan,) * len(self._functions)
            self._found[key] = found
        return list(self._found[key])

    def gains(self, x: mpmath.mpf) -> list[mpmath.mpf]:
        """Each party's gain over its disagreement payoff at ``x``."""
        return self._values(x)[: self._n]

    def slack(self, q: int, x: mpmath.mpf) -> mpmath.mpf:
        """Constraint ``q``'s slack at ``x`` (non-negative where an inequality holds)."""
        return self._values(x)[self._n + q]

    def meets(self, x: mpmath.mpf) -> bool:
        """Whether ``x`` meets every constraint, to a few units of the working digits of
        each one's sides."""
        found = self._values(x)
        n, k = self._n, self._k
        rows = zip(
            self.constraints,
            found[n : n + k],
            found[n + k :: 2],
            found[n + k + 1 :: 2],
            strict=True,
        )
        for c, slack, lhs, rhs in rows:
            if not all(mpmath.isfinite(e) for e in (slack, lhs, rhs)):
                return False
            tol = mpmath.mpf(10) ** (4 - mpmath.mp.dps) * max(abs(lhs), abs(rhs))
            if (abs(slack) if c.is_equality else -slack) > tol:
                return False
        return True

    def points(self, extra: Sequence[float] = ()) -> list[float]:
        """The bounds, the breakpoints of the gains' and the constraints' kinks, and
        ``extra`` (inside the bounds), sorted."""
        kinks = breakpoints(
            [*self.gain_exprs, *self.slack_exprs],
            (self.variable,),
            {self.variable: (self.lo, self.hi)},
        )[self.variable]
        inside = [p for p in extra if self.lo <= p <= self.hi]
        return sorted({self.lo, self.hi, *kinks, *inside})

    def boundaries(self, points: Sequence[mpmath.mpf | float]) -> list[mpmath.mpf]:
        """The constraints' boundaries between consecutive ``points`` (where a slack
        changes sign), each to its own digits (:func:`root`)."""
        return [
            root(lambda x, q=q: self.slack(q, x), a, b)
            for a, b in itertools.pairwise(points)
            for q in range(self._k)
            if self.slack(q, mpmath.mpf(a)) * self.slack(q, mpmath.mpf(b)) < 0
        ]

    def changes(
        self, points: Sequence[mpmath.mpf | float], of: Callable[[mpmath.mpf], list[mpmath.mpf]]
    ) -> list[mpmath.mpf]:
        """Where each function listed by ``of`` changes sign between consecutive ``points``,
        each to its own digits (:func:`root`)."""
        found = []
        for a, b in itertools.pairwise(points):
            fa, fb = of(mpmath.mpf(a)), of(mpmath.mpf(b))
            for i in range(len(fa)):
                if fa[i] * fb[i] < 0:
                    found.append(root(lambda x, i=i: of(x)[i], a, b))
        return found


def narrow_rational_box(problem: BargainingProblem) -> tuple[sympy.Rational, sympy.Rational] | None:
    """A box of the one contract variable around its individually rational contracts
    (every party's gain non-negative, the constraints met), where those lie in an interval
    narrower than :data:`NARROW` of the box: that interval's ends (the roots of the gains
    and the constraints' boundaries, :func:`root`), widened by :data:`MARGIN` of its width
    on each side within the bounds, as exact rationals. ``None`` where the problem has
    other than one variable with finite bounds, or the interval is wider, or empty, or a
    point.

    A disagreement point a hair inside the frontier (``x`` against ``1 - x`` with
    ``d = (0.4, 0.6 - 1e-12)``) leaves gains of ``1e-12`` on payoffs of one, on contracts
    ``1e-12`` wide in a box of one: the searches' tolerances, which are relative to the
    box and the payoffs, cannot see them (the Kalai–Smorodinsky solution was refused,
    "no agreement gives every party more than its disagreement payoff"). The individually
    rational set is looked for at :data:`SAMPLES` points of the box and between them (a set
    narrower than their spacing lying between two of them, where no gain changes sign, is
    not seen: then nothing is narrowed).

    >>> import bargain
    >>> from bargain.axiomatic.problem import problem_of
    >>> m = bargain.model_from_dict({"model": {"name": "t"},
    ...     "variables": {"x": {"min": 0, "max": 1}},
    ...     "parties": {"W": {"payoff": "x", "disagreement": 0.4},
    ...                 "A": {"payoff": "1 - x", "disagreement": "0.6 - 1e-12"}}})
    >>> lo, hi = narrow_rational_box(problem_of(m))
    >>> float(lo), float(hi)
    (0.3999999999999961, 0.4000000000010039)
    """
    box = OneVariable.box(problem)
    if box is None:
        return None
    grid = np.linspace(*box, SAMPLES)
    values = problem.payoffs_in_floats((grid,))
    payoffs = np.array([np.broadcast_to(np.asarray(u, dtype=complex), grid.shape) for u in values])
    d = np.array(list(problem.disagreement_values.values()), dtype=float)[:, None]
    if np.count_nonzero(np.all(payoffs.real > d, axis=0)) > 2:
        return None  # rational at three samples: wider than NARROW (two spacings), or apart
    # A rational contract between two samples needs each party's gain non-negative at one
    # of them, to its rounding (a gain negative at both is not seen anyway, see above):
    # where no spacing has that (an empty set: d_W + d_A above the surplus), nothing is
    # bracketed in many digits (0.09 s a model, at each infeasible point of a sweep).
    with np.errstate(all="ignore"):
        gains = payoffs.real - d
        slack = 64 * np.finfo(float).eps * np.maximum(np.abs(payoffs.real), np.abs(d))
        near = np.where(np.isnan(gains), True, gains >= -slack)
    if not np.any(np.all(near[:, :-1] | near[:, 1:], axis=0)):
        return None
    disagreement = list(problem.disagreement_values.values())
    # Compiled to mpmath only now: most problems are told apart in floats above.
    one = OneVariable(problem)
    with mpmath.workdps(one.digits):
        points = one.points(list(grid))
        ends = [*map(mpmath.mpf, points), *one.changes(points, one.gains), *one.boundaries(points)]

        def rational(x: mpmath.mpf) -> bool:
            g = one.gains(x)
            tol = mpmath.mpf(10) ** (4 - mpmath.mp.dps)
            return one.meets(x) and all(
                mpmath.isfinite(gi) and gi >= -tol * max(abs(gi), abs(mpmath.mpf(di)))
                for gi, di in zip(g, disagreement, strict=True)
            )

        inside = [x for x in ends if rational(x)]
        if not inside:
            return None
        a, b = min(inside), max(inside)
        width = b - a
        if not (0 < width < NARROW * (one.hi - one.lo)):
            return None
        bound_lo, bound_hi = exact_bound(problem, "min"), exact_bound(problem, "max")
        lo = max(_rational(a - MARGIN * width), bound_lo)
        hi = min(_rational(b + MARGIN * width), bound_hi)
    return lo, hi


def exact_bound(problem: BargainingProblem, side: str) -> sympy.Rational:
    """The one variable's bound ``side`` (``"min"``, ``"max"``) at the model's values,
    exactly where it is a rational number (``0.3``: 3/10), else its float's."""
    (v,) = problem.model.variables
    exact = as_expression(getattr(v, side)).xreplace(problem.subs)
    if exact.is_Rational:
        return exact
    lo, hi = problem.bounds
    return sympy.Rational(float((lo if side == "min" else hi)[0]))


def _rational(x: mpmath.mpf) -> sympy.Rational:
    """An mpmath number as the exact rational it is."""
    sign, man, exp, _ = x._mpf_
    value = sympy.Integer(man) * sympy.Integer(2) ** exp
    return -value if sign else value


def _working_digits(exprs: Sequence[sympy.Expr]) -> int:
    """:data:`DIGITS` more than the longest exact number of ``exprs`` has (up to
    :data:`MAX_DIGITS`)."""
    longest = max(
        (max(len(str(abs(r.p))), len(str(r.q))) for e in exprs for r in e.atoms(sympy.Rational)),
        default=0,
    )
    return min(MAX_DIGITS, DIGITS + longest)


def root(
    f: Callable[[mpmath.mpf], mpmath.mpf], a: float | mpmath.mpf, b: float | mpmath.mpf
) -> mpmath.mpf:
    """Where ``f`` changes sign between ``a`` and ``b``, to :data:`DIGITS` relative to its
    distance from the nearer of ``a`` and ``b``: the Illinois variant of false position
    (Dowell & Jarratt 1971, *BIT* 11), safeguarded by bisection wherever a step has not
    halved the bracket (so at most twice bisection's steps, and a root near zero of a wide
    bracket, 1e-36 in ``[0, 0.5]``, to its own digits). Where the point's own digits cannot
    hold that distance (``x`` against ``1e300 (1 - x)``: ``x = 1 - 1e-300``), the working
    digits grow, up to :data:`MAX_DIGITS`; the point returned carries them."""
    lo, hi = mpmath.mpf(a), mpmath.mpf(b)
    ends = (lo, hi)
    f_lo, f_hi = f(lo), f(hi)
    side, bisect = 0, False
    dps = mpmath.mp.dps
    try:
        for _ in range(2 * MAX_HALVINGS):
            width = hi - lo
            gap = min(lo - ends[0], ends[1] - hi)  # from the nearer end (0 touching it)
            if width <= mpmath.mpf(10) ** (2 - DIGITS) * gap:
                break
            if width <= mpmath.mpf(10) ** (2 - mpmath.mp.dps) * max(abs(lo), abs(hi)):
                if mpmath.mp.dps >= MAX_DIGITS:
                    break
                mpmath.mp.dps = min(MAX_DIGITS, 2 * mpmath.mp.dps)
            x = (lo + hi) / 2 if bisect else (lo * f_hi - hi * f_lo) / (f_hi - f_lo)
            if not lo < x < hi:
                x = (lo + hi) / 2
                if not lo < x < hi:
                    break
            fx = f(x)
            if fx == 0:
                return x
            if mpmath.sign(fx) == mpmath.sign(f_lo):
                lo, f_lo = x, fx
                f_hi = f_hi / 2 if side == -1 else f_hi  # Illinois: the kept end twice in a row
                side = -1
            else:
                hi, f_hi = x, fx
                f_lo = f_lo / 2 if side == 1 else f_lo
                side = 1
            bisect = not bisect and hi - lo > width / 2
        return (lo + hi) / 2
    finally:
        mpmath.mp.dps = dps


def held_digits(x: mpmath.mpf) -> int:
    """The decimal digits that hold ``x``'s own bits (at least :data:`DIGITS`)."""
    return max(DIGITS, int(np.ceil(x._mpf_[3] * np.log10(2))) + 2)


__all__ = [
    "DIGITS",
    "MAX_DIGITS",
    "OneVariable",
    "exact_bound",
    "held_digits",
    "narrow_rational_box",
    "root",
]
