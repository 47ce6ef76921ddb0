"""One round of an alternating-offers equilibrium: who proposes what, and who accepts.

Shared by the game (:mod:`~bargain.strategic.rubinstein`, which computes the moves),
the transfer reduction (:mod:`~bargain.strategic.transfer`, which checks them) and
round-by-round play (:mod:`~bargain.strategic.simulate`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import overload


@dataclass(frozen=True)
class Move:
    """Equilibrium behaviour in one round: what the proposer offers, and the least the
    responder accepts (it takes its outside option on rejection if ``walks``)."""

    proposer: str
    responder: str
    offer: float
    demand: float
    walks: bool


@dataclass(frozen=True)
class Plan(Sequence[Move]):
    """Every round's equilibrium move of a game of ``rounds`` rounds, without storing each.

    Backward induction settles, far enough from the deadline, into a cycle of two rounds
    (each party's proposal repeats every other round, to the last bit); the rounds from
    ``start`` on are kept (``tail``), and a round ``k < start`` plays
    ``tail[(k - start) % 2]``, or ``early(k)`` where that is given (a game whose offers
    approach the cycle geometrically, computed in closed form). ``start`` is 0 where no
    cycle was reached.

    Examples
    --------
    >>> a, b = Move("W", "A", 0.6, 0.4, False), Move("A", "W", 0.5, 0.5, False)
    >>> plan = Plan(rounds=10**9, start=10**9 - 4, tail=(a, b, a, b))
    >>> len(plan), plan[0] is a, plan[1] is b, plan[999_999_999] is b
    (1000000000, True, True, True)
    """

    rounds: int
    start: int
    tail: tuple[Move, ...]
    early: Callable[[int], Move] | None = None

    def __len__(self) -> int:
        return self.rounds

    @overload
    def __getitem__(self, k: int) -> Move: ...

    @overload
    def __getitem__(self, k: slice) -> Sequence[Move]: ...

    def __getitem__(self, k: int | slice) -> Move | Sequence[Move]:
        if isinstance(k, slice):
            return [self[i] for i in range(*k.indices(self.rounds))]
        if k < 0:
            k += self.rounds
        if not 0 <= k < self.rounds:
            raise IndexError(k)
        if k >= self.start:
            return self.tail[k - self.start]
        return self.tail[(k - self.start) % 2] if self.early is None else self.early(k)


__all__ = ["Move", "Plan"]
