"""When the parties agree: the distribution of the time to agreement.

Every theory of delay (:mod:`bargain.reputation.delay`) ends in the same
object: the time ``τ`` at which the parties would agree if talks never broke
down, as its survival function ``G(t) = P(τ > t)``. ``G`` is right-continuous
and **piecewise exponential**: pieces ``(lo, hi, g, κ)`` cover ``[0, ∞)`` one
after another and ``G(s) = g e^{−κ s}`` on ``[lo, hi)``. A fall of ``G`` at a
piece's start is an atom of ``τ`` there (agreement at once is an atom at 0; a
deadline effect, an atom at the deadline; a screening offer accepted in round
``k``, an atom at ``k``); inside a piece, agreement comes at the constant
hazard ``κ``. What is left on the last piece, when it has ``κ = 0``, is
``P(τ = ∞)``: an impasse that no agreement ends.

The shape covers the war of attrition of Abreu & Gul (2000) (an atom at 0,
then the hazard ``λ_W + λ_A`` until ``T0``, then the impasse), a deadline's
atom, a date of agreement known in advance, and rounds of screening offers; it
is what lets :func:`bargain.reputation.duration.strike_duration` add breakdowns
and focal dates in closed form for every theory alike.

Examples
--------
An agreement at week 3 for sure, known in advance:

>>> tau = AgreementTime(((0.0, 3.0, 1.0, 0.0), (3.0, math.inf, 0.0, 0.0)), theory="example")
>>> tau.survival(2.9), tau.survival(3.0), tau.atoms
(1.0, 0.0, ((3.0, 1.0),))
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

from bargain.errors import ModelError

Piece = tuple[float, float, float, float]
"""``(lo, hi, g, κ)``: ``G(s) = g e^{−κ s}`` for ``lo <= s < hi``."""

_TOLERANCE = 1e-12


def _start(piece: Piece) -> float:
    lo, _hi, g, kappa = piece
    return g * math.exp(-kappa * lo)


def _end(piece: Piece) -> float:
    """``G`` just before the piece's end (``lim_{s↑hi}``)."""
    _lo, hi, g, kappa = piece
    if math.isinf(hi):
        return g if kappa == 0 else 0.0
    return g * math.exp(-kappa * hi)


@dataclass(frozen=True)
class AgreementTime:
    """The time to agreement ``τ`` if talks never broke down (see the module docstring).

    Attributes
    ----------
    pieces
        ``(lo, hi, g, κ)`` with ``G(s) = g e^{−κ s}`` on ``[lo, hi)``, times in
        periods: the first starts at 0, each starts where the last ended, the
        last ends at ``inf``; ``κ >= 0`` and ``G`` non-increasing in ``[0, 1]``.
    theory
        The name of the theory of delay that gave it.

    Raises
    ------
    ModelError
        For pieces that leave a gap, let ``G`` rise or leave ``[0, 1]``.
    """

    pieces: tuple[Piece, ...]
    theory: str

    def __post_init__(self) -> None:
        pieces = tuple(tuple(float(v) for v in p) for p in self.pieces)
        object.__setattr__(self, "pieces", pieces)
        if not pieces or pieces[0][0] != 0.0 or not math.isinf(pieces[-1][1]):
            raise ModelError(
                "must cover [0, inf): the first piece starts at 0, the last ends at inf",
                table="agreement",
                key="pieces",
            )
        before = 1.0
        for i, (lo, hi, g, kappa) in enumerate(pieces):
            if i and lo != pieces[i - 1][1]:
                raise ModelError(
                    f"piece {i} starts at {lo:g}, not where piece {i - 1} ends",
                    table="agreement",
                    key="pieces",
                )
            if not (hi > lo and kappa >= 0 and g >= 0):
                raise ModelError(
                    f"piece {i} must have hi > lo, g >= 0 and a hazard >= 0, got {pieces[i]}",
                    table="agreement",
                    key="pieces",
                )
            start = _start(pieces[i])
            if start > before + _TOLERANCE:
                raise ModelError(
                    f"P(no agreement by t) must not rise: {start:g} after {before:g} at t = {lo:g}",
                    table="agreement",
                    key="pieces",
                )
            before = _end(pieces[i])

    def survival(self, t: float | np.ndarray) -> float | np.ndarray:
        """``G(t) = P(τ > t)``; 1 before 0. Accepts a number or an array.

        Raises
        ------
        ModelError
            If ``t`` contains a NaN.

        Examples
        --------
        >>> tau = AgreementTime(((0.0, math.inf, 0.5, 0.1),), theory="example")
        >>> round(tau.survival(0.0), 12), round(tau.survival(10.0), 12)
        (0.5, 0.18394)
        """
        times = np.asarray(t, dtype=float)
        if np.isnan(times).any():
            raise ModelError("must be a time or an array of times, got NaN", key="t")
        out = np.ones_like(times)
        for lo, hi, g, kappa in self.pieces:
            inside = (times >= lo) & (times < hi)
            out = np.where(inside, g * np.exp(-kappa * np.where(inside, times, lo)), out)
        return float(out) if out.ndim == 0 else out

    @property
    def atoms(self) -> tuple[tuple[float, float], ...]:
        """``(t, P(τ = t))`` for each date at which ``G`` falls by a jump, in order."""
        out = []
        before = 1.0
        for piece in self.pieces:
            jump = before - _start(piece)
            if jump > _TOLERANCE:
                out.append((piece[0], jump))
            before = _end(piece)
        return tuple(out)

    @property
    def never(self) -> float:
        """``P(τ = ∞)``: no agreement ever (an impasse)."""
        return _end(self.pieces[-1])

    def sample(self, n: int, seed: int | np.random.Generator | None = None) -> np.ndarray:
        """Draw ``n`` agreement times by inverting ``G`` (``inf`` for an impasse).

        Examples
        --------
        >>> tau = AgreementTime(((0.0, 3.0, 1.0, 0.0), (3.0, math.inf, 0.0, 0.0)), theory="x")
        >>> tau.sample(3, seed=1)
        array([3., 3., 3.])
        """
        rng = np.random.default_rng(seed)
        u = rng.random(n)  # τ > t  ⇔  G(t) > u
        out = np.full(n, np.inf)
        todo = np.ones(n, dtype=bool)
        for piece in self.pieces:
            lo, hi, g, kappa = piece
            at_start = todo & (u >= _start(piece))
            out[at_start] = lo
            todo &= ~at_start
            inside = todo & (u > _end(piece)) if kappa > 0 else np.zeros(n, dtype=bool)
            with np.errstate(divide="ignore"):
                out[inside] = np.minimum(np.log(g / u[inside]) / kappa, hi)
            todo &= ~inside
        return out


def certain(t: float, theory: str) -> AgreementTime:
    """Agreement at ``t >= 0`` for sure (``t = 0``: at once; ``inf``: never).

    Examples
    --------
    >>> certain(0.0, "x").atoms, certain(math.inf, "x").never
    (((0.0, 1.0),), 1.0)
    """
    if t == 0:
        return AgreementTime(((0.0, math.inf, 0.0, 0.0),), theory)
    if math.isinf(t):
        return AgreementTime(((0.0, math.inf, 1.0, 0.0),), theory)
    return AgreementTime(((0.0, t, 1.0, 0.0), (t, math.inf, 0.0, 0.0)), theory)


def steps(times: tuple[float, ...], masses: tuple[float, ...], theory: str) -> AgreementTime:
    """Agreement at ``times[k]`` with probability ``masses[k]`` (what is left: never).

    ``times`` must be increasing and non-negative; the masses non-negative and
    summing to at most 1.

    Examples
    --------
    >>> tau = steps((0.0, 1.0, 2.0), (0.5, 0.25, 0.25), "x")
    >>> [float(tau.survival(t)) for t in (0.0, 1.0, 2.0)], tau.never
    ([0.5, 0.25, 0.0], 0.0)
    """
    if len(times) != len(masses) or any(b <= a for a, b in itertools.pairwise(times)):
        raise ModelError("must be increasing times, one mass each", table="agreement", key="times")
    if times and times[0] < 0:
        raise ModelError("must be non-negative", table="agreement", key="times")
    if any(m < 0 for m in masses) or sum(masses) > 1 + _TOLERANCE:
        raise ModelError(
            f"must be probabilities summing to at most 1, got {masses}",
            table="agreement",
            key="masses",
        )
    pieces: list[Piece] = []
    left = 1.0
    start = 0.0
    for t, mass in zip(times, masses, strict=True):
        if t > start:
            pieces.append((start, t, left, 0.0))
        left = max(left - mass, 0.0)
        start = t
    pieces.append((start, math.inf, left, 0.0))
    return AgreementTime(tuple(pieces), theory)


__all__ = ["AgreementTime", "Piece", "certain", "steps"]
