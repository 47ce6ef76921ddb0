"""Strikes under one-sided private information: an uninformed side screens with weekly offers.

One side (the **uninformed** side, in the WGA case the writers) makes an offer
each period ``t = 0, 1, …`` until a deadline ``D``; the other (the
**informed** side, the producers) is one of finitely many types, known only to
itself, with prior probabilities common knowledge, and accepts or rejects.
This is the seller–buyer game of Fudenberg, Levine & Tirole (1985, in Roth
ed., *Game-Theoretic Models of Bargaining*, Cambridge UP) and Gul,
Sonnenschein & Wilson (1986, *J. Econ. Theory* 39, 155–190) with a finite
horizon, read as a strike as in Hart (1989, *Q. J. Econ.* 104(1), 25–43)
and the survey of Kennan & Wilson (1993, *J. Econ. Lit.* 31(1), 45–104):

- **values.** An agreement at ``t`` on terms ``x`` (what the informed side
  gives up, over the terms in force after the deadline) is worth
  ``δ_I^t (v_i(t) − x)`` to a type ``i`` and ``δ_U^t (x + w(t))`` to the
  uninformed side, both over striking to the deadline. In a strike
  (:func:`strike_screening`) ``v_i(t) = c_i a_I(D − t)`` is what type ``i``
  saves of its strike cost ``c_i`` per period, and ``w(t) = c_U a_U(D − t)``
  what the uninformed side saves of its own, ``a_r(s) = (1 − e^{−r s})/r``
  (``= s`` when ``r = 0``) the discounted length of the rest of the strike.
  Every type gains from agreement before the deadline (the *gap case*).
- **skimming.** A type that saves more accepts earlier: in every equilibrium
  the types still on strike are the lowest-cost ones, and what the offering
  side knows is a **posterior cutoff** ``k`` in the types ranked by cost.
  With finitely many types a cutoff may fall inside a type (that type
  randomises, Fudenberg & Tirole 1983, *Rev. Econ. Stud.* 50(2), 221–247):
  each type is cut into ``resolution`` equal slices and the cutoff moves on
  the slices; ``resolution = 1`` restricts each type to a pure strategy.
- **backward induction over (period, cutoff).** At the deadline nothing is
  left to bargain over. In period ``t`` at cutoff ``k`` the offering side
  chooses the next cutoff ``k′ ≥ k``; the terms are the most the last slice
  to accept will accept, ``x_t(k′) = v_{k′−1}(t) − δ_I U_{t+1}(k′, k′−1)``,
  where ``U_{t+1}(k′, j)`` is what slice ``j`` gets by waiting from cutoff
  ``k′`` (accepting the first later offer it likes along the path, or none).
  The offering side's value is
  ``R_t(k) = max_{k′ ≥ k} [m(k, k′)(x_t(k′) + w(t)) + δ_U R_{t+1}(k′)]``,
  ``m`` the prior mass of the slices that accept (``k′ = k``: an offer no one
  accepts). Ties go to the smaller ``k′`` (the higher offer), the choice that
  attains the supremum when a type must randomise.

The result gives the path of offers, which type settles when, the writers'
and each type's expected gain, and the time to agreement as
:func:`bargain.reputation.agreement.steps`: atoms at the periods when types
accept; the types that never accept before the deadline (probability
``never``) strike to the last focal date.

Examples
--------
Two types of producer that lose 3 or 1 a week, even odds, a deadline 4 weeks
away, no discounting, writers who lose nothing by waiting: the writers first
ask what the costly type saves (its four weeks, 12) less what it would get
by waiting a week for the offer to the cheap type (9 − 3), then settle with
the cheap type on what its last three weeks cost it.

>>> s = strike_screening(costs=(3.0, 1.0), priors=(0.5, 0.5), deadline=4.0)
>>> s.offers[:2], s.settled[0][:2], s.settled[1][:2]
((6.0, 3.0), (0.5, 0.0), (0.0, 0.5))
>>> s.agreement_time().atoms
((0.0, 0.5), (1.0, 0.5))
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from bargain.errors import ModelError
from bargain.model.patience import discount_rates
from bargain.model.validate import numeric_value
from bargain.reputation.agreement import AgreementTime, steps
from bargain.reputation.delay import DelayInputs, Theory, focal_deadline, register_theory

THEORY = "screening"
MAX_TYPES = 4
"""How many types ``[delay.screening]`` may give (``cost_1`` … ``cost_4``)."""
MAX_RESOLUTION = 200
MAX_PERIODS = 520
_TIE = 1e-12


@dataclass(frozen=True)
class Screening:
    """The equilibrium of the screening game (see the module docstring).

    Attributes
    ----------
    offers
        The offer in each period ``0 … periods − 1`` on the equilibrium path
        (``inf``: an offer no type still on strike accepts).
    settled
        ``settled[i][t]``: the prior probability that type ``i`` settles in
        period ``t`` (types in the order given).
    never
        The probability that no agreement comes before the deadline.
    value
        The uninformed side's expected gain over striking to the deadline.
    gains
        Each type's expected gain over striking to the deadline, times its
        prior (they sum to the informed side's expected gain).
    expected_terms
        The expected terms of an agreement, given one comes before the deadline
        (``nan`` when none does).
    resolution
        Slices per type of the posterior cutoff.
    horizon
        When the game ends without agreement: the deadline (the number of
        periods for :func:`screen`).
    """

    offers: tuple[float, ...]
    settled: tuple[tuple[float, ...], ...]
    never: float
    value: float
    gains: tuple[float, ...]
    expected_terms: float
    resolution: int
    horizon: float

    @property
    def periods(self) -> int:
        """The number of periods with an offer (those before the deadline)."""
        return len(self.offers)

    def settle_by_period(self) -> tuple[float, ...]:
        """The probability of agreement in each period (summed over types)."""
        return tuple(float(v) for v in np.sum(np.asarray(self.settled), axis=0))

    def expected_delay(self) -> float:
        """``E[min(τ, horizon)]``: the expected delay, no agreement counted at ``horizon``."""
        by_period = self.settle_by_period()
        return sum(t * m for t, m in enumerate(by_period)) + self.horizon * self.never

    def agreement_time(self, theory: str = THEORY) -> AgreementTime:
        """The time to agreement: atoms at the periods when types accept; the rest never.

        Examples
        --------
        >>> strike_screening(costs=(2.0,), priors=(1.0,), deadline=3.0).agreement_time().atoms
        ((0.0, 1.0),)
        """
        pairs = [(float(t), m) for t, m in enumerate(self.settle_by_period()) if m > 0]
        times = tuple(t for t, _ in pairs)
        masses = tuple(m for _, m in pairs)
        return steps(times, masses, theory)


def _check_number(value: float, key: str, *, low: float, high: float = math.inf) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ModelError(f"must be a number, got {value!r}", table=THEORY, key=key)
    number = float(value)
    if not math.isfinite(number) or not low <= number <= high:
        raise ModelError(
            f"must be a finite number in [{low:g}, {high:g}], got {value!r}", table=THEORY, key=key
        )
    return number


def _check_priors(priors: Sequence[float], n: int) -> np.ndarray:
    if len(priors) != n:
        raise ModelError(
            f"must give one prior per type ({n}), got {len(priors)}", table=THEORY, key="priors"
        )
    mass = np.array(
        [_check_number(p, f"priors[{i}]", low=0.0, high=1.0) for i, p in enumerate(priors)]
    )
    if abs(mass.sum() - 1) > 1e-9:
        raise ModelError(f"must sum to 1, got {mass.sum():.12g}", table=THEORY, key="priors")
    return mass / mass.sum()


def screen(
    values: np.ndarray,
    priors: Sequence[float],
    *,
    informed_discount: float = 1.0,
    uninformed_discount: float = 1.0,
    uninformed_gain: Sequence[float] | None = None,
    resolution: int = 1,
) -> Screening:
    """Solve the screening game by backward induction over (period, posterior cutoff).

    Parameters
    ----------
    values
        ``values[i, t]``: type ``i``'s value of agreement in period ``t`` (in
        period-``t`` money, over no agreement), positive; types ranked from the
        highest value to the lowest in every period.
    priors
        The prior probability of each type (summing to 1).
    informed_discount, uninformed_discount
        Discount factors per period ``δ_I, δ_U`` in ``(0, 1]``.
    uninformed_gain
        ``w(t)``: what agreement in period ``t`` is worth to the uninformed side
        besides the terms (default 0, the seller of the classic model).
    resolution
        Slices per type of the posterior cutoff, an integer in ``[1, 200]``.

    Raises
    ------
    ModelError
        For values that are not positive and finite, types out of rank in some
        period, priors that are not probabilities summing to 1, discount
        factors outside ``(0, 1]`` or a bad resolution.

    Examples
    --------
    The two-period, two-type game with ``v_H = 2``, ``v_L = 1``, prior 3/4 on
    the high type and ``δ = 0.9`` (:func:`two_period_value`, 1.45): the high
    type accepts 2 with probability 2/3 at once, the rest of it in period 1
    (the low type never).

    >>> s = screen(np.array([[2.0, 2.0], [1.0, 1.0]]), (0.75, 0.25), informed_discount=0.9,
    ...            uninformed_discount=0.9, resolution=3)
    >>> s.offers, round(s.value, 12), [round(m, 12) for m in s.settled[0]]
    ((2.0, 2.0), 1.45, [0.5, 0.25])
    """
    v = np.asarray(values, dtype=float)
    if v.ndim != 2 or v.shape[1] < 1 or v.shape[0] < 1:
        raise ModelError("must be a (types, periods) array", table=THEORY, key="values")
    n, periods = v.shape
    if not np.all(np.isfinite(v)) or np.any(v <= 0):
        raise ModelError("must be positive and finite (the gap case)", table=THEORY, key="values")
    if n > 1 and np.any(np.diff(v, axis=0) >= 0):
        raise ModelError(
            "must rank the types from the highest value to the lowest in every period",
            table=THEORY,
            key="values",
        )
    if periods > MAX_PERIODS:
        raise ModelError(f"must be at most {MAX_PERIODS} periods", table=THEORY, key="values")
    mass = _check_priors(priors, n)
    d_i = _check_number(informed_discount, "informed_discount", low=0.0, high=1.0)
    d_u = _check_number(uninformed_discount, "uninformed_discount", low=0.0, high=1.0)
    for key, d in (("informed_discount", d_i), ("uninformed_discount", d_u)):
        if d == 0:
            raise ModelError("must be in (0, 1], got 0", table=THEORY, key=key)
    if isinstance(resolution, bool) or not isinstance(resolution, numbers.Integral):
        raise ModelError(f"must be an integer, got {resolution!r}", table=THEORY, key="resolution")
    if not 1 <= resolution <= MAX_RESOLUTION:
        raise ModelError(
            f"must be in [1, {MAX_RESOLUTION}], got {resolution}", table=THEORY, key="resolution"
        )
    w = np.zeros(periods) if uninformed_gain is None else np.asarray(uninformed_gain, dtype=float)
    if w.shape != (periods,) or not np.all(np.isfinite(w)):
        raise ModelError(
            f"must be {periods} finite numbers, one a period", table=THEORY, key="uninformed_gain"
        )
    return _solve(v, mass, d_i, d_u, w, int(resolution))


def _solve(
    v: np.ndarray, mass: np.ndarray, d_i: float, d_u: float, w: np.ndarray, resolution: int
) -> Screening:
    n, periods = v.shape
    size = n * resolution  # slices; the cutoff k counts the slices that have settled
    kind = np.repeat(np.arange(n), resolution)
    unit = np.repeat(v, resolution, axis=0)  # (size, periods)
    cum = np.concatenate(([0.0], np.cumsum(np.repeat(mass / resolution, resolution))))
    k = np.arange(size + 1)
    later = k[None, :] >= k[:, None]  # allowed (k, k') pairs
    value_next = np.zeros(size + 1)
    wait_next = np.zeros((size + 1, size))  # U_{t+1}(k, j)
    policy = np.zeros((periods, size + 1), dtype=int)
    terms = np.full((periods, size + 1), np.inf)
    for t in range(periods - 1, -1, -1):
        price = np.full(size + 1, np.inf)
        price[1:] = unit[:, t] - d_i * wait_next[k[1:], k[1:] - 1]
        gain = (cum[None, :] - cum[:, None]) * (np.where(np.isinf(price), 0.0, price) + w[t])[
            None, :
        ]
        total = np.where(later, gain + d_u * value_next[None, :], -np.inf)
        best = total.max(axis=1)
        tie = _TIE * np.maximum(1.0, np.abs(best))
        choice = np.argmax(total >= (best - tie)[:, None], axis=1)  # the smallest k' near the best
        moves = choice > k
        accept_now = unit[:, t][None, :] - price[choice][:, None]
        waiting = d_i * wait_next[choice]
        wait_now = np.where(moves[:, None], np.maximum(accept_now, waiting), waiting)
        policy[t], terms[t] = choice, price
        value_next, wait_next = best, wait_now
    settled = np.zeros((n, periods))
    offers = []
    cut = 0
    for t in range(periods):
        nxt = int(policy[t, cut])
        offers.append(float(terms[t, nxt]) if nxt > cut else math.inf)
        np.add.at(settled[:, t], kind[cut:nxt], mass[kind[cut:nxt]] / resolution)
        cut = nxt
    never = float(mass.sum() - settled.sum())
    never = 0.0 if never < _TIE else never  # rounding
    gains = []
    for i in range(n):
        share = settled[i]
        gains.append(
            float(
                sum(
                    d_i**t * (v[i, t] - offers[t]) * share[t]
                    for t in range(periods)
                    if share[t] > 0
                )
            )
        )
    agreed = settled.sum(axis=0)
    total_agreed = float(agreed.sum())
    expected = (
        float(sum(offers[t] * agreed[t] for t in range(periods) if agreed[t] > 0) / total_agreed)
        if total_agreed > 0
        else math.nan
    )
    return Screening(
        offers=tuple(offers),
        settled=tuple(tuple(float(x) for x in row) for row in settled),
        never=never,
        value=float(value_next[0]),
        gains=tuple(gains),
        expected_terms=expected,
        resolution=resolution,
        horizon=float(periods),
    )


def annuity(rate: float, length: float) -> float:
    """``a_r(s) = (1 − e^{−r s})/r``: the discounted length of ``s`` periods (``s`` at ``r = 0``).

    Examples
    --------
    >>> annuity(0.0, 4.0), round(annuity(0.1, 4.0), 6)
    (4.0, 3.296800)
    """
    x = rate * length
    if x < 1e-8:  # the series, where the quotient would lose digits or underflow
        return length * (1 - x / 2)
    return -math.expm1(-x) / rate


def strike_screening(
    costs: Sequence[float],
    priors: Sequence[float],
    deadline: float,
    *,
    uninformed_cost: float = 0.0,
    informed_rate: float = 0.0,
    uninformed_rate: float = 0.0,
    resolution: int = 1,
) -> Screening:
    """Screening in a strike: the informed side's type is its strike cost per period.

    The offers come in periods ``0, 1, …`` before ``deadline``; type ``i``
    values agreement in period ``t`` at ``c_i a_{r_I}(D − t)``, the uninformed
    side at the terms plus ``c_U a_{r_U}(D − t)`` (module docstring).

    Parameters
    ----------
    costs
        The informed side's strike cost per period for each type (positive;
        types with the same cost are one type, their settlements split in
        proportion to their priors).
    priors
        The uninformed side's prior of each type (summing to 1).
    deadline
        ``D > 0``: the period by which the screening ends, the terms then
        reverting to those after the strike.
    uninformed_cost
        The uninformed side's own strike cost per period (``>= 0``).
    informed_rate, uninformed_rate
        Discount rates per period (``>= 0``).
    resolution
        Slices per type of the posterior cutoff (:func:`screen`).

    Raises
    ------
    ModelError
        For costs that are not positive and finite, a deadline that
        is not positive or more than 520 periods away, negative rates or cost,
        and what :func:`screen` refuses.

    Examples
    --------
    One type: agreement at once, on what the strike would cost it.

    >>> s = strike_screening(costs=(2.0,), priors=(1.0,), deadline=3.0)
    >>> s.offers[0], s.never, s.expected_delay()
    (6.0, 0.0, 0.0)
    """
    cost = [_check_number(c, f"costs[{i}]", low=0.0) for i, c in enumerate(costs)]
    if not cost:
        raise ModelError("must give at least one type", table=THEORY, key="costs")
    for i, c in enumerate(cost):
        if c <= 0:
            raise ModelError(f"must be positive, got {c:g}", table=THEORY, key=f"costs[{i}]")
    end = _check_number(deadline, "deadline", low=0.0, high=float(MAX_PERIODS))
    if end <= 0:
        raise ModelError("must be positive", table=THEORY, key="deadline")
    c_u = _check_number(uninformed_cost, "uninformed_cost", low=0.0)
    r_i = _check_number(informed_rate, "informed_rate", low=0.0)
    r_u = _check_number(uninformed_rate, "uninformed_rate", low=0.0)
    mass = _check_priors(priors, len(cost))
    distinct = sorted(set(cost), reverse=True)  # types with one cost are one type
    group = [distinct.index(c) for c in cost]
    merged = np.zeros(len(distinct))
    np.add.at(merged, group, mass)
    periods = math.ceil(end)
    left = [end - t for t in range(periods)]
    values = np.array([[c * annuity(r_i, s) for s in left] for c in distinct])
    ranked = screen(
        values,
        [float(m) for m in merged],
        informed_discount=math.exp(-r_i),
        uninformed_discount=math.exp(-r_u),
        uninformed_gain=[c_u * annuity(r_u, s) for s in left],
        resolution=resolution,
    )

    def share(i: int) -> float:
        return float(mass[i] / merged[group[i]]) if merged[group[i]] > 0 else 0.0

    return Screening(
        offers=ranked.offers,
        settled=tuple(
            tuple(x * share(i) for x in ranked.settled[group[i]]) for i in range(len(cost))
        ),
        never=ranked.never,
        value=ranked.value,
        gains=tuple(ranked.gains[group[i]] * share(i) for i in range(len(cost))),
        expected_terms=ranked.expected_terms,
        resolution=ranked.resolution,
        horizon=end,
    )


def two_period_value(high: float, low: float, prior: float, discount: float) -> float:
    """The offering side's value in the two-period, two-type game (a closed form).

    The classic example of Fudenberg & Tirole (1983, *Rev. Econ. Stud.*
    50(2), one-sided case; also Fudenberg & Tirole 1991, *Game Theory*,
    ch. 10): a seller with no cost makes two offers to a buyer worth ``high``
    with probability ``prior``, ``low`` otherwise, both discounting by
    ``δ``; no trade after. Derived here (the papers' text was not at hand).
    With ``σ = low/high``: in the last period the seller asks ``high`` iff
    the posterior is at least ``σ``. If ``prior <= σ`` it asks ``low`` at
    once (value ``low``). Otherwise it takes the best of: ``low`` at once;
    screening the high type, who accepts ``(1 − δ) high + δ low`` (value
    ``prior (1 − δ) high + δ low``); or asking ``high`` while the high type
    accepts with the probability that leaves the posterior at ``σ``, so that
    ``high`` is asked again (the remaining mass ``M = (1 − prior)/(1 − σ)``,
    value ``prior high − (1 − δ) M low``).

    Examples
    --------
    >>> round(two_period_value(2.0, 1.0, 0.75, 0.9), 12)
    1.45
    """
    sigma = low / high
    if prior <= sigma:
        return low
    rest = (1 - prior) / (1 - sigma)
    return max(
        low,
        prior * (1 - discount) * high + discount * low,
        prior * high - (1 - discount) * rest * low,
    )


# --- the registry hook: [delay.screening] ---------------------------------------------------

_KEYS: dict[str, str] = {
    **{
        f"cost_{i}": (
            f"type {i}'s strike cost per period to the promiser (positive; types with one "
            "cost are one type); cost_1 is required, cost_2 … cost_4 optional"
        )
        for i in range(1, MAX_TYPES + 1)
    },
    **{
        f"prior_{i}": (
            f"the recipient's prior that the promiser is type {i} (in [0, 1]; one for each cost, "
            "summing to 1; with wait_type, leave out that type's and give the others' "
            "relative weights)"
        )
        for i in range(1, MAX_TYPES + 1)
    },
    "wait_type": (
        "the number i of the type that can wait, whose prior is 1 − trust at each stage "
        "(the others share trust in proportion to their prior_i); 0 or absent: the priors as "
        "given, trust does not enter"
    ),
    "deadline": (
        "the period by which the offers end: one of the model's focal dates (default: the "
        "last); types not settled by then strike to the last focal date"
    ),
    "resolution": "slices per type of the posterior cutoff (an integer in [1, 200]; default 50)",
}

DEFAULT_RESOLUTION = 50


def _located(err: ModelError, file: str | None) -> ModelError:
    key = err.key or ""
    match = re.fullmatch(r"(costs|priors)\[(\d+)\]", key)
    if match:
        key = f"{match.group(1)[:-1]}_{int(match.group(2)) + 1}"
    return ModelError(err.message, file=file, table=f"delay.{THEORY}", key=key or None)


def stage_screening(stage: DelayInputs) -> Screening:
    """The screening game at a credibility stage, from ``[delay.screening]``.

    The promiser (``promise.by``) is the informed side; the recipient
    (``promise.to``) makes the offers. The costs, priors and deadline come
    from the settings; each side's discount rate from the model; the
    recipient's own strike cost is minus its ``strike_payoff``. **Trust**
    enters only through ``wait_type``: when it names a type ``i``, the
    recipient's prior that the promiser is that type (the one that can wait)
    is ``1 − trust`` (a broken promise makes it likelier), the other types
    sharing ``trust`` in proportion to their ``prior_i``; without it the
    priors do not move and the broken promise changes the strike only through
    the breakdown rate (and the model it adjusts).

    Raises
    ------
    ModelError
        Naming the ``[delay.screening]`` key: a prior without a cost or the
        reverse, priors not summing to 1, a deadline after the last focal
        date, and what :func:`strike_screening` refuses.
    """
    model, s = stage.model, stage.settings
    where = f"delay.{THEORY}"
    given = [i for i in range(1, MAX_TYPES + 1) if f"cost_{i}" in s]
    if given != list(range(1, len(given) + 1)):
        raise ModelError(
            "must number the types from 1 without gaps", file=model.file, table=where, key="cost_1"
        )
    costs = [s[f"cost_{i}"] for i in given]
    for i in range(1, MAX_TYPES + 1):
        if f"prior_{i}" in s and i not in given:
            raise ModelError(f"has no cost_{i}", file=model.file, table=where, key=f"prior_{i}")
    wait = s.get("wait_type", 0.0)
    if wait != 0 and wait not in given:
        raise ModelError(
            f"must be the number of a type ({', '.join(map(str, given))}) or 0, got {wait:g}",
            file=model.file,
            table=where,
            key="wait_type",
        )
    if wait:
        cheap = int(wait)
        if len(costs) < 2:
            raise ModelError(
                "needs at least two types", file=model.file, table=where, key="wait_type"
            )
        if f"prior_{cheap}" in s:
            raise ModelError(
                f"must be left out: it is 1 − trust (wait_type = {cheap})",
                file=model.file,
                table=where,
                key=f"prior_{cheap}",
            )
        weights = {i: s.get(f"prior_{i}", math.nan) for i in given if i != cheap}
        for i, weight in weights.items():
            if not weight >= 0:
                raise ModelError(
                    f"must be a weight >= 0 (wait_type = {cheap})",
                    file=model.file,
                    table=where,
                    key=f"prior_{i}",
                )
        scale = sum(weights.values())
        if scale <= 0:
            raise ModelError(
                "must not all be 0", file=model.file, table=where, key=f"prior_{min(weights)}"
            )
        priors = [
            1 - stage.trust if i == cheap else stage.trust * weights[i] / scale for i in given
        ]
    else:
        for i in given:
            if f"prior_{i}" not in s:
                raise ModelError(
                    f"missing; cost_{i} needs it", file=model.file, table=where, key=f"prior_{i}"
                )
        priors = [s[f"prior_{i}"] for i in given]
        if abs(sum(priors) - 1) > 1e-9:
            raise ModelError(
                f"prior_1 … prior_{len(given)} must sum to 1, got {sum(priors):.12g}",
                file=model.file,
                table=where,
                key="prior_1",
            )
    deadline = focal_deadline(stage, THEORY, stage.focal_dates[-1])
    resolution = s.get("resolution", float(DEFAULT_RESOLUTION))
    if resolution != int(resolution):
        raise ModelError(
            f"must be an integer, got {resolution:g}",
            file=model.file,
            table=where,
            key="resolution",
        )
    rates = discount_rates(model)
    informed, uninformed = stage.promise.by, stage.promise.to
    party = model.party(uninformed)
    own = -numeric_value(model, party.strike_payoff, f"parties.{uninformed}", "strike_payoff")
    try:
        return strike_screening(
            costs,
            priors,
            deadline,
            uninformed_cost=max(own, 0.0),
            informed_rate=rates[informed] or 0.0,
            uninformed_rate=rates[uninformed] or 0.0,
            resolution=int(resolution),
        )
    except ModelError as err:
        raise _located(err, model.file) from None


def _agreement(stage: DelayInputs) -> AgreementTime:
    """The ``screening`` theory's time to agreement at a stage."""
    return stage_screening(stage).agreement_time()


register_theory(
    Theory(
        name=THEORY,
        summary=(
            "the recipient does not know the promiser's strike cost and asks, period by "
            "period, what the costliest remaining types will accept; cheaper types hold out"
        ),
        source=(
            "Fudenberg, Levine & Tirole (1985), in Roth ed., Game-Theoretic Models of "
            "Bargaining; Gul, Sonnenschein & Wilson (1986), J. Econ. Theory 39; Hart (1989), "
            "Q. J. Econ. 104(1)"
        ),
        agreement=_agreement,
        keys=_KEYS,
        required=("cost_1",),
        order=40,
    )
)


__all__ = [
    "Screening",
    "annuity",
    "screen",
    "stage_screening",
    "strike_screening",
    "two_period_value",
]
