"""Play the alternating-offers game round by round.

:func:`simulate` plays a model's game (see :mod:`bargain.rubinstein` for the
timing) with each party following a :class:`Strategy`: by default the
subgame-perfect equilibrium strategies, or any strategies a user writes. The
result is the :class:`Path` of play: every offer and response, how the talks
ended, and each party's payoff at time 0, accumulated round by round.

Examples
--------
>>> import bargain
>>> split = bargain.load_model(bargain.models_dir() / "split.toml")
>>> path = simulate(split)
>>> round(path.agreement, 12), path.delay, path.ended
(0.714285714286, 0.0, 'agreement')
>>> stubborn = {"W": Demand(1.0), "A": Demand(0.0)}  # each demands everything
>>> path = simulate(split, stubborn, horizon=4)
>>> [r.response for r in path.rounds], path.ended
(['reject', 'reject', 'reject', 'reject'], 'deadline')
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import sympy

from bargain.model.model import Model
from bargain.scale import negligible
from bargain.strategic.move import Move
from bargain.strategic.rubinstein import (
    _Numeric,
    _proposer,
    backward_induction,
    game_of,
    stationary_moves,
)


@dataclass(frozen=True)
class Round:
    """One round of play."""

    index: int
    time: float
    proposer: str
    offer: float
    response: str  # "accept", "reject" or "opt out"
    breakdown: bool = False


class Strategy(Protocol):
    """What a party does: the contract it offers as proposer, and its response to an offer.

    ``history`` holds the rounds played so far.
    """

    def offer(self, index: int, history: Sequence[Round]) -> float: ...

    def respond(self, index: int, offer: float, history: Sequence[Round]) -> str: ...


@dataclass(frozen=True)
class Demand:
    """A simple strategy: always offer ``x``; accept an offer no worse than ``x`` for oneself.

    ``rising`` says whether this party's payoff rises with the contract variable
    (it is set by :func:`simulate`; leave it ``None``).
    """

    x: float
    rising: bool | None = None

    def offer(self, index: int, history: Sequence[Round]) -> float:
        return self.x

    def respond(self, index: int, offer: float, history: Sequence[Round]) -> str:
        good = offer >= self.x if self.rising else offer <= self.x
        return "accept" if good else "reject"


@dataclass(frozen=True)
class Equilibrium:
    """The subgame-perfect equilibrium strategy of one party.

    ``moves`` holds each round's :class:`~bargain.strategic.move.Move` by its index (finite
    horizon: a :class:`~bargain.strategic.move.Plan`) or each proposer's stationary move
    (infinite game).
    """

    party: str
    moves: Sequence[Move] | Mapping[str, Move]
    utility: Callable[[float], float]
    stationary: bool

    def offer(self, index: int, history: Sequence[Round]) -> float:
        return self.moves[self.party if self.stationary else index].offer  # type: ignore[index]

    def respond(self, index: int, offer: float, history: Sequence[Round]) -> str:
        if self.stationary:
            move = next(m for m in self.moves.values() if m.responder == self.party)
        else:
            move = self.moves[index]  # type: ignore[index]
        value = self.utility(offer)
        # Short of the demand by no more than rounding, relative to the sizes compared (the
        # same verdict in dollars or $bn: bargain.scale).
        if value >= move.demand or negligible(move.demand - value, [move.demand, value], 1e-12):
            return "accept"
        return "opt out" if move.walks else "reject"


@dataclass(frozen=True)
class Path:
    """The play of the game: its rounds, how it ended, and the payoffs at time 0."""

    rounds: tuple[Round, ...]
    ended: str  # "agreement", "breakdown", "opt out", "deadline" or "max rounds"
    agreement: float | None
    delay: float
    payoffs: dict[str, float]


def simulate(
    model: Model,
    strategies: Mapping[str, Strategy] | None = None,
    *,
    proposer: str | None = None,
    period: float | None = None,
    horizon: int | float | None = None,
    max_rounds: int = 10_000,
    seed: int = 0,
) -> Path:
    """Play the alternating-offers game of ``model`` round by round.

    Parameters
    ----------
    model
        A model the alternating-offers solver accepts.
    strategies
        A :class:`Strategy` for each party; missing parties play their
        equilibrium strategy.
    proposer, period, horizon
        As for :func:`bargain.rubinstein`.
    max_rounds
        Stop after this many rounds of an infinite game.
    seed
        Seed of the random draws of breakdown (when ``breakdown_probability > 0``).

    Returns
    -------
    Path
        Every round played, how play ended, and the payoffs at time 0.
    """
    game = game_of(model, proposer=proposer, period=period, horizon=horizon)
    num = _Numeric(game)
    names = (num.rising, num.falling)
    finite = game.horizon != sympy.oo
    rounds = int(game.horizon) if finite else max_rounds
    chosen = dict(strategies or {})
    if len(chosen) < 2:
        if finite:
            moves: Mapping[str, Move] | Sequence[Move] = backward_induction(game, rounds)[3]
        else:
            moves = stationary_moves(game)
        for n in names:
            if n not in chosen:
                chosen[n] = Equilibrium(n, moves, lambda x, n=n: num.utility(n, x), not finite)
    for n, strategy in list(chosen.items()):
        if isinstance(strategy, Demand) and strategy.rising is None:
            chosen[n] = Demand(strategy.x, n == num.rising)
    rng = np.random.default_rng(seed)
    dt = float(game.period)
    pv = {n: 0.0 for n in names}
    history: list[Round] = []
    factor = {n: 1.0 for n in names}  # discount factor of the current round's time
    for k in range(rounds):
        p = _proposer(game, k)
        r = names[1] if p == names[0] else names[0]
        x = min(max(float(chosen[p].offer(k, tuple(history))), num.lo), num.hi)
        response = chosen[r].respond(k, x, tuple(history))
        if response == "accept":
            history.append(Round(k, k * dt, p, x, response))
            for n in names:
                pv[n] += factor[n] * num.utility(n, x)
            return Path(tuple(history), "agreement", x, k * dt, pv)
        if response == "opt out":
            history.append(Round(k, k * dt, p, x, response))
            pv[r] += factor[r] * num.outside[r]
            pv[p] += factor[p] * num.disagreement[p]
            return Path(tuple(history), "opt out", None, k * dt, pv)
        broke = num.q > 0 and rng.random() < num.q
        history.append(Round(k, k * dt, p, x, "reject", broke))
        for n in names:
            pv[n] += factor[n] * num.strike[n]
        if broke:
            for n in names:
                pv[n] += factor[n] * num.disagreement[n]
            return Path(tuple(history), "breakdown", None, (k + 1) * dt, pv)
        for n in names:
            factor[n] *= num.delta[n]
    if finite:
        for n in names:
            pv[n] += factor[n] * num.disagreement[n]
        return Path(tuple(history), "deadline", None, rounds * dt, pv)
    return Path(tuple(history), "max rounds", None, rounds * dt, pv)


__all__ = ["Demand", "Equilibrium", "Path", "Round", "Strategy", "simulate"]
