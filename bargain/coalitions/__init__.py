"""Coalitions: several parties that bargain as one player (``[coalitions.NAME]``).

:func:`coalition` solves a model with a coalition three ways: the counterpart against
the coalition as one player (its payoff and disagreement derived from its members
and its rule, :mod:`bargain.coalitions.rule`), the counterpart against each member
alone, and, per member, whether breaking ranks pays. :func:`pattern` settles the
counterpart's contracts with the members one by one and under a pattern (the first
agreement's terms for all), and :func:`channel` compares separate (Nash-in-Nash) with
joint bargaining when the members compete (the Horn–Wolinsky channel). The derivations
and their sources are in ``docs/coalitions.md``.
"""

from bargain.coalitions.channel import ChannelReport, Market, channel
from bargain.coalitions.coalition import CoalitionReport, Member, coalition
from bargain.coalitions.pattern import PatternMember, PatternReport, pattern

__all__ = [
    "ChannelReport",
    "CoalitionReport",
    "Market",
    "Member",
    "PatternMember",
    "PatternReport",
    "channel",
    "coalition",
    "pattern",
]
