"""Coalitions: several parties that bargain as one player (``[coalitions.NAME]``).

:func:`coalition` solves a model with a coalition three ways: the counterpart against
the coalition as one player (its payoff and disagreement derived from its members
and its rule, :mod:`bargain.coalitions.rule`), the counterpart against each member
alone, and, per member, whether breaking ranks pays. Where weekly costs decide, the
coalition holds out as one member, picked by its rule: in the alternating-offers game
(:func:`~bargain.coalitions.alternating.coalition_rubinstein`) and in the strike's length
(:func:`~bargain.coalitions.strike.coalition_strike`). :func:`pattern` settles the
counterpart's contracts with the members one by one and under a pattern (the first
agreement's terms for all), and :func:`channel` compares separate (Nash-in-Nash) with
joint bargaining when the members compete (the Horn–Wolinsky channel). The derivations
and their sources are in ``docs/coalitions.md``.
"""

from bargain.coalitions.alternating import CoalitionGame, coalition_rubinstein
from bargain.coalitions.channel import ChannelReport, Market, channel
from bargain.coalitions.coalition import CoalitionReport, Member, coalition
from bargain.coalitions.pattern import PatternMember, PatternReport, pattern
from bargain.coalitions.strike import CoalitionStrike, coalition_strike

__all__ = [
    "ChannelReport",
    "CoalitionGame",
    "CoalitionReport",
    "CoalitionStrike",
    "Market",
    "Member",
    "PatternMember",
    "PatternReport",
    "channel",
    "coalition",
    "coalition_rubinstein",
    "coalition_strike",
    "pattern",
]
