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
    rule = c.rule if rule is None else rule
    where = f"coalitions.{c.name}"
    if rule not in RULES:
        raise ModelError(
            f"unknown rule {rule!r}; the rules are {', '.join(RULES)}",
            file=model.file,
            table=where,
            key="rule",
        )
    t = thresholds(model, c)

    def exact(member: str) -> sympy.Expr:
        return model.numeric(model.party(member).disagreement / c.share(member))

    if rule == "unanimity":
        return exact(max(c.members, key=lambda m: t[m]))
    votes = {
        m: numeric_value(model, w, where, f"weights.{m}")
        for m, w in zip(c.members, c.votes, strict=True)
    }
    half = sum(votes.values()) / 2
    held, pivot = 0.0, c.members[-1]
    for member in sorted(t, key=lambda m: (t[m], c.members.index(m))):
        held += votes[member]
        if held > half:
            pivot = member
            break
    if rule == "majority":
        return exact(pivot)
    veto = c.veto if veto is None else veto
    if veto not in c.members:
        raise ModelError(
            f"the veto rule needs a veto member; the members are {', '.join(c.members)}, "
            f"got {veto!r}",
            file=model.file,
            table=where,
            key="veto",
        )
    return exact(max((pivot, veto), key=lambda m: t[m]))


__all__ = ["threshold", "thresholds"]
