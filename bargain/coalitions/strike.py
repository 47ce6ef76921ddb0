"""How long the strike lasts when the coalition holds out at the rate of its pivotal member.

The strike is the war of attrition of Abreu & Gul (2000, *Econometrica* 68(1)) between the
counterpart ``W`` and the coalition ``C`` (:mod:`bargain.reputation.attrition`): each side
demands a share ``α`` of the surplus over disagreement ``S`` (``W``'s ``demand``; the
coalition's is the sum of its members' ``demand``), may be an obstinate type that never
concedes (``hardliner``), and a rational side concedes at the hazard that leaves the other
indifferent to waiting (Hendricks, Weiss & Wilson 1988,
:func:`bargain.reputation.attrition.hazard_rate`). What is new is the coalition's side.

**Assumption: the coalition concedes when its pivotal member consents.** Conceding means
accepting ``W``'s demand, which the coalition does when the members who consent are enough
under its rule. With fixed shares, member ``i`` wins ``s_i (win_C − lose_C)`` if ``W``
concedes first, and waiting a week costs it

    ``k_i + r_i (s_i lose_C − d_i)``

(its weekly strike cost ``k_i = −strike_payoff``, plus interest at its discount rate on
what conceding is worth to it over its disagreement payoff, as the war counts it for a
party: ``r_j (1 − α_i)`` in Abreu & Gul). Per dollar of stake the cost is
``κ_i = k_i / s_i + r_i (lose_C − d_i / s_i)``: a member with a lower ``κ_i`` is willing to
hold out longer, and at the moment the coalition concedes the members who consent are
those with ``κ_i`` at least the pivot's. So the rule's pivot
(:func:`bargain.coalitions.rule.pivot` over ``−κ_i``) is the member whose consent is needed
last: under unanimity the member with the lowest cost per dollar of stake, under a veto
the tougher of the veto member and the majority's pivot, under a majority the weighted
median. That member must be indifferent over when to concede, so ``W`` concedes at

    ``λ_W = κ_p / (win_C − lose_C)``,  and the coalition at  ``λ_C = κ_W / (win_W − lose_W)``

with ``κ_W = k_W + r_W (lose_W − d_W)``; every other Abreu–Gul quantity follows from these
rates and the obstinacy probabilities, the coalition's being its pivot's ``hardliner``
(the coalition is obstinate when the member whose consent it needs is). The war is solved
by :func:`bargain.reputation.attrition.abreu_gul` with the rates that give these hazards
(``r = κ / (S (1 − α_other))``, since there ``λ_i = r_j (1 − α_i)/(α_i + α_j − 1)``), and
its time to agreement becomes the strike's length with breakdowns and focal dates by
:func:`bargain.reputation.duration.strike_duration` (``docs/duration.md``).

Not modelled: members that are obstinate on their own (under unanimity any obstinate
member would block; here only the pivot's type counts), and members who bargain over the
shares while the strike goes on. ``docs/coalitions.md`` states the assumption and its
consequences; ``tests/coalitions`` checks the pivot's indifference by integrating its
payoff over ``W``'s concession times, and the length by simulation.

Examples
--------
>>> import bargain
>>> m = bargain.load_model(bargain.models_dir() / "wga2007_coalition.toml")
>>> s = coalition_strike(m)             # unanimity: the networks hold out longest
>>> s.pivot, round(s.duration.mean, 3), round(s.duration.median, 3)
('N', 1.455, 0.233)
>>> round(coalition_strike(m, rule="majority").duration.mean, 3)
1.338
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from bargain.coalitions.joint import joint_model
from bargain.coalitions.rule import pivotal
from bargain.concepts.registry import concept
from bargain.concepts.solution import Solution
from bargain.errors import ModelError
from bargain.json_text import dumps
from bargain.model.model import Model, counterpart_of
from bargain.model.patience import discount_rates
from bargain.model.validate import numeric_value, validate_model
from bargain.reputation.attrition import Reputation, abreu_gul
from bargain.reputation.delay import theory as delay_theory
from bargain.reputation.duration import StrikeDuration, strike_duration
from bargain.rounding import sig


@dataclass(frozen=True)
class CoalitionStrike:
    """The strike's length with the coalition holding out as its pivot (module docstring).

    Attributes
    ----------
    rule, veto
        The coalition's rule (and veto member).
    pivot
        The member whose consent the coalition's concession needs last.
    costs
        Each member's cost of a week of waiting per dollar of stake, ``κ_i``.
    counterpart_cost
        The counterpart's cost of a week of waiting, ``κ_W``.
    war
        The war of attrition (Abreu & Gul 2000) with those costs.
    duration
        The strike's length with breakdowns and focal dates.
    """

    rule: str
    veto: str | None
    pivot: str
    costs: dict[str, float]
    counterpart_cost: float
    war: Reputation
    duration: StrikeDuration

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: the pivot, the costs, the concession rates and the length."""
        d = self.duration
        return {
            "theory": "reputation",
            "rule": self.rule,
            "veto": self.veto,
            "pivot": self.pivot,
            "cost_per_stake": dict(self.costs),
            "counterpart_cost": self.counterpart_cost,
            "concession_rates": dict(self.war.concession_rates),
            "weaker": self.war.weaker,
            "at_zero": d.at_zero,
            "focal_dates": list(d.focal_dates),
            "settled_by": list(d.settled_by),
            "median": d.median,
            "mean": d.mean,
        }

    def to_json(self, indent: int | None = 2) -> str:
        """The strike as one JSON object (see :meth:`to_dict`)."""
        return dumps(self.to_dict(), indent)

    def line(self, period: str = "period") -> str:
        """One line for a report: median, mean, and P(settled by) each focal date but the last."""
        d = self.duration
        dates = "".join(
            f"; P(settled by {sig(t, 4)} {period}s) {sig(p, 4)}"
            for t, p in zip(d.focal_dates[:-1], d.settled_by[:-1], strict=True)
        )
        return (
            f"strike (war of attrition, {self.pivot} holds out for the coalition): median "
            f"{sig(d.median, 4)}, mean {sig(d.mean, 4)} {period}s{dates}"
        )


def _number(model: Model, party: str, key: str) -> float:
    """A party's ``key`` as a number; a located error when the model does not give it."""
    value = getattr(model.party(party), key)
    if value is None:
        raise ModelError(
            f"missing; the strike's length (a war of attrition) needs {key} for the "
            "counterpart and every member",
            file=model.file,
            table=f"parties.{party}",
            key=key,
        )
    return numeric_value(model, value, f"parties.{party}", key)


def coalition_strike(
    model: Model,
    name: str | None = None,
    *,
    rule: str | None = None,
    veto: str | None = None,
    method: str = "nash",
    delay: str = "reputation",
    agreement: Solution | None = None,
) -> CoalitionStrike:
    """The strike's length when the coalition concedes as its pivotal member does.

    Parameters
    ----------
    model
        A model with a ``[coalitions.NAME]`` table, ``demand`` and ``hardliner`` for the
        counterpart and every member, each party's weekly strike cost (``strike_payoff``)
        and patience (a party without ``discount_rate`` or ``discount_factor`` does not
        discount), and ``[bargaining] focal_dates``.
    name
        The coalition (needed when the model has several).
    rule, veto
        The coalition's rule and veto member (default: its own).
    method
        The solution concept whose agreement gives the surplus the demands share.
    delay
        The theory of delay; the coalition's side is derived for ``"reputation"`` (the
        war of attrition) only.
    agreement
        The coalition's agreement as one player under ``method``, if already solved
        (:func:`bargain.coalitions.coalition` passes its own).

    Raises
    ------
    ModelError
        Naming the missing key (``[parties.X] demand``, ``hardliner``, ``discount_rate``,
        ``[bargaining] focal_dates``), a demand outside the surplus, a side whose waiting
        costs nothing (``strike_payoff``), another theory of
        delay, an unknown coalition, rule or veto member.
    """
    validate_model(model)
    used = delay_theory(delay, file=model.file)
    if used.name != "reputation":
        raise ModelError(
            f"the coalition's side of the strike is derived for the theory 'reputation' only "
            f"(the war of attrition: docs/coalitions.md), got {used.name!r}",
            file=model.file,
            table="coalition",
            key="delay",
        )
    c = model.coalition(name)
    other = counterpart_of(model, c)
    if not model.bargaining.focal_dates:
        raise ModelError(
            "missing; the strike's length needs the focal dates at which a strike ends",
            file=model.file,
            table="bargaining",
            key="focal_dates",
        )
    dates = [
        numeric_value(model, d, "bargaining", f"focal_dates[{i}]")
        for i, d in enumerate(model.bargaining.focal_dates)
    ]
    q = numeric_value(model, model.bargaining.breakdown_probability, "bargaining", "breakdown")
    if not q < 1:
        raise ModelError(
            f"must be below 1 for the strike's length, got {q:g}",
            file=model.file,
            table="bargaining",
            key="breakdown_probability",
        )
    names = (other, *c.members)
    rates = {n: r or 0.0 for n, r in discount_rates(model).items()}  # none: no discounting
    demand = {n: _number(model, n, "demand") for n in names}
    obstinate = {n: _number(model, n, "hardliner") for n in names}
    cost = {
        n: -numeric_value(model, model.party(n).strike_payoff, f"parties.{n}", "strike_payoff")
        for n in names
    }
    d = {
        n: numeric_value(model, model.party(n).disagreement, f"parties.{n}", "disagreement")
        for n in names
    }
    share = {
        m: numeric_value(model, c.share(m), f"coalitions.{c.name}", f"shares.{m}")
        for m in c.members
    }
    if agreement is None:
        joint, _ = joint_model(model, c, rule, veto)
        agreement = concept(method, table="coalition", credibility=True).solve(joint, exact=False)
    solution = agreement
    d_c = sum(d[m] for m in c.members)
    surplus = solution.payoffs[other] - d[other] + solution.payoffs[c.name] - d_c
    gains = {other: demand[other] - d[other], c.name: sum(demand[m] for m in c.members) - d_c}
    for n, g in gains.items():
        if not 0 < g < surplus:
            where = other if n == other else c.members[0]
            raise ModelError(
                f"must leave each side a payoff above its disagreement payoff: {n}'s demand "
                f"gains {g:.6g} over disagreement, the surplus is {surplus:.6g}",
                file=model.file,
                table=f"parties.{where}",
                key="demand",
            )
    alpha = {n: g / surplus for n, g in gains.items()}
    lose_c = d_c + surplus * (1 - alpha[other])  # the coalition's payoff if it concedes
    lose_w = d[other] + surplus * (1 - alpha[c.name])
    kappa = {m: cost[m] / share[m] + rates[m] * (lose_c - d[m] / share[m]) for m in c.members}
    kappa_w = cost[other] + rates[other] * (lose_w - d[other])
    key = pivotal(model, c, {m: -k for m, k in kappa.items()}, rule, veto)
    for n, k in ((other, kappa_w), (key, kappa[key])):
        if not k > 0:
            raise ModelError(
                f"waiting must cost {n} something for the war of attrition: give a weekly "
                f"strike cost (a negative strike_payoff) or a discount_rate; the cost of a "
                f"week of waiting comes out {k:.6g}",
                file=model.file,
                table=f"parties.{n}",
                key="strike_payoff",
            )
    war = abreu_gul(
        {other: alpha[other], c.name: alpha[c.name]},
        {other: obstinate[other], c.name: obstinate[key]},
        {
            other: kappa_w / (surplus * (1 - alpha[c.name])),
            c.name: kappa[key] / (surplus * (1 - alpha[other])),
        },
    )
    used_rule = rule or c.rule
    return CoalitionStrike(
        rule=used_rule,
        veto=(veto or c.veto) if used_rule == "veto" else None,
        pivot=key,
        costs=kappa,
        counterpart_cost=kappa_w,
        war=war,
        duration=strike_duration(war, breakdown_rate=-math.log1p(-q), focal_dates=dates),
    )


__all__ = ["CoalitionStrike", "coalition_strike"]
