"""Strikes under incomplete information: reputational bargaining as a war of attrition.

Two parties (say ``"W"`` and ``"A"``) share a surplus of 1. Party ``i``
demands the share ``α_i``, with ``α_W + α_A > 1`` (incompatible demands).
With probability ``z_i`` it is **obstinate**: it never accepts less than
``α_i``. Its **rational** type discounts at rate ``r_i > 0`` and may, at any
moment, concede (accept ``1 − α_j``). This is the continuous-time limit of
Abreu & Gul (2000) with one obstinate type per side; the unique equilibrium
is a war of attrition:

- **concession rates.** After time 0 a rational ``i`` concedes at the
  constant hazard ``λ_i = r_j (1 − α_i) / (α_i + α_j − 1)``, the rate that
  leaves ``j`` indifferent between conceding now and waiting (the classic
  war-of-attrition rate, :func:`hazard_rate`, with ``win = α_j``,
  ``lose = 1 − α_i`` and flow cost ``r_j (1 − α_i)``);
- **reputations.** Without concessions, the probability that ``i`` is
  obstinate grows as ``dμ_i/dt = λ_i μ_i`` and would reach 1 at
  ``T_i = −ln(z_i)/λ_i``. Both must reach 1 together, at
  ``T0 = min(T_W, T_A)``, so the **weaker** party (the larger ``T_i``)
  concedes at time 0 with (unconditional) probability ``1 − c_i``,
  ``c_i = z_i e^{λ_i T0}``; the stronger party has no atom (``c = 1``);
- **timing.** ``P(no agreement by t) = c_W c_A e^{−(λ_W+λ_A) t}`` on
  ``[0, T0]``; from ``T0`` on it is ``z_W z_A``, the probability that both
  are obstinate and never agree (impasse);
- **payoffs.** The rational weaker type gets ``1 − α_s`` (it is indifferent,
  and may concede at once); the rational stronger type gets
  ``q α_s + (1 − q)(1 − α_w)`` with ``q = 1 − c_w`` the weaker party's atom.

When ``T_W == T_A`` neither party is weaker: there is no atom and
``weaker``/``stronger`` are ``None``. Compatible demands
(``α_W + α_A <= 1``) are not an error: agreement is immediate, with no war.

Obstinacy probabilities may be 0 on one side: a party that is rational for
sure is the weaker side and concedes at once (the one-sided case). They may be
1 on one side: that party is obstinate for sure (``T_i = 0``), the other's
rational type gives in at once, there is no delay, and only the other has a
rational payoff (the limit ``z_i → 1`` of the formulas). ``z_W = z_A = 0``
(complete information, where the war of attrition has a continuum of
equilibria — Hendricks, Weiss & Wilson 1988) and ``z_W = z_A = 1`` (no
rational type at all) are refused.

Examples
--------
>>> war = abreu_gul({"W": 0.6, "A": 0.6}, {"W": 0.1, "A": 0.2}, {"W": 0.1, "A": 0.1})
>>> war.weaker, round(war.atom, 12), round(war.expected_delay, 12)
('W', 0.5, 1.2)
>>> {p: round(v, 12) for p, v in war.payoffs.items()}
{'W': 0.4, 'A': 0.5}
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq

from bargain.errors import ModelError, SolverError
from bargain.reputation.agreement import AgreementTime, certain
from bargain.reputation.delay import DelayInputs, Theory, register_theory

_TIE = 1e-12  # relative gap between T_W and T_A below which the war is a tie


def hazard_rate(win: float, lose: float, cost: float) -> float:
    """The opponent's concession hazard that makes a party indifferent to waiting.

    A party can concede now (worth ``lose``) or wait, paying ``cost`` per unit
    of time, for the other side to concede (worth ``win``). Waiting a moment
    ``dt`` gains ``(win − lose) h dt`` if the other concedes at hazard ``h``,
    and costs ``cost dt``; it is indifferent iff
    ``h = cost / (win − lose)`` (Hendricks, Weiss & Wilson 1988; with
    ``lose = 0`` this is the exponential strategy of Maynard Smith's war of
    attrition, Bishop & Cannings 1978).

    Parameters
    ----------
    win
        Value of the other side conceding.
    lose
        Value of conceding oneself; must be less than ``win``.
    cost
        Flow cost of waiting (``>= 0``); in discounted bargaining the
        interest ``r · lose`` on the value of conceding.

    Raises
    ------
    ModelError
        For non-finite numbers, ``win <= lose`` or a negative cost.

    Examples
    --------
    A prize of 2 and a cost of 0.5 per unit of time: the other side quits
    at rate 0.25, after 4 units of time on average.

    >>> hazard_rate(win=2.0, lose=0.0, cost=0.5)
    0.25
    """
    for key, value in (("win", win), ("lose", lose), ("cost", cost)):
        _check_number(value, key)
    if not win > lose:
        raise ModelError(
            f"winning must be worth more than conceding: need win > lose, got {win!r} <= {lose!r}",
            key="win",
        )
    if cost < 0:
        raise ModelError(f"must be non-negative, got {cost!r}", key="cost")
    return cost / (win - lose)


@dataclass(frozen=True)
class Reputation:
    """The equilibrium of the reputational war of attrition (see the module docstring).

    Attributes
    ----------
    parties
        The two party names, in the order of ``demands``.
    demands, obstinate, rates
        The inputs ``α_i``, ``z_i`` and ``r_i``.
    compatible
        Whether ``α_W + α_A <= 1``: immediate agreement, no war; every time
        below is then 0 and the concession rates are 0.
    concession_rates
        ``λ_i``, the hazard at which a rational ``i`` concedes after time 0.
    reputation_times
        ``T_i = −ln(z_i)/λ_i``, when ``i``'s reputation would reach 1 with no
        atom (``inf`` if ``z_i = 0`` or ``λ_i = 0``).
    t0
        ``T0 = min(T_W, T_A)``: the war is over by then (every rational type
        has conceded).
    weaker, stronger
        The party with the larger and the smaller ``T_i``; both ``None`` at a
        tie (``T_W == T_A``, no atom) or with compatible demands.
    no_concession_at_zero
        ``c_i = z_i e^{λ_i T0}``: the probability that ``i`` does not concede
        at time 0 (1 for the stronger party).
    atoms
        Each party's unconditional probability of conceding at time 0,
        ``1 − c_i``: positive for the weaker party only.
    atom
        The weaker party's atom (0 at a tie).
    agreement_at_zero
        Probability of agreement at time 0 (the atom; 1 if compatible).
    impasse
        ``z_W z_A``: both obstinate, never agree.
    expected_delay
        ``E[min(τ, T0)]``, the expected time until the war ends (agreement at
        ``τ``, or at ``T0`` the certainty that both are obstinate).
    expected_delay_given_agreement
        ``E[τ | τ < ∞]``.
    payoffs
        Expected payoffs of the rational types.
    """

    parties: tuple[str, str]
    demands: dict[str, float]
    obstinate: dict[str, float]
    rates: dict[str, float]
    compatible: bool
    concession_rates: dict[str, float]
    reputation_times: dict[str, float]
    t0: float
    weaker: str | None
    stronger: str | None
    no_concession_at_zero: dict[str, float]
    atoms: dict[str, float]
    atom: float
    agreement_at_zero: float
    impasse: float
    expected_delay: float
    expected_delay_given_agreement: float
    payoffs: dict[str, float]

    def survival(self, t: float | np.ndarray) -> float | np.ndarray:
        """``P(no agreement by t)`` — strictly: no agreement in ``[0, t]``.

        1 before time 0; ``c_W c_A e^{−(λ_W+λ_A) t}`` on ``[0, T0]``;
        ``z_W z_A`` after. Vectorised over NumPy arrays; a scalar in, a float out.

        Raises
        ------
        ModelError
            If ``t`` contains a NaN.

        Examples
        --------
        >>> war = abreu_gul({"W": 0.6, "A": 0.6}, {"W": 0.1, "A": 0.2}, {"W": 0.1, "A": 0.1})
        >>> [round(float(s), 12) for s in war.survival(np.array([-1.0, 0.0, 100.0]))]
        [1.0, 0.5, 0.02]
        """
        return self.agreement_time().survival(t)

    def agreement_time(self) -> AgreementTime:
        """The time to agreement as an :class:`~bargain.reputation.agreement.AgreementTime`:
        the atom at 0, the hazard ``λ_W + λ_A`` until ``T0``, then the impasse.

        Examples
        --------
        >>> war = abreu_gul({"W": 0.6, "A": 0.6}, {"W": 0.1, "A": 0.2}, {"W": 0.1, "A": 0.1})
        >>> tau = war.agreement_time()
        >>> round(tau.atoms[0][1], 12), round(tau.never, 12)
        (0.5, 0.02)
        """
        if self.compatible:
            return certain(0.0, "reputation")
        if self.t0 <= 0:
            return AgreementTime(((0.0, math.inf, self.impasse, 0.0),), "reputation")
        c = math.prod(self.no_concession_at_zero.values())
        rate = sum(self.concession_rates.values())
        return AgreementTime(
            ((0.0, self.t0, c, rate), (self.t0, math.inf, self.impasse, 0.0)), "reputation"
        )


def _check_number(value: object, key: str) -> None:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ModelError(f"must be a number, got {value!r}", key=key)
    if not math.isfinite(value):
        raise ModelError(f"must be a finite number, got {value!r}", key=key)


def _validate(
    demands: Mapping[str, float],
    obstinate: Mapping[str, float],
    rates: Mapping[str, float],
) -> tuple[str, str]:
    """Refuse malformed inputs, naming the key; return the two parties in order."""
    for table, mapping in (("demands", demands), ("obstinate", obstinate), ("rates", rates)):
        if not isinstance(mapping, Mapping):
            raise ModelError(f"must map each party's name to a number, got {mapping!r}", key=table)
    parties = tuple(demands)
    if len(parties) != 2:
        raise ModelError(
            f"needs exactly two parties, got {len(parties)}: {', '.join(map(str, parties))}",
            key="demands",
        )
    for party in parties:
        if not isinstance(party, str) or not party:
            raise ModelError(
                f"a party's name must be a non-empty string, got {party!r}", key="demands"
            )
    named = ", ".join(parties)
    for table, mapping in (("obstinate", obstinate), ("rates", rates)):
        for party in mapping:
            if party not in parties:
                raise ModelError(
                    f"unknown party {party!r}; the parties (from demands) are {named}",
                    key=f"{table}.{party}",
                )
        for party in parties:
            if party not in mapping:
                raise ModelError(f"missing party {party!r}", key=f"{table}.{party}")
    for party in parties:
        key = f"demands.{party}"
        _check_number(demands[party], key)
        if not 0 < demands[party] <= 1:
            raise ModelError(f"must be a share in (0, 1], got {demands[party]!r}", key=key)
        key = f"obstinate.{party}"
        _check_number(obstinate[party], key)
        if not 0 <= obstinate[party] <= 1:
            raise ModelError(f"must be a probability in [0, 1], got {obstinate[party]!r}", key=key)
        key = f"rates.{party}"
        _check_number(rates[party], key)
        if not rates[party] > 0:
            raise ModelError(f"must be a positive discount rate, got {rates[party]!r}", key=key)
    if all(obstinate[p] == 1 for p in parties):
        raise ModelError(
            "both parties are obstinate for sure: there is no rational type and no war, "
            "only an impasse",
            key="obstinate",
        )
    return parties[0], parties[1]


def _concession_rates(
    parties: tuple[str, str], demands: Mapping[str, float], rates: Mapping[str, float]
) -> dict[str, float]:
    """``λ_i``: the hazard that makes ``j`` indifferent, from :func:`hazard_rate`."""
    rate = {}
    for i, j in (parties, parties[::-1]):
        lose = 1 - demands[i]  # what j gets by conceding to i's demand
        rate[i] = hazard_rate(win=demands[j], lose=lose, cost=rates[j] * lose)
    return rate


def _refuse_endless(
    parties: tuple[str, str], obstinate: Mapping[str, float], demands: Mapping[str, float]
) -> None:
    """Both reputation times are infinite: neither side's reputation ever becomes certain."""
    if all(obstinate[p] == 0 for p in parties):
        raise ModelError(
            "at least one party must be obstinate with positive probability: with complete "
            "information the war of attrition has a continuum of equilibria "
            "(Hendricks, Weiss & Wilson 1988) and no reputation to build",
            key="obstinate",
        )
    greedy = next(p for p in parties if demands[p] == 1)
    other = parties[1] if greedy == parties[0] else parties[0]
    raise ModelError(
        f"{greedy} demands the whole surplus, so its rival has nothing to lose by waiting and "
        f"a rational {greedy} never concedes after time 0; {other} (demand "
        f"{demands[other]:g}, obstinate with probability {obstinate[other]:g}) never becomes "
        "surely obstinate either: the war has no end",
        key=f"demands.{greedy}",
    )


def _one_minus_exp_times(x: float) -> float:
    """``1 − e^{−x}(1 + x)`` without cancellation for small ``x``."""
    if x < 0.05:
        # Series: sum over k >= 2 of (-1)^k (k - 1) x^k / k!.
        term, total = x * x / 2, 0.0
        for k in range(2, 14):
            total += (-1) ** k * (k - 1) * term
            term *= x / (k + 1)
        return total
    return -math.expm1(-x) - x * math.exp(-x)


def abreu_gul(
    demands: Mapping[str, float],
    obstinate: Mapping[str, float],
    rates: Mapping[str, float],
) -> Reputation:
    """Solve the continuous-time reputational bargaining game of Abreu & Gul (2000).

    Parameters
    ----------
    demands
        Each party's demanded share ``α_i`` of a surplus of 1, in (0, 1].
        Exactly two parties; their order is kept.
    obstinate
        Probability ``z_i`` in [0, 1] that each party is obstinate (never
        accepts less than its demand); at most one may be 0 and at most one 1.
    rates
        Each party's discount rate ``r_i > 0``.

    Raises
    ------
    ModelError
        For unknown, missing or extra parties, non-numbers, non-finite
        numbers or values out of range (naming the key, e.g.
        ``obstinate.W``), and for wars that never end (both ``z_i = 0``, or a
        demand of 1 against a party whose reputation never becomes certain).

    Examples
    --------
    Equal demands and discount rates: the party more likely to be obstinate
    is stronger, and the other gives in at once with probability 0.5.

    >>> war = abreu_gul({"W": 0.6, "A": 0.6}, {"W": 0.1, "A": 0.2}, {"W": 0.1, "A": 0.1})
    >>> war.stronger, war.concession_rates, round(war.t0, 6), round(war.impasse, 12)
    ('A', {'W': 0.2, 'A': 0.2}, 8.04719, 0.02)

    Compatible demands agree at once:

    >>> abreu_gul({"W": 0.5, "A": 0.4}, {"W": 0.1, "A": 0.2}, {"W": 0.1, "A": 0.1}).compatible
    True
    """
    parties = _validate(demands, obstinate, rates)
    alpha = {p: float(demands[p]) for p in parties}
    z = {p: float(obstinate[p]) for p in parties}
    r = {p: float(rates[p]) for p in parties}
    if sum(alpha.values()) <= 1:
        zero = dict.fromkeys(parties, 0.0)
        return Reputation(
            parties=parties,
            demands=alpha,
            obstinate=z,
            rates=r,
            compatible=True,
            concession_rates=dict(zero),
            reputation_times=dict(zero),
            t0=0.0,
            weaker=None,
            stronger=None,
            no_concession_at_zero=dict(zero),
            atoms=dict(zero),
            atom=0.0,
            agreement_at_zero=1.0,
            impasse=0.0,
            expected_delay=0.0,
            expected_delay_given_agreement=0.0,
            payoffs=dict(alpha),
        )
    lam = _concession_rates(parties, alpha, r)
    times = {p: math.inf if z[p] == 0 or lam[p] == 0 else -math.log(z[p]) / lam[p] for p in parties}
    if all(math.isinf(t) for t in times.values()):
        _refuse_endless(parties, z, alpha)
    first, second = parties
    t0 = min(times.values())
    gap = abs(times[first] - times[second])
    if gap <= _TIE * t0:
        weaker = stronger = None
    else:
        weaker, stronger = (first, second) if times[first] > times[second] else (second, first)
    c = {}
    for p in parties:
        if p == weaker:
            c[p] = 0.0 if z[p] == 0 else math.exp(math.log(z[p]) + lam[p] * t0)
        else:
            c[p] = 1.0
    atoms = {p: 1.0 - c[p] for p in parties}
    atom = atoms[weaker] if weaker is not None else 0.0
    impasse = z[first] * z[second]
    total_rate = lam[first] + lam[second]
    both_hold = c[first] * c[second]
    x = total_rate * t0
    expected_delay = both_hold * -math.expm1(-x) / total_rate
    # E[τ; τ < ∞] = ∫_0^T0 (S(t) − S(T0)) dt, computed without cancellation.
    delay_if_agreed = both_hold * _one_minus_exp_times(x) / total_rate / (1 - impasse)
    if weaker is None:
        payoffs = {p: 1 - alpha[q] for p, q in (parties, parties[::-1])}
    else:
        payoffs = {
            weaker: 1 - alpha[stronger],
            stronger: atom * alpha[stronger] + (1 - atom) * (1 - alpha[weaker]),
        }
        payoffs = {p: payoffs[p] for p in parties if z[p] < 1}  # only rational types have one
    return Reputation(
        parties=parties,
        demands=alpha,
        obstinate=z,
        rates=r,
        compatible=False,
        concession_rates=lam,
        reputation_times=times,
        t0=t0,
        weaker=weaker,
        stronger=stronger,
        no_concession_at_zero=c,
        atoms=atoms,
        atom=atom,
        agreement_at_zero=atom,
        impasse=impasse,
        expected_delay=expected_delay,
        expected_delay_given_agreement=delay_if_agreed,
        payoffs=payoffs,
    )


def simulate_attrition(
    result: Reputation, n: int, seed: int | np.random.Generator | None = None
) -> np.ndarray:
    """Draw ``n`` wars of attrition and return the times of agreement (``inf``: impasse).

    Each party is obstinate with probability ``z_i`` (and never concedes).
    A rational weaker type concedes at time 0 with probability
    ``(1 − c_i)/(1 − z_i)``; otherwise each rational type concedes at a time
    with hazard ``λ_i``, truncated so that every rational type has conceded by
    ``T0``: ``P(not yet | rational) = (c_i e^{−λ_i t} − z_i)/(1 − z_i)``, drawn by
    inversion. Agreement comes with the first concession.

    Parameters
    ----------
    result
        A solved war from :func:`abreu_gul`.
    n
        Number of draws (a positive integer).
    seed
        Seed or :class:`numpy.random.Generator`.

    Examples
    --------
    >>> war = abreu_gul({"W": 0.6, "A": 0.6}, {"W": 0.1, "A": 0.2}, {"W": 0.1, "A": 0.1})
    >>> delays = simulate_attrition(war, 4, seed=1)
    >>> delays.shape, bool((delays >= 0).all())
    ((4,), True)
    """
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n <= 0:
        raise ModelError(f"must be a positive integer, got {n!r}", key="n")
    rng = np.random.default_rng(seed)
    if result.compatible:
        return np.zeros(int(n))
    times = []
    for p in result.parties:
        z, c, lam = result.obstinate[p], result.no_concession_at_zero[p], result.concession_rates[p]
        obstinate = rng.random(n) < z
        at_zero = rng.random(n) < (1 - c) / (1 - z)
        u = rng.random(n)  # P(not yet | rational, no atom) = u
        later = c - z  # mass of the rational types that concede on (0, T0]
        if later > 0 and lam > 0:
            # Rational survival after 0: (c e^{−λt} − z)/(1 − z); given no atom it is
            # (c e^{−λt} − z)/(c − z) = u.
            t = -np.log((z + u * later) / c) / lam
            t = np.minimum(t, result.t0)
        else:
            t = np.zeros(n)
        t = np.where(at_zero, 0.0, t)
        times.append(np.where(obstinate, np.inf, t))
    return np.minimum(*times)


@dataclass(frozen=True)
class IntegratedWar:
    """``T0``, the weaker party and its atom, found numerically (:func:`integrate_reputations`)."""

    t0: float
    weaker: str | None
    atom: float


def _hit_time(start: float, rate: float) -> float:
    """Time at which ``dμ/dt = rate · μ`` from ``μ(0) = start`` reaches 1 (solve_ivp)."""
    from scipy.integrate import solve_ivp

    if start >= 1:
        return 0.0
    if start == 0 or rate == 0:
        return math.inf

    def reaches_one(_t: float, y: np.ndarray) -> float:
        return y[0] - 1.0

    reaches_one.terminal = True  # type: ignore[attr-defined]
    reaches_one.direction = 1  # type: ignore[attr-defined]
    horizon = 1.0
    for _ in range(1000):
        sol = solve_ivp(
            lambda _t, y: rate * y,
            (0.0, horizon),
            [start],
            events=reaches_one,
            rtol=1e-12,
            atol=start * 1e-14,
            method="DOP853",
        )
        if not sol.success:
            raise SolverError(f"integrating the reputation failed: {sol.message}")
        if sol.t_events[0].size:
            return float(sol.t_events[0][0])
        horizon *= 2
    raise SolverError("the reputation did not reach 1 within any horizon tried")


def integrate_reputations(
    demands: Mapping[str, float],
    obstinate: Mapping[str, float],
    rates: Mapping[str, float],
) -> IntegratedWar:
    """An independent numeric route to ``T0`` and the atom.

    Each party's reputation (the posterior probability that it is
    obstinate) starts at ``z_i / (1 − q_i)`` after an atom ``q_i`` at time 0
    and then grows as ``dμ_i/dt = λ_i μ_i`` (integrated with
    :func:`scipy.integrate.solve_ivp`). Equilibrium requires both to reach 1
    at the same time; the atom on the party whose reputation is slower is
    found by :func:`scipy.optimize.brentq`. Only the concession rates are
    shared with :func:`abreu_gul`.

    Examples
    --------
    >>> w = integrate_reputations({"W": 0.6, "A": 0.6}, {"W": 0.1, "A": 0.2},
    ...                           {"W": 0.1, "A": 0.1})
    >>> w.weaker, round(w.atom, 8), round(w.t0, 6)
    ('W', 0.5, 8.04719)
    """
    parties = _validate(demands, obstinate, rates)
    alpha = {p: float(demands[p]) for p in parties}
    z = {p: float(obstinate[p]) for p in parties}
    if sum(alpha.values()) <= 1:
        return IntegratedWar(t0=0.0, weaker=None, atom=0.0)
    lam = _concession_rates(parties, alpha, {p: float(rates[p]) for p in parties})
    plain = {p: _hit_time(z[p], lam[p]) for p in parties}
    if all(math.isinf(t) for t in plain.values()):
        _refuse_endless(parties, z, alpha)
    slow, fast = sorted(parties, key=lambda p: plain[p], reverse=True)
    target = plain[fast]
    if plain[slow] - target <= 1e-9 * target:
        return IntegratedWar(t0=target, weaker=None, atom=0.0)
    if z[slow] == 0 or lam[slow] == 0:
        # The reputation never moves unless the atom takes every rational type.
        return IntegratedWar(t0=target, weaker=slow, atom=1 - z[slow])

    def gap(q: float) -> float:
        return _hit_time(z[slow] / (1 - q), lam[slow]) - target

    atom = brentq(gap, 0.0, 1 - z[slow], xtol=1e-14, rtol=1e-13)
    return IntegratedWar(t0=target, weaker=slow, atom=float(atom))


def _war(stage: DelayInputs) -> AgreementTime | None:
    """The ``reputation`` theory: the stage's war of attrition, if it has one."""
    return None if stage.war is None else stage.war.agreement_time()


register_theory(
    Theory(
        name="reputation",
        summary=(
            "a war of attrition: each side may be an obstinate type that never concedes, and a "
            "rational side concedes at the rate that keeps the other indifferent"
        ),
        source="Abreu & Gul (2000), Econometrica 68(1), 85-117",
        agreement=_war,
        order=10,
        reads_war=True,
    )
)


__all__ = [
    "IntegratedWar",
    "Reputation",
    "abreu_gul",
    "hazard_rate",
    "integrate_reputations",
    "simulate_attrition",
]
