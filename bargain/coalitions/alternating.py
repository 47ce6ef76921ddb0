"""The alternating-offers game between a counterpart and a coalition that decides by a rule.

The counterpart ``W`` and the coalition ``C`` make offers in turn, as in
:mod:`bargain.strategic.rubinstein` (one round a period; each round of strike costs each
side its strike payoff; talks break down with probability ``q`` a round, each side then
getting its disagreement payoff). Inside the coalition member ``i`` receives the share
``s_i`` of the joint payoff ``U_C(x)``; with fixed shares every member ranks agreements
alike, so the members differ only in what waiting is worth to them. Measured per dollar of
stake (divided by ``s_i``), member ``i`` rejects an offer for

    ``R_i(y) = a_i + β_i y``,  ``a_i = (b_i + q d_i) / s_i``,  ``β_i = (1 − q) δ_i``,

where ``y`` is the coalition's joint payoff from the next round's agreement, ``b_i`` the
member's strike payoff for a round (its weekly cost, as a present value), ``d_i`` its
disagreement payoff and ``δ_i`` its discount factor. It accepts ``x`` when
``U_C(x) >= R_i(y)``, and the coalition accepts when the members who accept are enough
under its rule: its rejection value is the rule's aggregate ``R_C(y)`` of the ``R_i(y)``
(:func:`bargain.coalitions.rule.pivot`: the largest under unanimity, the weighted median
under a majority, the larger of that and the veto member's under a veto).

**Who the coalition behaves as.** Let ``v_i`` be the coalition's equilibrium payoff in the
*stand-in* game where member ``i`` alone decides for it (the game with ``R_i``, a
two-party :func:`bargain.strategic.rubinstein` game). Then the coalition's equilibrium
payoff is the rule's aggregate of the ``v_i``: under unanimity the largest, under a
member's veto the larger of the veto member's and the majority's, under a majority the
weighted median. Proof: the stationary equilibrium is the fixed point of
``v ↦ h(R_C(v))``, where ``h`` (the counterpart's best reply and the coalition's next
proposal) is increasing; ``f_i(v) = h(R_i(v)) − v`` is decreasing with its zero at
``v_i``, and an increasing ``h`` commutes with the rule's order statistic, so
``f_C(v) = h(R_C(v)) − v`` is the rule's aggregate of the ``f_i(v)``, which vanishes at the
aggregate of the ``v_i``. The member so picked is the **pivot**: under unanimity the
toughest member, the one with the lowest weekly cost per dollar of stake when the members
share their discount factor (``a_i`` largest: ``b_i/s_i`` and ``d_i/s_i`` least negative);
the most patient when they share their costs per dollar and ``y > 0``.

**Closed form** (a transfer: the counterpart gets ``x``, the coalition ``Π − x``; Osborne
& Rubinstein 1990, *Bargaining and Markets*, ch. 3, with the breakdown risk of Binmore,
Rubinstein & Wolinsky 1986, *RAND J. Econ.* 17(2), §4, and the fixed costs of Rubinstein
1982, *Econometrica* 50(1), §5): with the pivot's ``a_C, β_C`` and the counterpart's
``a_W = b_W + q d_W``, ``β_W = (1 − q) δ_W``, the counterpart proposes and the coalition
proposes

    ``x_W = ((1 − β_C) Π − a_C + β_C a_W) / (1 − β_W β_C)``,  ``x_C = a_W + β_W x_W``.

The second route is :func:`member_backward_induction`, the finite game played member by
member (each member votes on each offer by its own continuation value), which converges to
this as the horizon grows (``tests/coalitions``). The n-player alternating-offers games of
Chae & Yang (1994, *J. Econ. Theory* 62(1)) and Krishna & Serrano (1996, *Rev. Econ.
Stud.* 63(1)) split a surplus among all the players; here the members do not bargain among
themselves (their shares are fixed), only with the counterpart, through the rule.

Examples
--------
>>> import bargain
>>> m = bargain.load_model(bargain.models_dir() / "wga2007_coalition.toml")
>>> g = coalition_rubinstein(m)           # unanimity: the networks hold out longest
>>> g.pivot, round(g.solution.agreement["F"], 3)
('N', 128.132)
>>> {k: round(v.payoffs["AMPTP"], 3) for k, v in g.stand_ins.items()}
{'S': -249.949, 'N': -128.132, 'B': -475.674}
>>> coalition_rubinstein(m, rule="majority").pivot
'S'
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

from scipy.optimize import brentq

from bargain.coalitions.joint import joint_model
from bargain.coalitions.rule import pivot as rule_pivot
from bargain.coalitions.rule import pivotal, votes
from bargain.concepts.solution import Solution
from bargain.errors import FeasibilityError, ModelError, SolverError
from bargain.json_text import dumps
from bargain.model.model import Coalition, Model, counterpart_of, lambdify
from bargain.model.patience import discount_rates
from bargain.model.validate import numeric_value, validate_model
from bargain.rounding import sig
from bargain.strategic.rubinstein import MAX_INDUCTED, rubinstein


@dataclass(frozen=True)
class CoalitionGame:
    """The alternating-offers equilibrium with a coalition (see the module docstring).

    Attributes
    ----------
    model, coalition, counterpart, rule, veto
        What was solved, under which rule (and veto member).
    proposer
        Who proposes first (the coalition's name when a member does).
    pivot
        The member whose stand-in game is the coalition's.
    stand_ins
        Each member's stand-in game (the member deciding for the coalition).
    solution
        The equilibrium: the pivot's stand-in game.
    """

    model: str
    coalition: str
    counterpart: str
    rule: str
    veto: str | None
    proposer: str
    pivot: str
    stand_ins: dict[str, Solution]
    solution: Solution

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: the equilibrium and every stand-in's agreement and payoffs."""
        return {
            "rule": self.rule,
            "veto": self.veto,
            "proposer": self.proposer,
            "pivot": self.pivot,
            "agreement": dict(self.solution.agreement),
            "payoffs": dict(self.solution.payoffs),
            "proposals": dict(self.solution.extra.get("proposals", {})),
            "stand_ins": {
                m: {"agreement": dict(s.agreement), "payoffs": dict(s.payoffs)}
                for m, s in self.stand_ins.items()
            },
        }

    def to_json(self, indent: int | None = 2) -> str:
        """The game as one JSON object (see :meth:`to_dict`)."""
        return dumps(self.to_dict(), indent)

    def line(self) -> str:
        """One line for a report: the terms, who proposes, and the pivot."""
        terms = ", ".join(f"{k} = {sig(v)}" for k, v in self.solution.agreement.items())
        return (
            f"alternating offers ({self.proposer} first): {terms}; the coalition holds out as "
            f"{self.pivot}"
        )


def _patience(model: Model, c: Coalition) -> None:
    """Refuse a party without patience, or a member with an outside option, naming the key."""
    for m in (counterpart_of(model, c), *c.members):
        p = model.party(m)
        if p.discount_factor is None and p.discount_rate is None:
            raise ModelError(
                "missing; the alternating-offers game needs each party's patience: "
                "discount_factor (1 with weekly strike costs alone) or discount_rate",
                file=model.file,
                table=f"parties.{m}",
                key="discount_factor",
            )
        if m in c.members and p.outside_option is not None:
            raise ModelError(
                "a member's outside option is not part of the alternating-offers game with a "
                "coalition (taking it would leave the coalition); leave it out",
                file=model.file,
                table=f"parties.{m}",
                key="outside_option",
            )


def _first(model: Model, c: Coalition, proposer: str | None) -> str:
    """Who proposes first: the counterpart or the coalition (for any of its members)."""
    other = counterpart_of(model, c)
    first = proposer or model.bargaining.first_proposer or other
    if first in c.members:
        first = c.name
    if first not in (other, c.name):
        raise ModelError(
            f"must be {other}, {c.name} or one of its members, got {first!r}",
            file=model.file,
            table="bargaining",
            key="first_proposer",
        )
    return first


def stand_in(model: Model, c: Coalition, member: str) -> Model:
    """The two-party game in which ``member`` decides for the coalition: the coalition's
    joint payoff, and the member's strike payoff and disagreement payoff per dollar of
    stake (divided by its share) and its patience."""
    joint, _ = joint_model(model, c)
    other, one = joint.parties
    own = model.party(member)
    share = c.share(member)
    deciding = replace(
        one,
        title=f"coalition of {', '.join(c.members)}, as {member} decides",
        disagreement=own.disagreement / share,
        strike_payoff=own.strike_payoff / share,
        discount_factor=own.discount_factor,
        discount_rate=own.discount_rate,
        outside_option=None,
        bargaining_power=None,
    )
    return replace(
        joint,
        name=f"{joint.name}_{member}",
        parties=(other, deciding),
        constraints=model.constraints,
    )


def coalition_rubinstein(
    model: Model,
    name: str | None = None,
    *,
    rule: str | None = None,
    veto: str | None = None,
    proposer: str | None = None,
) -> CoalitionGame:
    """The alternating-offers equilibrium between the counterpart and a coalition.

    Parameters
    ----------
    model
        A model with a ``[coalitions.NAME]`` table, one contract variable (or a transfer),
        and each party's patience (``discount_factor`` or ``discount_rate``; weekly strike
        costs as ``strike_payoff``).
    name
        The coalition (needed when the model has several).
    rule, veto
        The coalition's rule and veto member (default: its own).
    proposer
        Who proposes first: the counterpart, the coalition or one of its members (default:
        ``[bargaining] first_proposer``, else the counterpart).

    Raises
    ------
    ModelError
        ``[parties.M] discount_factor`` for a party without patience; a member's
        ``outside_option``; an unknown coalition, rule or veto member; what
        :func:`bargain.strategic.rubinstein.rubinstein` refuses.
    SolverError
        When a stand-in game has a set of equilibria (no discounting and no breakdown
        risk, equal costs: Rubinstein 1982, §5).
    """
    validate_model(model)
    c = model.coalition(name)
    _patience(model, c)
    other = counterpart_of(model, c)
    first = _first(model, c, proposer)
    games: dict[str, Solution] = {}
    for m in c.members:
        solution = rubinstein(stand_in(model, c, m), proposer=first, exact=False)
        if not solution.agreement:
            raise SolverError(
                f"the game with {m} deciding for {c.name} has a set of equilibria (no "
                "discounting, no breakdown risk and equal costs; Rubinstein 1982, §5)"
            )
        games[m] = solution
    used_rule = rule or c.rule
    key = pivotal(model, c, {m: s.payoffs[c.name] for m, s in games.items()}, rule, veto)
    return CoalitionGame(
        model=model.name,
        coalition=c.name,
        counterpart=other,
        rule=used_rule,
        veto=(veto or c.veto) if used_rule == "veto" else None,
        proposer=first,
        pivot=key,
        stand_ins=games,
        solution=games[key],
    )


def member_backward_induction(
    model: Model,
    rounds: int,
    name: str | None = None,
    *,
    rule: str | None = None,
    veto: str | None = None,
    proposer: str | None = None,
) -> dict[str, float]:
    """The finite game played member by member: the second route to
    :func:`coalition_rubinstein`.

    ``rounds`` rounds of offers, alternating from ``proposer``; after the last every party
    gets its disagreement payoff. Once two rounds repeat the two after them to the last
    bit, the earlier rounds repeat them too; a game still not in such a cycle after
    :data:`~bargain.strategic.rubinstein.MAX_INDUCTED` rounds is refused. In each round
    each member compares its share of the offer's joint payoff with its own value of
    rejecting (its strike payoff for the round, its disagreement payoff on breakdown, and
    its own discounted continuation), and the coalition accepts (or makes an offer rather
    than strike) when the members who gain are enough under the rule. No stand-in game or
    closed form is used.

    Returns
    -------
    dict
        The contract agreed in round 0 (under the variable's name) and each party's and
        the coalition's payoff at time 0.

    Raises
    ------
    ModelError
        As :func:`coalition_rubinstein`, and for a model with several contract variables.
    FeasibilityError
        If the equilibrium path ends without agreement.
    SolverError
        If the game has not settled into its two-round cycle within ``MAX_INDUCTED`` rounds.

    Examples
    --------
    >>> import bargain
    >>> m = bargain.load_model(bargain.models_dir() / "wga2007_coalition.toml")
    >>> [round(member_backward_induction(m, n)["F"], 6) for n in (20, 100, 1000)]
    [103.492173, 127.769288, 128.131992]
    """
    validate_model(model)
    c = model.coalition(name)
    _patience(model, c)
    if len(model.variables) != 1:
        raise ModelError(
            f"the member-by-member game is played over one contract variable; the model has "
            f"{len(model.variables)} ({', '.join(model.variable_names)})",
            file=model.file,
            table="variables",
        )
    other = counterpart_of(model, c)
    first = _first(model, c, proposer)
    weights = votes(model, c)
    used_rule = rule or c.rule
    used_veto = (veto or c.veto) if used_rule == "veto" else None
    pivotal(model, c, dict.fromkeys(c.members, 0.0), rule, veto)  # refuses a bad rule or veto
    v = model.variables[0]
    lo = numeric_value(model, v.min, f"variables.{v.name}", "min")
    hi = numeric_value(model, v.max, f"variables.{v.name}", "max")
    q = numeric_value(model, model.bargaining.breakdown_probability, "bargaining", "breakdown")
    names = (other, *c.members)
    u = {n: lambdify(v.symbol, model.numeric(model.party(n).payoff), "math") for n in names}
    share = {
        m: numeric_value(model, c.share(m), f"coalitions.{c.name}", "shares") for m in c.members
    }

    def joint(x: float) -> float:
        return sum(float(u[m](x)) for m in c.members)

    rates = discount_rates(model)
    delta, strike, d = {}, {}, {}
    for n in names:
        where = f"parties.{n}"
        rate = float(rates[n] or 0.0)  # every party has patience (_patience)
        delta[n] = math.exp(-rate)
        flow = numeric_value(model, model.party(n).strike_payoff, where, "strike_payoff")
        strike[n] = flow if rate == 0 else flow * (1 - delta[n]) / rate
        d[n] = numeric_value(model, model.party(n).disagreement, where, "disagreement")
    rising = float(u[other](hi)) > float(u[other](lo))
    best = {other: hi if rising else lo, c.name: lo if rising else hi}

    def offer(responder: Any, level: float, mover: str) -> float | None:
        """The contract best for ``mover`` that gives the responder's payoff ``level``."""
        own, worst = best[mover], (lo if best[mover] == hi else hi)
        if float(responder(own)) >= level:
            return own
        if float(responder(worst)) < level:
            return None
        return brentq(lambda x: float(responder(x)) - level, lo, hi, xtol=1e-13 * (hi - lo))

    values = dict(d)
    agreed: float | None = None
    played: list[tuple[float | None, dict[str, float]]] = []  # each round's, latest last
    for k in reversed(range(rounds)):
        if len(played) >= MAX_INDUCTED:
            raise SolverError(
                f"the member-by-member game of {rounds} rounds has not settled into a cycle "
                f"after {MAX_INDUCTED:,} rounds: give fewer rounds"
            )
        mover = first if k % 2 == 0 else (c.name if first == other else other)
        keep = {n: strike[n] + q * d[n] + (1 - q) * delta[n] * values[n] for n in names}
        asks = {m: keep[m] / share[m] for m in c.members}
        tau = asks[rule_pivot(asks, weights, used_rule, used_veto)]
        slack = 1e-12 * (1 + abs(tau))
        if mover == other:  # the counterpart offers the coalition tau, if that beats a strike
            x = offer(joint, tau, mover)
            deal = x is not None and float(u[other](x)) >= keep[other]
        else:  # the coalition offers the counterpart its value of rejecting, if enough gain
            x = offer(u[other], keep[other], mover)
            deal = x is not None and joint(x) >= tau - slack
        if deal and x is not None:
            agreed = x
            values = {other: float(u[other](x)), **{m: share[m] * joint(x) for m in c.members}}
        else:
            agreed, values = None, keep
        played.append((agreed, values))
        if k >= 2 and len(played) >= 3 and played[-1] == played[-3]:
            # The same as two rounds later, to the last bit: every earlier round repeats
            # these two (the recursion depends on nothing else), and round 0 plays as the
            # one of them of its parity.
            agreed, values = played[-1] if k % 2 == 0 else played[-2]
            break
    if agreed is None:
        raise FeasibilityError(f"no agreement in round 0 of {rounds} rounds", file=model.file)
    return {v.name: agreed, **values, c.name: joint(agreed)}


__all__ = ["CoalitionGame", "coalition_rubinstein", "member_backward_induction", "stand_in"]
