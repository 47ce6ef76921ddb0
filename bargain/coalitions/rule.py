"""A coalition's internal rule as the least joint payoff it signs for.

Inside a coalition, member ``i`` receives the share ``s_i`` of the coalition's joint
payoff ``U_C(x) = sum_i u_i(x)`` from an agreement ``x``, and its own disagreement
payoff ``d_i`` if there is none. It gains from ``x`` exactly when
``s_i U_C(x) >= d_i``, that is when ``U_C(x) >= t_i = d_i / s_i`` (shares are
positive). Every rule accepts ``x`` when the members who gain are *enough*, and the
members who gain are those with ``t_i <= U_C(x)``: so each rule is one threshold
``tau`` on the joint payoff.

- **unanimity**: every member gains, ``tau = max_i t_i``;
- **majority**: members holding more than half the weight gain, ``tau`` is the
  smallest ``t_i`` at which the members with ``t_j <= t_i`` hold more than half (a
  weighted median of the ``t_i``);
- **veto**: a majority *and* the veto member ``v``: ``tau = max(tau_majority, t_v)``
  (a veto player is in every winning coalition of the voting game).

Since the shares sum to one, ``sum_i d_i = sum_i s_i t_i <= max_i t_i``: unanimity
never asks less than the coalition's joint disagreement payoff.

Examples
--------
>>> import bargain
>>> m = bargain.load_model(bargain.models_dir() / "coalition_three.toml")
>>> c = m.coalitions[0]
>>> thresholds(m, c)
{'F': 0.5, 'N': 3.0, 'B': 0.4}
>>> threshold(m, c, "unanimity"), threshold(m, c, "majority"), threshold(m, c, "veto", "N")
(3, 1/2, 3)
"""

from __future__ import annotations

from collections.abc import Mapping

import sympy

from bargain.errors import ModelError
from bargain.model.model import RULES, Coalition, Model
from bargain.model.validate import numeric_value


def thresholds(model: Model, c: Coalition) -> dict[str, float]:
    """Each member's ``t_i = d_i / s_i``: the least joint payoff at which it gains."""
    where = f"coalitions.{c.name}"
    return {
        m: numeric_value(model, model.party(m).disagreement / s, where, f"shares.{m}")
        for m, s in zip(c.members, c.shares, strict=True)
    }


def votes(model: Model, c: Coalition) -> dict[str, float]:
    """Each member's weight under ``majority`` and ``veto``, as a number."""
    where = f"coalitions.{c.name}"
    return {
        m: numeric_value(model, w, where, f"weights.{m}")
        for m, w in zip(c.members, c.votes, strict=True)
    }


def pivot(
    values: Mapping[str, float], weights: Mapping[str, float], rule: str, veto: str | None = None
) -> str:
    """The member whose value is the rule's: each member asks ``values[m]`` (higher is
    tougher), and the coalition agrees to a level exactly when the members who accept it
    (those asking at most that level) are enough under ``rule`` (see the module docstring).

    ``unanimity``: the toughest member; ``majority``: the weighted median (the least
    tough member at which the members asking no more hold more than half the weight);
    ``veto``: the tougher of that member and ``veto``. Ties go to the member listed first.

    Examples
    --------
    >>> asks = {"F": 0.5, "N": 3.0, "B": 0.4}
    >>> one = dict.fromkeys(asks, 1.0)
    >>> pivot(asks, one, "unanimity"), pivot(asks, one, "majority"), pivot(asks, one, "veto", "B")
    ('N', 'F', 'F')
    """
    order = list(values)
    if rule == "unanimity":
        return max(order, key=lambda m: (values[m], -order.index(m)))
    half = sum(weights.values()) / 2
    held, median = 0.0, order[-1]
    for member in sorted(order, key=lambda m: (values[m], order.index(m))):
        held += weights[member]
        if held > half:
            median = member
            break
    if rule == "majority" or veto is None:
        return median
    return max((median, veto), key=lambda m: (values[m], -order.index(m)))


def pivotal(
    model: Model,
    c: Coalition,
    values: Mapping[str, float],
    rule: str | None = None,
    veto: str | None = None,
) -> str:
    """:func:`pivot` for coalition ``c`` under ``rule`` (and ``veto``; by default the
    coalition's own), with the model's weights.

    Raises
    ------
    ModelError
        For an unknown rule, or the veto rule without a veto member of the coalition.
    """
    rule = c.rule if rule is None else rule
    where = f"coalitions.{c.name}"
    if rule not in RULES:
        raise ModelError(
            f"unknown rule {rule!r}; the rules are {', '.join(RULES)}",
            file=model.file,
            table=where,
            key="rule",
        )
    veto = (c.veto if veto is None else veto) if rule == "veto" else None
    if rule == "veto" and veto not in c.members:
        raise ModelError(
            f"the veto rule needs a veto member; the members are {', '.join(c.members)}, "
            f"got {veto!r}",
            file=model.file,
            table=where,
            key="veto",
        )
    return pivot(values, votes(model, c), rule, veto)


def threshold(
    model: Model, c: Coalition, rule: str | None = None, veto: str | None = None
) -> sympy.Expr:
    """The least joint payoff ``tau`` coalition ``c`` signs for under ``rule`` (see the
    module docstring), exact at the parameter values; ``rule`` and ``veto`` default to
    the coalition's own.

    Raises
    ------
    ModelError
        For an unknown rule, or the veto rule without a veto member of the coalition.
    """
    member = pivotal(model, c, thresholds(model, c), rule, veto)
    return model.numeric(model.party(member).disagreement / c.share(member))


__all__ = ["pivot", "pivotal", "threshold", "thresholds", "votes"]
