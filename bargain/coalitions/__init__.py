"""Coalitions: several parties that bargain as one player (``[coalitions.NAME]``).

:func:`coalition` solves a model with a coalition three ways: the counterpart against
the coalition as one player (its payoff and disagreement derived from its members
and its rule, :mod:`bargain.coalitions.rule`), the counterpart against each member
alone, and, per member, whether breaking ranks pays. The derivation and its sources
are in ``docs/coalitions.md``. Where weekly costs decide, the coalition holds out as one
member, picked by its rule: in the alternating-offers game
(:func:`~bargain.coalitions.alternating.coalition_rubinstein`) and in the strike's length
(:func:`~bargain.coalitions.strike.coalition_strike`).
"""

from bargain.coalitions.alternating import CoalitionGame, coalition_rubinstein
from bargain.coalitions.coalition import CoalitionReport, Member, coalition
from bargain.coalitions.strike import CoalitionStrike, coalition_strike

__all__ = [
    "CoalitionGame",
    "CoalitionReport",
    "CoalitionStrike",
    "Member",
    "coalition",
    "coalition_rubinstein",
    "coalition_strike",
]
