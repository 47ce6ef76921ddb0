"""Strikes from mutual optimism: bargaining without a common prior, up to a deadline.

Two parties split a pie at one of the **offer dates** ``0, Δ, 2Δ, …, T``
(the last, ``T``, is the **deadline**; the gap before it may be shorter than
``Δ``). At each date one party is recognised as the proposer, makes an offer,
and the other accepts or rejects. Party ``i`` believes it is the proposer with
probability ``p_i`` at every date (its *own* belief, ``p_i^i``), and the two
beliefs are common knowledge but need not come from a common prior: when
``p_W + p_A > 1`` both are **optimistic** about their bargaining power
(Yildiz 2003, *Econometrica* 71(3), 793–811; Yildiz 2011, *Annual Review of
Economics* 3, 451–478). Waiting costs party ``i`` its strike cost ``c_i`` per
period and it discounts at rate ``r_i``; a rejection at the deadline leaves
each side its **deadline payoff** ``b_i`` (the outcome if the deadline
passes, valued at ``T``).

**Backward induction under each side's own beliefs** (the derivation is in
``docs/delay-optimism.md``). Let ``X_i(t)`` be what ``i`` expects, in value at
``t``, from rejecting at ``t``: ``X_i(T) = b_i``, and for an earlier date
``t`` followed by ``t'``,

``X_i(t) = e^{−r_i (t'−t)} V_i(t') − c_i (1 − e^{−r_i (t'−t)}) / r_i``,

where ``V_i(t')`` is ``i``'s believed value at the start of date ``t'``. A
proposer ``i`` at ``t`` can get ``j`` to accept by offering ``X_j(t)``, and
prefers that to waiting iff ``pie − X_j(t) >= X_i(t)``: whoever proposes,
**agreement at t iff ``X_W(t) + X_A(t) <= pie``**. Then
``V_i(t) = X_i(t) + p_i (pie − X_W(t) − X_A(t))`` (the proposer's rent, with
the probability ``i`` believes it gets it); otherwise ``V_i(t) = X_i(t)``.
The agreement date is the first date at which the condition holds (``inf`` if
none: an impasse past the deadline).

**Closed form** (equal rates ``r``, or none): the optimism premium is
``ε s`` with ``ε = p_W + p_A − 1`` and ``s = pie − b_W − b_A`` the surplus over
the deadline outcome. Agreement **waits until the deadline** iff the deadline
is nearer than

``u* = ln(1 + ε s / (pie + C/r)) / r`` (``C = c_W + c_A``; ``u* = ε s / C``
at ``r = 0``),

and is **immediate** otherwise — never in between (:func:`waiting_time`). With
no optimism (``ε <= 0``, e.g. a common prior ``p_W + p_A = 1``) ``u* = 0`` and
agreement is immediate, as with a common prior in Merlo & Wilson (1995,
*Econometrica* 63(2)); with optimism and a long enough future (``T >= u*``)
it is immediate too, Yildiz's (2003) immediate agreement theorem; with enough
optimism and a near deadline it comes at the deadline, the deadline effect of
Yildiz (2004, MIT working paper 04-36, "Optimism, deadline effect, and
stochastic deadlines"; see also Simsek & Yildiz 2016 on deadlines).

Examples
--------
Equally optimistic sides (each believes it proposes with probability 0.7),
a pie of 1, strike costs of 0.02 a period each, a deadline 4 periods away:
the optimism premium ``0.4 × 1`` exceeds four periods of strike (``0.16``), so
they wait for the deadline.

>>> game = optimism_bargaining(1.0, {"W": 0.7, "A": 0.7}, 4.0, costs={"W": 0.02, "A": 0.02})
>>> game.date, game.dates
(4.0, (0.0, 1.0, 2.0, 3.0, 4.0))
>>> round(waiting_time(1.0, {"W": 0.7, "A": 0.7}, costs={"W": 0.02, "A": 0.02}), 12)
10.0

A common prior (0.7 and 0.3) agrees at once:

>>> optimism_bargaining(1.0, {"W": 0.7, "A": 0.3}, 4.0, costs={"W": 0.02, "A": 0.02}).date
0.0
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass

from bargain.errors import ModelError
from bargain.model.patience import discount_rates
from bargain.model.validate import numeric_value
from bargain.reputation.agreement import AgreementTime, certain
from bargain.reputation.delay import DelayInputs, Theory, focal_deadline, register_theory

MAX_DATES = 100_000
"""At most this many offer dates (``deadline / round_length``): the work is one pass over them."""


def _number(value: object, key: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ModelError(f"must be a number, got {value!r}", key=key)
    if not math.isfinite(value):
        raise ModelError(f"must be a finite number, got {value!r}", key=key)
    return float(value)


def _per_party(
    mapping: Mapping[str, float] | None, parties: tuple[str, str], key: str, *, least: float | None
) -> dict[str, float]:
    """One number per party (0 for each when ``mapping`` is ``None``), at least ``least``."""
    if mapping is None:
        return dict.fromkeys(parties, 0.0)
    if not isinstance(mapping, Mapping):
        raise ModelError(f"must map each party's name to a number, got {mapping!r}", key=key)
    for party in mapping:
        if party not in parties:
            raise ModelError(
                f"unknown party {party!r}; the parties (from beliefs) are {', '.join(parties)}",
                key=f"{key}.{party}",
            )
    out = {}
    for party in parties:
        if party not in mapping:
            raise ModelError(f"missing party {party!r}", key=f"{key}.{party}")
        out[party] = _number(mapping[party], f"{key}.{party}")
        if least is not None and out[party] < least:
            raise ModelError(
                f"must be at least {least:g}, got {mapping[party]!r}", key=f"{key}.{party}"
            )
    return out


def _beliefs(beliefs: Mapping[str, float]) -> tuple[tuple[str, str], dict[str, float]]:
    if not isinstance(beliefs, Mapping):
        raise ModelError(f"must map each party's name to a number, got {beliefs!r}", key="beliefs")
    parties = tuple(beliefs)
    if len(parties) != 2 or not all(isinstance(p, str) and p for p in parties):
        raise ModelError(
            f"needs exactly two parties named by non-empty strings, got {parties!r}",
            key="beliefs",
        )
    pair = (parties[0], parties[1])
    out = _per_party(beliefs, pair, "beliefs", least=0.0)
    for party, value in out.items():
        if value > 1:
            raise ModelError(
                f"must be a probability in [0, 1] (the chance {party} believes it proposes), "
                f"got {value!r}",
                key=f"beliefs.{party}",
            )
    return pair, out


def offer_dates(deadline: float, round_length: float = 1.0) -> tuple[float, ...]:
    """The offer dates ``0, Δ, 2Δ, …`` before ``deadline``, and the deadline itself.

    Parameters
    ----------
    deadline
        The last offer date ``T >= 0`` (in periods).
    round_length
        ``Δ > 0``, the periods between offers.

    Raises
    ------
    ModelError
        For a negative or non-finite deadline, a round length that is not
        positive, or more than :data:`MAX_DATES` dates.

    Examples
    --------
    >>> offer_dates(2.5)
    (0.0, 1.0, 2.0, 2.5)
    >>> offer_dates(0.0), offer_dates(1e-300)
    ((0.0,), (0.0, 1e-300))
    """
    deadline = _number(deadline, "deadline")
    round_length = _number(round_length, "round")
    if deadline < 0:
        raise ModelError(f"must be a time >= 0, got {deadline!r}", key="deadline")
    if round_length <= 0:
        raise ModelError(
            f"must be positive (periods between offers), got {round_length!r}", key="round"
        )
    count = max(math.ceil(deadline / round_length), 1) if deadline > 0 else 0
    if count >= MAX_DATES:
        raise ModelError(
            f"gives {count} offer dates before the deadline {deadline:g}; at most {MAX_DATES} "
            "are solved: lengthen the round",
            key="round",
        )
    before = tuple(k * round_length for k in range(count) if k * round_length < deadline)
    return (*before, deadline)


def _annuity(rate: float, time: float) -> float:
    """``(1 − e^{−r t})/r``: a flow of 1 per period for ``t`` periods (``t`` at ``r = 0``)."""
    x = rate * time
    if x < 1e-5:  # the series, exact to rounding, also where rate * time underflows
        return time * (1 - x / 2 + x * x / 6)
    return -math.expm1(-x) / rate


@dataclass(frozen=True)
class Optimism:
    """The subgame-perfect outcome of bargaining with optimism up to a deadline.

    Attributes
    ----------
    parties
        The two parties, in the order of ``beliefs``.
    beliefs
        ``p_i``: the probability ``i`` believes it is the proposer at each date.
    excess
        ``ε = p_W + p_A − 1``: the optimism (0 under a common prior).
    pie, deadline, rates, costs, deadline_payoffs
        The inputs (``deadline_payoffs`` are the ``b_i``).
    dates
        The offer dates, the deadline last.
    waiting
        ``X_W(t) + X_A(t)`` at each date: the sum of what the two sides believe
        rejecting is worth (in value at ``t``).
    agree
        At each date: whether the proposer makes an offer that is accepted
        (``waiting <= pie``) if the date is reached.
    date
        The agreement date on the equilibrium path (``inf``: no agreement by
        the deadline, the deadline outcome).
    values
        Each side's believed value of the game at time 0, net of strike costs.
    offers
        At the agreement date, for each possible proposer, the split of the pie
        it proposes and the other accepts (the responder gets exactly what it
        believes rejecting is worth); empty if there is no agreement.
    """

    parties: tuple[str, str]
    beliefs: dict[str, float]
    excess: float
    pie: float
    deadline: float
    rates: dict[str, float]
    costs: dict[str, float]
    deadline_payoffs: dict[str, float]
    dates: tuple[float, ...]
    waiting: tuple[float, ...]
    agree: tuple[bool, ...]
    date: float
    values: dict[str, float]
    offers: dict[str, dict[str, float]]

    def agreement_time(self) -> AgreementTime:
        """Agreement at :attr:`date` for sure (``inf``: never before the deadline passes).

        Examples
        --------
        >>> game = optimism_bargaining(1.0, {"W": 0.9, "A": 0.9}, 3.0)
        >>> game.agreement_time().atoms
        ((3.0, 1.0),)
        """
        return certain(self.date, "optimism")


def optimism_bargaining(
    pie: float,
    beliefs: Mapping[str, float],
    deadline: float,
    *,
    rates: Mapping[str, float] | None = None,
    costs: Mapping[str, float] | None = None,
    deadline_payoffs: Mapping[str, float] | None = None,
    round_length: float = 1.0,
) -> Optimism:
    """Solve bargaining with optimism up to a deadline by backward induction.

    The random-proposer game of Yildiz (2003, *Econometrica* 71(3), 793–811)
    with a finite horizon and steady beliefs (the players never learn), with
    strike costs and discounting; the recursion is in the module docstring.

    Parameters
    ----------
    pie
        What agreement at any date splits (in value at that date).
    beliefs
        ``{party: p_i}``, each side's believed probability of proposing, in
        ``[0, 1]``; exactly two parties.
    deadline
        The last offer date ``T >= 0``.
    rates
        Discount rates per period, ``>= 0`` (default 0).
    costs
        Strike costs per period of waiting, ``>= 0`` (default 0).
    deadline_payoffs
        ``b_i``: each side's payoff if the deadline passes without agreement,
        valued at the deadline (default 0).
    round_length
        Periods between offers (the gap before the deadline may be shorter).

    Raises
    ------
    ModelError
        Naming the key, for a non-finite number, a belief outside ``[0, 1]``,
        a negative rate or cost, a party that is not in ``beliefs``, or a
        malformed deadline or round (:func:`offer_dates`).

    Examples
    --------
    No strike costs and no discounting: any optimism waits for the deadline,
    where each proposer offers the other its deadline payoff.

    >>> game = optimism_bargaining(1.0, {"W": 0.6, "A": 0.5}, 2.0)
    >>> game.date, game.offers["W"]
    (2.0, {'W': 1.0, 'A': 0.0})
    >>> round(game.values["W"], 12), round(game.values["A"], 12)
    (0.6, 0.5)
    """
    pie = _number(pie, "pie")
    parties, p = _beliefs(beliefs)
    r = _per_party(rates, parties, "rates", least=0.0)
    c = _per_party(costs, parties, "costs", least=0.0)
    b = _per_party(deadline_payoffs, parties, "deadline_payoffs", least=None)
    dates = offer_dates(deadline, round_length)
    n = len(dates)
    rejecting: list[dict[str, float]] = []  # X_i at each date, from the deadline back
    totals: list[float] = []
    x = dict(b)  # X_i at the deadline: what rejecting the last offer leaves
    v = x
    for m in range(n - 1, -1, -1):
        if m < n - 1:
            gap = dates[m + 1] - dates[m]
            x = {i: math.exp(-r[i] * gap) * v[i] - c[i] * _annuity(r[i], gap) for i in parties}
        total = x[parties[0]] + x[parties[1]]
        rent = pie - total if total <= pie else 0.0  # the proposer's rent; none without agreement
        v = {i: x[i] + p[i] * rent for i in parties}
        rejecting.append(x)
        totals.append(total)
    rejecting.reverse()
    waiting = tuple(reversed(totals))
    agree = tuple(w <= pie for w in waiting)
    first = next((m for m in range(n) if agree[m]), None)
    offers: dict[str, dict[str, float]] = {}
    if first is not None:
        at = rejecting[first]
        for i, j in (parties, parties[::-1]):
            offers[i] = {i: pie - at[j], j: at[j]}
    return Optimism(
        parties=parties,
        beliefs=p,
        excess=p[parties[0]] + p[parties[1]] - 1,
        pie=pie,
        deadline=dates[-1],
        rates=r,
        costs=c,
        deadline_payoffs=b,
        dates=dates,
        waiting=waiting,
        agree=agree,
        date=math.inf if first is None else dates[first],
        values=v,
        offers=offers,
    )


def waiting_time(
    pie: float,
    beliefs: Mapping[str, float],
    *,
    rate: float = 0.0,
    costs: Mapping[str, float] | None = None,
    deadline_payoffs: Mapping[str, float] | None = None,
) -> float:
    """``u*``: with equal discount rates, agreement waits for a deadline nearer than this.

    With no agreement between a date and the deadline, the sum of what the two
    sides believe rejecting at that date is worth, ``u`` periods before the
    deadline, is ``e^{−r u}(pie + ε s) − C (1 − e^{−r u})/r`` (each expects
    ``b_i + p_i s`` at the deadline). It falls with ``u``, so the agreement
    condition (that sum ``<= pie``) fails exactly for ``u < u*``:

    ``u* = ln(1 + ε s / (pie + C/r)) / r``, ``u* = ε s / C`` at ``r = 0``,

    with ``ε = p_W + p_A − 1``, ``s = pie − b_W − b_A`` and ``C = c_W + c_A``;
    ``u* = 0`` without optimism (``ε s <= 0``) and ``inf`` when the condition
    never holds (no costs and no discounting, or ``pie + C/r <= 0``). Once the
    condition holds at a date it holds at every earlier one (derivation in
    ``docs/delay-optimism.md``), so a game that starts ``T`` periods before the
    deadline agrees at the deadline if ``T < u*`` and at once otherwise,
    whatever the rounds: the deadline effect of Yildiz (2004, MIT working paper
    04-36) and the immediate agreement of Yildiz (2003, *Econometrica* 71(3)).
    :func:`optimism_bargaining` is the backward-induction route for any rates.

    Parameters
    ----------
    pie, beliefs, costs, deadline_payoffs
        As in :func:`optimism_bargaining`; the surplus over the deadline outcome
        ``s`` must be ``>= 0`` (agreement at the deadline; up to a rounding of 1e-12).
    rate
        The discount rate per period common to both sides, ``>= 0``.

    Raises
    ------
    ModelError
        For malformed inputs (naming the key), or ``s < 0``.

    Examples
    --------
    Undiscounted: a premium of ``0.2 × 3`` against strike costs of 0.1 a period.

    >>> round(waiting_time(3.0, {"W": 0.6, "A": 0.6}, costs={"W": 0.05, "A": 0.05}), 12)
    6.0
    """
    pie = _number(pie, "pie")
    parties, p = _beliefs(beliefs)
    rate = _number(rate, "rate")
    if rate < 0:
        raise ModelError(f"must be a discount rate >= 0, got {rate!r}", key="rate")
    c = _per_party(costs, parties, "costs", least=0.0)
    b = _per_party(deadline_payoffs, parties, "deadline_payoffs", least=None)
    surplus = pie - b[parties[0]] - b[parties[1]]
    if surplus < -1e-12 * max(abs(pie), abs(b[parties[0]]), abs(b[parties[1]])):
        raise ModelError(
            f"the pie {pie:g} must be at least the deadline payoffs' sum {pie - surplus:g} "
            "(the closed form assumes agreement at the deadline)",
            key="deadline_payoffs",
        )
    premium = (p[parties[0]] + p[parties[1]] - 1) * max(surplus, 0.0)  # rounding: no surplus
    cost = c[parties[0]] + c[parties[1]]
    if premium <= 0:
        return 0.0
    if rate == 0:
        return math.inf if cost == 0 else premium / cost
    scale = rate * pie + cost  # r (pie + C/r), finite however small r is
    return math.inf if scale <= 0 else math.log1p(rate * premium / scale) / rate


def _stage_game(stage: DelayInputs) -> Optimism:
    """The ``optimism`` theory's game at a stage of a credibility report.

    - the beliefs are ``[delay.optimism] optimism_1`` and ``optimism_2`` (the
      model's first and second party), the same before and after the broken
      promise: trust does not enter them;
    - the pie is the sum of the stage's agreement payoffs (so the promise moves
      it: a package deal that trust allows is part of the pie);
    - the deadline is ``deadline`` (default: the last focal date), the round
      ``round`` periods (default 1);
    - each side's strike cost per period is minus its ``strike_payoff``, its
      rate is its discount rate (0 if the model gives none);
    - the deadline payoff is the disagreement payoff less the strike flows the
      game already charges until the deadline, ``d_i + T s_i``: the model's
      disagreement payoff is read as the worth of a strike that runs to the
      last focal date (``wga2007``: ``d_i = s_i T_D``, so the deadline outcome
      is the rest of the strike, ``s_i (T_D − T)``).
    """
    model = stage.model
    settings = stage.settings
    parties = tuple(p.name for p in model.parties)
    if len(parties) != 2:
        raise ModelError(
            f"the optimism theory needs exactly two parties, got {len(parties)}",
            file=model.file,
            table="parties",
        )
    deadline = focal_deadline(stage, "optimism", stage.focal_dates[-1])
    costs = {}
    deadline_payoffs = {}
    for party in model.parties:
        where = f"parties.{party.name}"
        flow = numeric_value(model, party.strike_payoff, where, "strike_payoff")
        if flow > 0:
            raise ModelError(
                f"must be <= 0 for the optimism theory (a strike costs each side), got {flow:g}",
                file=model.file,
                table=where,
                key="strike_payoff",
            )
        costs[party.name] = -flow
        deadline_payoffs[party.name] = stage.solution.disagreement[party.name] - deadline * flow
    rates = {k: 0.0 if v is None else v for k, v in discount_rates(model).items()}
    beliefs = {parties[0]: settings["optimism_1"], parties[1]: settings["optimism_2"]}
    try:
        return optimism_bargaining(
            sum(stage.solution.payoffs[k] for k in parties),
            beliefs,
            deadline,
            rates=rates,
            costs=costs,
            deadline_payoffs=deadline_payoffs,
            round_length=settings.get("round", 1.0),
        )
    except ModelError as err:  # a setting out of range: name it as the model file does
        keys = {f"beliefs.{parties[0]}": "optimism_1", f"beliefs.{parties[1]}": "optimism_2"}
        raise ModelError(
            err.message, file=model.file, table="delay.optimism", key=keys.get(err.key, err.key)
        ) from None


def _optimism(stage: DelayInputs) -> AgreementTime:
    """The ``optimism`` theory: the agreement date of the stage's game (:func:`_stage_game`)."""
    return _stage_game(stage).agreement_time()


register_theory(
    Theory(
        name="optimism",
        summary=(
            "mutual optimism: each side believes it makes the offers that count more often than "
            "the other grants, and both wait for the deadline when that optimism is worth more "
            "than the strike until then"
        ),
        source=(
            "Yildiz (2003), Econometrica 71(3), 793-811; Yildiz (2004), QJE 119(1), 223-248; "
            "Yildiz (2004), MIT working paper 04-36"
        ),
        agreement=_optimism,
        keys={
            "optimism_1": "the first party's belief that it proposes at each date, in [0, 1]",
            "optimism_2": "the second party's belief that it proposes at each date, in [0, 1]",
            "deadline": "the last offer date: one of the model's focal dates (default: the last)",
            "round": "periods between offers, > 0 (default 1)",
        },
        required=("optimism_1", "optimism_2"),
        order=30,
    )
)


__all__ = ["MAX_DATES", "Optimism", "offer_dates", "optimism_bargaining", "waiting_time"]
