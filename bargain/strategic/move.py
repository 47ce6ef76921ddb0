"""One round of an alternating-offers equilibrium: who proposes what, and who accepts.

Shared by the game (:mod:`~bargain.strategic.rubinstein`, which computes the moves),
the transfer reduction (:mod:`~bargain.strategic.transfer`, which checks them) and
round-by-round play (:mod:`~bargain.strategic.simulate`).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Move:
    """Equilibrium behaviour in one round: what the proposer offers, and the least the
    responder accepts (it takes its outside option on rejection if ``walks``)."""

    proposer: str
    responder: str
    offer: float
    demand: float
    walks: bool


__all__ = ["Move"]
