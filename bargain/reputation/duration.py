"""How long a strike lasts: agreement, breakdowns and focal dates.

The strike starts at time 0. Three things can end it:

1. **agreement** — at the time ``τ`` a theory of delay gives
   (:mod:`bargain.reputation.delay`; e.g. the reputational war of attrition of
   Abreu & Gul 2000, :mod:`bargain.reputation.attrition`), as the
   piecewise-exponential survival ``G(t) = P(τ > t)`` of
   :class:`bargain.reputation.agreement.AgreementTime` (atoms allowed, and
   ``τ = ∞`` for an impasse);
2. **breakdown** — talks break down at an exponential time ``B`` with rate
   ``β`` (independent of ``τ``); the strike then runs to the **next focal
   date** ``d_k ≥ B`` and ends there (the model's disagreement: a strike to
   the next focal date);
3. **the last focal date** ``d_K`` — a strike still on then ends there,
   whether talks still go on or are at an impasse.

So the length is ``L = τ`` if ``τ ≤ B`` and ``τ ≤ d_K``; ``L = d_k`` (the first
focal date at or after ``B``) if ``B < τ`` and ``B < d_K``; ``L = d_K``
otherwise. With ``d_0 = 0``, for ``t`` in ``[d_{k−1}, d_k)``

``S(t) = P(L > t) = G(t) e^{−βt} + ∫_{d_{k−1}}^t β e^{−βs} G(s) ds``

(still talking, or broken down in this window and waiting for ``d_k``), and
``S(t) = 0`` from ``d_K`` on. ``S`` falls inside a window
(``S′ = G′ e^{−βt} ≤ 0``, and by ``e^{−βt}`` times each atom of ``τ``) and jumps
down at each focal date by the mass of the window's breakdowns. Every
integral is of a piecewise exponential, done in closed form.

Not modelled: a breakdown does not resume talks after the focal date. See
``docs/duration.md``.

Examples
--------
>>> from bargain.reputation.attrition import abreu_gul
>>> war = abreu_gul({"W": 0.6, "A": 0.6}, {"W": 0.1, "A": 0.2}, {"W": 0.1, "A": 0.1})
>>> d = strike_duration(war, breakdown_rate=0.0, focal_dates=(20.0,))
>>> round(d.mean, 12), round(d.at_date[0], 12)   # E[min(τ, T0)] + z_W z_A (20 − T0)
(1.439056, 0.02)
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq

from bargain.errors import ModelError
from bargain.reputation.agreement import AgreementTime
from bargain.reputation.attrition import Reputation, _one_minus_exp_times


def _check_number(value: object, key: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ModelError(f"must be a number, got {value!r}", key=key)
    if not math.isfinite(value):
        raise ModelError(f"must be a finite number, got {value!r}", key=key)
    return float(value)


def _check_dates(focal_dates: Sequence[float]) -> tuple[float, ...]:
    """The focal dates as a set: sorted, repeats merged; each positive and finite."""
    if isinstance(focal_dates, str) or not isinstance(focal_dates, Sequence) or not focal_dates:
        raise ModelError(
            f"must be a non-empty list of times after the strike's start, got {focal_dates!r}",
            key="focal_dates",
        )
    dates = tuple(sorted({_check_number(d, "focal_dates") for d in focal_dates}))
    if dates[0] <= 0:
        raise ModelError(
            f"must be times after the strike's start (positive), got {list(focal_dates)}",
            key="focal_dates",
        )
    return dates


def _pieces(tau: AgreementTime, a: float, b: float) -> list[tuple[float, float, float, float]]:
    """``G`` on ``(a, b)`` as pieces ``(lo, hi, g, κ)`` with ``G(s) = g e^{−κ s}``."""
    return [
        (max(lo, a), min(hi, b), g, kappa)
        for lo, hi, g, kappa in tau.pieces
        if lo < b and hi > a and g > 0
    ]


def _moments(kappa: float, lo: float, hi: float) -> tuple[float, float]:
    """``∫_lo^hi e^{−κs} ds`` and ``∫_lo^hi s e^{−κs} ds`` for ``κ >= 0``, without cancellation."""
    w, x = hi - lo, kappa * (hi - lo)
    scale = math.exp(-kappa * lo)
    if x < 1e-12:
        zeroth, inner = w, w * w / 2  # relative error O(x)
    else:
        zeroth = -math.expm1(-x) / kappa
        inner = _one_minus_exp_times(x) / kappa**2  # ∫_0^w u e^{−κu} du
    return scale * zeroth, scale * (lo * zeroth + inner)


def _breakdowns(tau: AgreementTime, beta: float, lo: float, hi: float) -> float:
    """``∫_lo^hi β e^{−βs} G(s) ds``: talks broke down in ``(lo, hi]`` before agreement."""
    if beta == 0:
        return 0.0
    pieces = _pieces(tau, lo, hi)
    return sum(beta * g * _moments(kappa + beta, a, b)[0] for a, b, g, kappa in pieces)


@dataclass(frozen=True)
class StrikeDuration:
    """The distribution of a strike's length (see the module docstring).

    Attributes
    ----------
    time_to_agreement
        The time to agreement ``τ`` if talks never broke down.
    breakdown_rate
        ``β``, the hazard per period that talks break down.
    focal_dates
        ``d_1 < … < d_K``, in periods from the strike's start (sorted, repeats merged).
    at_zero
        ``P(L = 0)``: agreement at once (``τ``'s atom at 0).
    agreement
        ``P(the strike ends by a concession)``, the atom included.
    breakdown
        ``P(talks break down before agreement and before d_K)``: the strike
        ends at the next focal date.
    to_last
        ``P(neither agreement nor breakdown before d_K)``: the strike runs to
        the last focal date.
    impasse
        ``P(τ = ∞)``: no agreement ever (e.g. ``z_W z_A``, both sides
        obstinate); these paths end at a focal date, by breakdown or at ``d_K``.
    at_date
        ``P(L = d_k)`` for each focal date.
    mean
        ``E[L] = ∫_0^{d_K} S(t) dt``, every path counted.
    """

    time_to_agreement: AgreementTime
    breakdown_rate: float
    focal_dates: tuple[float, ...]
    at_zero: float
    agreement: float
    breakdown: float
    to_last: float
    impasse: float
    at_date: tuple[float, ...]
    mean: float

    def survival(self, t: float) -> float:
        """``S(t) = P(L > t)``: the strike is still on just after ``t``.

        Examples
        --------
        >>> from bargain.reputation.attrition import abreu_gul
        >>> war = abreu_gul({"W": 0.6, "A": 0.6}, {"W": 0.1, "A": 0.2}, {"W": 0.1, "A": 0.1})
        >>> d = strike_duration(war, breakdown_rate=0.05, focal_dates=(4.0, 20.0))
        >>> round(d.survival(0.0), 12), d.survival(20.0)
        (0.5, 0.0)
        """
        t = _check_number(t, "t")
        if t < 0:
            return 1.0
        if t >= self.focal_dates[-1]:
            return 0.0
        lo = max((d for d in self.focal_dates if d <= t), default=0.0)
        talking = float(self.time_to_agreement.survival(t)) * math.exp(-self.breakdown_rate * t)
        return talking + _breakdowns(self.time_to_agreement, self.breakdown_rate, lo, t)

    @property
    def settled_by(self) -> tuple[float, ...]:
        """``P(L <= d_k) = 1 − S(d_k)`` for each focal date (the last is 1)."""
        return tuple(1.0 - self.survival(d) for d in self.focal_dates)

    @property
    def median(self) -> float:
        """``inf{t : S(t) <= 1/2}``: a focal date when ``S`` jumps across 1/2 there."""
        if self.survival(0.0) <= 0.5:
            return 0.0
        lo = 0.0
        for date in self.focal_dates:
            if self.survival(float(np.nextafter(date, 0.0))) <= 0.5:
                return float(brentq(lambda t: self.survival(t) - 0.5, lo, date, xtol=1e-12))
            if self.survival(date) <= 0.5:
                return date
            lo = date
        raise AssertionError("unreachable: S vanishes at the last focal date")

    def expected_cost(self, weekly: Mapping[str, float]) -> dict[str, float]:
        """Each party's expected strike cost: its cost per period times ``E[L]``.

        Examples
        --------
        >>> from bargain.reputation.attrition import abreu_gul
        >>> war = abreu_gul({"W": 0.6, "A": 0.6}, {"W": 0.1, "A": 0.2}, {"W": 0.1, "A": 0.1})
        >>> d = strike_duration(war, breakdown_rate=0.0, focal_dates=(20.0,))
        >>> {k: round(v, 6) for k, v in d.expected_cost({"W": 2.0, "A": 1.0}).items()}
        {'W': 2.878112, 'A': 1.439056}
        """
        return {p: _check_number(c, f"strike_cost.{p}") * self.mean for p, c in weekly.items()}


def strike_duration(
    agreement: AgreementTime | Reputation, *, breakdown_rate: float, focal_dates: Sequence[float]
) -> StrikeDuration:
    """The length of a strike whose talks would agree at ``τ``, with breakdowns and focal dates.

    Parameters
    ----------
    agreement
        The time to agreement ``τ``, its times in periods: an
        :class:`~bargain.reputation.agreement.AgreementTime` from a theory of
        delay, or a solved war of attrition
        (:func:`bargain.reputation.attrition.abreu_gul`).
    breakdown_rate
        ``β >= 0``, the hazard per period that talks break down
        (``−ln(1 − q)`` for a breakdown probability ``q`` per period).
    focal_dates
        The dates, in periods from the strike's start, at which a strike whose
        talks have broken down ends; positive, in any order (a set: sorted,
        repeats merged, so a date moved onto another is harmless); the last
        ends every strike (the model's ``T_D`` is a single date).

    Raises
    ------
    ModelError
        For a negative or non-finite rate, no dates, or a date that is not
        positive and finite.

    Examples
    --------
    One focal date, no breakdowns: the war as in Abreu & Gul, and the impasse
    lasting to the date.

    >>> from bargain.reputation.attrition import abreu_gul
    >>> war = abreu_gul({"W": 0.6, "A": 0.6}, {"W": 0.1, "A": 0.2}, {"W": 0.1, "A": 0.1})
    >>> d = strike_duration(war, breakdown_rate=0.0, focal_dates=(20.0,))
    >>> round(d.agreement, 12), round(d.to_last, 12), round(d.median, 12)
    (0.98, 0.02, 0.0)
    """
    tau = agreement.agreement_time() if isinstance(agreement, Reputation) else agreement
    beta = _check_number(breakdown_rate, "breakdown_rate")
    if beta < 0:
        raise ModelError(f"must be non-negative, got {breakdown_rate!r}", key="breakdown_rate")
    dates = _check_dates(focal_dates)
    last = dates[-1]
    at_zero = 1.0 - float(tau.survival(0.0))
    # Agreement after 0 and by d_K: density κ G(t) e^{−βt} inside each piece, and
    # each atom of τ in (0, d_K] discounted by e^{−βt} (talks still on then).
    agree_later = agree_time = 0.0
    for a, b, g, kappa in _pieces(tau, 0.0, last):
        if kappa > 0:
            zeroth, first = _moments(kappa + beta, a, b)
            agree_later += kappa * g * zeroth
            agree_time += kappa * g * first
    for t, mass in tau.atoms:
        if 0 < t <= last:
            agree_later += mass * math.exp(-beta * t)
            agree_time += t * mass * math.exp(-beta * t)
    starts = (0.0, *dates[:-1])
    # Breakdowns in window k (before agreement) end the strike at d_k.
    windows = [_breakdowns(tau, beta, lo, hi) for lo, hi in zip(starts, dates, strict=True)]
    to_last = float(tau.survival(last)) * math.exp(-beta * last)
    at_date = (*windows[:-1], windows[-1] + to_last)
    # E[L] = E[τ; agreement] + Σ_k d_k P(L = d_k)
    mean = agree_time + sum(d * p for d, p in zip(dates, at_date, strict=True))
    return StrikeDuration(
        time_to_agreement=tau,
        breakdown_rate=beta,
        focal_dates=dates,
        at_zero=at_zero,
        agreement=at_zero + agree_later,
        breakdown=sum(windows),
        to_last=to_last,
        impasse=tau.never,
        at_date=at_date,
        mean=mean,
    )


def simulate_duration(
    d: StrikeDuration, n: int, seed: int | np.random.Generator | None = None
) -> np.ndarray:
    """Draw ``n`` strikes and return their lengths: an independent route to ``S``.

    Agreement times are drawn by inverting ``G``
    (:meth:`~bargain.reputation.agreement.AgreementTime.sample`), breakdown
    times are exponential with rate ``β``, and each path ends as the module
    docstring says.

    Examples
    --------
    >>> from bargain.reputation.attrition import abreu_gul
    >>> war = abreu_gul({"W": 0.6, "A": 0.6}, {"W": 0.1, "A": 0.2}, {"W": 0.1, "A": 0.1})
    >>> d = strike_duration(war, breakdown_rate=0.05, focal_dates=(4.0, 20.0))
    >>> lengths = simulate_duration(d, 5, seed=1)
    >>> lengths.shape, bool((lengths <= 20.0).all())
    ((5,), True)
    """
    rng = np.random.default_rng(seed)
    tau = d.time_to_agreement.sample(n, seed=rng)
    beta = d.breakdown_rate
    broken = rng.exponential(1 / beta, size=n) if beta > 0 else np.full(n, np.inf)
    dates = np.asarray(d.focal_dates)
    last = dates[-1]
    next_date = dates[np.minimum(np.searchsorted(dates, broken), dates.size - 1)]
    return np.where(
        (tau <= broken) & (tau <= last),
        tau,
        np.where((broken < tau) & (broken < last), next_date, last),
    )


__all__ = ["StrikeDuration", "simulate_duration", "strike_duration"]
