"""Reputational bargaining with a deadline: the war of attrition of Abreu & Gul, cut short.

The war of :mod:`bargain.reputation.attrition` (Abreu & Gul 2000) runs until
``T0``, when both sides' reputations (the probability of being obstinate)
reach 1. A **deadline** ``D`` ends the talks: if nobody has conceded by
``D``, each side gets its disagreement payoff (0 in the war's units; in the
flagship, after December 15 the next season is lost and a settlement waits
till June, the last focal date). Fanning (2016), "Reputational bargaining and
deadlines", Econometrica 84(3), 1131-1179, shows that deadlines make
concessions cluster just before the deadline. The text of that paper was not
available here; the equilibrium below is **derived** from Abreu & Gul's
indifference conditions with a terminal payoff at the deadline (see
``docs/delay-deadline.md``) and checked by a discrete-time best-response
backward induction (:func:`best_response_gap`) and by simulation
(:func:`simulate_deadline`).

The game. As in Abreu & Gul: shares ``α_i`` with ``α_W + α_A > 1``,
obstinate probabilities ``z_i``, discount rates ``r_i``; a rational ``i``
may concede at any time, getting ``1 − α_j``; simultaneous concessions split
the difference (each gets ``(α_i + 1 − α_j)/2``, Abreu & Gul's rule). At the
deadline the rational types still in move once more, simultaneously, and
then the talks end.

The equilibrium when the deadline binds (``D < T0``):

- **concession rates** are Abreu & Gul's, ``λ_i = r_j (1 − α_i)/(α_i + α_j − 1)``
  (the indifference condition is local and does not see the deadline);
- **the last move.** If nobody has conceded by ``D`` and ``j`` concedes there
  with probability ``p_j``, a rational ``i`` gets, in units of ``1 − α_j``,
  ``1 + k_i p_j`` by conceding too (the split beats ``1 − α_j``) and
  ``(1 + 2 k_i) p_j`` by holding on, ``k_i = (α_i + α_j − 1)/(2(1 − α_j))``;
  it holds on iff ``p_j > π_i = 1/(1 + k_i)``. Its value there is at most
  ``m_i = (1 + 2k_i)/(1 + k_i)``;
- **a quiet interval** ``[t1, D)``, ``δ = D − t1``, where nobody concedes:
  waiting for the last move beats conceding. At ``t1`` each side is
  indifferent again: ``e^{r_i δ} = 1 + k_i p_j``, so ``p_j = (e^{r_i δ} − 1)/k_i``,
  and ``δ`` is at most ``cap_i = ln(m_i)/r_i``;
- **reputations** grow as in Abreu & Gul on ``(0, t1)``,
  ``μ_j(D) = μ_j(0+) e^{λ_j t1}``, and one side concedes at 0 with an atom,
  so that ``μ_j(0+) = z_j`` for the other. If every rational type concedes at
  ``D`` (``p_j = 1 − μ_j(D)``), then with
  ``f_j(δ) = ln(1 − p_j(δ)) − λ_j (D − δ) − ln z_j`` (decreasing;
  ``f_j(0) = λ_j (T_j − D)``) ``δ`` is the first root of ``f_W`` or ``f_A``; the
  side with the later root concedes at 0 with probability ``1 − e^{−f(δ)}``;
- **when a cap binds first** (or the deadline comes before either root) the
  side ``h`` whose rival ``i`` has the shorter cap concedes at ``D`` with
  probability ``π_i`` (all its rational types left), so ``i`` is indifferent
  at ``D`` and concedes there only in part, ``p_i = (e^{r_h δ} − 1)/k_h``: some
  rational types miss the deadline (Fanning's disagreement among rational
  agents), and ``P(no agreement) > z_W z_A``. ``h`` has the atom at 0. With
  ``δ = D`` (no concessions before ``D``) the side more likely rational than
  its rival's threshold is ``h`` (nobody has an atom when neither is; when
  both are, the last move has several equilibria and the one continuous in
  ``D`` with the capped case is taken).

With the deadline at or beyond ``T0`` it does not bind and the result is
Abreu & Gul's. While no cap binds every rational type concedes by ``D``, so
``P(no agreement ever) = z_W z_A`` as without the deadline: the deadline
moves agreements earlier, into an atom at ``D``.

Trust enters as in the ``reputation`` theory: the promiser is obstinate with
probability ``1 − trust`` (the stage's war, :attr:`DelayInputs.war`), so a
broken promise, which lowers trust, makes it more likely obstinate.

Examples
--------
>>> war = deadline_war({"W": 0.6, "A": 0.6}, {"W": 0.1, "A": 0.2}, {"W": 0.1, "A": 0.1}, 4.0)
>>> war.binds, war.weaker, round(war.quiet, 6), round(war.deadline_atom, 6)
(True, 'W', 1.557226, 0.168199)
>>> round(war.agreement_time().never, 12)
0.02
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq

from bargain.errors import ModelError
from bargain.reputation.agreement import AgreementTime, certain
from bargain.reputation.attrition import Reputation, abreu_gul
from bargain.reputation.delay import DelayInputs, Theory, focal_deadline, register_theory

NAME = "deadline"


@dataclass(frozen=True)
class DeadlineWar:
    """The war of attrition with a deadline (see the module docstring).

    Attributes
    ----------
    war
        Abreu & Gul's war without the deadline (:func:`abreu_gul`): its
        concession rates ``λ_i`` and ``T0`` are the same.
    deadline
        ``D``, in the war's periods.
    binds
        ``D < T0``: the deadline cuts the war short.
    last_concession
        ``t1``: no concession in ``(t1, D)`` (``T0`` when the deadline does not
        bind; 0 when nobody concedes before ``D``).
    quiet
        ``δ = D − t1``, the quiet interval before the deadline (0 when it does
        not bind).
    weaker, stronger
        The side with the atom at 0 and the other (``None`` at a tie, with
        compatible demands, or without an atom).
    no_concession_at_zero
        ``c_i``: the probability that ``i`` does not concede at time 0.
    atom
        The weaker side's atom at 0.
    reputations_at_deadline
        ``μ_i(D)``, the probability that ``i`` is obstinate if nobody has
        conceded by ``D`` (1 when the deadline does not bind).
    concession_at_deadline
        ``p_i``: the probability that ``i`` concedes at ``D`` if nobody has
        conceded before (``1 − μ_i(D)`` when all its rational types do).
    deadline_atom
        ``P(agreement at D)``: positive when the deadline binds.
    impasse
        ``z_W z_A``: never agree.
    payoffs
        The rational types' expected payoffs.
    """

    war: Reputation
    deadline: float
    binds: bool
    last_concession: float
    quiet: float
    weaker: str | None
    stronger: str | None
    no_concession_at_zero: dict[str, float]
    atom: float
    reputations_at_deadline: dict[str, float]
    concession_at_deadline: dict[str, float]
    deadline_atom: float
    impasse: float
    payoffs: dict[str, float]

    def agreement_time(self) -> AgreementTime:
        """The time to agreement: Abreu & Gul's when the deadline does not bind;
        otherwise the atom at 0, the hazard ``λ_W + λ_A`` until ``t1``, a flat
        stretch until ``D``, the deadline's atom, then the impasse.

        Examples
        --------
        >>> war = deadline_war({"W": 0.6, "A": 0.6}, {"W": 0.1, "A": 0.2},
        ...                    {"W": 0.1, "A": 0.1}, 4.0)
        >>> [(t, round(m, 6)) for t, m in war.agreement_time().atoms]
        [(0.0, 0.5), (4.0, 0.168199)]
        """
        if not self.binds:
            return AgreementTime(self.war.agreement_time().pieces, NAME)
        c = math.prod(self.no_concession_at_zero.values())
        if c == 0:
            return certain(0.0, NAME)
        rate = sum(self.war.concession_rates.values())
        t1, d = self.last_concession, self.deadline
        held = c * math.exp(-rate * t1)
        pieces = [(t1, d, held, 0.0), (d, math.inf, self.impasse, 0.0)]
        if t1 > 0:
            pieces.insert(0, (0.0, t1, c, rate))
        return AgreementTime(tuple(pieces), NAME)


def _check_deadline(deadline: object) -> float:
    if isinstance(deadline, bool) or not isinstance(deadline, numbers.Real):
        raise ModelError(f"must be a number of periods, got {deadline!r}", key="deadline")
    if not (math.isfinite(deadline) and deadline > 0):
        raise ModelError(f"must be a positive, finite time, got {deadline!r}", key="deadline")
    return float(deadline)


def _split_gain(alpha: Mapping[str, float], i: str, j: str) -> float:
    """``k_i = (α_i + α_j − 1)/(2(1 − α_j))``: the deadline's split over ``1 − α_j``, less 1,
    per unit of probability that ``j`` is rational."""
    return (alpha[i] + alpha[j] - 1) / (2 * (1 - alpha[j]))


def deadline_war(
    demands: Mapping[str, float],
    obstinate: Mapping[str, float],
    rates: Mapping[str, float],
    deadline: float,
) -> DeadlineWar:
    """Solve the reputational war of attrition with a deadline at ``D`` (module docstring).

    Parameters
    ----------
    demands, obstinate, rates
        As in :func:`bargain.reputation.attrition.abreu_gul` (Abreu & Gul 2000,
        Econometrica 68(1)): shares ``α_i``, obstinate probabilities ``z_i``
        and discount rates ``r_i``.
    deadline
        ``D > 0``, in the same periods as the rates.

    Raises
    ------
    ModelError
        For the inputs :func:`abreu_gul` refuses; a deadline that is not a
        positive finite number (key ``deadline``); a demand of 1 when the
        deadline binds (conceding and missing the deadline are then worth the
        same, key ``demands``).

    Examples
    --------
    Far deadline: Abreu & Gul's war, untouched.

    >>> far = deadline_war({"W": 0.6, "A": 0.6}, {"W": 0.1, "A": 0.2}, {"W": 0.1, "A": 0.1}, 20.0)
    >>> far.binds, round(far.last_concession, 5), far.deadline_atom
    (False, 8.04719, 0.0)
    """
    d = _check_deadline(deadline)
    war = abreu_gul(demands, obstinate, rates)
    parties = war.parties
    if war.compatible or war.t0 <= d:
        return DeadlineWar(
            war=war,
            deadline=d,
            binds=False,
            last_concession=war.t0,
            quiet=0.0,
            weaker=war.weaker,
            stronger=war.stronger,
            no_concession_at_zero=dict(war.no_concession_at_zero),
            atom=war.atom,
            reputations_at_deadline=dict.fromkeys(parties, 1.0),
            concession_at_deadline=dict.fromkeys(parties, 0.0),
            deadline_atom=0.0,
            impasse=war.impasse,
            payoffs=dict(war.payoffs),
        )
    alpha, z, r, lam = war.demands, war.obstinate, war.rates, war.concession_rates
    for s in parties:
        if alpha[s] >= 1:
            raise ModelError(
                f"{s} demands the whole surplus and the deadline binds (D = {d:g} < T0 = "
                f"{war.t0:g}): its rival gets 0 by conceding and 0 at the deadline, so the "
                "deadline's war has no determinate end",
                key=f"demands.{s}",
            )
    other = {parties[0]: parties[1], parties[1]: parties[0]}
    k = {i: _split_gain(alpha, i, other[i]) for i in parties}  # k_i, i's gain from the split
    # cap_i: the longest wait for which i's best value at the deadline, (1 − α_j) m_i with
    # m_i = (1 + 2 k_i)/(1 + k_i) (j conceding there with probability π_i = 1/(1 + k_i)),
    # still beats conceding: e^{r_i δ} = m_i.
    cap = {i: math.log((1 + 2 * k[i]) / (1 + k[i])) / r[i] for i in parties}

    def needed(j: str, delta: float) -> float:
        """``p_j = (e^{r_i δ} − 1)/k_i``: ``j``'s concession probability at ``D`` that keeps
        ``i`` indifferent at ``t1 = D − δ``."""
        i = other[j]
        return math.expm1(r[i] * delta) / k[i]

    def f(j: str, delta: float) -> float:
        """``ln μ_j(D) − λ_j (D − δ) − ln z_j`` with ``μ_j(D) = 1 − p_j``: ``−ln c_j``."""
        if z[j] == 0:
            return math.inf
        return math.log1p(-needed(j, delta)) - lam[j] * (d - delta) - math.log(z[j])

    top = min(d, *cap.values())
    roots = {
        j: math.inf
        if z[j] == 0 or f(j, top) > 0
        else brentq(lambda s, j=j: f(j, s), 0.0, top, xtol=1e-15, rtol=1e-14)
        for j in parties
    }
    delta = min(top, *roots.values())
    t1 = d - delta
    p = {j: needed(j, delta) for j in parties}
    first, second = parties
    if delta < top:  # both concede at the deadline; the side with the later root has the atom
        if abs(roots[first] - roots[second]) <= 1e-12 * d:
            weaker = None
        else:
            weaker = other[min(parties, key=lambda s: roots[s])]
        c = {s: math.exp(-f(s, delta)) if s == weaker else 1.0 for s in parties}
        mu = {s: 1 - p[s] for s in parties}
    else:
        # A cap binds, or the deadline comes first. One side, `held`, concedes at the
        # deadline with probability π_i = 1/(1 + k_i), which leaves its rival i indifferent
        # there (i's rational types concede in part: i mixes); i's concessions at D,
        # p_i = (e^{r_held δ} − 1)/k_held, leave `held` indifferent at t1 (or at 0, where it
        # has an atom). `held` is the rival of the side with the shorter cap; with no
        # gradual phase, the side more likely rational than its rival's threshold.
        pi = {i: 1 / (1 + k[i]) for i in parties}  # i holds at D iff j concedes more
        over = [j for j in parties if 1 - z[j] > pi[other[j]]]
        if t1 > 0 or len(over) == 2:
            held = other[min(parties, key=lambda s: cap[s])]
        elif over:
            held = over[0]
        else:  # nobody needs an atom: every rational type concedes at the deadline
            held = None
        c = dict.fromkeys(parties, 1.0)
        if held is None:
            p = {s: 1 - z[s] for s in parties}
            mu = dict(z)
        else:
            rival = other[held]
            p[held] = pi[rival]
            c[held] = min(1.0, math.exp(-f(held, delta))) if t1 > 0 else z[held] / (1 - pi[rival])
            mu = {held: 1 - pi[rival], rival: z[rival] * math.exp(lam[rival] * t1)}
            mu = {s: mu[s] for s in parties}
        weaker = held if held is not None and c[held] < 1 else None
    stronger = None if weaker is None else other[weaker]
    held_on = math.prod(c.values()) * math.exp(-sum(lam.values()) * t1)  # nobody by D
    never = held_on * (1 - p[first]) * (1 - p[second])
    atom = 1 - c[weaker] if weaker is not None else 0.0
    payoffs = {}
    for i in parties:
        j = other[i]
        a_j = 1 - c[j]
        at_deadline = (1 - alpha[j]) * max(1 + k[i] * p[j], (1 + 2 * k[i]) * p[j])
        if i == weaker or (t1 > 0 and weaker is None):
            payoffs[i] = 1 - alpha[j]  # indifferent: concede at once
        elif t1 > 0:
            payoffs[i] = a_j * alpha[i] + (1 - a_j) * (1 - alpha[j])
        else:
            payoffs[i] = a_j * alpha[i] + (1 - a_j) * math.exp(-r[i] * d) * at_deadline
    return DeadlineWar(
        war=war,
        deadline=d,
        binds=True,
        last_concession=t1,
        quiet=delta,
        weaker=weaker,
        stronger=stronger,
        no_concession_at_zero=c,
        atom=atom,
        reputations_at_deadline=mu,
        concession_at_deadline=p,
        deadline_atom=held_on - never,
        impasse=never,
        payoffs={s: payoffs[s] for s in parties if z[s] < 1},
    )


def _unconceded(result: DeadlineWar, party: str, t: np.ndarray) -> np.ndarray:
    """``P(party has not conceded by t)`` for ``t`` in ``[0, D)``: its equilibrium strategy."""
    c, lam = result.no_concession_at_zero[party], result.war.concession_rates[party]
    return c * np.exp(-lam * np.minimum(t, result.last_concession))


def best_response_gap(result: DeadlineWar, party: str, periods: int) -> tuple[float, float, float]:
    """A discrete-time check: the best a rational ``party`` can do against the other's strategy.

    Time runs in ``periods`` steps of ``D / periods``. The opponent ``j``
    plays its equilibrium strategy (its atom at 0, hazard ``λ_j`` until
    ``t1``, nothing until ``D``, then conceding at ``D`` with probability
    ``p_j``).
    Backward induction of ``party``'s optimal stopping problem — concede
    now (``1 − α_j``, or the split if ``j`` concedes at the same moment) or
    wait a period — gives its best value at time 0, to compare with the
    equilibrium payoff; nothing in it uses the indifference conditions. As
    the period shrinks the gap goes to 0 (a deviation gains nothing).

    Returns
    -------
    tuple
        ``(best value, equilibrium payoff, value of holding on at 0+)``; the
        last is ``1 − α_j`` (indifference) when concessions start at 0+
        (``t1 > 0``) and above it when nobody concedes before ``D``.

    Examples
    --------
    >>> war = deadline_war({"W": 0.6, "A": 0.6}, {"W": 0.1, "A": 0.2}, {"W": 0.1, "A": 0.1}, 4.0)
    >>> best, eq, hold = best_response_gap(war, "A", 4000)
    >>> abs(best - eq) < 1e-3, abs(hold - 0.4) < 1e-3
    (True, True)
    """
    if not result.binds:
        raise ModelError("the deadline does not bind: use the war's own checks", key="deadline")
    if isinstance(periods, bool) or not isinstance(periods, numbers.Integral) or periods < 1:
        raise ModelError(f"must be a positive integer, got {periods!r}", key="periods")
    i = party
    j = next(p for p in result.war.parties if p != i)
    a_i, a_j = result.war.demands[i], result.war.demands[j]
    r = result.war.rates[i]
    split = (a_i + 1 - a_j) / 2
    step = result.deadline / periods
    grid = np.arange(periods + 1) * step
    alive = _unconceded(result, j, grid)  # P(j in at t_n), after its atom at 0; D: just before
    # At the deadline j concedes with probability p_j; i concedes too or holds on.
    x = result.concession_at_deadline[j]
    value = max(x * split + (1 - x) * (1 - a_j), x * a_i)
    wait = value
    for n in range(periods - 1, -1, -1):
        h = (
            float(1 - alive[n + 1] / alive[n]) if alive[n] > 0 else 0.0
        )  # j concedes in (t_n, t_n+1]
        wait = math.exp(-r * step) * (h * a_i + (1 - h) * value)
        value = max(1 - a_j, wait)
    a = 1 - result.no_concession_at_zero[j]  # j's atom at 0, simultaneous with i's choice
    best = max(a * split + (1 - a) * (1 - a_j), a * a_i + (1 - a) * value)
    return best, result.payoffs[i], wait


def simulate_deadline(
    result: DeadlineWar, n: int, seed: int | np.random.Generator | None = None
) -> np.ndarray:
    """Draw ``n`` wars with the deadline; agreement times (``inf``: impasse).

    Each side is obstinate with probability ``z_i``; a rational type concedes
    at 0 with its atom, else at a time drawn by inversion from its survival
    ``(c_i e^{−λ_i t} − z_i)/(c_i − z_i)`` — and if that time falls after
    ``t1`` it waits for the deadline and concedes at ``D`` with probability
    ``p_i/(1 − μ_i(D))`` (else never). Agreement comes with the first concession.

    Examples
    --------
    >>> war = deadline_war({"W": 0.6, "A": 0.6}, {"W": 0.1, "A": 0.2}, {"W": 0.1, "A": 0.1}, 4.0)
    >>> times = simulate_deadline(war, 5, seed=2)
    >>> bool(((times <= 4.0) | np.isinf(times)).all())
    True
    """
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n <= 0:
        raise ModelError(f"must be a positive integer, got {n!r}", key="n")
    if not result.binds:
        return result.agreement_time().sample(n, seed)
    rng = np.random.default_rng(seed)
    times = []
    for p in result.war.parties:
        z, c = result.war.obstinate[p], result.no_concession_at_zero[p]
        lam = result.war.concession_rates[p]
        obstinate = rng.random(n) < z
        at_zero = rng.random(n) < (1 - c) / (1 - z)
        later = c - z  # the rational types that do not concede at 0
        if later > 0 and lam > 0:
            # P(not yet | rational, no atom) = (c e^{−λt} − z)/(c − z) = u, up to t1.
            u = rng.random(n)
            t = -np.log((z + u * later) / c) / lam
            t = np.where(t > result.last_concession, result.deadline, t)
        else:
            t = np.full(n, result.deadline if later > 0 else 0.0)
        t = np.where(at_zero, 0.0, t)
        # Rational types still in at D concede there with probability p / (1 − μ(D)).
        rational = 1 - result.reputations_at_deadline[p]
        share = result.concession_at_deadline[p] / rational if rational > 0 else 1.0
        t = np.where((t == result.deadline) & (rng.random(n) >= share), np.inf, t)
        times.append(np.where(obstinate, np.inf, t))
    return np.minimum(*times)


def _deadline(stage: DelayInputs) -> AgreementTime | None:
    """The ``deadline`` theory at a stage: the stage's war (trust already in it) cut at ``D``."""
    if stage.war is None:
        return None
    if not stage.focal_dates:
        return None
    d = focal_deadline(stage, NAME, stage.focal_dates[0])
    w = stage.war
    try:
        result = deadline_war(w.demands, w.obstinate, w.rates, d)
    except ModelError as err:
        raise err.located(file=stage.model.file, table=f"delay.{NAME}") from None
    return result.agreement_time()


register_theory(
    Theory(
        name=NAME,
        summary=(
            "a war of attrition between possibly obstinate sides with a deadline: concessions "
            "stop before the deadline and the rational sides left concede at it"
        ),
        source=(
            "Abreu & Gul (2000), Econometrica 68(1), 85-117; Fanning (2016), Econometrica "
            "84(3), 1131-1179 (derived here, see docs/delay-deadline.md)"
        ),
        agreement=_deadline,
        keys={
            "deadline": (
                "the deadline, in periods from the strike's start: one of the model's focal "
                "dates (default: the first); talks without agreement by then end, and the strike "
                "runs to the last focal date"
            )
        },
        order=20,
        reads_war=True,
    )
)


__all__ = ["DeadlineWar", "best_response_gap", "deadline_war", "simulate_deadline"]
