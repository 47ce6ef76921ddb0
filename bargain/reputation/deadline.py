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
- **at the deadline** every rational type still in concedes: agreement at
  ``D`` unless both are obstinate. A rational ``i`` that reaches ``D`` thus
  gets ``v_i = (1 − α_j)(1 + k_i x_j)``, ``k_i = (α_i + α_j − 1)/(2(1 − α_j))``,
  ``x_j = 1 − μ_j(D)`` the probability that ``j`` is rational (it may concede
  at the same moment, and the split beats ``1 − α_j``). This is an equilibrium
  of the last move iff ``x_j <= 1/(1 + k_i)`` for both sides (otherwise one
  side would rather hold on; that region is refused, see below);
- **a quiet interval** ``[D − δ, D)`` where nobody concedes: waiting for the
  deadline's split beats conceding, ``e^{−r_i (D − t)} v_i > 1 − α_j``. Both
  sides stop conceding at ``t1 = D − δ``, where each is again indifferent:
  ``e^{−r_i δ} (1 + k_i x_j) = 1``, i.e. ``x_j = (e^{r_i δ} − 1)/k_i``;
- **reputations** grow as in Abreu & Gul on ``(0, t1)``,
  ``μ_j(D) = μ_j(0+) e^{λ_j t1}``, and the side with less room to build its
  reputation concedes at 0 with an atom, so that ``μ_j(0+) = z_j`` for the
  other. With ``f_j(δ) = ln μ_j(D; δ) − λ_j (D − δ) − ln z_j`` (decreasing in
  ``δ``; ``f_j(0) = λ_j (T_j − D)``), ``δ = min_j δ_j`` where ``f_j(δ_j) = 0``;
  the side with the smaller root is the stronger (no atom); the weaker does
  not concede at 0 with probability ``c = e^{−f(δ)}``. If neither root lies
  in ``(0, D)``, there is no war at all: nobody concedes before ``D``.

With the deadline at or beyond ``T0`` it does not bind and the result is
Abreu & Gul's. Every rational type concedes by ``D`` either way, so
``P(no agreement ever) = z_W z_A`` is unchanged: the deadline moves
agreements earlier in expectation but into an atom at ``D``.

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
from bargain.reputation.delay import DelayInputs, Theory, register_theory

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
        same, key ``demands``); and reputations at the deadline so low that a
        rational side would rather hold out through the deadline's last move
        than concede (``x_j > 1/(1 + k_i)``): that region, where the last move
        is a game of chicken, is not solved here (key ``deadline``).

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
            deadline_atom=0.0,
            impasse=war.impasse,
            payoffs=dict(war.payoffs),
        )
    alpha, z, r, lam = war.demands, war.obstinate, war.rates, war.concession_rates
    for p in parties:
        if alpha[p] >= 1:
            raise ModelError(
                f"{p} demands the whole surplus and the deadline binds (D = {d:g} < T0 = "
                f"{war.t0:g}): its rival gets 0 by conceding and 0 at the deadline, so the "
                "deadline's war has no determinate end",
                key=f"demands.{p}",
            )
    other = {parties[0]: parties[1], parties[1]: parties[0]}
    k = {i: _split_gain(alpha, i, other[i]) for i in parties}  # k_i, i's gain from the split

    def rational_at_deadline(j: str, delta: float) -> float:
        """``x_j = (e^{r_i δ} − 1)/k_i``: keeps ``i`` indifferent at ``t1 = D − δ``."""
        i = other[j]
        return math.expm1(r[i] * delta) / k[i]

    def f(j: str, delta: float) -> float:
        if z[j] == 0:
            return math.inf
        x = rational_at_deadline(j, delta)
        if x >= 1:
            return -math.inf
        return math.log1p(-x) - lam[j] * (d - delta) - math.log(z[j])

    roots = {}
    for j in parties:
        i = other[j]
        top = min(d, math.log1p(k[i]) / r[i])  # x_j reaches 1 at ln(1 + k_i)/r_i
        if z[j] == 0 or f(j, top) > 0:
            roots[j] = math.inf
        else:
            roots[j] = brentq(lambda s, j=j: f(j, s), 0.0, top, xtol=1e-15, rtol=1e-14)
    delta = min(roots.values())
    if delta >= d:  # nobody concedes before D
        delta, t1 = d, 0.0
        weaker = stronger = None
        c = dict.fromkeys(parties, 1.0)
        mu = {p: z[p] for p in parties}
    else:
        t1 = d - delta
        first, second = parties
        if abs(roots[first] - roots[second]) <= 1e-12 * d:
            weaker = stronger = None
        else:
            stronger = min(parties, key=lambda p: roots[p])
            weaker = other[stronger]
        c = {p: 1.0 if p != weaker else math.exp(-f(p, delta)) for p in parties}
        mu = {p: 1 - rational_at_deadline(p, delta) for p in parties}
    for j in parties:
        i = other[j]
        if c[j] > 0 and 1 - mu[j] > 1 / (1 + k[i]) * (1 + 1e-12):
            raise ModelError(
                f"at the deadline {j} is rational with probability {1 - mu[j]:.4g}, above "
                f"1/(1 + k) = {1 / (1 + k[i]):.4g}: a rational {i} would rather hold out through "
                "the deadline's last move than concede, a game of chicken this theory does not "
                "solve (a later deadline, or likelier obstinate types, leave that region)",
                key="deadline",
            )
    impasse = war.impasse
    both_in = math.prod(c.values()) * math.exp(-sum(lam.values()) * t1)
    atom = 1 - c[weaker] if weaker is not None else 0.0
    if t1 > 0:
        if weaker is None:
            payoffs = {p: 1 - alpha[other[p]] for p in parties}
        else:
            payoffs = {
                weaker: 1 - alpha[stronger],
                stronger: atom * alpha[stronger] + (1 - atom) * (1 - alpha[weaker]),
            }
    else:  # wait for the deadline from the start
        payoffs = {
            i: math.exp(-r[i] * d) * (1 - alpha[other[i]]) * (1 + k[i] * (1 - z[other[i]]))
            for i in parties
        }
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
        deadline_atom=max(both_in - impasse, 0.0) if both_in > 0 else 0.0,
        impasse=impasse,
        payoffs={p: payoffs[p] for p in parties if z[p] < 1},
    )


def _unconceded(result: DeadlineWar, party: str, t: np.ndarray) -> np.ndarray:
    """``P(party has not conceded by t)`` for ``t`` in ``[0, D)``: its equilibrium strategy."""
    c, lam = result.no_concession_at_zero[party], result.war.concession_rates[party]
    return c * np.exp(-lam * np.minimum(t, result.last_concession))


def best_response_gap(result: DeadlineWar, party: str, periods: int) -> tuple[float, float, float]:
    """A discrete-time check: the best a rational ``party`` can do against the other's strategy.

    Time runs in ``periods`` steps of ``D / periods``. The opponent ``j``
    plays its equilibrium strategy (its atom at 0, hazard ``λ_j`` until
    ``t1``, nothing until ``D``, all its rational types conceding at ``D``).
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
    # At the deadline: j concedes unless obstinate; j is rational w.p. 1 − μ_j(D).
    x = 1 - result.reputations_at_deadline[j]
    value = max(x * split + (1 - x) * (1 - a_j), x * a_i)
    wait = value
    for n in range(periods - 1, -1, -1):
        h = 1 - alive[n + 1] / alive[n] if alive[n] > 0 else 0.0  # j concedes in (t_n, t_n+1]
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
    ``t1`` it waits for the deadline and concedes at ``D``. Agreement comes
    with the first concession.

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
        times.append(np.where(obstinate, np.inf, t))
    return np.minimum(*times)


def _deadline(stage: DelayInputs) -> AgreementTime | None:
    """The ``deadline`` theory at a stage: the stage's war (trust already in it) cut at ``D``."""
    if stage.war is None:
        return None
    if "deadline" in stage.settings:
        d = stage.settings["deadline"]
        if not any(math.isclose(d, f, rel_tol=1e-9, abs_tol=1e-12) for f in stage.focal_dates):
            raise ModelError(
                f"must be one of the model's focal dates "
                f"({', '.join(f'{f:g}' for f in stage.focal_dates)}), got {d:g}",
                file=stage.model.file,
                table=f"delay.{NAME}",
                key="deadline",
            )
    elif stage.focal_dates:
        d = stage.focal_dates[0]
    else:
        return None
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
    )
)


__all__ = ["DeadlineWar", "best_response_gap", "deadline_war", "simulate_deadline"]
