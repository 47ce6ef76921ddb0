"""Coalitions: several parties that bargain as one player (``[coalitions.NAME]``).

:func:`coalition` solves a model with a coalition three ways: the counterpart against
the coalition as one player (its payoff and disagreement derived from its members
and its rule, :mod:`bargain.coalitions.rule`), the counterpart against each member
alone, and, per member, whether breaking ranks pays. The derivation and its sources
are in ``docs/coalitions.md``.
"""

from bargain.coalitions.coalition import CoalitionReport, Member, coalition

__all__ = ["CoalitionReport", "Member", "coalition"]
