"""The largest common gain over arrays of parameter points: the vectorised kernel of the
Kalai–Smorodinsky and egalitarian solutions of two parties with several contract variables
in their bounds.

Both solutions are the program

    maximise ``t`` subject to ``g_i(x) = u_i(x) - d_i >= t w_i`` (``i = 1, 2``),
    ``lo <= x <= hi``,

with weights ``w = (1, 1)`` for the egalitarian solution (Kalai 1977, "Proportional
solutions to bargaining situations: interpersonal utility comparisons", *Econometrica*
45(7), 1623–1630) and the ideal gains ``a_i - d_i`` for the Kalai–Smorodinsky solution
(Kalai & Smorodinsky 1975, "Other solutions to Nash's bargaining problem",
*Econometrica* 43(3), 513–518). Its ideal payoff ``a_1`` is the same program with
``w = (1, 0)``: the most party 1 gains while party 2 keeps at least its disagreement
payoff (and ``a_2`` with ``w = (0, 1)``).

:class:`CommonGain` solves it at every point at once where both constraints bind. With
multipliers ``m_1, m_2`` normalised so that ``m_1 w_1 + m_2 w_2 = 1``, the
Karush–Kuhn–Tucker conditions

    ``m_1 ∇g_1 + m_2 ∇g_2 = 0`` on the variables not held at a bound,
    ``w_2 g_1 - w_1 g_2 = 0`` (both gains on the ray ``t w``)

are as many equations as the free variables and the two multipliers: Newton's method
solves them (Nocedal & Wright 2006, *Numerical Optimization*, 2nd ed., §11.1 and §18.1),
holding a variable at its bound where the step would move it out of the box, and taking
the step's largest fraction ``1, 1/2, …`` that does not lower the common gain
``min g_i / w_i`` (:meth:`CommonGain.merit`). Each answer is then *vouched for*
(:meth:`CommonGain.vouch`): the conditions hold, a variable at a bound is pushed against
it by the Lagrangian's gradient, both multipliers are positive (both gains bind: the point
is Pareto optimal, so the scalar egalitarian solver's lexicographic step keeps it), the
Lagrangian's Hessian is negative definite on the tangent space of the two constraints (a
strict local maximum, so a single agreement), the common gain is positive, and no sample
point of the box gives both parties at least as much and one of them more. Where one
party's gain cannot reach the ray, its single best agreement is the answer if the other
gains more there (:meth:`CommonGain.one_sided`). A point that fails all this — an
agreement that is not unique, an active set Newton's method does not settle, no positive
gain — is left ``no_convergence``, and the sweep solves it again with the scalar solver
(:mod:`bargain.sweeps.compile`): every point the scalar solver solves, the sweep solves.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from bargain.concepts.vectorised import (
    NO_CONVERGENCE,
    OK,
    SAMPLES,
    STEP,
    TOL,
    Box,
    Columns,
    compile_exprs,
    subset,
)
from bargain.errors import ModelError
from bargain.model.model import Model

MAXITER = 50  # Newton steps of a point before it is handed back to the scalar solver


class CommonGain:
    """Two parties' gains over their disagreement payoffs in the box of the contract
    variables, compiled for many parameter points at once (with their gradients and
    Hessians, :class:`~bargain.concepts.vectorised.Box`): the program of the module
    docstring, solved by :meth:`maximise` and checked by :meth:`vouch`.

    Parameters
    ----------
    model
        A two-party model without ``[constraints]``.
    inputs
        The parameters given as arrays.

    Raises
    ------
    ModelError
        For a model with other than two parties, or with ``[constraints]``.

    Examples
    --------
    Gains ``x + y`` and ``2 - x - y**2`` in the unit box: the egalitarian point
    (``w = (1, 1)``) has ``y = 1/2`` (where the sum of gains is flat in ``y``) and
    ``x = 5/8``, both gains ``9/8``.

    >>> import bargain, numpy as np
    >>> m = bargain.model_from_dict({"model": {"name": "m"},
    ...     "parameters": {"c": {"value": 2}},
    ...     "variables": {"x": {"min": 0, "max": 1}, "y": {"min": 0, "max": 1}},
    ...     "parties": {"W": {"payoff": "x + y"}, "A": {"payoff": "c - x - y**2"}}})
    >>> cg = CommonGain(m, ["c"])
    >>> params = {"c": np.array([2.0]), "_n": np.empty(1)}
    >>> x, t, ok = cg.solve(np.ones((1, 2)), np.full((1, 2), 0.5), params)
    >>> x.round(12).tolist(), t.round(12).tolist(), ok.tolist()
    ([[0.625, 0.5]], [1.125], [True])
    """

    def __init__(self, model: Model, inputs: Sequence[str]) -> None:
        if len(model.parties) != 2:
            raise ModelError("it needs two parties")
        self.model = model
        self.boxes = tuple(Box(model, inputs, p.payoff - p.disagreement) for p in model.parties)
        self.k = self.boxes[0].k
        xs = [v.symbol for v in model.variables]
        self._payoffs = compile_exprs(model, inputs, [p.payoff for p in model.parties], xs)
        self._disagreement = compile_exprs(model, inputs, [p.disagreement for p in model.parties])

    def bounds(self, params: Mapping[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """Each point's lower and upper bounds, as ``(n, k)`` arrays."""
        return self.boxes[0].bounds(params)

    def gains(self, x: np.ndarray, params: Mapping[str, np.ndarray]) -> np.ndarray:
        """Both parties' gains at the rows of ``x``, as an ``(n, 2)`` array."""
        return np.stack([box.value(x, params) for box in self.boxes], axis=1)

    def _size(self, x: np.ndarray, params: Mapping[str, np.ndarray]) -> np.ndarray:
        """The size of the payoffs involved at each point (the checks' unit)."""
        n = x.shape[0]
        u = self._payoffs(*x.T, params=params, n=n)
        d = self._disagreement(params=params, n=n)
        return np.abs(u[0]) + np.abs(u[1]) + np.abs(d[0]) + np.abs(d[1])

    def _conditions(
        self,
        w: np.ndarray,
        x: np.ndarray,
        m: np.ndarray,
        lo: np.ndarray,
        hi: np.ndarray,
        params: Mapping[str, np.ndarray],
        refit: np.ndarray | None = None,
        fit: np.ndarray | None = None,
    ) -> tuple[np.ndarray, ...]:
        """At ``x`` with multipliers ``m`` (``(n, 2)``; fitted anew by :meth:`_multipliers`
        on the variables ``fit`` ``(n, k)`` in the rows ``refit`` ``(n,)``): the gains
        ``(n, 2)``, the multipliers, the free variables (not pushed out of the box by the
        Lagrangian's gradient), that gradient, its Hessian ``(n, k, k)``, the gradients of
        the two gains and the normal ``w_2 ∇g_1 - w_1 ∇g_2`` of the ray condition."""
        (g0, d0, h0), (g1, d1, h1) = (box.derivatives(x, params) for box in self.boxes)
        if refit is not None and fit is not None:
            m = np.where(refit[:, None], self._multipliers(w, d0, d1, fit), m)
        r = m[:, :1] * d0 + m[:, 1:] * d1
        free = ~(((x <= lo) & (r < 0)) | ((x >= hi) & (r > 0)))
        hess = m[:, 0, None, None] * h0 + m[:, 1, None, None] * h1
        normal = w[:, 1:] * d0 - w[:, :1] * d1
        return np.stack([g0, g1], axis=1), m, free, r, hess, d0, d1, normal

    def _multipliers(
        self, w: np.ndarray, d0: np.ndarray, d1: np.ndarray, free: np.ndarray
    ) -> np.ndarray:
        """The normalised multipliers nearest to stationarity on the ``free`` variables
        (least squares along the line ``m . w = 1``; exact where the conditions hold)."""
        base = w / np.sum(w * w, axis=1, keepdims=True)
        along = np.stack([-w[:, 1], w[:, 0]], axis=1)
        gb = np.where(free, base[:, :1] * d0 + base[:, 1:] * d1, 0.0)
        ga = np.where(free, along[:, :1] * d0 + along[:, 1:] * d1, 0.0)
        norm = np.sum(ga * ga, axis=1)
        s = np.where(norm > 0, -np.sum(ga * gb, axis=1) / np.where(norm > 0, norm, 1.0), 0.0)
        return base + s[:, None] * along

    def maximise(
        self,
        w: np.ndarray,
        x: np.ndarray,
        lo: np.ndarray,
        hi: np.ndarray,
        params: Mapping[str, np.ndarray],
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Newton's method on the conditions of the module docstring from the starts ``x``
        (``(n, k)``), weights ``w`` ``(n, 2)``. Each step solves the linearised conditions
        for the variables and the multipliers, holds a variable at its bound where the step
        would move it out of the box, and takes the step's largest fraction ``1, 1/2, …``
        that does not lower the common gain (:meth:`merit`); after a shorter step than the
        full one, or where a multiplier would turn negative, the multipliers are fitted anew
        (:meth:`_multipliers`). A point stops when
        its step is below :data:`~bargain.concepts.vectorised.STEP` of the bounds' size.
        Returns the points, their multipliers ``(n, 2)`` and whether each stopped."""
        n, k = x.shape
        x = np.clip(x, lo, hi)
        size = np.abs(lo) + np.abs(hi) + (hi - lo)
        size = np.where(size > 0, size, 1.0)
        m = np.ones((n, 2))
        fit = self._conditions(w, x, m, lo, hi, params)[2]  # free at equal multipliers
        refit = np.ones(n, dtype=bool)
        out_x, out_m = x.copy(), m.copy()
        converged = np.zeros(n, dtype=bool)
        idx = np.arange(n)
        for _ in range(MAXITER):
            sub = {**subset(params, idx), "_n": idx}
            wi, li, hi_i = w[idx], lo[idx], hi[idx]
            g, m, pushed, r, hess, d0, d1, normal = self._conditions(
                wi, x, m, li, hi_i, sub, refit, fit
            )
            ray = (wi[:, 1] * g[:, 0] - wi[:, 0] * g[:, 1])[:, None]
            rest = (r, hess, d0, d1, normal, np.sum(m * wi, axis=1, keepdims=True) - 1, ray)
            step, free = _held_step(pushed, x, li, hi_i, wi, rest, 0.0)
            # Singular (the payoffs linear along a free direction): the Hessian shifted
            # down, a step up the Lagrangian's gradient, cut at the box by the projection.
            flat = np.flatnonzero(~np.isfinite(step).all(axis=1))
            if flat.size:
                shift = 1e-8 * (
                    np.max(np.abs(hess[flat]), axis=(1, 2)) + _gradient_size(d0, d1)[flat]
                )
                part = tuple(v[flat] for v in rest)
                step[flat], free[flat] = _held_step(
                    pushed[flat], x[flat], li[flat], hi_i[flat], wi[flat], part, shift
                )
            good = np.isfinite(step).all(axis=1)
            x_new, full, good = self._backtracked(
                wi, x, m, step[:, :k], li, hi_i, size[idx], good, sub
            )
            # A full Newton step updates the multipliers with it; after a shorter one, or
            # where one would turn negative (a floor's multiplier is not), they are fitted
            # anew at the new point (the linearisation's are off where it was).
            # A point without a step (a singular system) goes on once with them fitted anew.
            fitted = refit
            m_new = m + step[:, k:]
            refit = ~full | (m_new < 0).any(axis=1)
            m_new = np.where(refit[:, None], m, m_new)
            fit = free
            moved = np.max(np.abs(x_new - x) / size[idx], axis=1)
            stop = good & (moved <= STEP)
            out_x[idx], out_m[idx] = x_new, m_new
            converged[idx[stop]] = True
            keep = (good & ~stop) | (~good & ~fitted)
            if not keep.any():
                break
            idx, x, m = idx[keep], x_new[keep], m_new[keep]
            refit, fit = refit[keep], fit[keep]
        return out_x, out_m, converged

    def merit(
        self, w: np.ndarray, m: np.ndarray, x: np.ndarray, params: Mapping[str, np.ndarray]
    ) -> np.ndarray:
        """The common gain at the rows of ``x``: ``min g_i / w_i`` over the parties with a
        positive weight, less twice the other's multiplier (at least one) times how far its
        gain is below zero (an exact penalty: Nocedal & Wright 2006, §17.2) where its weight
        is zero. NaN where a gain is not a finite number."""
        g = self.gains(x, params)
        with np.errstate(all="ignore"):
            ratio = np.where(w > 0, g / np.where(w > 0, w, 1.0), np.inf)
            penalty = np.where(w > 0, 0.0, np.maximum(2 * np.abs(m), 1.0) * np.minimum(g, 0.0))
        out = np.min(ratio, axis=1) + np.sum(penalty, axis=1)
        return np.where(np.isfinite(g).all(axis=1), out, np.nan)

    def _backtracked(
        self,
        w: np.ndarray,
        x: np.ndarray,
        m: np.ndarray,
        dx: np.ndarray,
        lo: np.ndarray,
        hi: np.ndarray,
        size: np.ndarray,
        good: np.ndarray,
        params: Mapping[str, np.ndarray],
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The step's fraction ``1, 1/2, 1/4, …`` that does not lower :meth:`merit` (beyond
        :data:`~bargain.concepts.vectorised.TOL` of the payoffs' size), projected on the
        box; a step below 1e-8 of the bounds' size is taken as it is (Newton's method is
        converging). Returns the new points, where the whole step was taken and where a
        fraction was found."""
        before = self.merit(w, m, x, params)
        tol = TOL * self._size(x, params)
        x_new = x.copy()
        alpha = np.ones(x.shape[0])
        pending = good.copy()
        for _halve in range(40):
            p = np.flatnonzero(pending)
            if p.size == 0:
                break
            trial = np.clip(x[p] + alpha[p, None] * dx[p], lo[p], hi[p])
            after = self.merit(w[p], m[p], trial, {**subset(params, p), "_n": p})
            small = np.max(np.abs(trial - x[p]) / size[p], axis=1) <= 1e-8
            ok = small | (after >= before[p] - tol[p])
            x_new[p[ok]] = trial[ok]
            pending[p[ok]] = False
            alpha[p[~ok]] /= 2
        return x_new, good & (alpha == 1), good & ~pending

    def vouch(
        self,
        w: np.ndarray,
        x: np.ndarray,
        m: np.ndarray,
        lo: np.ndarray,
        hi: np.ndarray,
        params: Mapping[str, np.ndarray],
    ) -> tuple[np.ndarray, np.ndarray]:
        """Per point, the common gain ``t`` at ``x`` and whether ``x`` is vouched for as the
        program's single maximum (the checks of the module docstring, to
        :data:`~bargain.concepts.vectorised.TOL` of the payoffs' size)."""
        k = x.shape[1]
        g, m, free, r, hess, _, _, normal = self._conditions(w, x, m, lo, hi, params)
        r = np.where(free, r, 0.0)
        size = self._size(x, params)
        width = np.where(hi - lo > 0, hi - lo, 1.0)
        total = np.sum(np.abs(m), axis=1)
        t = np.sum(g * w, axis=1) / np.sum(w * w, axis=1)  # g = t w, in least squares
        ok = np.isfinite(g).all(axis=1) & np.isfinite(m).all(axis=1) & np.isfinite(size)
        ok &= np.all(np.abs(r) * width <= TOL * total[:, None] * size[:, None], axis=1)
        ok &= np.abs(w[:, 1] * g[:, 0] - w[:, 0] * g[:, 1]) <= TOL * np.sum(w, axis=1) * size
        ok &= np.all(m > TOL * total[:, None], axis=1) & (t > TOL * size)
        # Negative definite on the free directions along both constraints (normal . dx = 0).
        a = np.where(free, normal, 0.0)
        length = np.linalg.norm(a, axis=1)
        ok &= length > 0
        a = a / np.where(length > 0, length, 1.0)[:, None]
        project = np.eye(k) - a[:, :, None] * a[:, None, :]
        both = free[:, :, None] & free[:, None, :]
        q = project @ np.where(both & np.isfinite(hess), hess, 0.0) @ project
        shift = np.max(np.abs(q), axis=(1, 2))
        shift = np.where(shift > 0, shift, 1.0)[:, None, None]
        q -= shift * (a[:, :, None] * a[:, None, :] + (~free)[:, :, None] * np.eye(k))
        eig = np.linalg.eigvalsh(q)
        ok &= eig[:, -1] < -1e-12 * np.max(np.abs(eig), axis=1)
        # No sample point of the box gives both parties at least as much and one more.
        tol = TOL * size
        for s in np.random.default_rng(0).random((SAMPLES, k)):
            other = self.gains(lo + s * (hi - lo), params)
            ok &= ~(
                np.all(other >= g, axis=1)
                & ((other[:, 0] > g[:, 0] + tol) | (other[:, 1] > g[:, 1] + tol))
            )
        return t, ok

    def solve(
        self, w: np.ndarray, x: np.ndarray, params: Mapping[str, np.ndarray]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """:meth:`maximise` from the starts ``x`` with weights ``w``, then :meth:`vouch`:
        the points, their common gains and whether each is vouched for. Where that fails,
        :meth:`one_sided`."""
        lo, hi = self.bounds(params)
        with np.errstate(all="ignore"):
            x, m, converged = self.maximise(w, x, lo, hi, params)
            t, ok = self.vouch(w, x, m, lo, hi, params)
        ok &= converged
        rest = np.flatnonzero(~ok)
        if rest.size:
            sub = {**subset(params, rest), "_n": rest}
            x_1, t_1, ok_1 = self.one_sided(w[rest], x[rest], sub)
            x[rest[ok_1]], t[rest[ok_1]], ok[rest[ok_1]] = x_1[ok_1], t_1[ok_1], True
        return x, t, ok

    def alone(
        self, party: int, x: np.ndarray, params: Mapping[str, np.ndarray]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The box's maximum of party ``party``'s (0 or 1) gain alone, from ``x`` and the
        box's centre (the better one; :meth:`Box.maximise
        <bargain.concepts.vectorised.Box.maximise>`): the maxima, both gains there ``(n,
        2)``, and whether each is vouched for as the single maximum (:meth:`Box.vouch
        <bargain.concepts.vectorised.Box.vouch>`)."""
        box = self.boxes[party]
        lo, hi = self.bounds(params)
        with np.errstate(all="ignore"):
            starts = [np.clip(x, lo, hi), (lo + hi) / 2]
            values = [box.value(s, params) for s in starts]
            start = np.where(~(values[1] > values[0])[:, None], *starts)
            top, converged = box.maximise(start, lo, hi, params)
            vouched = converged & box.vouch(top, lo, hi, params)
        return top, self.gains(top, params), vouched

    def one_sided(
        self, w: np.ndarray, x: np.ndarray, params: Mapping[str, np.ndarray]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Where one party's gain cannot reach the ray: at the box's maximum of party
        ``j``'s gain alone (:meth:`alone`, a single maximum), the other's gain is above
        its share of the ray (``g_i / w_i > g_j / w_j``, by more than
        :data:`~bargain.concepts.vectorised.TOL` of the payoffs' size). Then the largest
        common gain is ``t = g_j / w_j`` there, only there (party ``j`` gains that much at
        that agreement alone), and the other party's constraint does not bind. Returns the
        points, their common gains and where this holds."""
        out_x, out_t = np.full(x.shape, np.nan), np.full(x.shape[0], np.nan)
        ok = np.zeros(x.shape[0], dtype=bool)
        for j in (0, 1):
            i = 1 - j
            top, g, vouched = self.alone(j, x, params)
            tol = TOL * self._size(top, params) * np.sum(w, axis=1)
            with np.errstate(all="ignore"):
                found = vouched & (w[:, j] > 0) & (g[:, j] > tol)
                found &= g[:, i] * w[:, j] - g[:, j] * w[:, i] > tol * w[:, j]
                t = g[:, j] / w[:, j]
            found &= ~ok
            out_x[found], out_t[found], ok[found] = top[found], t[found], True
        return out_x, out_t, ok

    def ideal(
        self, party: int, x: np.ndarray, params: Mapping[str, np.ndarray]
    ) -> tuple[np.ndarray, np.ndarray]:
        """Party ``party``'s (0 or 1) ideal gain at each point: the most it gains while the
        other keeps at least its disagreement payoff (Kalai & Smorodinsky 1975), and whether
        each is vouched for. It is the box's maximum of its gain alone (:meth:`alone`) where
        neither gain is negative there; elsewhere the other's floor binds: :meth:`solve`
        with ``w`` one for ``party`` and zero for the other, from ``x``."""
        _, g, vouched = self.alone(party, x, params)
        ok = vouched & (g >= 0).all(axis=1)
        gain = np.where(ok, g[:, party], np.nan)
        rest = np.flatnonzero(~ok)
        if rest.size:
            w = np.zeros((rest.size, 2))
            w[:, party] = 1.0
            _, t, vouched = self.solve(w, x[rest], {**subset(params, rest), "_n": rest})
            gain[rest], ok[rest] = t, vouched
        return gain, ok

    def columns(self, x: np.ndarray, ok: np.ndarray, params: Mapping[str, np.ndarray]) -> Columns:
        """The kernel's columns: each contract variable, each party's payoff and the status
        (``ok`` where vouched for, else ``no_convergence``)."""
        n = x.shape[0]
        u = self._payoffs(*x.T, params=params, n=n)
        out = {v: x[:, j] for j, v in enumerate(self.model.variable_names)}
        out.update({f"payoff_{p}": u[i] for i, p in enumerate(self.model.party_names)})
        out["status"] = np.where(ok, OK, NO_CONVERGENCE).astype(np.int8)
        return out


def _gradient_size(d0: np.ndarray, d1: np.ndarray) -> np.ndarray:
    """The size of the gains' gradients at each point (the singular step's unit)."""
    return np.maximum(np.max(np.abs(d0), axis=1), np.max(np.abs(d1), axis=1))


def _held_step(
    free: np.ndarray,
    x: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    w: np.ndarray,
    rest: tuple[np.ndarray, ...],
    shift: np.ndarray | float,
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_step` on the ``free`` variables (those the Lagrangian's gradient does not push
    out of the box), but one at its bound that the step moves out of the box: held there,
    and the step taken again without it (until none moves out). Returns the step and the
    variables left free."""
    k = x.shape[1]
    free = free.copy()
    step = _step(free, w, *rest, shift=shift)
    for _hold in range(k):
        dx = step[:, :k]
        out = free & (((x <= lo) & (dx < 0)) | ((x >= hi) & (dx > 0)))
        again = np.flatnonzero(out.any(axis=1))
        if again.size == 0:
            break
        free[again] &= ~out[again]
        part = np.asarray(shift)[again] if np.ndim(shift) else shift
        step[again] = _step(free[again], w[again], *(v[again] for v in rest), shift=part)
    return step, free


def _step(
    free: np.ndarray,
    w: np.ndarray,
    r: np.ndarray,
    hess: np.ndarray,
    d0: np.ndarray,
    d1: np.ndarray,
    normal: np.ndarray,
    norm: np.ndarray,
    ray: np.ndarray,
    *,
    shift: np.ndarray | float = 0.0,
) -> np.ndarray:
    """The Newton step ``(dx, dm)`` of the conditions on the ``free`` variables (the others
    held: ``dx = 0``), ``(n, k + 2)``, with the Hessian less ``shift`` times the identity
    on them; NaN where the linear system is singular. ``norm`` and ``ray`` are the
    residuals of the normalisation and of the ray condition, ``(n, 1)``."""
    n, k = free.shape
    both = free[:, :, None] & free[:, None, :]
    scale = np.max(np.abs(normal), axis=1)
    scale = np.where(scale > 0, scale, 1.0)
    system = np.zeros((n, k + 2, k + 2))
    system[:, :k, :k] = np.where(both, hess, 0.0)
    system[:, :k, :k] += (~free)[:, :, None] * np.eye(k) * scale[:, None, None]
    system[:, :k, :k] -= free[:, :, None] * np.eye(k) * np.reshape(shift, (-1, 1, 1))
    system[:, :k, k] = np.where(free, d0, 0.0)
    system[:, :k, k + 1] = np.where(free, d1, 0.0)
    system[:, k, k:] = w
    system[:, k + 1, :k] = np.where(free, normal, 0.0)
    residual = np.concatenate([np.where(free, r, 0.0), norm, ray], axis=1)
    good = np.isfinite(system).all(axis=(1, 2)) & np.isfinite(residual).all(axis=1)
    step = np.full((n, k + 2), np.nan)
    if good.any():
        with np.errstate(all="ignore"):
            step[good] = _solved(system[good], -residual[good])
    return step


def _solved(system: np.ndarray, rhs: np.ndarray) -> np.ndarray:
    """``np.linalg.solve`` per point, NaN for a singular system."""
    out = np.full(rhs.shape, np.nan)
    try:
        return np.linalg.solve(system, rhs[:, :, None])[:, :, 0]
    except np.linalg.LinAlgError:  # some system is singular: solve one by one
        for i in range(rhs.shape[0]):
            try:
                out[i] = np.linalg.solve(system[i], rhs[i])
            except np.linalg.LinAlgError:
                continue
        return out


__all__ = ["MAXITER", "CommonGain"]
