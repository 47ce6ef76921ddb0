"""The two-party models derived from a model with a coalition.

:func:`joint_model` is the counterpart against the coalition as one player and
:func:`member_model` the counterpart against one member alone, as
:mod:`bargain.coalitions.coalition` describes them (parts (a) and (b));
:meth:`Model.coalition <bargain.model.model.Model.coalition>` picks the coalition. The
games with a coalition (:mod:`bargain.coalitions.alternating`,
:mod:`bargain.coalitions.strike`) build on the same models.

Examples
--------
>>> import bargain
>>> m = bargain.load_model(bargain.models_dir() / "coalition_three.toml")
>>> joint, tau = joint_model(m, m.coalition())
>>> joint.party_names, tau
(('G', 'P'), 3)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import sympy

from bargain.coalitions.rule import threshold
from bargain.concepts.solution import Solution
from bargain.errors import FeasibilityError
from bargain.model.model import Coalition, Constraint, Model, Party, counterpart_of


def _common(values: list[sympy.Expr | None]) -> sympy.Expr | None:
    """The one value all members share, else ``None``."""
    return values[0] if len(set(values)) == 1 else None


def _summed(values: list[sympy.Expr | None]) -> sympy.Expr | None:
    """The sum when every member has a value, else ``None``."""
    return None if any(v is None for v in values) else sympy.Add(*values)


def joint_model(
    model: Model, c: Coalition, rule: str | None = None, veto: str | None = None
) -> tuple[Model, sympy.Expr]:
    """Part (a): the counterpart against the coalition as one player, and the rule's
    threshold ``tau`` (see the module docstring).

    The coalition's discount factor (or rate) is its members' when they all have the
    same one, else none (a game that needs one then says so).
    """
    members = [model.party(m) for m in c.members]
    other = model.party(counterpart_of(model, c))
    one = Party(
        name=c.name,
        title=f"coalition of {', '.join(c.members)}",
        payoff=sympy.Add(*(p.payoff for p in members)),
        disagreement=sympy.Add(*(p.disagreement for p in members)),
        strike_payoff=sympy.Add(*(p.strike_payoff for p in members)),
        outside_option=_summed([p.outside_option for p in members]),
        discount_factor=_common([p.discount_factor for p in members]),
        discount_rate=_common([p.discount_rate for p in members]),
        bargaining_power=_summed([p.bargaining_power for p in members]),
    )
    tau = threshold(model, c, rule, veto)
    constraints = model.constraints
    if tau > model.numeric(one.disagreement):
        rule_name = rule or c.rule
        constraints += (
            Constraint(
                f"{c.name}_{rule_name}",
                sympy.GreaterThan(one.payoff, tau),
                description=f"the coalition's {rule_name} rule",
            ),
        )
    joint = replace(
        model,
        name=f"{model.name}_{c.name}",
        parties=(other, one),
        constraints=constraints,
        coalitions=(),
        promises=(),
        bargaining=replace(
            model.bargaining,
            first_proposer=c.name
            if model.bargaining.first_proposer in c.members
            else model.bargaining.first_proposer,
        ),
    )
    return joint, tau


def member_model(model: Model, c: Coalition, member: str) -> Model:
    """Part (b): the counterpart against ``member`` alone (see the module docstring)."""
    i = c.members.index(member)
    other = model.party(counterpart_of(model, c))
    share = c.shares[i]
    payoff = other.payoff * share if c.counterpart_payoff is None else c.counterpart_payoff[i]
    disagreement = (
        other.disagreement * share
        if c.counterpart_disagreement is None
        else c.counterpart_disagreement[i]
    )
    alone = replace(
        other,
        payoff=payoff,
        disagreement=disagreement,
        strike_payoff=other.strike_payoff * share,
    )
    own = model.party(member)
    used = (alone.payoff.free_symbols | own.payoff.free_symbols) & {
        v.symbol for v in model.variables
    }
    constraints: list[Constraint] = []
    grown = True
    while grown:  # the constraints that tie a used variable, and the variables they tie
        grown = False
        for k in model.constraints:
            ties = k.relation.free_symbols & {v.symbol for v in model.variables}
            if ties & used and k not in constraints:
                constraints.append(k)
                used |= ties
                grown = True
    proposer = model.bargaining.first_proposer
    return replace(
        model,
        name=f"{model.name}_{member}",
        parties=(alone, own),
        variables=tuple(v for v in model.variables if v.symbol in used),
        constraints=tuple(constraints),
        coalitions=(),
        promises=(),
        bargaining=replace(
            model.bargaining,
            first_proposer=member if proposer in c.members else proposer,
        ),
    )


def solve_alone(solve: Callable[..., Solution], model: Model, exact: bool) -> Solution | None:
    """A member's bargain alone (``model``, a :func:`member_model`) under the concept
    ``solve``, or ``None`` when no agreement improves on disagreement for both (then
    neither signs: each keeps its disagreement payoff)."""
    try:
        return solve(model, exact=exact)
    except FeasibilityError:
        return None


__all__ = ["joint_model", "member_model", "solve_alone"]
